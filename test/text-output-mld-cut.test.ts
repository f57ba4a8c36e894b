// MLDv2 queries (RFC 3810 §5.1) cut at every length, printed with -v and -vv, against
// tcpdump: where the capture stops decides what tcpdump prints (the flags byte's "sflag
// robustness=N" come before it reads QQIC), so each cut is its own case. The query is the
// corpus's (icmpv6.pcap); both engines.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readCaptureFile } from '../host/sources/capture-file.js';
import { corpusDir, corpusOrSkip, haveTool, repoRoot } from './lib/env.js';
import { writePcap } from './filter-oracle.js';

const lines = (cmd: string, args: string[]): string[] => spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 26 }).stdout.split('\n');

test('MLDv2 query cut at every length: -v and -vv lines equal tcpdump\'s (both engines)', () => {
  const dir = corpusDir();
  if (!corpusOrSkip('the MLDv2 query comes from corpus/icmpv6.pcap') || dir === null || !haveTool('tcpdump')) return;
  const file = join(dir, 'icmpv6.pcap');
  const at = lines('tcpdump', ['-nn', '-r', file]).findIndex((l) => l.includes('listener query v2'));
  assert.ok(at >= 0, 'icmpv6.pcap holds an MLDv2 query');
  const whole = readCaptureFile(file).records[at].data;
  const tmp = mkdtempSync(join(tmpdir(), 'pktwasm-mld-'));
  try {
    const cut = join(tmp, 'cut.pcap');
    const frames = [];
    for (let len = 14 + 40 + 4; len <= whole.length; len++) frames.push({ data: whole.subarray(0, len), wirelen: whole.length });
    writePcap(cut, 1, frames);
    let compared = 0;
    const diffs: string[] = [];
    for (const v of ['-v', '-vv']) {
      const theirs = lines('tcpdump', ['-nn', '-t', v, '-r', cut]);
      for (const engine of ['wasm', 'ts']) {
        const ours = lines(process.execPath, [join(repoRoot, 'host/sniff.js'), '--engine', engine, '-nn', '-t', v, '-r', cut]);
        assert.is(ours.length, theirs.length, `${v} ${engine}: as many lines`);
        theirs.forEach((t, i) => { compared++; if (ours[i] !== t) diffs.push(`${v} ${engine} cut ${i}:\n  tcpdump ${t}\n  ours    ${ours[i]}`); });
      }
    }
    assert.equal(diffs.slice(0, 5), [], `${diffs.length} of ${compared} lines differ`);
    assert.ok(frames.length >= 30, `${frames.length} cuts`);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

test.run();
