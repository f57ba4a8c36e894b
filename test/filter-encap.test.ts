// The filter keywords for encapsulations (issue #15: mpls [label], pppoes [session],
// pppoed, geneve [vni]) and the PPP link types, against tcpdump -r: libpcap moves the network-layer
// offset 4 bytes per label and 8 bytes past a PPPoE session header, after which `ip`
// tests the label stack's bottom bit and version nibble (MPLS) or the PPP protocol
// (PPPoE). Frames: corpus-more's PPP and PPPoE captures and crafted Ethernet frames (one
// and two labels, VLAN then MPLS, PPPoE sessions carrying IPv4/IPv6/MPLS, discovery), each
// also cut at every length so the loads that run past the capture decide as in
// bpf_filter(). Both backends (WASM, TS) must give tcpdump's frames; an expression tcpdump
// refuses must be refused (`vxlan` is no libpcap 1.10 keyword).
// After `geneve` libpcap keeps the offsets in scratch memory, and a primitive on a path
// where the Geneve test failed (geneve or arp, not geneve and ip, mpls or geneve ...) reads
// it unset. libpcap 1.10's bpf_filter() leaves mem[] uninitialised: on the first packet of
// a file it reads 0, on later ones stack residue (ten identical frames: only the first
// matches `geneve or arp`). So programs with scratch registers are compared on every frame
// read as the first packet of its own file (tcpdump -V over a list of one-frame files),
// where libpcap's answer is the frame's alone (the others, whose every register read
// follows its store on all paths, read one file); crafted frames put 0x0806/0x0800/0x86dd at
// offset 0 (the unset offset) so that those reads decide.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEngine } from '../host/engine/engine.js';
import { compileFilter, compileProgram, FilterError, type CompiledFilter } from '../host/filter/index.js';
import type { Program } from '../host/filter/cfg.js';
import type { Val } from '../host/filter/ir.js';
import { readCaptureFile } from '../host/sources/capture-file.js';
import { corpusMoreDir, corpusOrSkip, haveTool } from './lib/env.js';
import { pool, runTcpdump, writePcap, type FrameForOracle } from './filter-oracle.js';
import { LINKTYPE_ETHERNET, LINKTYPE_LINUX_SLL, LINKTYPE_PPP, LINKTYPE_PPP_HDLC } from '../host/runtime/layout.js';

const eng = createEngine();
const tmp = mkdtempSync(join(tmpdir(), 'pktwasm-filter-encap-'));
// tcpdump run as root gives up its rights after the first file it reads: the later files
// of a -V list must be readable by its unprivileged user.
chmodSync(tmp, 0o755);
const hasTcpdump = haveTool('tcpdump');

const EXPRESSIONS = [
  'mpls', 'mpls 100704', 'mpls 16', 'mpls and ip', 'mpls and ip6', 'mpls and udp', 'mpls and tcp port 80',
  'mpls and mpls', 'mpls and mpls and ip6', 'mpls 16 and mpls 17 and tcp', 'mpls and mpls 17',
  'mpls and host 10.0.0.2', 'mpls and arp', 'mpls 1048576', 'not mpls', 'mpls or ip',
  'pppoes', 'pppoes 0x12', 'pppoes 4660', 'pppoes and ip', 'pppoes and ip6', 'pppoes and tcp port 80',
  'pppoes and udp', 'pppoes and mpls and ip', 'pppoes 65536', 'pppoed', 'pppoed or pppoes', 'not pppoed',
  'vlan and mpls and ip', 'vlan 5 and pppoes and ip', 'mpls and vlan', 'pppoes and vlan',
  'ip', 'ip6', 'tcp', 'udp', 'arp', 'ip and udp port 646', 'icmp', 'ip proto 17',
  'geneve', 'geneve 5', 'geneve 0x1389', 'geneve 6', 'geneve and ip', 'geneve and ip6', 'geneve and tcp',
  'geneve and udp port 53', 'geneve and host 10.0.0.8', 'geneve and arp', 'not geneve',
  'geneve and tcp[13] & 2 != 0', 'geneve and ip[9] = 17', 'geneve 16777216', 'vlan and geneve and ip', 'geneve and icmp',
];
/** Primitives on the paths where the Geneve test failed, and encapsulations combined: on
 *  the Ethernet and Linux cooked captures only (PPP links have no Geneve to find). */
const COMBINATIONS = [
  'geneve or arp', 'arp or geneve', 'geneve or ip', 'geneve or ip6', 'geneve or tcp', 'geneve or udp port 53',
  'geneve 5 or ip6', 'geneve 6 or icmp', 'not geneve and arp', 'not geneve and ip', 'not geneve or tcp', 'geneve and not ip',
  'not (geneve and ip)', 'geneve or ether[0] = 8', 'geneve and ether[12:2] = 0x800', 'geneve or ether host 08:06:00:00:00:01',
  'geneve and ether src 02:00:00:00:00:01', 'geneve or ether multicast', 'geneve or vlan', 'geneve and vlan', 'vlan or geneve',
  'geneve or mpls', 'geneve and mpls', 'mpls or geneve', 'mpls and geneve', 'mpls and geneve and ip', 'geneve or pppoes',
  'geneve and pppoes', 'pppoes or geneve', 'pppoes and geneve', 'geneve or pppoed', 'not mpls and ip', 'not pppoes and ip',
  'mpls or pppoes', 'pppoes or mpls', 'not mpls or arp', 'vxlan', 'vxlan or arp', 'geneve or geneve', 'geneve and geneve',
  'geneve and geneve and ip', 'geneve and ether broadcast', 'pppoes and ether host 02:00:00:00:00:01', 'pppoes and ether multicast',
];

const be16 = (v: number): number[] => [v >>> 8, v & 0xff];
const MAC = [2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2];

function ipv4(proto: number, payload: number[]): number[] {
  const len = 20 + payload.length;
  return [0x45, 0, ...be16(len), 0, 1, 0, 0, 64, proto, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2, ...payload];
}
function ipv6(nxt: number, payload: number[]): number[] {
  return [0x60, 0, 0, 0, ...be16(payload.length), nxt, 64, ...Array(15).fill(0), 1, ...Array(15).fill(0), 2, ...payload];
}
const udp = (sp: number, dp: number): number[] => [...be16(sp), ...be16(dp), 0, 12, 0, 0, 1, 2, 3, 4];
const tcp = (sp: number, dp: number): number[] => [...be16(sp), ...be16(dp), 0, 0, 0, 1, 0, 0, 0, 0, 0x50, 0x18, 0x20, 0, 0, 0, 0, 0];
const label = (l: number, s: boolean, ttl = 64): number[] => {
  const w = ((l << 12) | (s ? 0x100 : 0) | ttl) >>> 0;
  return [w >>> 24, (w >>> 16) & 0xff, (w >>> 8) & 0xff, w & 0xff];
};
/** UDP to 6081 carrying a Geneve header (version 0 unless `b0` says otherwise). */
function geneve(proto: number, vni: number, opts: number[], payload: number[], b0 = opts.length >> 2): number[] {
  const g = [b0, 0, ...be16(proto), (vni >>> 16) & 0xff, (vni >>> 8) & 0xff, vni & 0xff, 0, ...opts, ...payload];
  return [...be16(40000), ...be16(6081), ...be16(8 + g.length), 0, 0, ...g];
}
const pppoe = (code: number, session: number, payload: number[]): number[] => [0x11, code, ...be16(session), ...be16(payload.length), ...payload];

/** Crafted Ethernet frames of every encapsulation the keywords test. */
function etherFrames(): number[][] {
  return [
    [...MAC, ...be16(0x8847), ...label(16, true), ...ipv4(17, udp(1000, 53))],
    [...MAC, ...be16(0x8847), ...label(16, false), ...label(17, true), ...ipv6(6, tcp(1000, 80))],
    [...MAC, ...be16(0x8847), ...label(16, false), ...label(17, true), ...ipv4(6, tcp(1000, 80))],
    [...MAC, ...be16(0x8847), ...label(3, true), ...ipv4(1, [8, 0, 0, 0, 0, 1, 0, 1])],
    [...MAC, ...be16(0x8848), ...label(100704, true), ...ipv4(17, udp(646, 646))],
    [...MAC, ...be16(0x8100), 0, 5, ...be16(0x8847), ...label(16, true), ...ipv4(17, udp(1, 2))],
    [...MAC, ...be16(0x8864), ...pppoe(0, 0x1234, [...be16(0x0021), ...ipv4(6, tcp(1000, 80))])],
    [...MAC, ...be16(0x8864), ...pppoe(0, 0x12, [...be16(0x0057), ...ipv6(17, udp(546, 547))])],
    [...MAC, ...be16(0x8864), ...pppoe(0, 0x12, [...be16(0x0281), ...label(16, true), ...ipv4(17, udp(1, 2))])],
    [...MAC, ...be16(0x8864), ...pppoe(0, 0x12, [...be16(0xc021), 1, 1, 0, 4])],
    [...MAC, ...be16(0x8100), 0, 5, ...be16(0x8864), ...pppoe(0, 7, [...be16(0x0021), ...ipv4(17, udp(1, 2))])],
    [...MAC, ...be16(0x8863), ...pppoe(0x09, 0, [1, 1, 0, 0])],
    [...MAC, ...be16(0x0800), ...ipv4(17, udp(1000, 53))],
    [...MAC, ...be16(0x86dd), ...ipv6(6, tcp(1000, 80))],
    // Geneve (UDP 6081): Ethernet inside (TEB) with and without options, IPv4 inside, over IPv6,
    // a version-1 header, a VLAN-tagged outer frame.
    [...MAC, ...be16(0x0800), ...ipv4(17, geneve(0x6558, 5, [], [...MAC, ...be16(0x0800), ...ipv4(6, tcp(1000, 80))]))],
    [...MAC, ...be16(0x0800), ...ipv4(17, geneve(0x6558, 5, [1, 2, 3, 1, 0, 0, 0, 9], [...MAC, ...be16(0x0800), ...ipv4(17, udp(9, 53))]))],
    [...MAC, ...be16(0x0800), ...ipv4(17, geneve(0x0800, 6, [], ipv4(17, udp(1, 53))))],
    [...MAC, ...be16(0x86dd), ...ipv6(17, geneve(0x6558, 6, [], [...MAC, ...be16(0x86dd), ...ipv6(6, tcp(1, 2))]))],
    [...MAC, ...be16(0x0800), ...ipv4(17, geneve(0x6558, 5, [], [...MAC, ...be16(0x0806), 0, 1, 8, 0, 6, 4, 0, 1, ...Array(20).fill(0)], 0x40))],
    [...MAC, ...be16(0x8100), 0, 5, ...be16(0x0800), ...ipv4(17, geneve(0x0800, 0x1389, [], ipv4(1, [8, 0, 0, 0, 0, 1, 0, 1])))],
    // Frames whose first bytes are what an unset offset register (0) reads: the EtherType
    // of ARP, IPv4 or IPv6 as the destination MAC's first two bytes, an IPv4 header at 0.
    [0x08, 0x06, 0, 0, 0, 1, ...MAC.slice(6), ...be16(0x0800), ...ipv4(6, tcp(1000, 80))],
    [0x08, 0x00, 0x45, 0, 0, 0x30, 0, 1, 0, 0, 64, 6, ...be16(0x0800), ...ipv4(6, tcp(1000, 80))],
    [0x86, 0xdd, 0, 0, 0, 1, ...MAC.slice(6), ...be16(0x0806), 0, 1, 8, 0, 6, 4, 0, 1, ...Array(20).fill(0)],
    [0x08, 0x06, 0, 0, 0, 1, ...MAC.slice(6), ...be16(0x8847), ...label(16, true), ...ipv4(17, geneve(0x0800, 5, [], ipv4(17, udp(1, 53))))],
    [0x08, 0x00, 0x45, 0, 0, 1, ...MAC.slice(6), ...be16(0x8864), ...pppoe(0, 0x12, [...be16(0x0021), ...ipv4(17, geneve(0x6558, 5, [], [...MAC, ...be16(0x0806), 0, 1, 8, 0, 6, 4, 0, 1, ...Array(20).fill(0)]))])],
    [...MAC, ...be16(0x0800), ...ipv4(17, geneve(0x6558, 7, [], [...MAC, ...be16(0x8100), 0, 9, ...be16(0x0800), ...ipv4(6, tcp(5, 6))]))],
    [...MAC, ...be16(0x0800), ...ipv4(17, geneve(0x8847, 7, [], [...label(20, true), ...ipv4(17, udp(1, 2))]))],
  ];
}

/** Every frame, then every frame cut at each length (tcpdump keeps the wire length). */
function withCuts(frames: FrameForOracle[]): FrameForOracle[] {
  const out = [...frames];
  for (const f of frames) for (let n = 0; n < Math.min(f.data.length, 80); n++) out.push({ data: f.data.subarray(0, n), wirelen: f.wirelen });
  return out;
}

function ours(expr: string, linktype: number, frames: FrameForOracle[]): { wasm: Set<number>; ts: Set<number> } | FilterError {
  let fw: CompiledFilter;
  let ft: CompiledFilter;
  try {
    fw = compileFilter(expr, { linktype, memory: eng.memory, backend: 'wasm' });
    ft = compileFilter(expr, { linktype, memory: eng.memory, backend: 'ts' });
  } catch (e) {
    if (e instanceof FilterError) return e;
    throw e;
  }
  const bytes = frames.reduce((s, f) => s + f.data.length + 16, 0);
  const batch = eng.createBatch(Math.max(1, frames.length), Math.max(64, bytes));
  for (const f of frames) batch.push(f.data, linktype, f.wirelen);
  const out = eng.arena.alloc(Math.max(1, frames.length));
  const collect = (f: CompiledFilter): Set<number> => {
    f.matchBatch(batch.table, batch.count, out);
    const u8 = eng.views.refresh().u8;
    const s = new Set<number>();
    for (let i = 0; i < frames.length; i++) if (u8[out + i] === 1) s.add(i + 1);
    return s;
  };
  return { wasm: collect(fw), ts: collect(ft) };
}

interface Case { label: string; linktype: number; frames: FrameForOracle[] }

/** Each frame in a one-frame capture of its own, listed in `list` for tcpdump -V. */
function writeOneFrameFiles(list: string, linktype: number, frames: FrameForOracle[]): void {
  const dir = `${list}.d`;
  mkdirSync(dir, { mode: 0o755 });
  const names = frames.map((f, i) => {
    const name = join(dir, `${i}.pcap`);
    writePcap(name, linktype, [f]);
    return name;
  });
  writeFileSync(list, `${names.join('\n')}\n`);
}

/** The registers a value reads. */
function regsOf(v: Val, into: Set<number>): Set<number> {
  if (v.k === 'reg') into.add(v.r);
  else if (v.k === 'load' && v.idx !== null) regsOf(v.idx, into);
  else if (v.k === 'bin') { regsOf(v.a, into); regsOf(v.b, into); }
  else if (v.k === 'neg') regsOf(v.a, into);
  return into;
}

/** Whether some test of the program can read a scratch register that no store on the way
 *  to it has set (see the header): the registers stored on every path to a test are the
 *  intersection over its predecessors, in the program's topological order. */
function readsUnsetRegister(expr: string, linktype: number): boolean {
  let prog: Program;
  try {
    prog = compileProgram(expr, linktype);
  } catch (e) {
    if (e instanceof FilterError) return false;
    throw e;
  }
  if (prog.registers === 0) return false;
  const setIn: (Set<number> | null)[] = prog.nodes.map(() => null);
  setIn[prog.entry] = new Set();
  for (let i = 0; i < prog.nodes.length; i++) {
    const n = prog.nodes[i];
    const have = setIn[i];
    if (have === null) continue;
    for (const r of regsOf(n.a, new Set())) if (!have.has(r)) return true;
    const out = n.store >= 0 ? new Set([...have, n.store]) : have;
    for (const s of [n.t, n.f]) {
      if (s < 0) continue;
      const prev = setIn[s];
      setIn[s] = prev === null ? out : new Set([...prev].filter((r) => out.has(r)));
    }
  }
  return false;
}

function cases(): Case[] {
  const list: Case[] = [{ label: 'crafted Ethernet', linktype: LINKTYPE_ETHERNET, frames: withCuts(etherFrames().map((d) => ({ data: Uint8Array.from(d), wirelen: d.length }))) }];
  // The same payloads behind a Linux cooked header: libpcap has no MPLS there (an error).
  list.push({ label: 'crafted SLL', linktype: LINKTYPE_LINUX_SLL, frames: etherFrames().map((d) => {
    const s = [0, 0, 0, 1, 0, 6, ...d.slice(0, 6), 0, 0, ...d.slice(12)];
    return { data: Uint8Array.from(s), wirelen: s.length };
  }) });
  const dir = corpusMoreDir();
  if (dir !== null) {
    for (const [name, lt] of [['mpls-traceroute.pcap', LINKTYPE_PPP], ['mpls-ldp-hello.pcap', LINKTYPE_PPP], ['ppp-invalid-lengths.pcap', LINKTYPE_PPP],
      ['heapoverflow-ppp_hdlc_if_print.pcap', LINKTYPE_PPP_HDLC], ['pppoe.pcap', LINKTYPE_ETHERNET],
      ['bigtcp-ipv4-geneve-ipv4.pcap', LINKTYPE_ETHERNET], ['gso-ipv6-vxlan-ipv4.pcap', LINKTYPE_ETHERNET]] as const) {
      const recs = readCaptureFile(join(dir, name)).records.map((r) => ({ data: r.data, wirelen: r.wirelen }));
      list.push({ label: name, linktype: lt, frames: lt === LINKTYPE_PPP ? withCuts(recs) : recs });
    }
  }
  return list;
}

test('mpls, pppoes, pppoed and the PPP link types select what tcpdump selects (both backends)', async () => {
  if (!hasTcpdump) return;
  let compared = 0;
  let matched = 0;
  let refused = 0;
  const registerExprs = new Set<string>();
  const problems: string[] = [];
  for (const c of cases()) {
    const file = join(tmp, `${c.label.replace(/[^a-z0-9]+/gi, '_')}.pcap`);
    writePcap(file, c.linktype, c.frames);
    let listed = false;
    const exprs = c.linktype === LINKTYPE_ETHERNET || c.linktype === LINKTYPE_LINUX_SLL ? [...EXPRESSIONS, ...COMBINATIONS] : EXPRESSIONS;
    const results = await pool(exprs.map((e) => () => {
      const fresh = readsUnsetRegister(e, c.linktype);
      if (fresh) registerExprs.add(e);
      if (fresh && !listed) {
        writeOneFrameFiles(`${file}.list`, c.linktype, c.frames);
        listed = true;
      }
      return fresh ? runTcpdump(`${file}.list`, e, c.frames, true) : runTcpdump(file, e, c.frames);
    }), 2);
    exprs.forEach((expr, i) => {
      const t = results[i];
      const o = ours(expr, c.linktype, c.frames);
      if (t.rejected || o instanceof FilterError) {
        if (!(t.rejected && o instanceof FilterError)) problems.push(`${c.label} "${expr}": tcpdump ${t.rejected ? `refuses (${t.error})` : 'accepts'}, we ${o instanceof FilterError ? `refuse (${o.message})` : 'accept'}`);
        else refused++;
        return;
      }
      compared++;
      matched += t.matched.size;
      for (const [be, got] of [['wasm', o.wasm], ['ts', o.ts]] as const) {
        const a = [...got].sort((x, y) => x - y).join(',');
        const b = [...t.matched].sort((x, y) => x - y).join(',');
        if (a !== b) problems.push(`${c.label} "${expr}" ${be}: ours [${a.slice(0, 120)}] tcpdump [${b.slice(0, 120)}]`);
      }
    });
  }
  console.log(`  NOTE filter-encap: ${compared} (capture, expression) pairs equal tcpdump's frames (${matched} matches), ${refused} refused by both; ${registerExprs.size} expressions that can read a scratch register unset compared frame by frame`);
  for (const p of problems.slice(0, 20)) console.log(`  ${p}`);
  if (corpusOrSkip('corpus-more\'s PPP and PPPoE captures were not compared (crafted frames only)', ['corpus-more'])) assert.ok(compared > 100, `${compared} pairs compared`);
  else assert.ok(compared >= 54, `${compared} pairs of crafted frames compared`);
  assert.ok(registerExprs.size >= 15, `${registerExprs.size} expressions read a scratch register unset`);
  assert.equal(problems, []);
});

test.after(() => rmSync(tmp, { recursive: true, force: true }));
test.run();
