// What a bench suite shares with bench/run.ts: the tiny mode (every suite runs through
// in seconds, to check that the bench still works, not to measure), the time budget per
// contender, and the machine-readable rows (`npm run bench -- --json`), appended as one
// JSON line each to the file run.ts names in BENCH_RESULTS_FILE.
//
// Environment:
//   BENCH_TINY=1        tiny inputs and 20 ms per contender (5 samples at least, as always)
//   BENCH_TIME_MS=N     measuring time per contender in ms, whatever the suite asks for
//   BENCH_RESULTS_FILE  set by run.ts for --json: where rows go (one JSON object a line)
import { appendFileSync } from 'node:fs';
import { basename } from 'node:path';

/** True under BENCH_TINY=1: suites shrink their inputs so that the whole bench runs in a few minutes. */
export const TINY = process.env.BENCH_TINY === '1';

/** `full` normally, `tiny` under BENCH_TINY=1 (input sizes, iteration and round counts). */
export function sized(full: number, tiny: number): number {
  return TINY ? tiny : full;
}

/** Measuring time per contender: BENCH_TIME_MS if set, 20 ms in tiny mode, else what the suite asks. */
export function benchTimeMs(requested: number): number {
  const env = Number(process.env.BENCH_TIME_MS);
  if (Number.isFinite(env) && env > 0) return env;
  return TINY ? 20 : requested;
}

/** The fewest timed samples a median is taken over. */
export const MIN_SAMPLES = 5;

/** One measured contender of one table, as --json writes it and --compare reads it. */
export interface ResultRow {
  /** The suite (bench file name without .bench.js). */
  suite: string;
  /** The table's title. */
  table: string;
  contender: string;
  /** What one unit is: 'byte', 'frame', 'lookup', 'update', 'slot' ... */
  unit: string;
  /** Median ns per unit. */
  nsPerUnit: number;
  /** Median ns per timed sample (one run of the contender's function). */
  nsPerSample: number;
  /** Median ns per engine call, when the sample makes a known number of calls. */
  nsPerCall?: number;
  /** Throughput at the median, in `throughputUnit`. */
  throughput: number;
  throughputUnit: string;
  /** How many timed samples the median is taken over. */
  samples: number;
}

/** The running suite's name, from its file name. */
export function suiteName(): string {
  return basename(process.argv[1] ?? 'bench').replace(/\.bench\.[jt]s$/, '');
}

/** Appends a row to BENCH_RESULTS_FILE when --json asked for one (a no-op otherwise). */
export function recordResult(row: ResultRow): void {
  const file = process.env.BENCH_RESULTS_FILE;
  if (file === undefined || file === '') return;
  appendFileSync(file, `${JSON.stringify(row)}\n`);
}

/** The key a row is matched by across runs (--compare). */
export function rowKey(r: Pick<ResultRow, 'suite' | 'table' | 'contender'>): string {
  return `${r.suite} | ${r.table} | ${r.contender}`;
}
