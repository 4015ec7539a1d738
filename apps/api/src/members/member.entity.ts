import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

@Entity('member')
export class Member {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column('uuid', { name: 'workspace_id' }) workspaceId: string;
  @Column('uuid', { name: 'user_id' }) userId: string;
  @Column('text', { name: 'display_name' }) displayName: string;
  @Column('text') status: 'active' | 'removed';
  @Column('uuid', { name: 'team_id', nullable: true }) teamId: string | null;
  @Column('uuid', { name: 'manager_member_id', nullable: true }) managerMemberId: string | null;
  @Column('boolean', { name: 'is_owner' }) isOwner: boolean;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @Column('timestamptz', { name: 'removed_at', nullable: true }) removedAt: Date | null;
}
