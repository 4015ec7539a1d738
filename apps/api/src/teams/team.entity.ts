import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** A department or team; the tree (parent_id) feeds "my department subtree" scopes and manager chains. */
@Entity('team')
export class Team {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column('uuid', { name: 'workspace_id' }) workspaceId: string;
  @Column('uuid', { name: 'parent_id', nullable: true }) parentId: string | null;
  @Column('text') name: string;
  @Column('text') kind: 'department' | 'team';
  @Column('uuid', { name: 'manager_member_id', nullable: true }) managerMemberId: string | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
}
