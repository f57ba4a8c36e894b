// Filter expressions against tcpdump, on every corpus capture, plus the truncations of
// every corpus frame (where bounds checks decide results), a loopback capture derived
// from the NULL ones, and WASM-vs-TS agreement everywhere.
//
// tcpdump's answer for a packet depends only on that packet, so the frames of all corpus
// files of one link type are concatenated into one temporary pcap per link type (with
// their truncated copies) and tcpdump runs once per (link type, expression). Files with
// file-level quirks (several interfaces, records longer than the snapshot length) are
// also run as they are, with `tcpdump -r <that file>`.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { createEngine } from '../host/engine/engine.js';
import { FilterError } from '../host/filter/index.js';
import { readCaptureFile } from '../host/sources/capture-file.js';
import { MatchFrames } from './lib/filter-matches.js';
import { corpusCaptures, corpusDir, haveTool, Rng, seed } from './lib/env.js';
import { libpcapPcapngReads } from './lib/libpcap-pcapng.js';
import { EXPRESSIONS, LIST_EXPRESSIONS, pool, runTcpdump, writePcap, type OracleResult } from './filter-oracle.js';

const eng = createEngine();
const tmp = mkdtempSync(join(tmpdir(), 'pktwasm-filter-'));
const rng = new Rng(seed() ^ 0x5f17e5);
const PARALLEL = 4;

interface Frame {
  data: Uint8Array;
  wirelen: number;
  /** Where it came from, for failure messages. */
  origin: string;
}

function describeDiff(a: Set<number>, b: Set<number>, frames: Frame[]): string {
  const only = (x: Set<number>, y: Set<number>): string[] => [...x].filter((n) => !y.has(n)).slice(0, 5).map((n) => frames[n - 1].origin);
  return `ours only: [${only(a, b).join(', ')}] tcpdump only: [${only(b, a).join(', ')}]`;
}

/** libpcap's refusal of a pcapng interface unlike the first (pcap-ng.c); tcpdump exits 1. */
const INTERFACE_STOP = /pcap_loop: an interface has a (type|snapshot length) \d+ different from the (type|snapshot length) of the first interface/;

/**
 * Every expression on `file` against tcpdump. `expect`: how many of `frames` tcpdump
 * must read (all of them unless the file is a pcapng with an interface libpcap refuses,
 * and then tcpdump must say so and exit non-zero; otherwise it must exit 0).
 */
interface TcpdumpReads {
  read: number;
  refusesInterface: boolean;
}

async function checkAll(
  file: string, linktype: number, frames: Frame[], label: string, snaplen?: number, exprs: string[] = EXPRESSIONS,
  expect: TcpdumpReads = { read: frames.length, refusesInterface: false },
): Promise<number> {
  const oracle: OracleResult[] = await pool(exprs.map((e) => () => runTcpdump(file, e, frames)), PARALLEL);
  // What tcpdump read: the frames the empty expression matched, a prefix of the file.
  const all = oracle[exprs.indexOf('')].matched;
  const readByTcpdump = all.size;
  for (let n = 1; n <= readByTcpdump; n++) assert.ok(all.has(n), `${label}: tcpdump read a prefix of the file`);
  assert.is(readByTcpdump, expect.read, `${label}: tcpdump read ${readByTcpdump} of our ${frames.length} frames, expected ${expect.read}`);
  // Our answers: every expression on one batch of the frames tcpdump read.
  const set = new MatchFrames(eng, linktype, frames.slice(0, readByTcpdump));
  let compared = 0;
  exprs.forEach((expr, i) => {
    const o = oracle[i];
    const r = set.matches(expr, snaplen);
    if (r instanceof FilterError) {
      assert.ok(o.rejected, `${label}: we reject "${expr}" (${r.message}) but tcpdump accepts it`);
      return;
    }
    assert.not.ok(o.rejected, `${label}: tcpdump rejects "${expr}" (${o.error}) but we accept it`);
    if (!expect.refusesInterface) {
      assert.is(o.status, 0, `${label} "${expr}": tcpdump exited ${o.status}: ${o.stderr.trim()}`);
    } else {
      assert.ok(o.status !== 0 && INTERFACE_STOP.test(o.stderr), `${label} "${expr}": tcpdump stopped early without refusing an interface (exit ${o.status}): ${o.stderr.trim()}`);
    }
    assert.equal([...r.wasm].sort(), [...r.ts].sort(), `${label} "${expr}": WASM and TS twin differ`);
    const same = r.wasm.size === o.matched.size && [...r.wasm].every((n) => o.matched.has(n));
    assert.ok(same, `${label} "${expr}": matches differ from tcpdump: ${describeDiff(r.wasm, o.matched, frames)}`);
    compared++;
  });
  return compared;
}

const captures = corpusCaptures();
const tcpdumpOk = haveTool('tcpdump');
const root = corpusDir() ?? '';

interface Loaded {
  path: string;
  linktype: number;
  frames: Frame[];
  quirky: boolean;
  snaplen?: number;
  /** What tcpdump must read of `frames` (test/lib/libpcap-pcapng.ts). */
  tcpdump: TcpdumpReads;
}

function load(path: string): Loaded | null {
  const r = readCaptureFile(path);
  if (r.records.length === 0) return null;
  const linktype = r.records[0].linktype;
  const frames: Frame[] = [];
  let quirky = r.error !== null || r.info.format === 'pcapng' && r.info.interfaces.length > 1;
  const snap = r.info.format === 'pcap' ? r.info.snaplen : r.info.interfaces[0]?.snaplen ?? 0;
  const snaplen = snap > 0 && snap <= 262144 ? snap : undefined;
  for (const rec of r.records) {
    if (rec.linktype !== linktype) break; // libpcap refuses an interface of another type
    if (snaplen !== undefined && rec.caplen > snaplen) quirky = true;
    frames.push({ data: rec.data.slice(), wirelen: rec.wirelen, origin: `${relative(root, path)}#${rec.number}` });
  }
  // libpcap stops a pcapng file at the first interface unlike the first one (another link
  // type or snapshot length): tcpdump reads the packets before it and exits 1 saying so.
  const lib = r.info.format === 'pcapng' ? libpcapPcapngReads(readFileSync(path)) : { packets: frames.length, refused: false };
  const read = lib.refused ? lib.packets : frames.length;
  if (read > frames.length) throw new Error(`${path}: libpcap would read ${read} packets, beyond our ${frames.length} of its link type`);
  return { path, linktype, frames, quirky, snaplen, tcpdump: { read, refusesInterface: lib.refused } };
}

const loaded = captures.map(load).filter((x): x is Loaded => x !== null);

function truncations(frames: Frame[], perFrame: number): Frame[] {
  const out: Frame[] = [];
  for (const f of frames) {
    for (let k = 0; k < perFrame; k++) {
      const len = rng.int(Math.min(f.data.length, 120) + 1);
      out.push({ data: f.data.slice(0, len), wirelen: f.wirelen, origin: `${f.origin} cut to ${len}` });
    }
  }
  return out;
}

const groups = new Map<number, Frame[]>();
for (const l of loaded) {
  if (l.quirky) continue;
  const g = groups.get(l.linktype) ?? [];
  g.push(...l.frames);
  groups.set(l.linktype, g);
}
// A LOOP (108) capture from the NULL ones: same packets, address family in network order.
const nullFrames = groups.get(0) ?? [];
if (nullFrames.length > 0) {
  groups.set(108, nullFrames.map((f) => {
    const d = f.data.slice();
    if (d.length >= 4) d.set([d[3], d[2], d[1], d[0]], 0);
    return { data: d, wirelen: f.wirelen, origin: `${f.origin} as LOOP` };
  }));
}

test('expression suite covers at least 60 expressions', () => {
  assert.ok(EXPRESSIONS.length >= 60, `${EXPRESSIONS.length} expressions`);
});

for (const [linktype, frames] of [...groups].sort((a, b) => a[0] - b[0])) {
  test(`link type ${linktype}: ${frames.length} corpus frames and their truncations agree with tcpdump`, async () => {
    if (!tcpdumpOk) return;
    const all = [...frames, ...truncations(frames, frames.length > 300 ? 1 : 3)];
    const file = join(tmp, `lt${linktype}.pcap`);
    writePcap(file, linktype, all);
    const n = await checkAll(file, linktype, all, `linktype ${linktype}`);
    console.log(`NOTE linktype ${linktype}: ${all.length} frames, ${n} expressions compared, ${EXPRESSIONS.length - n} rejected by both`);
  });
}

// The random cuts above hit the interesting lengths of a list like "port 53 or 22" (source
// port present, destination port cut) only by chance: here every cut from the end of the
// Ethernet header on, under the expressions whose tests libpcap reorders, of a few IP
// frames of each capture with distinct (ethertype, protocol, ports) so both directions of
// a conversation are there.
function flowKey(d: Uint8Array): string | null {
  if (d.length < 58) return null;
  const type = (d[12] << 8) | d[13];
  let proto: number;
  let l4: number;
  if (type === 0x0800) {
    proto = d[23];
    l4 = 14 + (d[14] & 0xf) * 4;
  } else if (type === 0x86dd) {
    proto = d[20];
    l4 = 54;
  } else {
    return null;
  }
  if (l4 + 4 > d.length) return null;
  return `${type}/${proto}/${(d[l4] << 8) | d[l4 + 1]}/${(d[l4 + 2] << 8) | d[l4 + 3]}`;
}

test('abbreviated lists: every truncation of IP frames agrees with tcpdump', async () => {
  if (!tcpdumpOk) return;
  const seen = new Set<string>();
  const perFile = new Map<string, number>();
  const cuts: Frame[] = [];
  for (const f of groups.get(1) ?? []) {
    const key = flowKey(f.data);
    const file = f.origin.slice(0, f.origin.indexOf('#'));
    if (key === null || seen.has(key) || (perFile.get(file) ?? 0) >= 4) continue;
    seen.add(key);
    perFile.set(file, (perFile.get(file) ?? 0) + 1);
    for (let len = 14; len <= Math.min(f.data.length, 80); len++) {
      cuts.push({ data: f.data.slice(0, len), wirelen: f.wirelen, origin: `${f.origin} cut to ${len}` });
    }
  }
  console.log(`NOTE lists: ${cuts.length} cut frames`);
  if (corpusDir() !== null) assert.ok(cuts.length > 0, 'the corpus gave no IP frame to cut');
  const file = join(tmp, 'lists.pcap');
  writePcap(file, 1, cuts);
  const n = await checkAll(file, 1, cuts, 'lists', undefined, LIST_EXPRESSIONS);
  assert.is(n, LIST_EXPRESSIONS.length);
});

for (const l of loaded.filter((x) => x.quirky || /ssh|vlan11|vxlan|print-flags/.test(x.path))) {
  test(`tcpdump -r ${relative(root, l.path)} agrees on every expression`, async () => {
    if (!tcpdumpOk) return;
    const n = await checkAll(l.path, l.linktype, l.frames, relative(root, l.path), l.snaplen, EXPRESSIONS, l.tcpdump);
    console.log(`NOTE ${relative(root, l.path)}: tcpdump read ${l.tcpdump.read} of ${l.frames.length} frames${l.tcpdump.refusesInterface ? ' (libpcap refuses a later interface)' : ''}, ${n} expressions compared`);
  });
}

test.after(() => rmSync(tmp, { recursive: true, force: true }));

test.run();
