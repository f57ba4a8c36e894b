// The README must stay true: its library example runs as written (from the repo root)
// and prints what it promises; the sample capture `npm start` reads is readable.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from './lib/env.js';

test('the README library example runs and prints its promised output', () => {
  const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
  const m = /```js example\n([\s\S]*?)```/.exec(readme);
  assert.ok(m, 'README has a ```js example block');
  const file = join(repoRoot, `.readme-example-${process.pid}.mjs`);
  writeFileSync(file, m![1]);
  try {
    const r = spawnSync(process.execPath, [file], { cwd: repoRoot, encoding: 'utf8' });
    assert.is(r.status, 0, r.stderr);
    assert.match(r.stdout, /srcport: 43210/);
    assert.match(r.stdout, /1000 SYNs; IPv4 header checksum ok: true/);
  } finally {
    spawnSync('rm', ['-f', file]);
  }
});

test("the README's sniffer examples (its ```sh example block) run as written, each line", () => {
  const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
  const m = /```sh example\n([\s\S]*?)```/.exec(readme);
  assert.ok(m, 'README has a ```sh example block');
  const lines = m![1].split('\n').map((l) => l.replace(/\s+#.*$/, '').trim()).filter((l) => l !== '');
  assert.ok(lines.length >= 5, 'the block holds the examples');
  for (const cmd of lines) {
    const r = spawnSync('bash', ['-o', 'pipefail', '-c', cmd], { cwd: repoRoot, encoding: 'utf8', timeout: 60_000, env: { ...process.env, TZ: 'UTC' } });
    assert.is(r.status, 0, `${cmd}: ${r.stderr}`);
    // Every example prints something (lines, JSON, tables, interfaces) except -w FILE.
    if (!/-w \/tmp\//.test(cmd)) assert.ok(r.stdout.trim().length > 0, `${cmd}: printed nothing`);
  }
});

test('npm start sniffs the bundled sample capture', () => {
  const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  const args = pkg.scripts.start.split(' ').slice(1);
  const r = spawnSync(process.execPath, args, { cwd: repoRoot, encoding: 'utf8' });
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stderr, /10 packets captured/);
  const lines = r.stdout.trim().split('\n');
  assert.is(lines.length, 10, r.stdout);
  assert.match(lines[0], /IP 192\.0\.2\.1\.43210 > 198\.51\.100\.7\.80: Flags \[S\.\]/);
});

test.run();
