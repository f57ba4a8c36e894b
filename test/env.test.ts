// test/lib/env.ts, the gatekeeper of every oracle test: under CI an absent or incomplete
// corpus must fail the test that asks for it (not let it pass on nothing); elsewhere it is
// one loud SKIP line. The capture lists are checked against `find` run here, and each
// file against the pcap/pcapng magic numbers. Each case runs in a child Node process so
// that CI and the corpus paths can be set per case.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { chmodSync, closeSync, mkdirSync, mkdtempSync, openSync, readSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CORPUS_CAPTURES, CORPUS_MORE_CAPTURES, corpusCaptures, corpusDir, corpusMoreCaptures, corpusMoreDir, inCI, repoRoot } from './lib/env.js';

const tmp = mkdtempSync(join(tmpdir(), 'pktwasm-env-'));
const envUrl = pathToFileURL(join(repoRoot, 'test/lib/env.js')).href;

/** Runs `body` (module code with the env.js exports in scope) in a child with `env`. */
function child(body: string, env: Record<string, string | undefined>): { status: number | null; stdout: string; stderr: string } {
  const full = { ...process.env, ...env };
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete full[k];
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', `import * as env from ${JSON.stringify(envUrl)};\n${body}`], {
    encoding: 'utf8', env: full, timeout: 30_000,
  });
  return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

const NOT_CI = { CI: undefined };
const IN_CI = { CI: 'true' };

/** `find DIR -type f ( -name '*.pcap' -o -name '*.pcapng' )`, the count's oracle. */
function findCaptures(dir: string): string[] {
  const r = spawnSync('find', [dir, '-type', 'f', '(', '-name', '*.pcap', '-o', '-name', '*.pcapng', ')'], { encoding: 'utf8' });
  assert.is(r.status, 0, r.stderr);
  return r.stdout.split('\n').filter((l) => l !== '').sort();
}

function magic(path: string): number {
  const fd = openSync(path, 'r');
  const b = Buffer.alloc(4);
  readSync(fd, b, 0, 4, 0);
  closeSync(fd);
  return b.readUInt32BE(0);
}
const MAGICS = new Set([0xa1b2c3d4, 0xd4c3b2a1, 0xa1b23c4d, 0x4d3cb2a1, 0x0a0d0d0a]);

test('the corpus: every capture find sees, at least the known count, each a pcap or pcapng', () => {
  const dir = corpusDir();
  if (dir === null) { corpusCaptures(); return; } // SKIP line, or a throw under CI
  const got = corpusCaptures();
  assert.equal([...got].sort(), findCaptures(dir));
  assert.ok(got.length >= CORPUS_CAPTURES, `${got.length} captures`);
  for (const f of got) assert.ok(MAGICS.has(magic(f)), `${f}: not a capture file`);
  console.log(`NOTE corpus: ${got.length} captures (known ${CORPUS_CAPTURES}) in ${dir}`);
});

test('corpus-more: the same, against its own count', () => {
  const dir = corpusMoreDir();
  if (dir === null) { corpusMoreCaptures(); return; }
  const got = corpusMoreCaptures();
  assert.equal([...got].sort(), findCaptures(dir));
  assert.ok(got.length >= CORPUS_MORE_CAPTURES, `${got.length} captures`);
  for (const f of got) assert.ok(MAGICS.has(magic(f)), `${f}: not a capture file`);
  assert.not.ok(got.some((f) => corpusCaptures().includes(f)), 'the two corpora are apart');
  console.log(`NOTE corpus-more: ${got.length} captures (known ${CORPUS_MORE_CAPTURES}) in ${dir}`);
});

test('under CI an empty, a short or an absent corpus throws; elsewhere one SKIP line', () => {
  const empty = join(tmp, 'empty');
  mkdirSync(empty);
  // One capture short of the known count: symlinks to all but the last real one.
  const short = join(tmp, 'short');
  mkdirSync(short);
  const real = corpusCaptures();
  if (real.length < CORPUS_CAPTURES) return; // said SKIP above (this case needs the real corpus)
  real.slice(0, CORPUS_CAPTURES - 1).forEach((f, i) => symlinkSync(f, join(short, `${i}-${basename(f)}`)));
  const absent = join(tmp, 'absent');
  for (const [label, dir, n] of [['empty', empty, 0], ['short', short, CORPUS_CAPTURES - 1], ['absent', absent, -1]] as const) {
    for (const fn of ['corpusCaptures', 'corpusMoreCaptures'] as const) {
      const v = fn === 'corpusCaptures' ? 'PKTWASM_CORPUS' : 'PKTWASM_CORPUS_MORE';
      const known = fn === 'corpusCaptures' ? CORPUS_CAPTURES : CORPUS_MORE_CAPTURES;
      const body = `const c = env.${fn}(); console.log('COUNT ' + c.length);`;
      const ci = child(body, { ...IN_CI, [v]: dir });
      if (n >= known) {
        // 68 captures are plenty for corpus-more's 22: that case must pass.
        assert.is(ci.status, 0, ci.stderr);
        assert.match(ci.stdout, `COUNT ${n}`);
      } else {
        assert.is.not(ci.status, 0, `${fn}, ${label} corpus under CI must throw: ${ci.stdout}`);
        if (n >= 0) assert.match(ci.stderr, `${n} captures in ${dir}, expected at least ${known}`);
        else assert.match(ci.stderr, /is absent/);
        assert.not.match(ci.stdout, /COUNT/);
      }
      const dev = child(body, { ...NOT_CI, [v]: dir });
      assert.is(dev.status, 0, dev.stderr);
      const skips = dev.stdout.split('\n').filter((l) => l.startsWith('SKIP '));
      if (n >= known) assert.is(skips.length, 0);
      else assert.is(skips.length, 1, dev.stdout);
      assert.match(dev.stdout, `COUNT ${Math.max(n, 0)}`);
    }
  }
});

test('corpusDir() under CI throws when the folder is absent; elsewhere null', () => {
  const absent = join(tmp, 'absent-dir');
  const ci = child(`console.log('DIR ' + env.corpusDir());`, { ...IN_CI, PKTWASM_CORPUS: absent });
  assert.is.not(ci.status, 0);
  assert.match(ci.stderr, `corpus: ${absent} is absent`);
  const dev = child(`console.log('DIR ' + env.corpusDir() + ' ' + env.corpusMoreDir());`, { ...NOT_CI, PKTWASM_CORPUS: absent, PKTWASM_CORPUS_MORE: absent });
  assert.is(dev.status, 0, dev.stderr);
  assert.match(dev.stdout, 'DIR null null');
});

test('the full corpus under CI passes, and the list is a copy (a caller may sort or edit it)', () => {
  if (corpusDir() === null) return;
  const ok = child(`const a = env.corpusCaptures(); a.length = 0; console.log('COUNT ' + env.corpusCaptures().length);`, IN_CI);
  assert.is(ok.status, 0, ok.stderr);
  assert.match(ok.stdout, `COUNT ${corpusCaptures().length}`);
  assert.is(inCI, process.env.CI === 'true' || process.env.CI === '1');
});

test('needRoot: true as root; as nobody a throw under CI, else one SKIP line per file and reason', () => {
  if (process.getuid?.() !== 0) {
    console.log('SKIP env.test.js: needs root to run the needRoot check as root and as nobody');
    return;
  }
  // A script file (not -e), world-readable, so that nobody can run it and needRoot can name it.
  const dir = join(tmp, 'probe');
  mkdirSync(dir);
  chmodSync(tmp, 0o755);
  const script = join(dir, 'probe.test.js');
  writeFileSync(script, `import * as env from ${JSON.stringify(envUrl)};\n` +
    `for (const w of ['raw sockets', 'raw sockets', 'namespaces']) console.log('R ' + env.needRoot(w));\n`);
  const run = (ci: string, ids: { uid?: number; gid?: number }) => spawnSync(process.execPath, [script],
    { encoding: 'utf8', env: { ...process.env, CI: ci }, cwd: tmpdir(), timeout: 30_000, ...ids });
  const asRoot = run('true', {});
  assert.is(asRoot.status, 0, asRoot.stderr);
  assert.is(asRoot.stdout, 'R true\nR true\nR true\n');
  const nobody = { uid: 65534, gid: 65534 };
  const ci = run('true', nobody);
  assert.is.not(ci.status, 0, ci.stdout);
  assert.match(ci.stderr, 'probe.test.js: needs root for raw sockets (CI runs as root)');
  assert.is(ci.stdout, '');
  const dev = run('', nobody);
  assert.is(dev.status, 0, dev.stderr);
  assert.is(dev.stdout, 'SKIP probe.test.js: needs root for raw sockets\nR false\nR false\nSKIP probe.test.js: needs root for namespaces\nR false\n');
});

test.after(() => rmSync(tmp, { recursive: true, force: true }));
test.run();
