// Test environment: the shared corpus, oracle tools, and the seeded RNG. A missing
// oracle is a failure in CI (CI installs it) and a loud SKIP elsewhere.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Xorshift32 } from '../../host/runtime/xorshift.js';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
export const inCI = process.env.CI === 'true' || process.env.CI === '1';

/**
 * Captures (pcap and pcapng, recursively) each shared corpus holds today, as counted in
 * their READMEs (../shared/corpus: 60 at the top level and 9 under extra/;
 * ../shared/corpus-more: 22). Under CI fewer is a failure: an emptied or half-copied corpus
 * would otherwise let every corpus oracle test pass on nothing.
 */
export const CORPUS_CAPTURES = 69;
export const CORPUS_MORE_CAPTURES = 22;

const corpusPath = (): string => process.env.PKTWASM_CORPUS ?? resolve(repoRoot, '..', 'shared', 'corpus');
const corpusMorePath = (): string => process.env.PKTWASM_CORPUS_MORE ?? resolve(repoRoot, '..', 'shared', 'corpus-more');

/** ../shared/corpus (or $PKTWASM_CORPUS), or null when absent (a throw under CI). It does
 *  not count the files: a test that walks the corpus should take corpusCaptures(). */
export function corpusDir(): string | null {
  return existingOrNull('corpus', corpusPath());
}

/** ../shared/corpus-more (or $PKTWASM_CORPUS_MORE), or null when absent (a throw under CI). */
export function corpusMoreDir(): string | null {
  return existingOrNull('corpus-more', corpusMorePath());
}

function existingOrNull(name: string, path: string): string | null {
  if (existsSync(path)) return path;
  if (inCI) throw new Error(`${name}: ${path} is absent (CI requires it)`);
  return null;
}

const captureLists = new Map<string, string[]>();

/** Every pcap/pcapng under `dir`, sorted; checked against the known count once per process. */
function listCaptures(name: string, path: string, known: number): string[] {
  const dir = existsSync(path) ? path : null;
  const key = `${name}\0${path}`;
  const cached = captureLists.get(key);
  if (cached !== undefined) return [...cached];
  const out: string[] = [];
  if (dir === null) {
    const why = `${path} is absent`;
    if (inCI) throw new Error(`${name}: ${why} (CI requires it)`);
    console.log(`SKIP ${name}: ${why}; corpus oracle tests did not run`);
  } else {
    const walk = (d: string): void => {
      for (const entry of readdirSync(d).sort()) {
        const p = join(d, entry);
        if (statSync(p).isDirectory()) walk(p);
        else if (/\.(pcap|pcapng)$/.test(entry)) out.push(p);
      }
    };
    walk(dir);
    if (out.length < known) {
      const why = `${out.length} captures in ${dir}, expected at least ${known}`;
      if (inCI) throw new Error(`${name}: ${why} (CI requires the whole corpus)`);
      console.log(`SKIP ${name}: ${why}; tests compared only those`);
    }
  }
  captureLists.set(key, out);
  return [...out];
}

/** Every pcap/pcapng file of the corpus (recursively); under CI, throws when the corpus
 *  is absent or holds fewer than CORPUS_CAPTURES; elsewhere a loud SKIP line. */
export function corpusCaptures(): string[] {
  return listCaptures('corpus', corpusPath(), CORPUS_CAPTURES);
}

/** The same for ../shared/corpus-more (CORPUS_MORE_CAPTURES). */
export function corpusMoreCaptures(): string[] {
  return listCaptures('corpus-more', corpusMorePath(), CORPUS_MORE_CAPTURES);
}

export type CorpusName = 'corpus' | 'corpus-more';

const corpusSkips = new Set<string>();

/**
 * Whether the corpus part of a test runs: true when every corpus named in `need` is present.
 * Otherwise (never under CI, where corpusDir()/corpusMoreDir() throw) one loud
 * `SKIP <test file>: <what>: <path> is absent` line, once per file and reason, and false: the
 * caller leaves out that part's floors and oracles, and keeps those of its crafted frames.
 * Call it inside the test body, so a CI throw lands on a test.
 */
export function corpusOrSkip(what: string, need: readonly CorpusName[] = ['corpus']): boolean {
  const absent: string[] = [];
  for (const name of need) {
    if ((name === 'corpus' ? corpusDir() : corpusMoreDir()) === null) absent.push(name === 'corpus' ? corpusPath() : corpusMorePath());
  }
  if (absent.length === 0) return true;
  const file = basename(process.argv[1] ?? '') || 'test';
  const msg = `SKIP ${file}: ${what}: ${absent.join(' and ')} ${absent.length === 1 ? 'is' : 'are'} absent`;
  if (!corpusSkips.has(msg)) {
    corpusSkips.add(msg);
    console.log(msg);
  }
  return false;
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

const rootSkips = new Set<string>();

/**
 * The one root check of the live tests: true when root. Otherwise, under CI (which runs as
 * root, so a non-root run is a broken setup) a throw, failing the test that asked; elsewhere
 * `SKIP <test file>: needs root for <what>`, printed once per file and reason, and false.
 * Call it inside the test body, so the throw lands on a test.
 */
export function needRoot(what: string): boolean {
  if (isRoot()) return true;
  const file = basename(process.argv[1] ?? '') || 'test';
  if (inCI) throw new Error(`${file}: needs root for ${what} (CI runs as root)`);
  const msg = `SKIP ${file}: needs root for ${what}`;
  if (!rootSkips.has(msg)) {
    rootSkips.add(msg);
    console.log(msg);
  }
  return false;
}

/** The run's seed (test/run.ts sets SEED and prints it). */
export function seed(): number {
  const s = Number(process.env.SEED ?? 12345);
  return Number.isFinite(s) ? s >>> 0 || 1 : 1;
}

/** xorshift32 (host/runtime/xorshift.ts) with the draws tests use. */
export class Rng extends Xorshift32 {
  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor((this.u32() / 4294967296) * n);
  }
  bool(p = 0.5): boolean {
    return this.u32() / 4294967296 < p;
  }
}
