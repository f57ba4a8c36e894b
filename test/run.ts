// Runs every test/**/*.test.js in its own Node process (live tests need a clean process;
// a crash in one file must not hide the others) and ends with the line CI reads:
// "N passed, N failed". uvu prints its own totals per file; we add them up. A file fails
// when a test in it fails, when it exits non-zero, or when it prints no summary (a crash
// or a timeout); any failing file sets the exit code. PKTWASM_TEST_DIR points the runner
// at another folder (its own test, test/runner.test.ts, uses that).
import { spawnSync } from 'node:child_process';
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

const only = process.argv.slice(2);
const files = findTests(testDir).filter((f) => only.length === 0 || only.some((o) => f.includes(o)));
const seed = process.env.SEED ?? String(Date.now() % 1_000_000_007);
console.log(`pktwasm tests: ${files.length} files, SEED=${seed} (replay with SEED=${seed} npm test)`);

let passed = 0;
let failed = 0;
let skipped = 0;
const failures: string[] = [];
const started = Date.now();
for (const file of files) {
  const rel = relative(root, file);
  const t0 = Date.now();
  const r = spawnSync(process.execPath, [file], {
    cwd: root,
    env: { ...process.env, SEED: seed, FORCE_COLOR: '0', NO_COLOR: '1' },
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    timeout: 15 * 60 * 1000,
  });
  const stdout = r.stdout ?? '';
  const out = `${stdout}${r.stderr ?? ''}`;
  const summary = uvuSummary(stdout);
  const secs = ((Date.now() - t0) / 1000).toFixed(1);
  if (summary === null) {
    // No uvu summary: the file crashed or timed out before reporting.
    failed += 1;
    failures.push(rel);
    process.stdout.write(out);
    console.log(`✘ ${rel}: no test summary (exit ${r.status}${r.signal ? `, ${r.signal}` : ''}) [${secs}s]`);
    continue;
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
console.log(`\ntotal time ${((Date.now() - started) / 1000).toFixed(1)}s${failures.length ? `; failing files: ${failures.join(', ')}` : ''}`);
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exitCode = failed > 0 ? 1 : 0;
