// softflowd's view of a corpus capture, and the copy of it the IPFIX comparison feeds to
// softflowd. softflowd 1.1.0 (softflowd.c, read for this) is an independent flow exporter
// built on libpcap; where it and pktwasm legitimately differ, the rule is applied here, as
// code, to softflowd's input, never as a tolerance on the result:
//
// 1. Octets. softflowd counts each packet as its record length minus the link header it
//    skips (flow_cb: process_packet(..., phdr->len - s)), pktwasm counts the IP total length
//    (RFC 7012 octetDeltaCount; IPv6: 40 + payload length, or 40 + the Jumbo Payload length
//    of RFC 2675). They differ by what the record holds beyond the datagram: the padding of
//    Ethernet frames shorter than 60 bytes, an FCS or other trailer, a record length that
//    claims more than the datagram (fuzzed files), or, the other way, an IP length that
//    claims more than the record (a truncated or corrupt datagram). The copy sets each
//    record's length to link header + IP total length, so softflowd counts the IP length;
//    the test also runs softflowd on the copy without that change and checks that the
//    octets differ by exactly the sum computed here, per category.
// 2. Link layers. softflowd knows Ethernet (one 802.1Q tag), Linux cooked v1, raw IP, BSD
//    NULL and LOOP (and PPP, absent from the corpus). LINKTYPE_IPV4/IPV6 (228/229) hold
//    the same bare datagrams as LINKTYPE_RAW: editcap relabels them so softflowd reads
//    them. Others (SLL2, VSOCK, link type 160) it cannot read: reported, not compared.
// 3. BSD loopback address families. A NULL/LOOP header holds the capturing system's
//    AF_INET6 (24, 28 or 30 on the BSDs and macOS); softflowd compares with Linux's 10
//    and calls the packet non-IP, where pktwasm, tcpdump and tshark decode IPv6. The copy
//    writes 10 (and 2 for IPv4 in the byte order softflowd reads).
// 4. pcapng files libpcap refuses part-way are split per link type (lib/libpcap-split.ts),
//    other pcapng files are converted to pcap by editcap (same bytes and timestamps).
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { lastError, libpcapRefusal, scratchDir, splitByLinkType } from './lib/libpcap-split.js';

const ETHERNET = 1;
const LINUX_SLL = 113;
const RAW = 101;
const NULL = 0;
const LOOP = 108;
/** Link types softflowd reads, with the header it skips. */
const SOFTFLOWD_LINKS = new Set([ETHERNET, LINUX_SLL, RAW, NULL, LOOP]);
/** Bare IPv4 / IPv6 datagrams, as LINKTYPE_RAW: relabelled for softflowd. */
const RELABEL = new Set([228, 229]);

export interface Difference { packets: number; octets: number }

export interface SoftflowdView {
  /** Why softflowd cannot read the capture, or '' when it can; `linktype` is the link
   *  type it refuses. */
  unreadable: string;
  linktype: number;
  /** The copies softflowd reads with record lengths set to link header + IP length. */
  rewritten: string[];
  /** The same copies with the original record lengths. */
  original: string[];
  /** Packets softflowd counts (IPv4/IPv6 past its length checks) and ignores. */
  counted: number;
  ignored: number;
  /** Σ (record length − link header) and Σ IP total length over the counted packets. */
  recordOctets: number;
  ipOctets: number;
  /** Counted packets whose record length minus link header is not their IP length. */
  differences: Map<string, Difference>;
  /** IPv6 packets whose extension-header walk stops before a transport header, by the
   *  header where it stops (softflowd reports protocol 0 for them). */
  ipv6Stops: Map<number, number>;
  /** How the copies were made. */
  via: string;
}

const PADDING = 'Ethernet frame padded to 60 bytes';
const TRAILER = 'record longer than link header + IP length (FCS, trailer, fuzzed length)';
const SHORT = 'IP length above what the record holds (truncated or corrupt datagram)';

interface PcapFile { bytes: Buffer; le: boolean; linktype: number }

function readPcap(path: string): PcapFile {
  const bytes = readFileSync(path);
  const magic = bytes.readUInt32LE(0);
  const le = magic === 0xa1b2c3d4 || magic === 0xa1b23c4d;
  if (!le && bytes.readUInt32BE(0) !== 0xa1b2c3d4 && bytes.readUInt32BE(0) !== 0xa1b23c4d) throw new Error(`${path}: not a pcap file`);
  const linktype = (le ? bytes.readUInt32LE(20) : bytes.readUInt32BE(20)) & 0xFFFF;
  return { bytes, le, linktype };
}

function editcap(args: string[], file: string, out: string): string {
  const e = spawnSync('editcap', ['-F', 'nsecpcap', ...args, file, out], { encoding: 'utf8' });
  if (e.status !== 0) throw new Error(`editcap ${args.join(' ')} failed on ${file}: ${lastError(e.stderr ?? '')}`);
  return out;
}

/** An address family in either byte order (the capturing host's). */
function family(raw: number): number {
  return (raw & 0xFFFF0000) !== 0 ? (((raw & 0xFF) << 24) | ((raw & 0xFF00) << 8) | ((raw >>> 8) & 0xFF00) | (raw >>> 24)) >>> 0 : raw;
}

/** IPv6 payload length 0 with a hop-by-hop Jumbo Payload option: its length, else -1. */
function jumbo(d: Buffer, ip: number, end: number): number {
  if (d[ip + 6] !== 0 || ip + 42 > end) return -1;
  const hl = (d[ip + 41] + 1) * 8;
  for (let i = 2; i + 1 < hl && ip + 40 + i + 2 <= end;) {
    const t = d[ip + 40 + i];
    if (t === 0) { i++; continue; }
    if (t === 0xC2 && d[ip + 41 + i] === 4 && ip + 40 + i + 6 <= end) return d.readUInt32BE(ip + 42 + i);
    i += d[ip + 41 + i] + 2;
  }
  return -1;
}

interface Packet { s: number; ipLen: number; stop: number }

/** ipv6_to_flowrec()'s walk: the header where it returns before setting the protocol (a
 *  non-first fragment, or a hop-by-hop/routing/destination/fragment header cut short), or
 *  -1 when it reaches the transport header. */
function ipv6Stop(d: Buffer, ip: number, end: number): number {
  let nxt = d[ip + 6];
  let p = ip + 40;
  for (;;) {
    const left = end - p;
    if (nxt === 0 || nxt === 43 || nxt === 60) {
      if (left < 2 || left < (d[p + 1] + 1) * 8) return nxt;
      const next = d[p];
      p += (d[p + 1] + 1) * 8;
      nxt = next;
    } else if (nxt === 44) {
      if (left < 8 || (d.readUInt16BE(p + 2) & 0xFFF8) !== 0) return 44;
      nxt = d[p];
      p += 8;
    } else {
      return -1;
    }
  }
}

/** softflowd's datalink_check() and ipv4/ipv6_to_flowrec() runt checks for one record:
 *  the link header it skips and the IP total length, or null when it does not count it.
 *  Also fixes a NULL/LOOP address family in place (rule 3). */
function softflowdPacket(d: Buffer, p: number, caplen: number, linktype: number): Packet | null {
  let s: number;
  let v: number;
  switch (linktype) {
    case ETHERNET: {
      if (caplen <= 14) return null;
      let type = d.readUInt16BE(p + 12);
      s = 14;
      if (type === 0x8100) { type = d.readUInt16BE(p + 16); s = 18; }
      v = type === 0x0800 ? 4 : type === 0x86dd ? 6 : 0;
      break;
    }
    case LINUX_SLL: {
      if (caplen <= 16) return null;
      const type = d.readUInt16BE(p + 14);
      s = 16;
      v = type === 0x0800 ? 4 : type === 0x86dd ? 6 : 0;
      break;
    }
    case RAW:
      if (caplen <= 0) return null;
      s = 0;
      v = d[p] >>> 4;
      break;
    case NULL: case LOOP: {
      if (caplen <= 4) return null;
      const af = family(d.readUInt32LE(p));
      s = 4;
      v = af === 2 ? 4 : af === 24 || af === 28 || af === 30 || af === 10 ? 6 : 0;
      // softflowd reads NULL little-endian and LOOP big-endian, Linux numbering.
      const want = v === 4 ? 2 : v === 6 ? 10 : -1;
      if (want >= 0) { if (linktype === NULL) d.writeUInt32LE(want, p); else d.writeUInt32BE(want, p); }
      break;
    }
    default:
      throw new Error(`no model of softflowd's link type ${linktype}`);
  }
  const ip = p + s;
  const n = caplen - s;
  if (v === 4) {
    if (n < 20 || n < (d[ip] & 15) * 4 || d[ip] >>> 4 !== 4) return null;
    return { s, ipLen: d.readUInt16BE(ip + 2), stop: -1 };
  }
  if (v === 6) {
    if (n < 40 || d[ip] >>> 4 !== 6) return null;
    const plen = d.readUInt16BE(ip + 4);
    const j = plen === 0 ? jumbo(d, ip, p + caplen) : -1;
    return { s, ipLen: 40 + (j >= 0 ? j : plen), stop: ipv6Stop(d, ip, p + caplen) };
  }
  return null;
}

function note(view: SoftflowdView, why: string, packets: number, octets: number): void {
  const c = view.differences.get(why) ?? { packets: 0, octets: 0 };
  c.packets += packets;
  c.octets += octets;
  view.differences.set(why, c);
}

/** Writes `<out>.orig.pcap` and `<out>.len.pcap` from a plain pcap (rules 1 and 3). */
function copyFor(path: string, out: string, view: SoftflowdView): void {
  const f = readPcap(path);
  const d = f.bytes;
  const u32 = (o: number): number => (f.le ? d.readUInt32LE(o) : d.readUInt32BE(o));
  const lens: Array<[number, number]> = [];
  for (let p = 24; p + 16 <= d.length;) {
    const caplen = u32(p + 8);
    const wirelen = u32(p + 12);
    const pkt = softflowdPacket(d, p + 16, Math.min(caplen, d.length - p - 16), f.linktype);
    if (pkt === null) view.ignored++;
    else {
      view.counted++;
      const record = wirelen - pkt.s;
      view.recordOctets += record;
      view.ipOctets += pkt.ipLen;
      if (record > pkt.ipLen) note(view, f.linktype === ETHERNET && wirelen === 60 && pkt.s + pkt.ipLen < 60 ? PADDING : TRAILER, 1, record - pkt.ipLen);
      else if (record < pkt.ipLen) note(view, SHORT, 1, record - pkt.ipLen);
      lens.push([p + 12, pkt.s + pkt.ipLen]);
      if (pkt.stop >= 0) view.ipv6Stops.set(pkt.stop, (view.ipv6Stops.get(pkt.stop) ?? 0) + 1);
    }
    p += 16 + caplen;
  }
  writeFileSync(`${out}.orig.pcap`, d);
  for (const [at, len] of lens) { if (f.le) d.writeUInt32LE(len, at); else d.writeUInt32BE(len, at); }
  writeFileSync(`${out}.len.pcap`, d);
  view.original.push(`${out}.orig.pcap`);
  view.rewritten.push(`${out}.len.pcap`);
}

let copies = 0;

/** softflowd's view of `file` and its copies (see the header comment). */
export function softflowdView(file: string): SoftflowdView {
  const view: SoftflowdView = {
    unreadable: '', linktype: -1, rewritten: [], original: [], counted: 0, ignored: 0, recordOctets: 0, ipOctets: 0, differences: new Map(), ipv6Stops: new Map(), via: '',
  };
  const dir = scratchDir();
  const stem = join(dir, `sf${++copies}-${basename(file).replace(/\W/g, '_')}`);
  let pcaps: string[];
  const vias: string[] = [];
  if (libpcapRefusal(file) !== undefined) {
    const split = splitByLinkType(file);
    if (split.problems.length > 0) throw new Error(split.problems.join('; '));
    pcaps = split.parts.map((x) => x.path);
    vias.push(`split per link type (${split.parts.map((x) => x.name).join(', ')})`);
  } else if (file.endsWith('.pcapng')) {
    pcaps = [editcap([], file, `${stem}.conv.pcap`)];
    vias.push('pcapng converted to pcap');
  } else {
    pcaps = [file];
  }
  pcaps = pcaps.map((p, k) => {
    const lt = readPcap(p).linktype;
    if (RELABEL.has(lt)) { vias.push(`link type ${lt} relabelled raw IP`); return editcap(['-T', 'rawip'], p, `${stem}.${k}.raw.pcap`); }
    return p;
  });
  for (const [k, p] of pcaps.entries()) {
    const lt = readPcap(p).linktype;
    if (lt === 9) throw new Error(`${file}: PPP, which softflowd reads, has no model here yet`);
    if (!SOFTFLOWD_LINKS.has(lt)) { view.unreadable = `link type ${lt}: not in softflowd 1.1.0's datalink table`; view.linktype = lt; return view; }
    copyFor(p, `${stem}.${k}`, view);
  }
  view.via = vias.join('; ');
  return view;
}
