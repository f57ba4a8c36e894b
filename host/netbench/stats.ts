// Latency statistics: exact percentiles from the sorted samples (p50/p90/p99/p99.9) and a
// log2-bucket histogram in microseconds, like netperf's and wrk's summaries.

export interface LatencySummary {
  count: number;
  minUs: number;
  meanUs: number;
  p50Us: number;
  p90Us: number;
  p99Us: number;
  p999Us: number;
  maxUs: number;
  histogram: { leUs: number; count: number }[];
}

export function summarize(samplesUs: Float64Array | number[]): LatencySummary {
  const s = Float64Array.from(samplesUs).sort();
  const n = s.length;
  const pct = (p: number): number => (n === 0 ? 0 : s[Math.min(n - 1, Math.max(0, Math.ceil(p * n) - 1))]);
  let sum = 0;
  for (let i = 0; i < n; i++) sum += s[i];
  const hist: { leUs: number; count: number }[] = [];
  if (n > 0) {
    let le = 1;
    while (le < s[0]) le *= 2;
    let i = 0;
    while (i < n) {
      let c = 0;
      while (i < n && s[i] <= le) { c++; i++; }
      hist.push({ leUs: le, count: c });
      le *= 2;
    }
  }
  return {
    count: n, minUs: n ? s[0] : 0, meanUs: n ? sum / n : 0, p50Us: pct(0.5), p90Us: pct(0.9), p99Us: pct(0.99),
    p999Us: pct(0.999), maxUs: n ? s[n - 1] : 0, histogram: hist,
  };
}

export function formatHistogram(h: LatencySummary['histogram'], width = 40): string[] {
  const max = Math.max(1, ...h.map((b) => b.count));
  return h.map((b) => `  <= ${String(b.leUs).padStart(8)} us ${String(b.count).padStart(9)} ${'#'.repeat(Math.ceil((b.count / max) * width))}`);
}

/** Seeded byte stream (xorshift32), identical on both ends for --verify. */
export class SeededStream {
  private s: number;
  constructor(seed: number) { this.s = seed >>> 0 || 0x9e3779b9; }
  fill(b: Buffer): Buffer {
    const n4 = b.length & ~3;
    let x = this.s;
    for (let i = 0; i < n4; i += 4) {
      x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
      b.writeInt32LE(x | 0, i);
    }
    for (let i = n4; i < b.length; i++) { x ^= x << 13; x ^= x >>> 17; x ^= x << 5; b[i] = x & 0xff; }
    this.s = x >>> 0;
    return b;
  }
}
