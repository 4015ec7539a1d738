import { randomFillSync } from 'node:crypto';

const pool = Buffer.alloc(16 * 1024);
let poolAt = pool.length;
let lastMs = 0;
let sequence = 0;
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/**
 * Time-ordered UUIDs (RFC 9562 version 7) for imported records: ids made in
 * one import increase, so the primary key and the (field, id) indexes of a
 * form table take new entries at their right edge instead of all over, which
 * keeps a large import's index writes local. Monotonic within a process (a
 * 12-bit counter inside the same millisecond, as RFC 9562 method 1 allows).
 */
export function uuidv7(now = Date.now()): string {
  if (now > lastMs) {
    lastMs = now;
    sequence = 0;
  } else if (++sequence > 0xfff) {
    lastMs += 1;
    sequence = 0;
  }
  if (poolAt + 8 > pool.length) {
    randomFillSync(pool);
    poolAt = 0;
  }
  const ms = lastMs;
  const b = new Uint8Array(16);
  b[0] = Math.floor(ms / 2 ** 40) & 0xff;
  b[1] = Math.floor(ms / 2 ** 32) & 0xff;
  b[2] = (ms >>> 24) & 0xff;
  b[3] = (ms >>> 16) & 0xff;
  b[4] = (ms >>> 8) & 0xff;
  b[5] = ms & 0xff;
  b[6] = 0x70 | ((sequence >>> 8) & 0x0f);
  b[7] = sequence & 0xff;
  b[8] = 0x80 | ((pool[poolAt] as number) & 0x3f);
  for (let i = 9; i < 16; i++) b[i] = pool[poolAt + i - 8] as number;
  poolAt += 8;
  let s = '';
  for (let i = 0; i < 16; i++) {
    s += HEX[b[i] as number];
    if (i === 3 || i === 5 || i === 7 || i === 9) s += '-';
  }
  return s;
}
