// Issue #21 item 9 (first half): a pcapng file may declare at most MAX_INTERFACES (65536,
// what a ring slot's u16 SLOT_IFACE can name) interfaces; the next interface block is
// damage at its byte offset: the good packets before it are printed (tcpdump's text for
// the same packets is the oracle), one error line, exit 1. A 5 MB file of interface
// blocks ends the same way instead of holding tens of MB.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { haveTool, inCI } from './lib/env.js';
import { runBin, runNode } from './lib/run-tool.js';

const tmp = mkdtempSync(join(tmpdir(), 'pktwasm-ngif-'));
const LIMIT = 65536;

function block(type: number, body: Buffer): Buffer {
  const b = Buffer.alloc(12 + body.length);
  b.writeUInt32LE(type, 0);
  b.writeUInt32LE(b.length, 4);
  body.copy(b, 8);
  b.writeUInt32LE(b.length, b.length - 4);
  return b;
}
const SHB = (() => { const body = Buffer.alloc(16); body.writeUInt32LE(0x1a2b3c4d, 0); body.writeUInt16LE(1, 4); body.writeBigInt64LE(-1n, 8); return block(0x0a0d0d0a, body); })();
const IDB = (() => { const body = Buffer.alloc(8); body.writeUInt16LE(1, 0); return block(1, body); })();

function udpEpb(n: number): Buffer {
  const f = Buffer.alloc(46);
  f.fill(0x02, 0, 12);
  f.writeUInt16BE(0x0800, 12);
  f[14] = 0x45; f.writeUInt16BE(32, 16); f[22] = 64; f[23] = 17;
  f.writeUInt32BE(0xc0000201, 26); f.writeUInt32BE(0xc6336407, 30);
  f.writeUInt16BE(2000 + n, 34); f.writeUInt16BE(9, 36); f.writeUInt16BE(12, 38);
  const body = Buffer.alloc(20 + 48);
  body.writeUInt32LE(0, 0);
  body.writeUInt32LE(0, 4);
  body.writeUInt32LE((n + 1) * 1_000_000, 8);
  body.writeUInt32LE(46, 12);
  body.writeUInt32LE(46, 16);
  f.copy(body, 20);
  return block(6, body);
}

const tcpdumpOk = haveTool('tcpdump');
if (!tcpdumpOk) {
  if (inCI) test('tcpdump is installed', () => assert.unreachable('tcpdump missing under CI=true'));
  else console.log('SKIP hardening-pcapng-interfaces: tcpdump not installed (the oracle for the good packets)');
}

test(`${LIMIT} interfaces are read; interface ${LIMIT + 1} is damage at its offset`, () => {
  if (!tcpdumpOk) return;
  const head = Buffer.concat([SHB, IDB, udpEpb(0), ...new Array<Buffer>(LIMIT - 1).fill(IDB), udpEpb(1)]);
  const file = Buffer.concat([head, IDB, udpEpb(2)]);
  const path = join(tmp, 'many-ifaces.pcapng');
  writeFileSync(path, file);
  const oracle = join(tmp, 'oracle.pcapng');
  writeFileSync(oracle, Buffer.concat([SHB, IDB, udpEpb(0), udpEpb(1)]));
  const want = runBin('tcpdump', ['-nn', '-tt', '-r', oracle]);
  assert.is(want.status, 0, want.stderr);
  const r = runNode('sniff', ['-nn', '-tt', '-r', path]);
  assert.is(r.stdout, want.stdout, 'the packets before the excess interface, as tcpdump prints them');
  assert.is(r.status, 1, r.stderr);
  const lines = r.stderr.split('\n').filter((l) => /interfaces/.test(l));
  assert.is(lines.length, 1, r.stderr);
  assert.match(lines[0], new RegExp(`byte offset ${head.length}\\b`));
});

test('a 5 MB file of interface blocks: an error naming the offset, exit 1, bounded memory', () => {
  const path = join(tmp, 'ifaces-5mb.pcapng');
  const n = Math.ceil((5 << 20) / IDB.length);
  writeFileSync(path, Buffer.concat([SHB, ...new Array<Buffer>(n).fill(IDB)]));
  const r = runNode('sniff', ['-nn', '-r', path]);
  assert.is(r.status, 1, r.stderr);
  assert.match(r.stderr, new RegExp(`too many pcapng interfaces .*byte offset ${SHB.length + LIMIT * IDB.length}\\b`));
});

test.after(() => rmSync(tmp, { recursive: true, force: true }));
test.run();
