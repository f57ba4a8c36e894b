// Test environment: the shared corpus, oracle tools, and the seeded RNG. A missing
// oracle is a failure in CI (CI installs it) and a loud SKIP elsewhere.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
export const inCI = process.env.CI === 'true' || process.env.CI === '1';

export function corpusDir(): string | null {
  const dir = process.env.PKTWASM_CORPUS ?? resolve(repoRoot, '..', 'shared', 'corpus');
  return existsSync(dir) ? dir : null;
}

/** Every pcap/pcapng file of the corpus (recursively), or [] with a loud note. */
export function corpusCaptures(): string[] {
  const dir = corpusDir();
  if (dir === null) {
    const msg = 'SKIP corpus: ../shared/corpus is absent; corpus oracle tests did not run';
    if (inCI) throw new Error(msg);
    console.log(msg);
    return [];
  }
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.(pcap|pcapng)$/.test(name)) out.push(p);
    }
  };
  walk(dir);
  return out;
}

const toolCache = new Map<string, boolean>();

/** True if `name` runs; otherwise a SKIP line (or a throw in CI). */
export function haveTool(name: string, versionArg = '--version'): boolean {
  let ok = toolCache.get(name);
  if (ok === undefined) {
    const r = spawnSync(name, [versionArg], { stdio: 'ignore' });
    ok = r.error === undefined;
    toolCache.set(name, ok);
    if (!ok) {
      const msg = `SKIP oracle: ${name} is not installed (apt-get install ${name === 'tshark' ? 'tshark' : name})`;
      if (inCI) throw new Error(msg);
      console.log(msg);
    }
  }
  return ok;
}

export function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

/** The run's seed (test/run.ts sets SEED and prints it). */
export function seed(): number {
  const s = Number(process.env.SEED ?? 12345);
  return Number.isFinite(s) ? s >>> 0 || 1 : 1;
}

/** xorshift32: small, fast, reproducible. */
export class Rng {
  private s: number;
  constructor(seedValue: number) {
    this.s = seedValue >>> 0 || 0x9e3779b9;
  }
  u32(): number {
    let x = this.s;
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    this.s = x;
    return x;
  }
  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor((this.u32() / 4294967296) * n);
  }
  bool(p = 0.5): boolean {
    return this.u32() / 4294967296 < p;
  }
}
