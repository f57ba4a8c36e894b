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

const tmp = mkdtempSync(join(tmpdir(), 'pktwasm-ngbig-'));

function block(type: number, body: Buffer): Buffer {
  const len = 12 + body.length;
  const b = Buffer.alloc(len);
  b.writeUInt32LE(type, 0);
  b.writeUInt32LE(len, 4);
  body.copy(b, 8);
  b.writeUInt32LE(len, len - 4);
  return b;
}

function shb(): Buffer {
  const body = Buffer.alloc(16);
  body.writeUInt32LE(0x1a2b3c4d, 0);
  body.writeUInt16LE(1, 4);
  body.writeUInt16LE(0, 6);
  body.writeBigInt64LE(-1n, 8);
  return block(0x0a0d0d0a, body);
}

function idb(): Buffer {
  const body = Buffer.alloc(8);
  body.writeUInt16LE(1, 0); // Ethernet
  body.writeUInt32LE(0, 4); // no snaplen limit
  return block(1, body);
}

/** A UDP/IPv4 frame tcpdump prints on one line. */
function udpFrame(n: number): Buffer {
  const f = Buffer.alloc(14 + 20 + 8 + 4);
  f.fill(0x02, 0, 12);
  f.writeUInt16BE(0x0800, 12);
  const ip = 14;
  f[ip] = 0x45;
  f.writeUInt16BE(32, ip + 2);
  f[ip + 8] = 64;
  f[ip + 9] = 17;
  f.writeUInt32BE(0xc0000201, ip + 12);
  f.writeUInt32BE(0xc6336407, ip + 16);
  f.writeUInt16BE(1000 + n, ip + 20);
  f.writeUInt16BE(9, ip + 22);
  f.writeUInt16BE(12, ip + 24);
  return f;
}

/** An EPB for `data`; `caplen` may claim more than is stored when `pad` makes the block hold it. */
function epb(data: Buffer, caplen = data.length, ts = 1): Buffer {
  const stored = Math.max(caplen, data.length);
  const padded = (stored + 3) & ~3;
  const body = Buffer.alloc(20 + padded);
  body.writeUInt32LE(0, 0);
  body.writeUInt32LE(0, 4);
  body.writeUInt32LE(ts * 1_000_000, 8);
  body.writeUInt32LE(caplen, 12);
  body.writeUInt32LE(caplen, 16);
  data.copy(body, 20);
  return block(6, body);
}

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
      const head = Buffer.concat([shb(), idb(), ...Array.from({ length: goodBefore }, (_, i) => epb(udpFrame(i), undefined, i + 1))]);
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
