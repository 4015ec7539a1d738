import { Module } from '@nestjs/common';
import { MembersController } from '../members/members.controller.js';
import { MembersService } from '../members/members.service.js';
import { PolicyService } from '../policy/policy.service.js';
import { RolesController } from '../roles/roles.controller.js';
import { RolesService } from '../roles/roles.service.js';
import { TeamsController } from '../teams/teams.controller.js';
import { TeamsService } from '../teams/teams.service.js';

/** Members, teams (the department tree) and roles, and the policy service that reads them. */
@Module({
  controllers: [MembersController, TeamsController, RolesController],
  providers: [MembersService, TeamsService, RolesService, PolicyService],
  exports: [PolicyService, MembersService],
})
export class PeopleModule {}
