// Runs contenders on the same input in one tinybench run and prints one table: median
// ns per unit (frame, byte, lookup ...), throughput, and each contender's ratio to the
// first one (the WASM engine, by convention). Medians, because the machine is shared.
import { Bench } from 'tinybench';

export interface Contender {
  name: string;
  /** One timed call. */
  fn: () => unknown;
}

export interface CompareOptions {
  title: string;
  /** Units processed by one call (frames in a batch, bytes in a buffer ...). */
  unitsPerCall: number;
  /** Unit label for throughput: 'Mpps', 'GB/s', 'M ops/s' ... */
  throughput: 'Mpps' | 'GB/s' | 'M ops/s' | 'M lookups/s' | 'M slots/s';
  /** Measuring time per contender in ms. */
  timeMs?: number;
  /** Optional target (in throughput units) for the first contender, printed with the result. */
  target?: number;
}

export interface CompareRow { name: string; nsPerUnit: number; throughput: number }

export async function compare(opts: CompareOptions, contenders: Contender[]): Promise<CompareRow[]> {
  const bench = new Bench({ name: opts.title, time: opts.timeMs ?? 600, warmupTime: 200 });
  for (const c of contenders) bench.add(c.name, c.fn, { async: false });
  await bench.run();
  const rows: CompareRow[] = [];
  for (const t of bench.tasks) {
    const r = t.result;
    if (r.state !== 'completed') {
      rows.push({ name: t.name, nsPerUnit: NaN, throughput: NaN });
      continue;
    }
    const nsPerCall = r.latency.p50 * 1e6;
    const nsPerUnit = nsPerCall / opts.unitsPerCall;
    // GB/s with bytes as units: bytes per ns = GB/s.
    const throughput = opts.throughput === 'GB/s' ? 1 / nsPerUnit : 1e3 / nsPerUnit;
    rows.push({ name: t.name, nsPerUnit, throughput });
  }
  const base = rows[0];
  console.log(`\n${opts.title}`);
  const head = ['contender', opts.throughput === 'GB/s' ? 'ns/byte' : 'ns/unit', 'ns/call', opts.throughput, `vs ${base.name}`];
  const lines = rows.map((r) => [
    r.name,
    r.nsPerUnit.toFixed(r.nsPerUnit < 1 ? 4 : 2),
    (r.nsPerUnit * opts.unitsPerCall).toFixed(0),
    r.throughput.toFixed(r.throughput < 10 ? 2 : 1),
    r === base ? '1.00x' : `${(r.nsPerUnit / base.nsPerUnit).toFixed(2)}x slower`,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const fmt = (cols: string[]): string => cols.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  console.log(fmt(head));
  for (const l of lines) console.log(fmt(l));
  if (opts.target !== undefined) {
    const ok = base.throughput >= opts.target;
    console.log(`target for ${base.name}: >= ${opts.target} ${opts.throughput}: ${ok ? 'met' : 'MISSED'} (${base.throughput.toFixed(1)})`);
  }
  return rows;
}
