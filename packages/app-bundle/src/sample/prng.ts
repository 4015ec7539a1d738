// Seeded randomness without Math.random: 32-bit hashing, a small fast generator (sfc32) seeded
// per record, weighted tables, and affine permutations that hand out unique values by index.

/** murmur3's finaliser: a good 32-bit mix. */
export function mix32(x: number): number {
  let h = x >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A 32-bit hash of a seed and some integers. */
export function hash32(seed: number, ...parts: readonly number[]): number {
  let h = mix32((seed ^ 0x9e3779b9) >>> 0);
  for (const p of parts) h = mix32((h ^ Math.imul(p | 0, 0x27d4eb2d)) + 0x165667b1);
  return h;
}

/** FNV-1a of a string (stream names such as "customer"). */
export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** sfc32 (Small Fast Counting), seeded from a hash of (seed, stream, index). */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number, stream: number, index = 0) {
    this.a = hash32(seed, stream, index, 1);
    this.b = hash32(seed, stream, index, 2);
    this.c = hash32(seed, stream, index, 3);
    this.d = 1;
    for (let i = 0; i < 12; i++) this.u32();
  }

  u32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.u32() / 4294967296;
  }

  /** Uniform integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(list: readonly T[]): T {
    return list[Math.floor(this.next() * list.length)] as T;
  }

  /** Standard normal (Box–Muller). */
  normal(): number {
    const u = 1 - this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** Log-normal with the given median and spread (sigma of the log). */
  lognormal(median: number, sigma: number): number {
    return median * Math.exp(sigma * this.normal());
  }

  /** A UUID (version 4 layout) drawn from this generator. */
  uuid(): string {
    return uuidFromWords(this.u32(), this.u32(), this.u32(), this.u32());
  }
}

const HEX = Array.from({ length: 256 }, (_, i) => (i < 16 ? '0' : '') + i.toString(16));
const hex8 = (n: number): string =>
  (HEX[(n >>> 24) & 255] as string) +
  (HEX[(n >>> 16) & 255] as string) +
  (HEX[(n >>> 8) & 255] as string) +
  (HEX[n & 255] as string);

export function uuidFromWords(w0: number, w1: number, w2: number, w3: number): string {
  const a = hex8(w0);
  const b = hex8(((w1 & 0xffff0fff) | 0x00004000) >>> 0);
  const c = hex8(((w2 & 0x3fffffff) | 0x80000000) >>> 0);
  const d = hex8(w3);
  return `${a}-${b.slice(0, 4)}-${b.slice(4)}-${c.slice(0, 4)}-${c.slice(4)}${d}`;
}

/** The id of record `index` of a stream: the same wherever it is computed (relations use it). */
export function recordUuid(seed: number, stream: number, index: number): string {
  return uuidFromWords(
    hash32(seed, stream, index, 11),
    hash32(seed, stream, index, 12),
    hash32(seed, stream, index, 13),
    hash32(seed, stream, index, 14),
  );
}

/** Values with weights, picked by binary search over the running totals. */
export class WeightedTable<T> {
  readonly values: readonly T[];
  private readonly cumulative: Float64Array;
  readonly total: number;

  constructor(entries: ReadonlyArray<readonly [T, number]>) {
    const positive = entries.filter(([, w]) => w > 0);
    if (positive.length === 0) throw new Error('a weighted table needs a positive weight');
    this.values = positive.map(([v]) => v);
    this.cumulative = new Float64Array(positive.length);
    let sum = 0;
    positive.forEach(([, w], i) => {
      sum += w;
      this.cumulative[i] = sum;
    });
    this.total = sum;
  }

  static fromRecord(record: Readonly<Record<string, number>>): WeightedTable<string> {
    return new WeightedTable(Object.entries(record));
  }

  pick(rng: Rng): T {
    return this.at(rng.next());
  }

  /** The value at a uniform position u in [0, 1). */
  at(u: number): T {
    const x = u * this.total;
    let lo = 0;
    let hi = this.cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.cumulative[mid] as number) > x) hi = mid;
      else lo = mid + 1;
    }
    return this.values[lo] as T;
  }
}

/** (a · b) mod n without losing precision for n below 2^37. */
function mulmod(a: number, b: number, n: number): number {
  const hi = Math.floor(a / 65536);
  const lo = a % 65536;
  return (((hi * b) % n) * 65536 + lo * b) % n;
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

function modInverse(a: number, n: number): number {
  let [oldR, r] = [a, n];
  let [oldS, s] = [1, 0];
  while (r !== 0) {
    const q = Math.floor(oldR / r);
    [oldR, r] = [r, oldR - q * r];
    [oldS, s] = [s, oldS - q * s];
  }
  return ((oldS % n) + n) % n;
}

/**
 * A bijection of [0, n): i → (a·i + b) mod n, with a coprime to n and far from small strides,
 * so consecutive indices land far apart. Unique values by construction, no memory.
 */
export class AffinePermutation {
  private readonly a: number;
  private readonly b: number;
  private readonly inverseA: number;

  constructor(
    readonly n: number,
    hash: number,
  ) {
    if (!Number.isInteger(n) || n < 1) throw new Error('a permutation needs n >= 1');
    let a = Math.max(1, Math.floor(n * 0.6180339887) + (hash % 97));
    while (gcd(a, n) !== 1) a++;
    this.a = a % n === 0 ? 1 : a % n;
    this.b = hash % n;
    this.inverseA = modInverse(this.a, n);
  }

  at(i: number): number {
    return (mulmod(this.a, i, this.n) + this.b) % this.n;
  }

  indexOf(value: number): number {
    return mulmod(this.inverseA, (value - this.b + this.n) % this.n, this.n);
  }
}
