// The runner itself (test/run.ts): pointed with PKTWASM_TEST_DIR at small test files
// written to a temp dir at run time, its closing line and exit code must count a real
// failure as a failure, skips as skips (never as negative failures), a file that crashes
// before uvu's summary as a failure, and a file that exits non-zero after passing tests
// as a failure.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './lib/env.js';

const tmp = mkdtempSync(join(tmpdir(), 'pktwasm-runner-'));

const FIXTURES: Record<string, string> = {
  // Two tests pass (the second prints a SKIP line after uvu's progress mark), two are skipped.
  'skips.test.js': `test('runs', () => {}); test('says', () => { console.log('SKIP fixture: loud'); }); test.skip('a'); test.skip('b');`,
  // One passes, one fails.
  'fails.test.js': `test('ok', () => {}); test('broken', () => { assert.is(1, 2); });`,
  // Dies before uvu can print its summary.
  'crash.test.js': `test('never reported', () => {}); throw new Error('boom at load');`,
  // Every test passes and uvu prints its summary, then the process exits 3 (as after an
  // unhandled rejection or a leaked child's error once the tests are done).
  'exit.test.js': `test('ok', () => {}); process.on('exit', () => { process.exitCode = 3; });`,
};

/** A folder holding the named fixtures (and node_modules, so `import 'uvu'` resolves). */
function folder(name: string, files: string[]): string {
  const dir = join(tmp, name);
  mkdirSync(dir);
  symlinkSync(join(repoRoot, 'node_modules'), join(dir, 'node_modules'));
  for (const f of files) {
    writeFileSync(join(dir, f), `import { test } from 'uvu';\nimport * as assert from 'uvu/assert';\n${FIXTURES[f]}\ntest.run();\n`);
  }
  return dir;
}

function runner(dir: string, args: string[] = []): { status: number | null; last: string; out: string } {
  const r = spawnSync(process.execPath, [join(repoRoot, 'test/run.js'), ...args], {
    cwd: repoRoot, encoding: 'utf8', timeout: 60_000, env: { ...process.env, PKTWASM_TEST_DIR: dir, SEED: '1' },
  });
  const lines = (r.stdout ?? '').trimEnd().split('\n');
  return { status: r.status, last: lines[lines.length - 1], out: `${r.stdout}${r.stderr}` };
}

test('2 skips next to a real failure: "3 passed, 1 failed, 2 skipped", exit 1', () => {
  const r = runner(folder('mixed', ['skips.test.js', 'fails.test.js']));
  assert.is(r.last, '3 passed, 1 failed, 2 skipped', r.out);
  assert.is(r.status, 1, r.out);
});

test('skips alone are not failures: "2 passed, 0 failed, 2 skipped", exit 0; a SKIP line stays visible', () => {
  const r = runner(folder('skips', ['skips.test.js']));
  assert.is(r.last, '2 passed, 0 failed, 2 skipped', r.out);
  assert.match(r.out, /^  SKIP fixture: loud$/m);
  assert.is(r.status, 0, r.out);
});

test('a file that crashes before its summary is a failure', () => {
  const r = runner(folder('crash', ['crash.test.js', 'skips.test.js']));
  assert.is(r.last, '2 passed, 1 failed, 2 skipped', r.out);
  assert.match(r.out, /crash\.test\.js: no test summary \(exit 1\)/);
  assert.is(r.status, 1, r.out);
});

test('a file whose tests pass but which exits non-zero is a failure', () => {
  const r = runner(folder('exit', ['exit.test.js']));
  assert.is(r.last, '1 passed, 1 failed', r.out);
  assert.match(r.out, /exit\.test\.js: 1\/1 passed \(exit 3\)/);
  assert.is(r.status, 1, r.out);
});

test('--jobs 2 counts as one at a time does: every file once, failures as failures', () => {
  const dir = folder('jobs', ['skips.test.js', 'fails.test.js', 'crash.test.js', 'exit.test.js']);
  const one = runner(dir);
  const two = runner(dir, ['--jobs', '2']);
  assert.is(one.last, '4 passed, 3 failed, 2 skipped', one.out);
  assert.is(two.last, one.last, two.out);
  assert.is(two.status, 1, two.out);
  for (const f of ['skips', 'fails', 'crash', 'exit']) assert.is(two.out.split(`${f}.test.js: `).length - 1, 1, `${f} reported once: ${two.out}`);
  assert.match(two.out, /up to 2 at once/);
  const bad = runner(dir, ['--jobs', '0']);
  assert.is(bad.status, 2, bad.out);
});

test.after(() => rmSync(tmp, { recursive: true, force: true }));
test.run();
