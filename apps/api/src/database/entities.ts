import type { EntitySchema } from 'typeorm';
import { User } from '../auth/user.entity.js';
import { Member } from '../members/member.entity.js';
import { Role } from '../roles/role.entity.js';
import { Team } from '../teams/team.entity.js';
import { Workspace } from '../workspaces/workspace.entity.js';

type EntityClass = abstract new (...args: never[]) => object;

/** Every TypeORM entity of the metadata schema. Listed explicitly for ESM builds. */
export const ENTITIES: Array<EntityClass | EntitySchema> = [Workspace, User, Member, Team, Role];
