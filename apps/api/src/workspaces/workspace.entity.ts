import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

export type WorkspaceSettings = {
  timeZone?: string;
  locale?: string;
  allowSignup?: boolean;
};

@Entity('workspace')
export class Workspace {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column('text') name: string;
  /** The PostgreSQL schema holding this workspace's record tables. */
  @Column('text', { name: 'schema_name' }) schemaName: string;
  @Column('jsonb') settings: WorkspaceSettings;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
}
