/**
 * Serial patterns such as "KH-{yyyy}-{0000}": date tokens ({yyyy}, {yy},
 * {MM}, {dd}) form the period the counter restarts in; {0000} is the counter,
 * zero-padded to the number of zeros.
 */
export type SerialParts = { readonly period: string; format(counter: number): string };

const TOKEN = /\{(yyyy|yy|MM|dd|0+)\}/g;

export function serialParts(pattern: string, now: Date, timeZone: string): SerialParts {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
    })
      .formatToParts(now)
      .filter((p) => p.type !== 'literal')
      .map((p) => [p.type, p.value]),
  ) as { year: string; month: string; day: string };
  const dateValue = (token: string): string | null => {
    switch (token) {
      case 'yyyy':
        return parts.year;
      case 'yy':
        return parts.year.slice(2);
      case 'MM':
        return parts.month;
      case 'dd':
        return parts.day;
      default:
        return null;
    }
  };
  const period = [...pattern.matchAll(TOKEN)]
    .map((m) => dateValue(m[1] as string))
    .filter((v): v is string => v !== null)
    .join('');
  return {
    period: period === '' ? 'all' : period,
    format: (counter) =>
      pattern.replace(
        TOKEN,
        (_match, token: string) => dateValue(token) ?? String(counter).padStart(token.length, '0'),
      ),
  };
}
