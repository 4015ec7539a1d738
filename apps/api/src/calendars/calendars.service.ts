import { Injectable } from '@nestjs/common';
import {
  CHINA_MAINLAND_CALENDAR_2026_2027,
  validateWorkingCalendar,
  type WorkingCalendar,
} from '@trellis/rule-engine';
import type { AuthContext } from '../auth/auth-context.js';
import { SharedCache } from '../common/cache/shared-cache.service.js';
import { ApiError } from '../common/errors/api-error.js';
import { DatabaseService, type Sql } from '../database/database.service.js';
import type {
  CalendarResponse,
  CalendarsResponse,
  WorkingCalendarDto,
} from './dto/calendars.dto.js';

type CalendarRow = { team_id: string | null; calendar: WorkingCalendar; updated_at: Date };
type WorkspaceCalendars = {
  workspace: CalendarRow | null;
  teams: ReadonlyMap<string, CalendarRow>;
  parents: ReadonlyMap<string, string | null>;
};

export const DEFAULT_CALENDAR: WorkingCalendar = CHINA_MAINLAND_CALENDAR_2026_2027;

/**
 * Working calendars per workspace and per team (working hours, time zone,
 * public holidays and 调休 make-up days). A team without its own calendar
 * uses its parent's, then the workspace's, then the shipped mainland China
 * calendar. Cached per process and dropped in every process on change.
 */
@Injectable()
export class CalendarsService {
  constructor(
    private readonly db: DatabaseService,
    private readonly cache: SharedCache,
  ) {}

  /** The calendar that applies to a team (or the workspace when teamId is null). */
  async effective(workspaceId: string, teamId: string | null): Promise<WorkingCalendar> {
    // validated by validateWorkingCalendar when saved
    return (await this.resolve(workspaceId, teamId)).calendar as WorkingCalendar;
  }

  async list(auth: AuthContext): Promise<CalendarsResponse> {
    const all = await this.load(auth.workspaceId);
    return {
      workspace: await this.resolve(auth.workspaceId, null),
      teams: [...all.teams.values()].map((row) => present(row, 'team')),
    };
  }

  async forTeam(auth: AuthContext, teamId: string): Promise<CalendarResponse> {
    await this.assertTeam(this.db, auth.workspaceId, teamId);
    return this.resolve(auth.workspaceId, teamId);
  }

  async saveWorkspace(auth: AuthContext, calendar: WorkingCalendarDto): Promise<CalendarResponse> {
    check(calendar);
    await this.db.transaction(async (tx) => {
      await tx.query(
        `INSERT INTO working_calendar (workspace_id, team_id, calendar, updated_by) VALUES ($1, NULL, $2, $3)
         ON CONFLICT (workspace_id) WHERE team_id IS NULL DO UPDATE SET calendar = EXCLUDED.calendar, updated_by = EXCLUDED.updated_by, updated_at = now()`,
        [auth.workspaceId, JSON.stringify(calendar), auth.memberId],
      );
      await this.cache.invalidate(tx, [cacheKey(auth.workspaceId)]);
    });
    // a read between the drop and the commit may have cached the old rows
    this.cache.drop([cacheKey(auth.workspaceId)]);
    return this.resolve(auth.workspaceId, null);
  }

  async saveTeam(
    auth: AuthContext,
    teamId: string,
    calendar: WorkingCalendarDto,
  ): Promise<CalendarResponse> {
    check(calendar);
    await this.db.transaction(async (tx) => {
      await this.assertTeam(tx, auth.workspaceId, teamId);
      await tx.query(
        `INSERT INTO working_calendar (workspace_id, team_id, calendar, updated_by) VALUES ($1, $2, $3, $4)
         ON CONFLICT (team_id) WHERE team_id IS NOT NULL DO UPDATE SET calendar = EXCLUDED.calendar, updated_by = EXCLUDED.updated_by, updated_at = now()`,
        [auth.workspaceId, teamId, JSON.stringify(calendar), auth.memberId],
      );
      await this.cache.invalidate(tx, [cacheKey(auth.workspaceId)]);
    });
    // a read between the drop and the commit may have cached the old rows
    this.cache.drop([cacheKey(auth.workspaceId)]);
    return this.resolve(auth.workspaceId, teamId);
  }

  async removeTeam(auth: AuthContext, teamId: string): Promise<CalendarResponse> {
    await this.db.transaction(async (tx) => {
      await this.assertTeam(tx, auth.workspaceId, teamId);
      await tx.query(`DELETE FROM working_calendar WHERE workspace_id = $1 AND team_id = $2`, [
        auth.workspaceId,
        teamId,
      ]);
      await this.cache.invalidate(tx, [cacheKey(auth.workspaceId)]);
    });
    // a read between the drop and the commit may have cached the old rows
    this.cache.drop([cacheKey(auth.workspaceId)]);
    return this.resolve(auth.workspaceId, teamId);
  }

  private async resolve(workspaceId: string, teamId: string | null): Promise<CalendarResponse> {
    const all = await this.load(workspaceId);
    let current = teamId;
    for (let depth = 0; current !== null && depth < 50; depth++) {
      const own = all.teams.get(current);
      if (own !== undefined) return present(own, 'team');
      current = all.parents.get(current) ?? null;
    }
    if (all.workspace !== null) return present(all.workspace, 'workspace');
    return { calendar: toDto(DEFAULT_CALENDAR), source: 'default', teamId: null, updatedAt: null };
  }

  private load(workspaceId: string): Promise<WorkspaceCalendars> {
    return this.cache.get(cacheKey(workspaceId), async () => {
      const rows = await this.db.query<CalendarRow>(
        `SELECT team_id, calendar, updated_at FROM working_calendar WHERE workspace_id = $1`,
        [workspaceId],
      );
      const teams = await this.db.query<{ id: string; parent_id: string | null }>(
        `SELECT id, parent_id FROM team WHERE workspace_id = $1`,
        [workspaceId],
      );
      return {
        workspace: rows.find((r) => r.team_id === null) ?? null,
        teams: new Map(rows.filter((r) => r.team_id !== null).map((r) => [r.team_id as string, r])),
        parents: new Map(teams.map((t) => [t.id, t.parent_id])),
      };
    });
  }

  private async assertTeam(sql: Sql, workspaceId: string, teamId: string): Promise<void> {
    const rows = await sql.query(`SELECT 1 FROM team WHERE workspace_id = $1 AND id = $2`, [
      workspaceId,
      teamId,
    ]);
    if (rows.length === 0) throw ApiError.notFound('Team');
  }
}

function check(calendar: WorkingCalendarDto): void {
  const issues = validateWorkingCalendar(calendar);
  if (issues.length > 0)
    throw ApiError.validation(
      issues.map((i) => ({
        path: i.path === '' ? 'calendar' : `calendar.${i.path}`,
        code: i.code.toUpperCase(),
        message: i.message,
      })),
      'The working calendar is not valid',
    );
}

function present(row: CalendarRow, source: 'workspace' | 'team'): CalendarResponse {
  return {
    calendar: toDto(row.calendar),
    source,
    teamId: row.team_id,
    updatedAt: row.updated_at.toISOString(),
  };
}

function toDto(calendar: WorkingCalendar): WorkingCalendarDto {
  return {
    timeZone: calendar.timeZone,
    periods: calendar.periods.map((p) => ({ start: p.start, end: p.end })),
    ...(calendar.weekdays !== undefined ? { weekdays: [...calendar.weekdays] } : {}),
    ...(calendar.holidays !== undefined ? { holidays: [...calendar.holidays] } : {}),
    ...(calendar.workingDays !== undefined ? { workingDays: [...calendar.workingDays] } : {}),
  };
}

export function calendarCacheKey(workspaceId: string): string {
  return cacheKey(workspaceId);
}

function cacheKey(workspaceId: string): string {
  return `calendar:${workspaceId}`;
}
