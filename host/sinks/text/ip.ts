// IPv4, IPv6, UDP, ICMP, ICMPv6 and ARP as tcpdump 4.99 prints them (print-ip.c,
// print-ip6.c, print-udp.c, print-icmp.c, print-icmp6.c, print-arp.c), for the parts this
// project prints itself. Where tcpdump goes on with a protocol printer of its own (DNS,
// OSPF, GRE, routing headers ...) the state's cut marks where our generic text begins.
import type { TextState } from './state.js';
import { onesSum, shouldBe } from './inet-checksum.js';
import { ethertypeName, ipprotoName } from './names.js';
import { writeAddr, writeTcp } from './tcp.js';

/** ip_print(): bp is the IPv4 header, length the bytes after the link header (wire). */
export function writeIp4(st: TextState, bp: number, length: number): void {
  const out = st.out;
  const m = st.m;
  st.proto = 'ip';
  const ver = st.u8(bp) >>> 4;
  if (ver !== 4) {
    if (ver === 6) out.str('IP6, wrong link-layer encapsulation');
    else out.str('IP').dec(ver);
    out.str(' (invalid)');
    return;
  }
  if (!st.eflag) out.str('IP ');
  st.need(bp, 20);
  if (length < 20) { out.str('truncated-ip ').dec(length); return; }
  const hlen = (m[bp] & 15) * 4;
  if (hlen < 20) { out.str('bad-hlen ').dec(hlen); return; }
  let len = (m[bp + 2] << 8) | m[bp + 3];
  if (length < len) out.str('truncated-ip - ').dec(len - length).str(' bytes missing! ');
  if (len < hlen) {
    // tcpdump is built with GUESS_TSO: a zero length is taken as a TSO send.
    if (len !== 0) { out.str('bad-len ').dec(len); return; }
    len = length;
  }
  if (bp + len < st.snapend) st.snapend = bp + len;
  len -= hlen;
  const off = (m[bp + 6] << 8) | m[bp + 7];
  const proto = m[bp + 9];
  if (st.vflag) {
    const tos = m[bp + 1];
    out.str('(tos 0x').hex(tos);
    switch (tos & 3) {
      case 1: out.str(',ECT(1)'); break;
      case 2: out.str(',ECT(0)'); break;
      case 3: out.str(',CE'); break;
    }
    const ttl = m[bp + 8];
    if (ttl >= 1) out.str(', ttl ').dec(ttl);
    out.str(', id ').dec((m[bp + 4] << 8) | m[bp + 5]).str(', offset ').dec((off & 0x1FFF) * 8).str(', flags [');
    const fl = off & 0xE000;
    if (fl === 0) out.str('none');
    else {
      let sep = false;
      if (fl & 0x2000) { out.ch(43); sep = true; }
      if (fl & 0x4000) { if (sep) out.str(', '); out.str('DF'); sep = true; }
      if (fl & 0x8000) { if (sep) out.str(', '); out.str('rsvd'); }
    }
    out.str('], proto ').str(ipprotoName(proto)).str(' (').dec(proto).ch(41);
    out.str(', length ').dec((m[bp + 2] << 8) | m[bp + 3]);
    if (hlen > 20) {
      // IP options have printers of their own (RR, TS, RA ...): generic from here.
      st.markCut();
      out.str(', options (');
      out.ch(41);
    }
    if (bp + hlen <= st.snapend) {
      const s = onesSum(m, bp, hlen);
      if (s !== 0xFFFF) {
        const field = (m[bp + 10] << 8) | m[bp + 11];
        out.str(', bad cksum ').hex(field).str(' (->').hex(shouldBe(field, s)).str(')!');
      }
    }
    out.str(')\n    ');
  }
  if ((off & 0x1FFF) === 0) {
    if (proto !== 6 && proto !== 17 && proto !== 132 && proto !== 33) {
      out.ipv4At(m, bp + 12).str(' > ').ipv4At(m, bp + 16).str(': ');
    }
    if (!st.has(bp, hlen)) {
      out.str(' [remaining caplen(').dec(Math.max(0, st.snapend - bp)).str(') < header length(').dec(hlen).str(')]');
      st.trunc();
      return;
    }
    writeIpDemux(st, bp + hlen, len, 4, (off & 0x2000) !== 0, proto, bp);
  } else {
    out.ipv4At(m, bp + 12).str(' > ').ipv4At(m, bp + 16).str(': ip-proto-').dec(proto);
  }
}

/** ip_demux_print(): the upper layer of an IPv4 or IPv6 packet. */
function writeIpDemux(st: TextState, bp: number, length: number, ver: number, fragmented: boolean, nh: number, ip: number): void {
  switch (nh) {
    case 6: writeTcp(st, bp, length, ip, ver, fragmented); return;
    case 17: writeUdp(st, bp, length, ip, ver, fragmented); return;
    case 1: if (ver === 4) { writeIcmp(st, bp, length, fragmented); return; } break;
    case 58: if (ver === 6) { writeIcmp6(st, bp, length); return; } break;
    case 4: st.proto = 'ip'; writeIp4(st, bp, length); return;
    case 41: writeIp6(st, bp, length); return;
    default: break;
  }
  // IGMP, GRE, OSPF, PIM, SCTP, ESP ... have printers of their own.
  st.markCut();
  st.out.str('ip-proto-').dec(nh).ch(32).dec(length);
}

/** ip6_print() with the extension-header walk for hop-by-hop, destination options and
 *  fragment headers; routing headers and the rest go generic. */
export function writeIp6(st: TextState, bp: number, length: number): void {
  const out = st.out;
  const m = st.m;
  st.proto = 'ip6';
  st.need(bp, 40);
  const ver = m[bp] >>> 4;
  if (ver !== 6) { out.str('IP6, bad version ').dec(ver); return; }
  if (!st.eflag) out.str('IP6 ');
  if (length < 40) { out.str('truncated-ip6 ').dec(length); return; }
  const plen = (m[bp + 4] << 8) | m[bp + 5];
  let nh = m[bp + 6];
  let len: number;
  if (plen !== 0) {
    len = plen + 40;
    if (length < len) out.str('truncated-ip6 - ').dec(len - length).str(' bytes missing!');
  } else {
    // Payload length 0: a jumbogram if a hop-by-hop Jumbo option says so, else empty.
    const jumbo = nh === 0 ? jumboLength(st, bp + 40) : -1;
    len = jumbo >= 0 ? jumbo + 40 : 40;
  }
  if (st.vflag) {
    const flow = ((m[bp] << 24) | (m[bp + 1] << 16) | (m[bp + 2] << 8) | m[bp + 3]) >>> 0;
    out.ch(40);
    if (flow & 0x0ff00000) out.str('class 0x').hex((flow & 0x0ff00000) >>> 20, 2).str(', ');
    if (flow & 0x000fffff) out.str('flowlabel 0x').hex(flow & 0x000fffff, 5).str(', ');
    out.str('hlim ').dec(m[bp + 7]).str(', next-header ').str(ipprotoName(nh)).str(' (').dec(nh).str(') payload length: ').dec(plen).str(') ');
  }
  if (bp + len < st.snapend) st.snapend = bp + len;
  let cp = bp;
  let advance = 40;
  let fragmented = false;
  while (cp < st.snapend && advance > 0) {
    cp += advance;
    len -= advance;
    if (cp === bp + 40 && nh !== 6 && nh !== 17 && nh !== 33 && nh !== 132) {
      out.ipv6At(m, bp + 8).str(' > ').ipv6At(m, bp + 24).str(': ');
    }
    switch (nh) {
      case 0: case 60: {
        // Hop-by-hop / destination options: named, options only with -v (generic then).
        // The whole header must be captured before tcpdump prints its name; an option
        // overrunning it truncates after the name.
        st.proto = nh === 0 ? 'hbhopt' : 'dstopt';
        const next = st.u8(cp);
        const hl = (st.u8(cp + 1) + 1) * 8;
        if (!st.need(cp, hl)) return;
        out.str(nh === 0 ? 'HBH ' : 'DSTOPT ');
        walkOptions(st, cp + 2, hl - 2);
        if (st.vflag) st.markCut();
        advance = hl;
        nh = next;
        break;
      }
      case 44: {
        st.proto = 'frag6';
        const next = st.u8(cp);
        const offlg = st.u16(cp + 2);
        const fragLen = 40 + plen - (cp - bp) - 8;
        // tcpdump reads every field before printing any (printf arguments).
        const ident = st.vflag ? st.u32(cp + 4) : 0;
        if (st.vflag) out.str('frag (0x').hex(ident, 8).ch(58).dec(offlg & 0xFFF8).ch(124).dec(fragLen).ch(41);
        else out.str('frag (').dec(offlg & 0xFFF8).ch(124).dec(fragLen).ch(41);
        if ((offlg & 0xFFF8) !== 0) return;
        out.ch(32);
        advance = 8;
        if (st.snapend <= cp + advance) return;
        nh = next;
        fragmented = true;
        break;
      }
      case 43: case 135: case 51: case 50: case 59:
        // Routing, mobility, AH, ESP, no-next-header: printers of their own.
        st.markCut();
        return;
      default:
        writeIpDemux(st, cp, len, 6, fragmented, nh, bp);
        return;
    }
  }
}

/** udp_print() up to the generic "UDP, length N": well-known ports get their own
 *  printers in tcpdump, so the text after the ports is marked generic. */
function writeUdp(st: TextState, bp: number, length0: number, ip: number, ver: number, fragmented: boolean): void {
  const out = st.out;
  const m = st.m;
  let length = length0;
  st.proto = 'udp';
  const direct = m[ver === 4 ? ip + 9 : ip + 6] === 17;
  const srcOff = ver === 4 ? ip + 12 : ip + 8;
  const dstOff = ver === 4 ? ip + 16 : ip + 24;
  if (!st.has(bp + 2, 2)) { udpAddrs(st, direct, srcOff, dstOff, ver, -1, -1); st.trunc(); return; }
  const sport = st.u16(bp);
  const dport = st.u16(bp + 2);
  if (length < 8) { udpAddrs(st, direct, srcOff, dstOff, ver, sport, dport); out.str('truncated-udp ').dec(length); return; }
  if (!st.has(bp + 4, 2)) { udpAddrs(st, direct, srcOff, dstOff, ver, sport, dport); st.trunc(); return; }
  let ulen = st.u16(bp + 4);
  if (ulen === 0 && length > 65535) ulen = length;
  if (ulen < 8) { udpAddrs(st, direct, srcOff, dstOff, ver, sport, dport); out.str('truncated-udplength ').dec(ulen); return; }
  ulen -= 8;
  length -= 8;
  if (ulen < length) length = ulen;
  if (bp + 8 > st.snapend) { udpAddrs(st, direct, srcOff, dstOff, ver, sport, dport); st.trunc(); return; }
  udpAddrs(st, direct, srcOff, dstOff, ver, sport, dport);
  if (!st.qflag) st.markCut();
  if (st.vflag && !fragmented && (ver === 6 || st.vflag > 1)) {
    const field = st.u16(bp + 6);
    if (ver === 4 && field === 0) out.str('[no cksum] ');
    else if (st.has(bp + 8, length)) {
      let s = onesSum(m, srcOff, ver === 4 ? 8 : 32);
      s = onesSum(m, bp, length + 8, s + 17 + length + 8);
      if (s !== 0xFFFF) out.str('[bad udp cksum 0x').hex(field, 4).str(' -> 0x').hex(shouldBe(field, s), 4).str('!] ');
      else out.str('[udp sum ok] ');
    }
  }
  out.str('UDP, length ').dec(ulen);
}

/** The hop-by-hop Jumbo Payload option's length (RFC 2675), or -1. Reads only what is
 *  captured; a header cut short is left for the walk to report. */
function jumboLength(st: TextState, hbh: number): number {
  if (!st.has(hbh, 2)) return -1;
  const hl = (st.m[hbh + 1] + 1) * 8;
  for (let i = 2; i + 1 < hl && st.has(hbh + i, 2);) {
    const t = st.m[hbh + i];
    if (t === 0) { i++; continue; }
    const ol = st.m[hbh + i + 1];
    if (t === 0xC2 && ol === 4 && st.has(hbh + i + 2, 4)) {
      return ((st.m[hbh + i + 2] << 24) | (st.m[hbh + i + 3] << 16) | (st.m[hbh + i + 4] << 8) | st.m[hbh + i + 5]) >>> 0;
    }
    i += ol + 2;
  }
  return -1;
}

/** ip6_opt_process(): tcpdump walks hop-by-hop and destination options even without -v
 *  (looking for Jumbo), so an option running past the capture truncates the line. */
function walkOptions(st: TextState, p: number, n: number): void {
  for (let i = 0; i < n;) {
    const t = st.u8(p + i);
    if (t === 0) { i++; continue; }
    const ol = st.u8(p + i + 1);
    st.need(p + i, ol + 2);
    i += ol + 2;
  }
}

/** udpipaddr_print(): "src.sport > dst.dport: ", ports alone after IPv6 extension headers. */
function udpAddrs(st: TextState, direct: boolean, srcOff: number, dstOff: number, ver: number, sport: number, dport: number): void {
  const out = st.out;
  if (sport < 0) { writeAddr(st, srcOff, ver); out.str(' > '); writeAddr(st, dstOff, ver); out.str(': '); return; }
  if (direct) { writeAddr(st, srcOff, ver); out.ch(46); }
  out.dec(sport).str(' > ');
  if (direct) { writeAddr(st, dstOff, ver); out.ch(46); }
  out.dec(dport).str(': ');
}

/** icmp_print() for echo and time-exceeded; other types go generic after "ICMP ". */
function writeIcmp(st: TextState, bp: number, plen: number, fragmented: boolean): void {
  const out = st.out;
  st.proto = 'icmp';
  const type = st.u8(bp);
  const code = st.u8(bp + 1);
  // tcpdump builds the type text first and prints "ICMP <text>" after: a field missing
  // from the capture truncates before "ICMP" itself.
  switch (type) {
    case 0: case 8: {
      const id = st.u16(bp + 4);
      const seq = st.u16(bp + 6);
      if (st.dead) return;
      out.str(type === 8 ? 'ICMP echo request' : 'ICMP echo reply').str(', id ').dec(id).str(', seq ').dec(seq);
      break;
    }
    case 11:
      if (!st.need(bp + 24, 4)) return; // the quoted header's destination, as tcpdump checks
      if (code === 0) out.str('ICMP time exceeded in-transit');
      else if (code === 1) out.str('ICMP ip reassembly time exceeded');
      else out.str('ICMP time exceeded-#').dec(code);
      break;
    default:
      st.markCut();
      out.str('ICMP ');
      return;
  }
  out.str(', length ').dec(plen);
  if (st.vflag && !fragmented && st.has(bp, plen)) {
    const s = onesSum(st.m, bp, plen);
    if (s !== 0xFFFF) {
      const field = (st.m[bp + 2] << 8) | st.m[bp + 3];
      out.str(' (wrong icmp cksum ').hex(field).str(' (->').hex(shouldBe(field, s)).str(')!)');
    }
  }
  if (st.vflag && type === 11) st.markCut(); // -v prints the quoted packet on a new line
}

/** icmp6_print() for echo and the neighbour-discovery names; -v detail goes generic. */
function writeIcmp6(st: TextState, bp: number, length: number): void {
  const out = st.out;
  st.proto = 'icmp6';
  if (length === 0) { out.str('ICMP6, length 0 (invalid)'); return; }
  if (st.vflag) { st.markCut(); return; } // "[icmp6 sum ok] ..." and option lines
  const type = st.u8(bp);
  out.str('ICMP6, ');
  switch (type) {
    case 128: case 129: {
      out.str(type === 128 ? 'echo request' : 'echo reply');
      const id = st.u16(bp + 4);
      const seq = st.u16(bp + 6);
      if (st.dead) return;
      out.str(', id ').dec(id).str(', seq ').dec(seq);
      break;
    }
    case 133: out.str('router solicitation'); break;
    case 134: out.str('router advertisement'); break;
    case 135: st.need(bp + 8, 16); out.str('neighbor solicitation, who has ').ipv6At(st.m, bp + 8); break;
    case 136: st.need(bp + 8, 16); out.str('neighbor advertisement, tgt is ').ipv6At(st.m, bp + 8); break;
    default:
      st.markCut();
      return;
  }
  out.str(', length ').dec(length);
}

/** arp_print() for Ethernet/IPv4 ARP; other hardware or protocol types go generic. */
export function writeArp(st: TextState, bp: number, length: number): void {
  const out = st.out;
  const m = st.m;
  st.proto = 'arp';
  st.need(bp, 8);
  const hrd = (m[bp] << 8) | m[bp + 1];
  const pro = (m[bp + 2] << 8) | m[bp + 3];
  const hln = m[bp + 4];
  const pln = m[bp + 5];
  const op = (m[bp + 6] << 8) | m[bp + 7];
  const sha = bp + 8;
  const spa = sha + hln;
  const tha = spa + pln;
  const tpa = tha + hln;
  if (!st.has(tpa, pln)) { out.str(' [|ARP]'); st.markCut(); return; }
  if (!st.eflag) out.str('ARP, ');
  if (hrd !== 1 || hln !== 6 || (pro !== 0x0800 && pro !== 0x1000) || pln !== 4 || st.vflag) {
    if (hrd === 1) out.str('Ethernet'); else out.str('Unknown Hardware (').dec(hrd).ch(41);
    out.str(' (len ').dec(hln).str('), ');
    const pn = ethertypeName(pro);
    if (pn !== undefined) out.str(pn); else out.str('Unknown Protocol (0x').hex(pro, 4).ch(41);
    out.str(' (len ').dec(pln).ch(41);
    if (hrd !== 1 || hln !== 6 || (pro !== 0x0800 && pro !== 0x1000) || pln !== 4) {
      st.markCut();
      out.str(', length ').dec(length);
      return;
    }
    out.str(', ');
  }
  switch (op) {
    case 1: {
      out.str('Request who-has ').ipv4At(m, tpa);
      let nz = false;
      for (let i = 0; i < 6; i++) if (m[tha + i] !== 0) nz = true;
      if (nz) out.str(' (').macAt(m, tha).ch(41);
      out.str(' tell ').ipv4At(m, spa);
      break;
    }
    case 2: out.str('Reply ').ipv4At(m, spa).str(' is-at ').macAt(m, sha); break;
    case 3: out.str('reverse Request who-is ').macAt(m, tha).str(' tell ').macAt(m, sha); break;
    case 4: out.str('reverse Reply ').macAt(m, tha).str(' at ').ipv4At(m, tpa); break;
    case 8: out.str('inverse Request who-is ').macAt(m, tha).str(' tell ').macAt(m, sha); break;
    case 9: out.str('inverse Reply ').macAt(m, sha).str(' at ').ipv4At(m, spa); break;
    default:
      out.str('Unknown ARP (').dec(op).ch(41);
      st.markCut();
      return;
  }
  out.str(', length ').dec(length);
}
