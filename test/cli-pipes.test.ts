// tcpdump's pipe forms and -A, against tcpdump itself: `-r -` reads a capture from
// standard input (a pipe has no offsets: the reader must go on from what it has buffered,
// across many 1 MiB chunks), `-w -` writes one to standard output that tcpdump reads, -A /
// -AA print the packet as text as tcpdump's ascii_print does, and a directory given to -r
// is one clear line.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateCapture } from '../bench/lib/gen-capture.js';
import { corpusDir, haveTool, repoRoot } from './lib/env.js';
import { runBin, runNode } from './lib/run-tool.js';

const sniff = join(repoRoot, 'host', 'sniff.js');
const dir = mkdtempSync(join(tmpdir(), 'pktwasm-pipes-'));
const big = join(dir, 'big.pcap');
// ~40,000 frames of mixed sizes: several megabytes, so a pipe delivers it in many reads.
generateCapture(big, 40_000, 'mix', 7);

function shell(cmd: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync('/bin/sh', ['-c', cmd], { encoding: 'utf8', maxBuffer: 512 << 20, timeout: 120_000, env: { ...process.env, TZ: 'UTC' } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('-r - reads a multi-megabyte capture from a pipe exactly as from the file', () => {
  assert.ok(statSync(big).size > 3 << 20, 'the capture spans several read chunks');
  const fromFile = runNode('sniff', ['-nn', '-r', big]);
  assert.is(fromFile.status, 0, fromFile.stderr);
  const fromPipe = shell(`cat '${big}' | '${process.execPath}' '${sniff}' -nn -r -`);
  assert.is(fromPipe.status, 0, fromPipe.stderr);
  assert.is(fromPipe.stdout.split('\n').length, 40_001);
  assert.ok(fromPipe.stdout === fromFile.stdout, 'same lines from the pipe as from the file');
  assert.match(fromPipe.stderr, /reading from file -, link-type EN10MB/);
});

test('-r - on a pcapng stream from a pipe', () => {
  const ng = join(dir, 'big.pcapng');
  const w = runNode('sniff', ['-r', big, '--pcapng', '-w', ng, '-c', '5000']);
  assert.is(w.status, 0, w.stderr);
  const fromFile = runNode('sniff', ['-nn', '-r', ng]);
  const fromPipe = shell(`'${process.execPath}' '${sniff}' -nn -r - < '${ng}'`);
  const piped = shell(`cat '${ng}' | '${process.execPath}' '${sniff}' -nn -r -`);
  assert.is(piped.status, 0, piped.stderr);
  assert.is(fromPipe.status, 0, fromPipe.stderr);
  assert.is(piped.stdout.split('\n').length, 5001);
  assert.ok(piped.stdout === fromFile.stdout, 'pcapng through a pipe: same lines');
  assert.ok(fromPipe.stdout === fromFile.stdout, 'pcapng redirected from a regular file: same lines');
});

test('-w - writes a capture to standard output that tcpdump reads packet for packet', () => {
  if (!haveTool('tcpdump')) return;
  const ours = shell(`'${process.execPath}' '${sniff}' -r '${big}' -w - 2>/dev/null | tcpdump -nn -r - 2>/dev/null`);
  const theirs = runBin('tcpdump', ['-nn', '-r', big]);
  assert.is(ours.status, 0);
  assert.is(ours.stdout.split('\n').length, 40_001);
  assert.ok(ours.stdout === theirs.stdout, 'tcpdump reads our -w - stream as it reads the file');
});

test('-A and -AA print what tcpdump prints (corpus print-A.out / print-AA.out, and live tcpdump)', () => {
  const corpus = corpusDir();
  if (corpus !== null) {
    for (const flag of ['-A', '-AA']) {
      const want = spawnSync('cat', [join(corpus, `print${flag}.out`)], { encoding: 'utf8' }).stdout;
      const got = runNode('sniff', ['-#', '-n', '-tttt', flag, '-r', join(corpus, 'print-flags.pcap')]);
      assert.is(got.status, 0, got.stderr);
      const norm = (s: string): string => s.split('\n').map((l) => l.replace(/^ +/, '')).join('\n');
      assert.is(norm(got.stdout), norm(want), `print${flag}.out`);
    }
  }
  if (!haveTool('tcpdump')) return;
  for (const flag of ['-A', '-AA']) {
    const ours = runNode('sniff', ['-nn', flag, '-c', '3000', '-r', big]);
    const theirs = runBin('tcpdump', ['-nn', flag, '-c', '3000', '-r', big]);
    assert.ok(ours.stdout.length > 100_000);
    assert.ok(ours.stdout === theirs.stdout, `${flag} on generated traffic equals tcpdump`);
  }
});

test('--pcapng -w declares the source\'s snapshot length (as -w pcap does); -s N declares and cuts to N', () => {
  if (!haveTool('tcpdump')) return;
  const src = join(dir, 's65535.pcap');
  assert.is(runNode('sniff', ['-r', big, '-c', '500', '-w', src]).status, 0);
  const head = readFileSync(src);
  head.writeUInt32LE(65535, 16);
  writeFileSync(src, head);
  for (const [args, snap] of [[[], 65535], [['-s', '100'], 100]] as Array<[string[], number]>) {
    for (const fmt of [['--pcapng'], []]) {
      const out = join(dir, `out-${snap}-${fmt.length}.cap`);
      const w = runNode('sniff', ['-r', src, ...fmt, ...args, '-w', out]);
      assert.is(w.status, 0, w.stderr);
      const t = runBin('tcpdump', ['-r', out, '-c', '1']);
      assert.match(t.stderr, new RegExp(`snapshot length ${snap}\\b`), `${fmt.join('') || 'pcap'} ${args.join(' ')}: ${t.stderr}`);
      const lens = runBin('tcpdump', ['-r', out, '-nn', '-e']).stdout;
      assert.ok(lens.length > 0);
    }
  }
});

test('-r on a directory: one line, exit 1', () => {
  const r = runNode('sniff', ['-r', dir]);
  assert.is(r.status, 1);
  assert.is(r.stderr.trim(), `sniff: ${dir}: Is a directory`);
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
