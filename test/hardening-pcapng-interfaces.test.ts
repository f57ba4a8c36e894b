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
import { pcapngEpb, pcapngIdb, pcapngShb, udpFrameFrom } from './lib/pcapng-blocks.js';

const tmp = mkdtempSync(join(tmpdir(), 'pktwasm-ngif-'));
const LIMIT = 65536;

const SHB = pcapngShb();
const IDB = pcapngIdb(1);

/** A one-line UDP packet at second n + 1. */
const udpEpb = (n: number): Buffer => pcapngEpb(udpFrameFrom(2000 + n), { micros: BigInt(n + 1) * 1_000_000n });

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
