// DNS messages and the frames that carry them, built byte by byte from RFC 1035's wire
// format for the tests (seed frames for the fuzzers, crafted cases for tcpdump and tshark
// to judge). Nothing here decodes: the oracles are the tools run on what this writes.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pcapngEpb, pcapngIdb, pcapngShb } from './pcapng-blocks.js';

export interface Question { name: string | Uint8Array; type: number; cls?: number }
export interface Record { name: string | Uint8Array; type: number; cls?: number; ttl?: number; rdata: Uint8Array }
export interface Message {
  id: number;
  flags: number;
  questions?: Question[];
  answers?: Record[];
  authority?: Record[];
  additional?: Record[];
  /** Counts written instead of the real ones (hostile messages). */
  counts?: [number, number, number, number];
}

/** A name in wire form, uncompressed ("." or "" is the root). */
export function name(n: string): Uint8Array {
  const out: number[] = [];
  for (const label of n.split('.').filter((l) => l !== '')) {
    const b = Buffer.from(label, 'latin1');
    out.push(b.length, ...b);
  }
  out.push(0);
  return Uint8Array.from(out);
}

/** A compression pointer to message offset `off`. */
export function ptr(off: number): Uint8Array {
  return Uint8Array.of(0xC0 | (off >> 8), off & 0xFF);
}

export const cat = (...parts: Uint8Array[]): Uint8Array => Uint8Array.from(Buffer.concat(parts));
const u16 = (v: number): Uint8Array => Uint8Array.of(v >> 8, v & 0xFF);
const u32 = (v: number): Uint8Array => Uint8Array.of(v >>> 24, (v >>> 16) & 0xFF, (v >>> 8) & 0xFF, v & 0xFF);
const asName = (n: string | Uint8Array): Uint8Array => (typeof n === 'string' ? name(n) : n);

export const rd = {
  a: (s: string): Uint8Array => Uint8Array.from(s.split('.').map(Number)),
  aaaa: (s: string): Uint8Array => {
    const [head, tail] = s.split('::');
    const h = head === '' ? [] : head.split(':');
    const t = tail === undefined ? [] : tail === '' ? [] : tail.split(':');
    const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
    return cat(...groups.map((g) => u16(parseInt(g, 16))));
  },
  name: (n: string | Uint8Array): Uint8Array => asName(n),
  mx: (pref: number, n: string | Uint8Array): Uint8Array => cat(u16(pref), asName(n)),
  srv: (prio: number, weight: number, port: number, target: string | Uint8Array): Uint8Array => cat(u16(prio), u16(weight), u16(port), asName(target)),
  soa: (mname: string, rname: string, v: [number, number, number, number, number]): Uint8Array => cat(name(mname), name(rname), ...v.map(u32)),
  txt: (...strings: string[]): Uint8Array => cat(...strings.map((s) => { const b = Buffer.from(s, 'latin1'); return cat(Uint8Array.of(b.length), b); })),
  opt: (...options: Array<[number, Uint8Array]>): Uint8Array => cat(...options.map(([code, data]) => cat(u16(code), u16(data.length), data))),
};

export function message(m: Message): Uint8Array {
  const q = m.questions ?? [];
  const an = m.answers ?? [];
  const ns = m.authority ?? [];
  const ar = m.additional ?? [];
  const counts = m.counts ?? [q.length, an.length, ns.length, ar.length];
  const parts: Uint8Array[] = [u16(m.id), u16(m.flags), ...counts.map(u16)];
  for (const x of q) parts.push(asName(x.name), u16(x.type), u16(x.cls ?? 1));
  for (const r of [...an, ...ns, ...ar]) {
    parts.push(asName(r.name), u16(r.type), u16(r.cls ?? 1), u32(r.ttl ?? 300), u16(r.rdata.length), r.rdata);
  }
  return cat(...parts);
}

/** An OPT pseudo-RR (RFC 6891): class = UDP payload size, TTL = ext rcode, version, DO. */
export function optRecord(udpSize = 1232, options: Uint8Array = new Uint8Array(0), doBit = false, extRcode = 0): Record {
  return { name: new Uint8Array([0]), type: 41, cls: udpSize, ttl: ((extRcode << 24) | (doBit ? 0x8000 : 0)) >>> 0, rdata: options };
}

export interface Endpoints { src: string; dst: string; sport: number; dport: number }

function ipv4Header(src: string, dst: string, proto: number, payloadLen: number): Uint8Array {
  const h = new Uint8Array(20);
  h[0] = 0x45;
  h.set(u16(20 + payloadLen), 2);
  h[8] = 64;
  h[9] = proto;
  h.set(rd.a(src), 12);
  h.set(rd.a(dst), 16);
  let sum = 0;
  for (let i = 0; i < 20; i += 2) sum += (h[i] << 8) | h[i + 1];
  while (sum > 0xFFFF) sum = (sum & 0xFFFF) + (sum >>> 16);
  h.set(u16(~sum & 0xFFFF), 10);
  return h;
}

function ipv6Header(src: string, dst: string, nxt: number, payloadLen: number): Uint8Array {
  return cat(Uint8Array.of(0x60, 0, 0, 0), u16(payloadLen), Uint8Array.of(nxt, 64), rd.aaaa(src), rd.aaaa(dst));
}

const ETH4 = Uint8Array.from(Buffer.from('02000000000202000000000108 00'.replace(/ /g, ''), 'hex'));
const ETH6 = Uint8Array.from(Buffer.from('02000000000202000000000186dd', 'hex'));

/** Ethernet + IPv4/IPv6 (by the address form) + UDP carrying `payload`. */
export function udpFrame(e: Endpoints, payload: Uint8Array): Uint8Array {
  const udp = cat(u16(e.sport), u16(e.dport), u16(8 + payload.length), u16(0), payload);
  return e.src.includes(':') ? cat(ETH6, ipv6Header(e.src, e.dst, 17, udp.length), udp) : cat(ETH4, ipv4Header(e.src, e.dst, 17, udp.length), udp);
}

/** Ethernet + IP + TCP (PSH|ACK) carrying `payload`; `prefix` adds DNS's 2-byte length. */
export function tcpFrame(e: Endpoints, payload: Uint8Array, prefix = true, seq = 1000): Uint8Array {
  const body = prefix ? cat(u16(payload.length), payload) : payload;
  const tcp = cat(u16(e.sport), u16(e.dport), u32(seq), u32(1), Uint8Array.of(0x50, 0x18), u16(65535), u16(0), u16(0), body);
  return e.src.includes(':') ? cat(ETH6, ipv6Header(e.src, e.dst, 6, tcp.length), tcp) : cat(ETH4, ipv4Header(e.src, e.dst, 6, tcp.length), tcp);
}

/** A crafted frame and how much of it its capture keeps. */
export interface SeedFrame { frame: Uint8Array; caplen: number }

/** A seed's frame, captured whole unless the seed says where the capture cut it. */
export function seedFrame(frame: Uint8Array, caplen?: number): SeedFrame {
  return { frame, caplen: caplen ?? frame.length };
}

/** Seeds as UDP frames from `src` to `dst` port `dport`, seed i from port `sport + i`
 *  (one conversation each), cut where a seed says. */
export function udpSeedFrames(seeds: ReadonlyArray<{ payload: Uint8Array; caplen?: number }>, src: string, dst: string, sport: number, dport: number): SeedFrame[] {
  return seeds.map((s, i) => seedFrame(udpFrame({ src, dst, sport: sport + i, dport }, s.payload), s.caplen));
}

/** Writes seed frames into `dir`/`name` (each cut at its caplen) and returns the path. */
export function writeSeedCapture(dir: string, name: string, frames: SeedFrame[]): string {
  const path = join(dir, name);
  writePcap(path, frames.map((x) => x.frame), frames.map((x) => x.caplen));
  return path;
}

/** Writes frames (Ethernet) as a microsecond pcap, caplen = the frame's length unless
 *  `caplens` says otherwise (wire length stays the full frame). Frame i is stamped
 *  `time(i)` ([seconds, microseconds]); by default one second apart with i * 1000 in the
 *  microseconds (which passes a million from frame 1,000 on: see line-seeds' writeManyPcap). */
export function writePcap(path: string, frames: Uint8Array[], caplens?: number[], time = (i: number): [number, number] => [1700000000 + i, i * 1000]): void {
  const hdr = Buffer.alloc(24);
  hdr.writeUInt32LE(0xa1b2c3d4, 0);
  hdr.writeUInt16LE(2, 4);
  hdr.writeUInt16LE(4, 6);
  hdr.writeUInt32LE(262144, 16);
  hdr.writeUInt32LE(1, 20);
  const parts: Buffer[] = [hdr];
  frames.forEach((f, i) => {
    const cap = Math.min(caplens?.[i] ?? f.length, f.length);
    const r = Buffer.alloc(16);
    const [sec, usec] = time(i);
    r.writeUInt32LE(sec, 0);
    r.writeUInt32LE(usec, 4);
    r.writeUInt32LE(cap, 8);
    r.writeUInt32LE(f.length, 12);
    parts.push(r, Buffer.from(f.subarray(0, cap)));
  });
  writeFileSync(path, Buffer.concat(parts));
}

/** Writes records of any link types as one pcapng (an interface per link type, in order of
 *  first use): several captures become one file, so that one tshark run reads them all. */
export function writePcapng(path: string, records: Array<{ linktype: number; data: Uint8Array; wirelen: number }>): void {
  const blocks: Buffer[] = [pcapngShb()];
  const ifaces = new Map<number, number>();
  records.forEach((r, i) => {
    let iface = ifaces.get(r.linktype);
    if (iface === undefined) {
      iface = ifaces.size;
      ifaces.set(r.linktype, iface);
      blocks.push(pcapngIdb(r.linktype));
    }
    blocks.push(pcapngEpb(r.data, { iface, micros: BigInt(1700000000 + i) * 1000000n, wirelen: r.wirelen }));
  });
  writeFileSync(path, Buffer.concat(blocks));
}
