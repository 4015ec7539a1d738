// Side-by-side benchmark harness. Each workload runs "ours" and its anchors
// interleaved in the same process (A B A B ...), takes the median rate of each,
// and reports ratios against targets. These machines are small and noisy:
// ratios, not absolute times, are what we compare.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Measures `fn` (called with a batch size, returns nothing) in rounds.
 * Returns operations per second for each round.
 */
export async function rate(fn, { ops = 1, minRoundMs = 200, rounds = 5 } = {}) {
  const rates = [];
  for (let r = 0; r < rounds; r++) {
    let iterations = 0;
    const started = performance.now();
    let elapsed;
    do {
      await fn();
      iterations += 1;
      elapsed = performance.now() - started;
    } while (elapsed < minRoundMs);
    rates.push((iterations * ops * 1000) / elapsed);
  }
  return rates;
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * Runs candidates interleaved: for each round, every candidate once.
 * `candidates` is { name: async () => void }, each doing `ops` operations.
 * Returns { name: medianOpsPerSecond }.
 */
export async function compare(
  candidates,
  { ops = 1, minRoundMs = 200, rounds = 7, warmupRounds = 2 } = {},
) {
  const names = Object.keys(candidates);
  const samples = Object.fromEntries(names.map((n) => [n, []]));
  for (let round = 0; round < warmupRounds + rounds; round++) {
    for (const name of names) {
      const [value] = await rate(candidates[name], { ops, minRoundMs, rounds: 1 });
      if (round >= warmupRounds) samples[name].push(value);
    }
  }
  return Object.fromEntries(names.map((n) => [n, median(samples[n])]));
}

/** Median wall time (ms) of an async function over `runs` interleaved runs of every candidate. */
export async function compareTimes(candidates, { runs = 5, warmupRuns = 1 } = {}) {
  const names = Object.keys(candidates);
  const samples = Object.fromEntries(names.map((n) => [n, []]));
  for (let run = 0; run < warmupRuns + runs; run++) {
    for (const name of names) {
      const started = performance.now();
      await candidates[name]();
      if (run >= warmupRuns) samples[name].push(performance.now() - started);
    }
  }
  return Object.fromEntries(names.map((n) => [n, median(samples[n])]));
}

export function formatRate(opsPerSecond) {
  if (opsPerSecond >= 1e6) return `${(opsPerSecond / 1e6).toFixed(2)} M/s`;
  if (opsPerSecond >= 1e3) return `${(opsPerSecond / 1e3).toFixed(1)} k/s`;
  return `${opsPerSecond.toFixed(1)} /s`;
}

export function formatMs(ms) {
  return ms >= 100 ? `${ms.toFixed(0)} ms` : `${ms.toFixed(2)} ms`;
}

/**
 * A result row: `ratio` is ours/anchor for rates (higher is better) or
 * anchor/ours for times; `target` is the minimum acceptable ratio.
 */
export function row({ workload, ours, anchor, anchorName, ratio, target, unit = 'rate' }) {
  const fmt = unit === 'rate' ? formatRate : formatMs;
  return {
    workload,
    ours: fmt(ours),
    anchor: anchorName === undefined ? fmt(anchor) : `${anchorName}: ${fmt(anchor)}`,
    ratio: `${ratio.toFixed(2)}x`,
    target: `>= ${target}x`,
    ok: ratio >= target ? 'ok' : 'FAIL',
  };
}

/** A row with an absolute limit (for example "compile 50 rules < 5 ms"). */
export function limitRow({ workload, value, limit, unit = 'ms' }) {
  return {
    workload,
    ours: unit === 'ms' ? formatMs(value) : `${value.toFixed(1)} ${unit}`,
    anchor: '-',
    ratio: '-',
    target: `< ${limit} ${unit}`,
    ok: value < limit ? 'ok' : 'FAIL',
  };
}

export function table(rows) {
  const headers = ['workload', 'ours', 'anchor', 'ratio', 'target', 'ok'];
  const widths = headers.map((h) => Math.max(h.length, ...rows.map((r) => String(r[h]).length)));
  const line = (cells) => `| ${cells.map((c, i) => String(c).padEnd(widths[i])).join(' | ')} |`;
  return [
    line(headers),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map((r) => line(headers.map((h) => r[h]))),
  ].join('\n');
}

/** Replaces the block between <!-- bench:NAME --> markers in docs/benchmarks.md. */
export function writeDocs(root, name, markdown) {
  const file = join(root, 'docs', 'benchmarks.md');
  const text = readFileSync(file, 'utf8');
  const start = `<!-- bench:${name} -->`;
  const end = `<!-- /bench:${name} -->`;
  const block = `${start}\n${markdown}\n${end}`;
  const next = text.includes(start)
    ? text.replace(new RegExp(`${start}[\\s\\S]*?${end}`), block)
    : `${text.trimEnd()}\n\n${block}\n`;
  writeFileSync(file, next);
}
