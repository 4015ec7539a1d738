import { Body, Controller, Delete, Get, Param, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { AuthContext } from '../auth/auth-context.js';
import { CurrentAuth } from '../common/auth/current-auth.decorator.js';
import { IdParam } from '../common/http/params.js';
import { PolicyService } from '../policy/policy.service.js';
import { CalendarsService } from './calendars.service.js';
import { CalendarResponse, CalendarsResponse, SaveCalendarDto } from './dto/calendars.dto.js';

@ApiTags('calendars')
@ApiBearerAuth()
@Controller('calendars')
export class CalendarsController {
  constructor(
    private readonly calendars: CalendarsService,
    private readonly policy: PolicyService,
  ) {}

  @Get()
  @ApiOkResponse({
    standardSchema: CalendarsResponse,
    description: "The workspace's working calendar (mainland China by default) and the teams' own",
  })
  list(@CurrentAuth() auth: AuthContext): Promise<CalendarsResponse> {
    return this.calendars.list(auth);
  }

  @Put('workspace')
  @ApiOkResponse({
    standardSchema: CalendarResponse,
    description: 'Working hours, time zone, holidays and make-up days for the whole workspace',
  })
  async saveWorkspace(
    @CurrentAuth() auth: AuthContext,
    @Body({ schema: SaveCalendarDto }) dto: SaveCalendarDto,
  ): Promise<CalendarResponse> {
    await this.policy.requireWorkspace(auth, 'manage_workspace');
    return this.calendars.saveWorkspace(auth, dto.calendar);
  }

  @Get('teams/:teamId')
  @ApiOkResponse({
    standardSchema: CalendarResponse,
    description: "The calendar a team's timers use (its own, a parent team's, or the workspace's)",
  })
  forTeam(
    @CurrentAuth() auth: AuthContext,
    @Param('teamId', { schema: IdParam }) teamId: string,
  ): Promise<CalendarResponse> {
    return this.calendars.forTeam(auth, teamId);
  }

  @Put('teams/:teamId')
  @ApiOkResponse({ standardSchema: CalendarResponse })
  async saveTeam(
    @CurrentAuth() auth: AuthContext,
    @Param('teamId', { schema: IdParam }) teamId: string,
    @Body({ schema: SaveCalendarDto }) dto: SaveCalendarDto,
  ): Promise<CalendarResponse> {
    await this.policy.requireWorkspace(auth, 'manage_workspace');
    return this.calendars.saveTeam(auth, teamId, dto.calendar);
  }

  @Delete('teams/:teamId')
  @ApiOkResponse({
    standardSchema: CalendarResponse,
    description: 'Removes the team calendar; returns the one that applies now',
  })
  async removeTeam(
    @CurrentAuth() auth: AuthContext,
    @Param('teamId', { schema: IdParam }) teamId: string,
  ): Promise<CalendarResponse> {
    await this.policy.requireWorkspace(auth, 'manage_workspace');
    return this.calendars.removeTeam(auth, teamId);
  }
}
