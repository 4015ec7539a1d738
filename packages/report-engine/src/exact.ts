// Exact rational arithmetic for the in-memory twin, so sums, averages and ratios order and tie
// exactly as PostgreSQL's numeric does (0.1 + 0.2 is 0.3 here too).

/** num / den with den > 0. */
export type Rational = { readonly num: bigint; readonly den: bigint };

const DECIMAL = /^([+-])?(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

function gcd(a: bigint, b: bigint): bigint {
  let x = a < 0n ? -a : a;
  let y = b < 0n ? -b : b;
  while (y !== 0n) {
    const t = x % y;
    x = y;
    y = t;
  }
  return x;
}

export function rational(num: bigint, den: bigint = 1n): Rational {
  if (den === 0n) throw new RangeError('division by zero');
  const sign = den < 0n ? -1n : 1n;
  const g = gcd(num, den);
  if (g <= 1n) return { num: num * sign, den: den * sign };
  return { num: (num / g) * sign, den: (den / g) * sign };
}

export const ZERO: Rational = { num: 0n, den: 1n };

/** A number or decimal text (what PostgreSQL numeric looks like), exactly; null if not numeric. */
export function toRational(value: unknown): Rational | null {
  if (typeof value === 'bigint') return { num: value, den: 1n };
  let text: string;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return null;
    if (Number.isInteger(value) && Math.abs(value) <= Number.MAX_SAFE_INTEGER) {
      return { num: BigInt(value), den: 1n };
    }
    text = String(value);
  } else if (typeof value === 'string') {
    text = value.trim();
  } else {
    return null;
  }
  const m = DECIMAL.exec(text);
  if (m === null) return null;
  const intPart = m[2] ?? '';
  const frac = m[3] ?? '';
  if (intPart === '' && frac === '') return null;
  let num = BigInt(`${intPart}${frac}` || '0');
  let den = 10n ** BigInt(frac.length);
  const exp = m[4] === undefined ? 0 : Number(m[4]);
  if (Math.abs(exp) > 400) return null;
  if (exp > 0) num *= 10n ** BigInt(exp);
  else if (exp < 0) den *= 10n ** BigInt(-exp);
  if (m[1] === '-') num = -num;
  return rational(num, den);
}

export function add(a: Rational, b: Rational): Rational {
  if (a.den === b.den) return rational(a.num + b.num, a.den);
  return rational(a.num * b.den + b.num * a.den, a.den * b.den);
}

export function sub(a: Rational, b: Rational): Rational {
  return add(a, { num: -b.num, den: b.den });
}

export function mul(a: Rational, b: Rational): Rational {
  return rational(a.num * b.num, a.den * b.den);
}

/** a / b, or null when b is zero (SQL: a / NULLIF(b, 0)). */
export function div(a: Rational, b: Rational): Rational | null {
  if (b.num === 0n) return null;
  return rational(a.num * b.den, a.den * b.num);
}

export function compare(a: Rational, b: Rational): number {
  const l = a.num * b.den;
  const r = b.num * a.den;
  return l < r ? -1 : l > r ? 1 : 0;
}

/** floor(a) as a bigint. */
export function floor(a: Rational): bigint {
  const q = a.num / a.den;
  return a.num < 0n && q * a.den !== a.num ? q - 1n : q;
}

/** The nearest double (to within one unit in the last place). */
export function toNumber(a: Rational): number {
  if (a.den === 1n) return Number(a.num);
  const negative = a.num < 0n;
  const n = negative ? -a.num : a.num;
  // 20 significant digits of n / den, then one decimal-to-double conversion.
  const whole = n / a.den;
  let rest = n % a.den;
  let digits = '';
  const wholeText = whole.toString();
  const needed = Math.max(0, 20 - (whole === 0n ? 0 : wholeText.length));
  let leadingZeros = 0;
  for (let i = 0; i < needed + leadingZeros && i < 400; i++) {
    rest *= 10n;
    const d = rest / a.den;
    rest %= a.den;
    digits += d.toString();
    if (whole === 0n && digits.replace(/^0+/, '') === '') leadingZeros += 1;
    if (rest === 0n) break;
  }
  const value = Number(`${wholeText}.${digits || '0'}`);
  return negative ? -value : value;
}

// ---------------------------------------------------------------------------
// PostgreSQL numeric: a decimal with a display scale. Division follows numeric_div's rules
// (at least 16 significant digits, never fewer decimals than either input, rounded half away
// from zero), so averages and ratios computed here print the same digits as the database.
// ---------------------------------------------------------------------------

/** A terminating decimal `r` shown with `scale` decimals. */
export type Numeric = { readonly r: Rational; readonly scale: number };

const NUMERIC_MIN_SIG_DIGITS = 16;
const DEC_DIGITS = 4;

/** A stored value as PostgreSQL numeric reads it: the scale is the number of written decimals. */
export function toNumeric(value: unknown): Numeric | null {
  const r = toRational(value);
  if (r === null) return null;
  const text =
    typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : '';
  const m = /^[+-]?\d*(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text);
  const scale =
    m === null ? 0 : Math.max(0, (m[1]?.length ?? 0) - (m[2] === undefined ? 0 : Number(m[2])));
  return { r, scale };
}

export function numericOfInteger(n: number | bigint): Numeric {
  return { r: rational(BigInt(n)), scale: 0 };
}

export function nAdd(a: Numeric, b: Numeric): Numeric {
  return { r: add(a.r, b.r), scale: Math.max(a.scale, b.scale) };
}

export function nMul(a: Numeric, b: Numeric): Numeric {
  return { r: mul(a.r, b.r), scale: a.scale + b.scale };
}

/** Weight (base-10000 exponent) and leading base-10000 digit of |r|, as numeric_div sees them. */
function weightAndFirst(r: Rational): { weight: number; first: bigint } {
  const num = r.num < 0n ? -r.num : r.num;
  if (num === 0n) return { weight: 0, first: 0n };
  let weight = 0;
  let scaleUp = 1n; // value * scaleUp when weight < 0
  let scaleDown = 1n; // 10000^weight when weight >= 0
  if (num >= r.den) {
    while (num >= r.den * scaleDown * 10000n) {
      scaleDown *= 10000n;
      weight += 1;
    }
    return { weight, first: num / (r.den * scaleDown) };
  }
  while (num * scaleUp < r.den) {
    scaleUp *= 10000n;
    weight -= 1;
  }
  return { weight, first: (num * scaleUp) / r.den };
}

/** a / b as numeric_div computes it, or null when b is zero (NULLIF). */
export function nDiv(a: Numeric, b: Numeric): Numeric | null {
  if (b.r.num === 0n) return null;
  const w1 = weightAndFirst(a.r);
  const w2 = weightAndFirst(b.r);
  let qweight = w1.weight - w2.weight;
  if (w1.first <= w2.first) qweight -= 1;
  let rscale = NUMERIC_MIN_SIG_DIGITS - qweight * DEC_DIGITS;
  rscale = Math.max(rscale, a.scale, b.scale, 0);
  rscale = Math.min(rscale, 1000);
  const q = div(a.r, b.r) as Rational;
  const factor = 10n ** BigInt(rscale);
  const scaledNum = q.num * factor;
  const negative = scaledNum < 0n;
  const abs = negative ? -scaledNum : scaledNum;
  // round half away from zero
  const rounded = (abs * 2n + q.den) / (2n * q.den);
  return { r: rational(negative ? -rounded : rounded, factor), scale: rscale };
}

/** The text PostgreSQL prints for this numeric (`scale` decimals). */
export function nToString(n: Numeric): string {
  const factor = 10n ** BigInt(n.scale);
  const scaled = (n.r.num * factor) / n.r.den;
  const negative = n.r.num < 0n;
  const digits = (negative ? -scaled : scaled).toString().padStart(n.scale + 1, '0');
  const text = n.scale === 0 ? digits : `${digits.slice(0, -n.scale)}.${digits.slice(-n.scale)}`;
  return `${negative ? '-' : ''}${text}`;
}

/** The double PostgreSQL's text for this numeric parses to. */
export function nToNumber(n: Numeric): number {
  const factor = 10n ** BigInt(n.scale);
  if ((n.r.num * factor) % n.r.den !== 0n) return toNumber(n.r);
  return Number(nToString(n));
}
