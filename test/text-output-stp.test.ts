// Spanning-tree BPDUs (host/sinks/text/stp.ts) against tcpdump run here, with -nn, -v, -vv
// and -e: crafted 802.3/LLC frames (DSAP/SSAP 0x42) carrying STP configuration and TCN
// BPDUs, RSTP BPDUs (every port role, the flag bits), MSTP BPDUs with and without MSTI
// records (configuration names with control and high-bit bytes), an SPB-length MSTP
// version, an unknown version and type, BPDUs shorter than their type; each frame also
// cut at several lengths. (corpus-more's MSTP and STP captures are in text-output-more.)
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { haveTool } from './lib/env.js';
import { compareCrafted, type CraftedFrame, wholeAndCuts } from './text-output-lib.js';
import { LINKTYPE_ETHERNET } from '../host/runtime/layout.js';

const be16 = (v: number): number[] => [v >>> 8, v & 0xff];
const be32 = (v: number): number[] => [v >>> 24, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];
const ascii = (s: string): number[] => [...s].map((c) => c.charCodeAt(0));
const bridge = (prio: number, mac: number[]): number[] => [...be16(prio), ...mac];
const MAC_A = [0x00, 0x1b, 0x21, 0x3c, 0x4d, 0x5e];
const MAC_B = [0x00, 0x0c, 0x29, 0x01, 0x02, 0x03];

/** Protocol id, version, type, flags, root, cost, bridge, port, times: a config/RST body. */
const body = (version: number, type: number, flags: number): number[] => [
  ...be16(0), version, type, flags, ...bridge(0x8000, MAC_A), ...be32(4), ...bridge(0x8001, MAC_B), ...be16(0x8002),
  ...be16(256), ...be16(20 * 256), ...be16(2 * 256), ...be16(15 * 256),
];
const mstName = (s: number[]): number[] => [...s, ...Array(32 - s.length).fill(0)];
const msti = (flags: number, n: number): number[] => [flags, ...bridge(0x8000 + n, MAC_B), ...be32(n * 10), 0x80, 0x90, 20];
/** An MSTP BPDU: the RST body, version 1 length 0, version 3 length, MST configuration,
 *  CIST internal root path cost, CIST bridge, remaining hops, then the MSTI records. */
function mstp(flags: number, name: number[], records: number[][], v3len?: number): number[] {
  const rec = records.flat();
  const cfg = [0, ...mstName(name), ...be16(7), ...Array(16).fill(0xab)];
  const rest = [...cfg, ...be32(200), ...bridge(0x9000, MAC_A), 20, ...rec];
  return [...body(3, 2, flags), 0, ...be16(v3len ?? rest.length), ...rest];
}

const CASES: number[][] = [
  body(0, 0, 0x00),
  body(0, 0, 0x81),
  [...be16(0), 0, 0x80],
  [...body(2, 2, 0x3c), 0],
  [...body(2, 2, 0x7e), 0],
  [...body(2, 2, 0x05), 0],
  [...body(2, 2, 0x18), 0],
  mstp(0x7c, ascii('region1'), []),
  mstp(0x3c, [...ascii('reg\x01'), 0xe9], [msti(0x7c, 1), msti(0x3c, 2), msti(0x01, 3)]),
  mstp(0x3c, ascii('spb'), [msti(0x7c, 1)], 64 + 16),
  [...body(9, 7, 0)],
  body(0, 0, 0).slice(0, 20),
  [...body(2, 2, 0x3c)],
  mstp(0x3c, ascii('short'), []).slice(0, 60),
];

const haveTcpdump = haveTool('tcpdump');
const tmp = mkdtempSync(join(tmpdir(), 'pktwasm-stp-'));

test('STP, RSTP and MSTP lines equal tcpdump\'s (-nn, -v, -vv, -e), whole and cut', () => {
  if (!haveTcpdump) return;
  const frames: CraftedFrame[] = [];
  for (const c of CASES) {
    const llc = [0x42, 0x42, 0x03, ...c];
    const whole = [0x01, 0x80, 0xc2, 0, 0, 0, ...MAC_B, ...be16(llc.length), ...llc];
    frames.push(...wholeAndCuts(whole, 17, 6));
  }
  const r = compareCrafted(join(tmp, 'stp.pcap'), LINKTYPE_ETHERNET, frames, [[], ['-v'], ['-vv'], ['-e']]);
  assert.equal(r.problems.slice(0, 30), []);
  assert.equal(r.exact, frames.length * 4);
  console.log(`  NOTE text-output-stp: ${r.exact} lines (${frames.length} frames x 4 option sets) equal tcpdump's`);
});

test.after(() => rmSync(tmp, { recursive: true, force: true }));
test.run();
