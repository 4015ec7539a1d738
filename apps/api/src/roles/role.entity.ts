import {
  Column,
  CreateDateColumn,
  Entity,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';
import type { LocalizedText } from '../common/localized-text.js';
import type { RolePermissions } from '../policy/permissions.js';

@Entity('role')
export class Role {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column('uuid', { name: 'workspace_id' }) workspaceId: string;
  @Column('text') key: string;
  @Column('jsonb') name: LocalizedText;
  @Column('boolean', { name: 'is_system' }) isSystem: boolean;
  @Column('jsonb') permissions: RolePermissions;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}
