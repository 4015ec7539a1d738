import { z } from 'zod';

/** A working calendar (rule-engine's WorkingCalendar); semantics are checked by validateWorkingCalendar. */
export const WorkingCalendarSchema = z.strictObject({
  timeZone: z.string().min(1).max(64).describe('IANA time zone, such as Asia/Shanghai'),
  periods: z
    .array(z.strictObject({ start: z.string().max(5), end: z.string().max(5) }))
    .min(1)
    .max(12)
    .describe('Working periods of a working day, such as 09:00-12:00 and 13:00-18:00'),
  weekdays: z.array(z.number().int()).max(7).optional().describe('1 (Monday) ... 7 (Sunday)'),
  holidays: z.array(z.string().max(10)).max(2000).optional().describe('Days off, YYYY-MM-DD'),
  workingDays: z
    .array(z.string().max(10))
    .max(2000)
    .optional()
    .describe('Make-up working days (调休), YYYY-MM-DD'),
});
export type WorkingCalendarDto = z.infer<typeof WorkingCalendarSchema>;

export const SaveCalendarDto = z.strictObject({ calendar: WorkingCalendarSchema });
export type SaveCalendarDto = z.infer<typeof SaveCalendarDto>;

export const CalendarSource = z.enum(['default', 'workspace', 'team']);

export const CalendarResponse = z.object({
  /** The calendar that applies. */
  calendar: WorkingCalendarSchema,
  /** Where it comes from: the shipped mainland China calendar, the workspace's, or the team's own. */
  source: CalendarSource,
  teamId: z.uuid().nullable(),
  updatedAt: z.string().nullable(),
});
export type CalendarResponse = z.infer<typeof CalendarResponse>;

export const CalendarsResponse = z.object({
  workspace: CalendarResponse,
  teams: z.array(CalendarResponse),
});
export type CalendarsResponse = z.infer<typeof CalendarsResponse>;
