// TCP options with printers of their own (host/sinks/text/mptcp.ts) against tcpdump run
// here, with -nn and -v: MPTCP (RFC 8684) capable, join, dss, add-addr, rem-addr, prio,
// fail, fast-close and unknown subtypes at the lengths and TCP flags each accepts and at
// ones it refuses ("[bad opt]"), followed by another option; TCP-AO (RFC 5925) with and
// without a MAC and too short; each frame also cut inside its options.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { haveTool } from './lib/env.js';
import { compareCrafted, wholeAndCuts } from './text-output-lib.js';
import { LINKTYPE_ETHERNET } from '../host/runtime/layout.js';

const be16 = (v: number): number[] => [v >>> 8, v & 0xff];
const bytes = (n: number, from: number): number[] => Array.from({ length: n }, (_, i) => (from + i * 7) & 0xff);
const SYN = 0x02;
const ACK = 0x10;
const SYNACK = 0x12;

/** An Ethernet/IPv4/TCP frame with TCP flags `flags` and the options `opts` (padded with
 *  NOPs to a multiple of 4, at most 40 bytes). */
function frame(flags: number, opts: number[]): number[] {
  const o = [...opts];
  while (o.length % 4 !== 0) o.push(1);
  const tcp = [...be16(40000), ...be16(443), 0, 0, 1, 0, 0, 0, 2, 0, ((5 + o.length / 4) << 4), flags, 0x20, 0, 0, 0, 0, 0, ...o];
  const ip = [0x45, 0, ...be16(20 + tcp.length), 0, 1, 0x40, 0, 64, 6, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2];
  return [2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2, 8, 0, ...ip, ...tcp];
}

/** An MPTCP option: subtype (high nibble of byte 2) with the low nibble `low`, then `rest`. */
const mp = (sub: number, low: number, rest: number[]): number[] => [30, 3 + rest.length, (sub << 4) | low, ...rest];

const CASES: Array<[number, number[]]> = [
  // capable: v0/v1, checksum flag, keys by length and flags; refused lengths and flags
  [SYN, mp(0, 0, [0x81, ...bytes(8, 1)])], [SYN, mp(0, 1, [0x01])], [SYN, mp(0, 1, [0x80])], [ACK, mp(0, 1, [0x01, ...bytes(16, 3)])],
  [ACK, mp(0, 0, [0x81, ...bytes(16, 5), 0, 9])], [ACK, mp(0, 2, [0x01, ...bytes(8, 1)])], [SYN, mp(0, 5, [0x01])], [SYNACK, mp(0, 1, [0x01, ...bytes(16, 3)])],
  // join: SYN, SYN/ACK, ACK; backup flag; refused combinations
  [SYN, mp(1, 1, [3, ...bytes(8, 11)])], [SYNACK, mp(1, 0, [4, ...bytes(12, 13)])], [ACK, mp(1, 0, [0, ...bytes(20, 17)])], [ACK, mp(1, 0, [3, ...bytes(8, 11)])],
  // dss: ack 4/8, seq 4/8 with subseq, len and checksum, fin; short and SYN refused
  [ACK, mp(2, 0, [0x01, ...bytes(4, 1)])], [ACK, mp(2, 0, [0x03, ...bytes(8, 2)])], [ACK, mp(2, 0, [0x15, ...bytes(4, 1), ...bytes(4, 9), ...bytes(4, 5), 0, 100])],
  [ACK, mp(2, 0, [0x0c, ...bytes(8, 3), ...bytes(4, 5), 0, 100, 0xab, 0xcd])], [ACK, mp(2, 0, [0x05, ...bytes(2, 1)])], [SYN, mp(2, 0, [0x01, ...bytes(4, 1)])],
  [ACK, mp(2, 0, [0x10])],
  // add-addr: IPv4/IPv6, port, hmac, echo/version nibbles; a refused length
  [ACK, mp(3, 4, [1, 10, 1, 2, 3])], [ACK, mp(3, 0, [2, 10, 1, 2, 3, 0x1f, 0x90])], [ACK, mp(3, 1, [3, 10, 1, 2, 3, ...bytes(8, 1)])],
  [ACK, mp(3, 0, [4, 10, 1, 2, 3, 0, 80, ...bytes(8, 2)])], [ACK, mp(3, 6, [5, ...bytes(16, 32)])], [ACK, mp(3, 0, [6, ...bytes(16, 32), 1, 187])],
  [ACK, mp(3, 9, [7, ...bytes(16, 32), ...bytes(8, 4)])], [ACK, mp(3, 0, [8, 10, 1])],
  // rem-addr, prio, fail, fast-close, unknown; refused lengths
  [ACK, mp(4, 0, [1, 2, 3])], [ACK, mp(4, 0, [])], [ACK, mp(5, 1, [])], [ACK, mp(5, 0, [7])], [ACK, mp(5, 0, [7, 8])],
  [ACK, mp(6, 0, [0, ...bytes(8, 40)])], [ACK, mp(6, 0, [0, ...bytes(4, 40)])], [ACK, mp(7, 0, [0, ...bytes(8, 50)])], [ACK, mp(12, 0, [1, 2])], [ACK, mp(15, 0, [])],
  [ACK, [30, 2]],
  // TCP-AO: with a MAC, without, too short
  [ACK, [29, 16, 5, 6, ...bytes(12, 60)]], [ACK, [29, 4, 1, 2]], [ACK, [29, 3, 1]],
];

const haveTcpdump = haveTool('tcpdump');
const tmp = mkdtempSync(join(tmpdir(), 'pktwasm-tcpopt-'));

test('MPTCP and TCP-AO options print as tcpdump prints them (-nn, -v), whole and cut', () => {
  if (!haveTcpdump) return;
  const frames: Array<{ data: Uint8Array; wirelen: number }> = [];
  for (const [flags, opt] of CASES) {
    const whole = frame(flags, [...opt, 4, 2]); // a sackOK after it: the list goes on
    frames.push(...wholeAndCuts(whole, 54 + 2, 5));
  }
  const r = compareCrafted(join(tmp, 'tcpopt.pcap'), LINKTYPE_ETHERNET, frames, [[], ['-v']]);
  assert.equal(r.problems, []);
  console.log(`  NOTE text-output-tcpopt: ${r.exact} lines (${frames.length} frames x 2 option sets) equal tcpdump's`);
});

test.after(() => rmSync(tmp, { recursive: true, force: true }));
test.run();
