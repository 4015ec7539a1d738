// Fast ISO 8601 instants: Date.parse and Date#toISOString cost hundreds of
// nanoseconds each, which dominated transitions that schedule timers. These
// handle the common shapes by hand and defer to Date for anything else.

const D0 = 48; // '0'

function digits(s: string, at: number, n: number): number {
  let v = 0;
  for (let i = at; i < at + n; i++) {
    const c = s.charCodeAt(i) - D0;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

/** Days from 1970-01-01 to y-m-d (proleptic Gregorian; Howard Hinnant's days_from_civil). */
function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/**
 * Milliseconds since the epoch for `YYYY-MM-DDTHH:mm[:ss[.fff]](Z|±HH:MM)`,
 * falling back to Date.parse for other shapes; NaN when unparseable.
 */
export function parseInstant(s: string): number {
  const n = s.length;
  if (n >= 17 && s.charCodeAt(4) === 45 && s.charCodeAt(7) === 45 && s.charCodeAt(13) === 58) {
    const y = digits(s, 0, 4);
    const mo = digits(s, 5, 2);
    const d = digits(s, 8, 2);
    const h = digits(s, 11, 2);
    const mi = digits(s, 14, 2);
    let i = 16;
    let sec = 0;
    let ms = 0;
    if (s.charCodeAt(i) === 58) {
      sec = digits(s, 17, 2);
      i = 19;
      if (s.charCodeAt(i) === 46) {
        let j = i + 1;
        let scale = 100;
        while (j < n && s.charCodeAt(j) >= 48 && s.charCodeAt(j) <= 57) {
          ms += (s.charCodeAt(j) - D0) * scale;
          scale /= 10;
          j++;
        }
        ms = Math.floor(ms);
        i = j;
      }
    }
    let offset = 0;
    let ok = i < n;
    if (ok && s.charCodeAt(i) === 90 && i === n - 1) offset = 0;
    else if (ok && i === n - 6 && s.charCodeAt(i + 3) === 58) {
      const sign = s.charCodeAt(i) === 43 ? 1 : s.charCodeAt(i) === 45 ? -1 : 0;
      const oh = digits(s, i + 1, 2);
      const om = digits(s, i + 4, 2);
      ok = sign !== 0 && oh >= 0 && om >= 0;
      offset = sign * (oh * 60 + om) * 60_000;
    } else ok = false;
    if (
      ok &&
      s.charCodeAt(10) === 84 &&
      y >= 0 &&
      mo >= 1 &&
      mo <= 12 &&
      d >= 1 &&
      d <= 31 &&
      h >= 0 &&
      h <= 23 &&
      mi >= 0 &&
      mi <= 59 &&
      sec >= 0 &&
      sec <= 59
    ) {
      return ((daysFromCivil(y, mo, d) * 24 + h) * 60 + mi) * 60_000 + sec * 1000 + ms - offset;
    }
  }
  return Date.parse(s);
}

const PAD2: readonly string[] = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0'));
const PAD3: readonly string[] = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));
let lastYear = -1;
let lastYearText = '';

function pad2(v: number): string {
  return PAD2[v] as string;
}

/** The same text as `new Date(ms).toISOString()` for years 0–9999. */
export function formatInstant(ms: number): string {
  const days = Math.floor(ms / 86_400_000);
  if (!Number.isFinite(ms) || days < -719468 || days > 2932896) return new Date(ms).toISOString();
  let rest = ms - days * 86_400_000;
  const h = Math.floor(rest / 3_600_000);
  rest -= h * 3_600_000;
  const mi = Math.floor(rest / 60_000);
  rest -= mi * 60_000;
  const sec = Math.floor(rest / 1000);
  const milli = rest - sec * 1000;
  // civil_from_days
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  if (y !== lastYear) {
    lastYear = y;
    lastYearText = String(y).padStart(4, '0');
  }
  return (
    lastYearText +
    '-' +
    pad2(m) +
    '-' +
    pad2(d) +
    'T' +
    pad2(h) +
    ':' +
    pad2(mi) +
    ':' +
    pad2(sec) +
    '.' +
    (PAD3[milli] as string) +
    'Z'
  );
}

const DAY_MS = 86_400_000;
let lastDays = Number.NaN;
let lastDateText = '';

function dateText(days: number): string {
  if (days !== lastDays) {
    lastDays = days;
    lastDateText = formatInstant(days * DAY_MS).slice(0, 10);
  }
  return lastDateText;
}

/**
 * `from + ms` as an ISO instant written in `from`'s own UTC offset (`Z` or
 * `±HH:MM`), so a due time reads in the same local time as the `now` it came
 * from: whole days change only the date; otherwise the time is written
 * `HH:mm:ss.sss`. Other shapes go through Date (UTC). Null when `from` is not
 * an instant.
 */
export function addToInstant(from: string, ms: number): string | null {
  const n = from.length;
  let end = -1;
  if (
    n >= 17 &&
    from.charCodeAt(4) === 45 &&
    from.charCodeAt(7) === 45 &&
    from.charCodeAt(10) === 84 &&
    from.charCodeAt(13) === 58
  ) {
    if (from.charCodeAt(n - 1) === 90) end = n - 1;
    else if (from.charCodeAt(n - 3) === 58) {
      const sign = from.charCodeAt(n - 6);
      if (sign === 43 || sign === 45) end = n - 6;
    }
  }
  const y = end < 0 ? -1 : digits(from, 0, 4);
  const mo = digits(from, 5, 2);
  const d = digits(from, 8, 2);
  const tod = y < 0 || mo < 1 || mo > 12 || d < 1 || d > 31 ? Number.NaN : timeOfDayMs(from, end);
  if (Number.isNaN(tod)) {
    const t = Date.parse(from);
    return Number.isNaN(t) ? null : new Date(t + ms).toISOString();
  }
  if (ms % DAY_MS === 0) {
    return ms === 0 ? from : dateText(daysFromCivil(y, mo, d) + ms / DAY_MS) + from.slice(10);
  }
  const total = tod + ms;
  const shift = Math.floor(total / DAY_MS);
  let t = total - shift * DAY_MS;
  const h = Math.floor(t / 3_600_000);
  t -= h * 3_600_000;
  const mi = Math.floor(t / 60_000);
  t -= mi * 60_000;
  const sec = Math.floor(t / 1000);
  const milli = t - sec * 1000;
  const date = shift === 0 ? from.slice(0, 10) : dateText(daysFromCivil(y, mo, d) + shift);
  return (
    date +
    'T' +
    pad2(h) +
    ':' +
    pad2(mi) +
    ':' +
    pad2(sec) +
    '.' +
    (PAD3[milli] as string) +
    from.slice(end)
  );
}

/** Milliseconds into the day of `THH:mm[:ss[.fff]]` ending at `end`; NaN when malformed. */
function timeOfDayMs(s: string, end: number): number {
  const h = digits(s, 11, 2);
  const mi = digits(s, 14, 2);
  if (h < 0 || h > 23 || mi < 0 || mi > 59) return Number.NaN;
  const base = (h * 60 + mi) * 60_000;
  if (end === 16) return base;
  if (s.charCodeAt(16) !== 58) return Number.NaN;
  const sec = digits(s, 17, 2);
  if (sec < 0 || sec > 59) return Number.NaN;
  if (end === 19) return base + sec * 1000;
  // A fraction of one to three digits (finer ones take the Date path).
  const places = end - 20;
  if (s.charCodeAt(19) !== 46 || places < 1 || places > 3) return Number.NaN;
  const frac = digits(s, 20, places);
  if (frac < 0) return Number.NaN;
  return base + sec * 1000 + (places === 1 ? frac * 100 : places === 2 ? frac * 10 : frac);
}
