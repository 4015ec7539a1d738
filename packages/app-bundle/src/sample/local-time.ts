// Time on a fixed UTC offset (Asia/Shanghai has no daylight saving): local days, months and
// working-hour times for generated records. Instants are epoch milliseconds.

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

const PAD2 = Array.from({ length: 60 }, (_, i) => String(i).padStart(2, '0'));
const PAD3 = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));

export class LocalTime {
  private readonly offset: number;
  private readonly utcDays = new Map<number, string>();

  constructor(utcOffsetMinutes: number) {
    this.offset = utcOffsetMinutes * MINUTE;
  }

  /** `YYYY-MM-DD` of the local day. */
  date(ms: number): string {
    return new Date(ms + this.offset).toISOString().slice(0, 10);
  }

  /** ISO instant in UTC (`2026-11-23T02:00:00.000Z`); day prefixes are cached. */
  iso(instant: number): string {
    const ms = Math.floor(instant);
    const day = Math.floor(ms / DAY);
    let prefix = this.utcDays.get(day);
    if (prefix === undefined) {
      prefix = new Date(day * DAY).toISOString().slice(0, 11);
      this.utcDays.set(day, prefix);
    }
    let rest = ms - day * DAY;
    const millis = rest % 1000;
    rest = (rest - millis) / 1000;
    const seconds = rest % 60;
    rest = (rest - seconds) / 60;
    const minutes = rest % 60;
    const hours = (rest - minutes) / 60;
    if (hours > 23) return new Date(ms).toISOString();
    return `${prefix}${PAD2[hours] as string}:${PAD2[minutes] as string}:${PAD2[seconds] as string}.${PAD3[millis] as string}Z`;
  }

  /** Local midnight of the day `ms` falls in. */
  dayStart(ms: number): number {
    return Math.floor((ms + this.offset) / DAY) * DAY - this.offset;
  }

  /** 0 = Sunday … 6 = Saturday, locally. */
  weekday(ms: number): number {
    return new Date(ms + this.offset).getUTCDay();
  }

  /** Local midnight of the first day of the month `ms` falls in, moved by `months`. */
  monthStart(ms: number, months = 0): number {
    const d = new Date(ms + this.offset);
    return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + months, 1) - this.offset;
  }

  /** The same local wall time `months` later (clamped to the month's last day). */
  addMonths(ms: number, months: number): number {
    const d = new Date(ms + this.offset);
    const target = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + months, 1));
    const last = new Date(
      Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0),
    ).getUTCDate();
    target.setUTCDate(Math.min(d.getUTCDate(), last));
    return (
      target.getTime() +
      (ms + this.offset - Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate())) -
      this.offset
    );
  }

  /** Moves a weekend instant to the nearest weekday (Saturday → Friday, Sunday → Monday). */
  weekdayOf(ms: number): number {
    const w = this.weekday(ms);
    if (w === 6) return ms - DAY;
    if (w === 0) return ms + DAY;
    return ms;
  }
}
