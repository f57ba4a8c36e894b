// Runs every test/**/*.test.js in its own Node process (live tests need a clean process;
// a crash in one file must not hide the others) and ends with the line CI reads:
// "N passed, N failed". uvu prints its own totals per file; we add them up. A file fails
// when a test in it fails, when it exits non-zero, or when it prints no summary (a crash
// or a timeout); any failing file sets the exit code. PKTWASM_TEST_DIR points the runner
// at another folder (its own test, test/runner.test.ts, uses that).
//
// `--jobs N` runs up to N files at once (default 1: one after the other). Files that time
// what they measure, capture live traffic, build network namespaces or run the network
// tools (ALONE below) still run with nothing else beside them: a second file's load must
// not make their timing assertions fail.
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const testDir = process.env.PKTWASM_TEST_DIR ?? join(root, 'test');

function findTests(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...findTests(p));
    else if (name.endsWith('.test.js')) out.push(p);
  }
  return out;
}

/** The totals uvu prints last on stdout; the last block wins, so a test printing its own
 *  "Total:" earlier cannot stand in for it. */
function uvuSummary(raw: string): { total: number; ok: number; skip: number } | null {
  const stdout = raw.replace(/\x1b\[[0-9;]*m/g, ''); // colour codes, should a terminal force them
  const at = stdout.lastIndexOf('\n  Total:');
  if (at < 0) return null;
  const tail = stdout.slice(at);
  const total = /^\s+Total:\s+(\d+)\s*$/m.exec(tail);
  const ok = /^\s+Passed:\s+(\d+)\s*$/m.exec(tail);
  const skip = /^\s+Skipped:\s+(\d+)\s*$/m.exec(tail);
  if (total === null || ok === null || skip === null) return null;
  return { total: Number(total[1]), ok: Number(ok[1]), skip: Number(skip[1]) };
}

/** Files that run with nothing else running under --jobs: they time what they measure
 *  (throughput, timeouts, signal timing), capture live traffic or use namespaces. */
const ALONE = [
  /\/live-/, /\/sniff-live/, /\/sniff-file/, /\/netbench/, /\/rudp/, /\/ipfix-(loss|softflowd|options|domains)/, /\/ping\./,
  /\/synprobe/, /\/replay\./, /\/app-dns-live/, /\/app-log-web/, /\/capture-api/, /\/hardening-/, /\/lpm-kernel/,
  /\/builder-frag/, /\/cli-contract/, /\/pcap-writer/, /\/env\./, /\/app-dns-fuzz/, /\/app-http\./, /\/app-tls-tshark/,
];

function parseArgs(argv: string[]): { jobs: number; only: string[] } {
  let jobs = 1;
  const only: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const m = /^--jobs(?:=(.*))?$/.exec(argv[i]);
    if (m === null) { only.push(argv[i]); continue; }
    const v = Number(m[1] ?? argv[++i]);
    if (!Number.isInteger(v) || v < 1) {
      console.error(`run.js: --jobs needs a whole number from 1 (got ${m[1] ?? argv[i]})`);
      process.exit(2);
    }
    jobs = v;
  }
  return { jobs, only };
}

interface FileRun { status: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string; secs: string }

function runFile(file: string): Promise<FileRun> {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const child = spawn(process.execPath, [file], {
      cwd: root,
      env: { ...process.env, SEED: seed, FORCE_COLOR: '0', NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    const timer = setTimeout(() => child.kill('SIGTERM'), 15 * 60 * 1000);
    const done = (status: number | null, signal: NodeJS.Signals | null, extra = ''): void => {
      clearTimeout(timer);
      resolve({ status, signal, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') + extra, secs: ((Date.now() - t0) / 1000).toFixed(1) });
    };
    child.once('error', (e) => done(null, null, `\n${e.message}\n`));
    child.once('close', (status, signal) => done(status, signal));
  });
}

const { jobs, only } = parseArgs(process.argv.slice(2));
const files = findTests(testDir).filter((f) => only.length === 0 || only.some((o) => f.includes(o)));
const seed = process.env.SEED ?? String(Date.now() % 1_000_000_007);
console.log(`pktwasm tests: ${files.length} files${jobs > 1 ? `, up to ${jobs} at once` : ''}, SEED=${seed} (replay with SEED=${seed} npm test)`);
let passed = 0;
let failed = 0;
let skipped = 0;
const failures: string[] = [];
const started = Date.now();

/** Counts one file's result and prints its line (and its output when it failed). */
function report(file: string, r: FileRun): void {
  const rel = relative(root, file);
  const stdout = r.stdout;
  const out = `${stdout}${r.stderr}`;
  const summary = uvuSummary(stdout);
  const secs = r.secs;
  if (summary === null) {
    // No uvu summary: the file crashed or timed out before reporting.
    failed += 1;
    failures.push(rel);
    process.stdout.write(out);
    console.log(`✘ ${rel}: no test summary (exit ${r.status}${r.signal ? `, ${r.signal}` : ''}) [${secs}s]`);
    return;
  }
  const { total, ok, skip } = summary;
  passed += ok;
  skipped += skip;
  // uvu's Total counts the tests that ran; skipped ones are not in it.
  const bad = total - ok;
  failed += bad;
  if (bad > 0 || r.status !== 0) {
    if (bad === 0) failed += 1; // non-zero exit with all tests passing: count it
    failures.push(rel);
    process.stdout.write(out);
    console.log(`✘ ${rel}: ${ok}/${total} passed${r.status !== 0 ? ` (exit ${r.status}${r.signal ? `, ${r.signal}` : ''})` : ''} [${secs}s]`);
  } else {
    // Loud skips and notes from the file stay visible, also when they follow uvu's
    // progress marks on the same line (output of any test but the first).
    for (const raw of out.split('\n')) {
      const line = raw.replace(/^(?:[•✘] )+/, '');
      if (/^(SKIP|NOTE|SEED)/.test(line)) console.log(`  ${line}`);
    }
    console.log(`✔ ${rel}: ${ok} passed${skip ? `, ${skip} skipped` : ''} [${secs}s]`);
  }
}

/** Runs every file: with jobs = 1 in order, one at a time; otherwise the files that may
 *  share the machine up to `jobs` at once, then the ALONE ones one at a time. */
async function runAll(): Promise<void> {
  const alone = jobs > 1 ? files.filter((f) => ALONE.some((re) => re.test(f))) : [];
  const shared = files.filter((f) => !alone.includes(f));
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < shared.length) {
      const file = shared[next++];
      report(file, await runFile(file));
    }
  };
  await Promise.all(Array.from({ length: Math.min(jobs, shared.length) }, worker));
  for (const file of alone) report(file, await runFile(file));
}

await runAll();
console.log(`\ntotal time ${((Date.now() - started) / 1000).toFixed(1)}s${failures.length ? `; failing files: ${failures.join(', ')}` : ''}`);
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exitCode = failed > 0 ? 1 : 0;
