// Issue #21 item 3: an Enhanced Packet Block whose captured length is just over the
// 1 MiB record limit (1,048,577..1,048,608: the block length check let it through) used
// to stop indexing silently: the rest of the chunk dropped, 0 packets, exit 0. Now every
// good packet before the damage is printed, then one error line naming the byte offset,
// and the exit status is 1. Files crafted here; the oracle for the good packets' text is
// tcpdump reading a copy of the file that stops before the damage.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { haveTool, inCI } from './lib/env.js';
import { runBin, runNode } from './lib/run-tool.js';
import { pcapngEpb, pcapngIdb, pcapngShb, udpFrameFrom } from './lib/pcapng-blocks.js';

const tmp = mkdtempSync(join(tmpdir(), 'pktwasm-ngbig-'));

/** An EPB for `data` at second `ts`; `caplen` may claim more than data holds (the block
 *  then holds that many bytes). */
const epb = (data: Buffer, caplen = data.length, ts = 1): Buffer => pcapngEpb(data, { caplen, micros: BigInt(ts) * 1_000_000n });
const udpFrame = (n: number): Buffer => udpFrameFrom(1000 + n);

const OVERSIZE = [1_048_577, 1_048_590, 1_048_608];

function tcpdumpText(path: string): string {
  const r = runBin('tcpdump', ['-nn', '-tt', '-r', path]);
  assert.is(r.status, 0, r.stderr);
  return r.stdout;
}

const tcpdumpOk = haveTool('tcpdump');
if (!tcpdumpOk) {
  if (inCI) test('tcpdump is installed', () => assert.unreachable('tcpdump missing under CI=true'));
  else console.log('SKIP hardening-pcapng-oversize: tcpdump not installed (the oracle for the good packets)');
}

for (const caplen of OVERSIZE) {
  for (const goodBefore of [0, 3]) {
    test(`EPB caplen ${caplen} after ${goodBefore} good packets: those printed, one error with the offset, exit 1`, () => {
      if (!tcpdumpOk) return;
      const head = Buffer.concat([pcapngShb(), pcapngIdb(1), ...Array.from({ length: goodBefore }, (_, i) => epb(udpFrame(i), undefined, i + 1))]);
      const bad = epb(Buffer.alloc(0), caplen, 50);
      const file = Buffer.concat([head, bad, epb(udpFrame(99), undefined, 60), epb(udpFrame(100), undefined, 61)]);
      const path = join(tmp, `bad-${caplen}-${goodBefore}.pcapng`);
      const clean = join(tmp, `clean-${caplen}-${goodBefore}.pcapng`);
      writeFileSync(path, file);
      writeFileSync(clean, head);
      const r = runNode('sniff', ['-nn', '-tt', '-r', path], { timeoutMs: 60_000 });
      assert.is(r.signal, null, 'finished');
      assert.is(r.stdout, goodBefore > 0 ? tcpdumpText(clean) : '', 'every good packet before the damage, as tcpdump prints them');
      assert.is(r.status, 1, `exit status 1: ${r.stderr}`);
      const errLines = r.stderr.split('\n').filter((l) => /offset/.test(l));
      assert.is(errLines.length, 1, r.stderr);
      assert.match(errLines[0], new RegExp(`byte offset ${head.length}\\b`));
      assert.not.match(r.stderr, /^\s+at /m, 'no stack trace');
    });
  }
}

test.after(() => rmSync(tmp, { recursive: true, force: true }));
test.run();
