// Runs contenders on the same input in one tinybench run and prints one table: the median
// (over at least MIN_SAMPLES timed samples) of ns per unit (byte, frame, lookup ...), of ns
// per timed sample and, when a sample makes a known number of engine calls, of ns per
// call; throughput; and each contender's ratio to the first one (the WASM engine, by
// convention). Medians, because the machine is shared. Every row also goes to --json's
// results file (bench/lib/results.ts).
import { Bench } from 'tinybench';
import { benchTimeMs, MIN_SAMPLES, recordResult, suiteName, TINY } from './results.js';

export interface Contender {
  name: string;
  /** One timed sample: a single call or a loop of calls (see callsPerSample). */
  fn: () => unknown;
}

export type ThroughputUnit = 'Mpps' | 'GB/s' | 'M ops/s' | 'M lookups/s' | 'M slots/s';

export interface CompareOptions {
  title: string;
  /** Units processed by one timed sample, i.e. one run of a contender's fn (frames in a
   *  batch, bytes times calls ...). */
  unitsPerCall: number;
  /** Unit label for throughput: 'Mpps', 'GB/s', 'M ops/s' ... */
  throughput: ThroughputUnit;
  /** What one unit is, for the `ns/<unit>` column; defaults from `throughput`. */
  unit?: string;
  /** Engine calls one sample makes (a loop of 1,000 single calls: 1000), for the `ns/call`
   *  column; without it the table shows ns per sample only. */
  callsPerSample?: number;
  /** Measuring time per contender in ms (BENCH_TIME_MS and BENCH_TINY override it). */
  timeMs?: number;
  /** Optional target (in throughput units) for the first contender, printed with the result. */
  target?: number;
}

export interface CompareRow { name: string; nsPerUnit: number; nsPerSample: number; throughput: number; samples: number }

const DEFAULT_UNIT: Record<ThroughputUnit, string> = {
  Mpps: 'frame', 'GB/s': 'byte', 'M ops/s': 'op', 'M lookups/s': 'lookup', 'M slots/s': 'slot',
};

export async function compare(opts: CompareOptions, contenders: Contender[]): Promise<CompareRow[]> {
  const bench = new Bench({
    name: opts.title,
    time: benchTimeMs(opts.timeMs ?? 600),
    warmupTime: TINY ? 5 : 200,
    iterations: MIN_SAMPLES,
    warmupIterations: TINY ? 1 : 16,
  });
  for (const c of contenders) bench.add(c.name, c.fn, { async: false });
  await bench.run();
  const rows: CompareRow[] = [];
  for (const t of bench.tasks) {
    const r = t.result;
    if (r.state !== 'completed') {
      rows.push({ name: t.name, nsPerUnit: NaN, nsPerSample: NaN, throughput: NaN, samples: 0 });
      continue;
    }
    const nsPerSample = r.latency.p50 * 1e6;
    const nsPerUnit = nsPerSample / opts.unitsPerCall;
    // GB/s with bytes as units: bytes per ns = GB/s.
    const throughput = opts.throughput === 'GB/s' ? 1 / nsPerUnit : 1e3 / nsPerUnit;
    rows.push({ name: t.name, nsPerUnit, nsPerSample, throughput, samples: r.latency.samplesCount });
  }
  const unit = opts.unit ?? DEFAULT_UNIT[opts.throughput];
  const calls = opts.callsPerSample;
  const suite = suiteName();
  for (const r of rows) {
    recordResult({
      suite, table: opts.title, contender: r.name, unit, nsPerUnit: r.nsPerUnit, nsPerSample: r.nsPerSample,
      ...(calls !== undefined ? { nsPerCall: r.nsPerSample / calls } : {}),
      throughput: r.throughput, throughputUnit: opts.throughput, samples: r.samples,
    });
  }
  printTable(opts, rows, unit);
  return rows;
}

function printTable(opts: CompareOptions, rows: CompareRow[], unit: string): void {
  const base = rows[0];
  const calls = opts.callsPerSample;
  const minSamples = Math.min(...rows.map((r) => r.samples));
  console.log(`\n${opts.title}`);
  console.log(`(medians of >= ${minSamples} samples; a sample = ${opts.unitsPerCall.toLocaleString('en-US')} ${unit}s${calls !== undefined ? ` in ${calls.toLocaleString('en-US')} calls` : ''})`);
  const head = ['contender', `ns/${unit}`, 'ns/sample', ...(calls !== undefined ? ['ns/call'] : []), opts.throughput, `vs ${base.name}`];
  const lines = rows.map((r) => [
    r.name,
    r.nsPerUnit.toFixed(r.nsPerUnit < 1 ? 4 : 2),
    r.nsPerSample.toFixed(0),
    ...(calls !== undefined ? [(r.nsPerSample / calls).toFixed(2)] : []),
    r.throughput.toFixed(r.throughput < 10 ? 2 : 1),
    ratioText(r, base),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const fmt = (cols: string[]): string => cols.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  console.log(fmt(head));
  for (const l of lines) console.log(fmt(l));
  if (opts.target !== undefined) {
    const ok = base.throughput >= opts.target;
    console.log(`target for ${base.name}: >= ${opts.target} ${opts.throughput}: ${ok ? 'met' : 'MISSED'} (${base.throughput.toFixed(1)})`);
  }
}

/** '2.31x slower' or '1.40x faster' than the first contender (never '0.71x slower'). */
function ratioText(r: CompareRow, base: CompareRow): string {
  if (r === base) return '1.00x';
  const ratio = r.nsPerUnit / base.nsPerUnit;
  if (!Number.isFinite(ratio)) return 'n/a';
  return ratio >= 1 ? `${ratio.toFixed(2)}x slower` : `${(1 / ratio).toFixed(2)}x faster`;
}
