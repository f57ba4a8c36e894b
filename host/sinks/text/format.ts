// tcpdump-style text output: one line per packet (more with -v, -x), as tcpdump 4.99
// prints with -n (this project never resolves names, so -n and -nn are the same and
// ports are always numeric). Link layers: Ethernet (VLAN, QinQ), Linux SLL and SLL2,
// BSD NULL/LOOP, raw IPv4/IPv6; then IPv4/IPv6, TCP, UDP, ICMP, ICMPv6 and ARP.
// Formatting writes bytes straight into a TextBuffer: nothing but the output bytes is
// produced per packet. Where tcpdump would go on with an application or routing printer
// we do not have (DNS, OSPF, GRE ...), the line ends with our generic text and `lastCut`
// says where that generic part begins, so the oracle test can compare the rest exactly.
import { readdirSync, readFileSync } from 'node:fs';
import type { PacketView } from '../../dissect/packet-view.js';
import { TextBuffer } from './buffer.js';
import { TimestampFormatter } from './timestamp.js';
import { writeHexDump } from './hexdump.js';
import { TextState, type TextOptions } from './state.js';
import { writeArp, writeIp4, writeIp6 } from './ip.js';
import { bsdAfName, ethertypeName, SLL_PKTTYPES } from './names.js';
import {
  LINKTYPE_ETHERNET, LINKTYPE_IPV4, LINKTYPE_IPV6, LINKTYPE_LINUX_SLL, LINKTYPE_LINUX_SLL2, LINKTYPE_LOOP,
  LINKTYPE_NULL, LINKTYPE_RAW,
} from '../../runtime/layout.js';

export type { TextOptions } from './state.js';

export class TextFormatter {
  readonly out: TextBuffer;
  readonly opts: Readonly<TextOptions>;
  /** Offset in the buffer where the last packet's text started / its generic part starts
   *  (-1: the whole line is ours, field for field). */
  lastStart = 0;
  lastCut = -1;
  private readonly st: TextState;
  private readonly ts: TimestampFormatter;
  private readonly hexLevel: number;
  private ifNames: Map<number, string> | null = null;

  constructor(out: TextBuffer, opts: TextOptions = {}) {
    this.out = out;
    this.opts = { ...opts };
    this.st = new TextState(out, opts);
    this.ts = new TimestampFormatter(opts.timestamps ?? 1, opts.nano === true);
    this.hexLevel = opts.hex ?? (opts.ascii ? 1 : 0);
  }

  /** Formats the frame the view points at (its descriptor gives link type and lengths;
   *  `m` is the memory holding the frame at view.frame). Appends the text and a newline. */
  format(v: PacketView, m: Uint8Array, tsSec: number, tsNsec: number, number: number): void {
    this.formatFrame(m, v.frame, v.capLen, v.wireLen, v.linktype, tsSec, tsNsec, number);
  }

  /** The same from raw fields, for callers without a descriptor (a file record). */
  formatFrame(m: Uint8Array, frame: number, caplen: number, wirelen: number, linktype: number, tsSec: number, tsNsec: number, number: number): void {
    const out = this.out;
    const st = this.st;
    out.ensure(256);
    this.lastStart = out.pos;
    st.cut = -1;
    st.m = m;
    st.snapend = frame + caplen;
    st.proto = '';
    st.dead = false;
    if (this.opts.numbers) out.decRight(number, 5).str('  ');
    this.ts.write(out, tsSec, tsNsec);
    let hdrlen = this.link(frame, caplen, wirelen, linktype);
    if (st.dead) {
      // The line ends at tcpdump's " [|proto]": drop what the printers wrote after it.
      out.pos = st.deadPos;
      hdrlen = this.hdrlen;
      if (st.cut > out.pos) st.cut = -1;
    }
    this.lastCut = st.cut;
    if (hdrlen < 0) {
      // Link types tcpdump cannot dissect: it dumps the bytes (hex and ASCII), and -x
      // then dumps them again as the whole frame is "after the link header".
      writeHexDump(out, m, frame, caplen, true);
      hdrlen = 0;
    }
    if (this.hexLevel > 0) {
      const from = this.hexLevel > 1 ? 0 : hdrlen;
      if (caplen > from) writeHexDump(out, m, frame + from, caplen - from, this.opts.ascii === true);
    }
    out.ch(10);
  }

  /** Link-layer header length of the frame being printed (for -x after a truncation). */
  private hdrlen = 0;

  /** Prints the link layer and what it carries; returns the link header length, -1 for
   *  link types printed as a raw dump. */
  private link(p: number, caplen: number, length: number, linktype: number): number {
    const st = this.st;
    const out = this.out;
    this.hdrlen = 0;
    switch (linktype) {
      case LINKTYPE_ETHERNET: return this.ether(p, caplen, length);
      case LINKTYPE_LINUX_SLL: return this.sll(p, caplen, length);
      case LINKTYPE_LINUX_SLL2: return this.sll2(p, caplen, length);
      case LINKTYPE_NULL:
      case LINKTYPE_LOOP: {
        st.proto = 'null';
        this.hdrlen = 4;
        st.need(p, 4);
        const m = st.m;
        let af = linktype === LINKTYPE_LOOP
          ? ((m[p] << 24) | (m[p + 1] << 16) | (m[p + 2] << 8) | m[p + 3]) >>> 0
          : (m[p] | (m[p + 1] << 8) | (m[p + 2] << 16) | (m[p + 3] << 24)) >>> 0;
        if ((af & 0xFFFF0000) !== 0) af = (((af & 0xFF) << 24) | ((af & 0xFF00) << 8) | ((af >>> 8) & 0xFF00) | (af >>> 24)) >>> 0;
        if (st.eflag) out.str('AF ').str(bsdAfName(af)).str(' (').dec(af).str('), length ').dec(length).str(': ');
        if (af === 2) writeIp4(st, p + 4, length - 4);
        else if (af === 24 || af === 28 || af === 30) writeIp6(st, p + 4, length - 4);
        else {
          st.markCut();
          if (!st.eflag) out.str('AF ').str(bsdAfName(af)).str(' (').dec(af).str('), length ').dec(length).str(': ');
        }
        return 4;
      }
      case LINKTYPE_RAW:
      case LINKTYPE_IPV4:
      case LINKTYPE_IPV6: {
        if (st.eflag) out.str('ip: ');
        if (caplen < 1) { st.proto = 'ip'; st.trunc(); return 0; }
        const ver = st.m[p] >>> 4;
        if (linktype === LINKTYPE_IPV4 || (linktype === LINKTYPE_RAW && ver === 4)) writeIp4(st, p, length);
        else if (linktype === LINKTYPE_IPV6 || (linktype === LINKTYPE_RAW && ver === 6)) writeIp6(st, p, length);
        else out.str('unknown ip ').dec(ver);
        return 0;
      }
      default:
        // tcpdump's unsupported_if_print(): the protocol name in capitals, then the bytes.
        st.markCut();
        out.str('UNSUPPORTED');
        return -1;
    }
  }

  /** Ethernet II / 802.3, with 802.1Q/802.1ad tags. */
  private ether(p0: number, caplen: number, length: number): number {
    const st = this.st;
    const out = this.out;
    const m = st.m;
    st.proto = 'ether';
    if (caplen < 14 || length < 14) { this.hdrlen = 14; st.trunc(); return 14; }
    if (st.eflag) out.macAt(m, p0 + 6).str(' > ').macAt(m, p0).str(', ');
    let type = (m[p0 + 12] << 8) | m[p0 + 13];
    let p = p0 + 14;
    let hdr = 14;
    this.hdrlen = 14;
    if (type <= 1500) {
      // 802.3 with LLC: tcpdump's LLC/SNAP/STP printers take over.
      st.markCut();
      return hdr;
    }
    if (st.eflag) out.str('ethertype ').str(ethertypeName(type) ?? 'Unknown').str(' (0x').hex(type, 4).str('), length ').dec(length).str(': ');
    while (type === 0x8100 || type === 0x88a8 || type === 0x9100 || type === 0x9200) {
      st.proto = 'vlan';
      if (!st.need(p, 4)) return hdr;
      const tci = (m[p] << 8) | m[p + 1];
      type = (m[p + 2] << 8) | m[p + 3];
      if (st.eflag) {
        out.str('vlan ').dec(tci & 0xFFF).str(', p ').dec(tci >>> 13);
        if (tci & 0x1000) out.str(', DEI');
        out.str(', ');
        if (type > 1500) out.str('ethertype ').str(ethertypeName(type) ?? 'Unknown').str(' (0x').hex(type, 4).str('), ');
      }
      p += 4;
      hdr += 4;
      this.hdrlen = hdr;
      if (type <= 1500) { st.markCut(); return hdr; }
    }
    const rest = length - hdr;
    switch (type) {
      case 0x0800: writeIp4(st, p, rest); break;
      case 0x86dd: writeIp6(st, p, rest); break;
      case 0x0806: case 0x8035: writeArp(st, p, rest); break;
      default:
        st.markCut();
        if (!st.eflag) {
          out.macAt(m, p0 + 6).str(' > ').macAt(m, p0).str(', ethertype ').str(ethertypeName(type) ?? 'Unknown')
            .str(' (0x').hex(type, 4).str('), length ').dec(length).str(': ');
        }
        break;
    }
    return hdr;
  }

  /** Linux cooked capture v1: direction always ... only with -e, as tcpdump. */
  private sll(p: number, caplen: number, length: number): number {
    const st = this.st;
    const out = this.out;
    const m = st.m;
    st.proto = 'sll';
    this.hdrlen = 16;
    if (caplen < 16) { st.trunc(); return 16; }
    const pkttype = (m[p] << 8) | m[p + 1];
    const halen = (m[p + 4] << 8) | m[p + 5];
    const proto = (m[p + 14] << 8) | m[p + 15];
    if (st.eflag) {
      const name = SLL_PKTTYPES[pkttype] ?? '?';
      for (let i = name.length; i < 3; i++) out.ch(32);
      out.str(name).ch(32);
      if (halen === 6) out.macAt(m, p + 6).ch(32);
      if (!st.qflag) {
        if (proto <= 1500) {
          if (proto === 1) out.str('802.3');
          else if (proto === 4) out.str('802.2');
          else out.str('ethertype Unknown (0x').hex(proto, 4).ch(41);
        } else {
          out.str('ethertype ').str(ethertypeName(proto) ?? 'Unknown').str(' (0x').hex(proto, 4).ch(41);
        }
        out.str(', length ').dec(length).str(': ');
      }
    }
    this.etherPayload(proto, p + 16, length - 16);
    return 16;
  }

  /** Linux cooked capture v2: tcpdump always prints the interface name and direction. */
  private sll2(p: number, caplen: number, length: number): number {
    const st = this.st;
    const out = this.out;
    const m = st.m;
    st.proto = 'sll2';
    this.hdrlen = 20;
    if (caplen < 20) { st.trunc(); return 20; }
    const proto = (m[p] << 8) | m[p + 1];
    const ifindex = ((m[p + 4] << 24) | (m[p + 5] << 16) | (m[p + 6] << 8) | m[p + 7]) >>> 0;
    const pkttype = m[p + 10];
    const halen = m[p + 11];
    const ifname = this.ifName(ifindex);
    out.utf8(ifname);
    for (let i = ifname.length; i < 5; i++) out.ch(32);
    out.ch(32);
    const dir = SLL_PKTTYPES[pkttype] ?? '?';
    out.str(dir);
    for (let i = dir.length; i < 3; i++) out.ch(32);
    out.ch(32);
    if (st.eflag) {
      out.str('ifindex ').dec(ifindex).ch(32);
      if (halen === 6) out.macAt(m, p + 12).ch(32);
      if (proto <= 1500) out.str('ethertype Unknown (0x').hex(proto, 4).ch(41);
      else out.str('ethertype ').str(ethertypeName(proto) ?? 'Unknown').str(' (0x').hex(proto, 4).ch(41);
      out.str(', length ').dec(length).str(': ');
    }
    this.etherPayload(proto, p + 20, length - 20);
    return 20;
  }

  private etherPayload(type: number, p: number, length: number): void {
    const st = this.st;
    switch (type) {
      case 0x0800: writeIp4(st, p, length); break;
      case 0x86dd: writeIp6(st, p, length); break;
      case 0x0806: case 0x8035: writeArp(st, p, length); break;
      default: st.markCut(); break;
    }
  }

  /** if_indextoname() as tcpdump calls it: this host's interface of that index, or "?". */
  private ifName(index: number): string {
    if (this.ifNames === null) {
      this.ifNames = new Map();
      try {
        for (const name of readdirSync('/sys/class/net')) {
          const idx = Number(readFileSync(`/sys/class/net/${name}/ifindex`, 'utf8').trim());
          if (Number.isInteger(idx)) this.ifNames.set(idx, name);
        }
      } catch { /* not Linux: every index prints as "?" */ }
    }
    return this.ifNames.get(index) ?? '?';
  }

  /** The text of the last formatted packet (tests; allocates). */
  lastText(): string {
    return this.out.textSince(this.lastStart);
  }
}
