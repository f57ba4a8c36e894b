// IPv4, the upper-layer demultiplexer and UDP as tcpdump 4.99 prints them (print-ip.c,
// print-ip-demux.c, print-udp.c; ARP is in arp.ts). The IPv4 header's fields and length come
// from the descriptor (L3_OFF, L3_HDR_LEN, the D_IP_* fields); the upper layer starts
// where the descriptor's IP header length ends. tcpdump's checks against the captured
// length (its " [|proto]" markers) are kept: they decide where a truncated line stops.
import { appText, emptyPayloadText, writeAppText } from './app.js';
import type { TextState } from './state.js';
import { onesSum, shouldBe } from './inet-checksum.js';
import { ethertypeName, ipprotoName } from './names.js';
import { writeAddr, writeTcp } from './tcp.js';
import { writeIcmp } from './icmp.js';
import { writeIcmp6 } from './icmp6.js';
import { pseudoSum6 } from './ip6.js';
import { pseudoSum4, writeIp4Options } from './ip-options.js';
import { writeInnerIp } from './inner.js';
import { writeGeneve, writeGre, writeMplsUdp, writeVxlan } from './tunnel.js';
import { IPF_DF, IPF_MF, IPF_RF, L_REASM, L_UDP, LINKTYPE_IPV4, LINKTYPE_IPV6 } from '../../runtime/layout.js';
import { writeIgmp } from '../../app/igmp/text.js';
import { writeOspf } from '../../app/ospf/text.js';
import { writeOspf6 } from '../../app/ospf/text-v3.js';

/** ip_print(): bp is the IPv4 header (the descriptor's L3_OFF), length the bytes after the
 *  link header on the wire. */
export function writeIp4(st: TextState, bp: number, length: number): void {
  const v = st.v;
  const out = st.out;
  st.proto = 'ip';
  const ver = st.u8(bp) >>> 4;
  if (st.dead) return;
  if (ver !== 4) {
    if (ver === 6) out.str('IP6, wrong link-layer encapsulation');
    else out.str('IP').dec(ver);
    out.str(' (invalid)');
    return;
  }
  if (!st.eflag) out.str('IP ');
  if (!st.need(bp, 20)) return;
  if (length < 20) { out.str('truncated-ip ').dec(length); return; }
  const hlen = v.l3HdrLen;
  if (hlen < 20) { out.str('bad-hlen ').dec(hlen); return; }
  let len = v.ipLen;
  if (length < len) out.str('truncated-ip - ').dec(len - length).str(' bytes missing! ');
  // A total length of 0 is a TSO / BIG TCP send (RFC 791 has no such length; Linux's
  // BIG TCP leaves it 0 above 64 KiB): its real length is what the link carried, as the
  // tcpdump that wrote corpus-more/bigtcp-ipv4-geneve-ipv4.out prints it.
  const presumedBig = len === 0;
  if (len < hlen) {
    if (!presumedBig) { out.str('bad-len ').dec(len); return; }
    len = length;
  }
  if (bp + len < st.snapend) st.snapend = bp + len;
  len -= hlen;
  const fragOff = v.fragOffset;
  const flags = v.ipFlags;
  const proto = v.ipNxt;
  if (st.vflag) {
    const tos = v.tos;
    out.str('(tos 0x').hex(tos);
    switch (tos & 3) {
      case 1: out.str(',ECT(1)'); break;
      case 2: out.str(',ECT(0)'); break;
      case 3: out.str(',CE'); break;
    }
    const ttl = v.ttl;
    if (ttl >= 1) out.str(', ttl ').dec(ttl);
    out.str(', id ').dec(v.ipId).str(', offset ').dec(fragOff).str(', flags [');
    if ((flags & (IPF_MF | IPF_DF | IPF_RF)) === 0) out.str('none');
    else {
      let sep = false;
      if (flags & IPF_MF) { out.ch(43); sep = true; }
      if (flags & IPF_DF) { if (sep) out.str(', '); out.str('DF'); sep = true; }
      if (flags & IPF_RF) { if (sep) out.str(', '); out.str('rsvd'); }
    }
    out.str('], proto ').str(ipprotoName(proto)).str(' (').dec(proto).ch(41);
    out.str(', length ').dec(presumedBig ? len + hlen : v.ipLen);
    if (presumedBig) out.str(' [was 0, presumed BIG TCP]');
    let optionsCut = false;
    if (hlen > 20) {
      out.str(', options (');
      optionsCut = !writeIp4Options(st, bp + 20, hlen - 20);
      if (st.dead) return;
      if (optionsCut) out.str(' [truncated-option]');
      out.ch(41);
    }
    if (bp + hlen <= st.snapend) {
      const s = onesSum(st.m, bp, hlen);
      if (s !== 0xFFFF) {
        const field = v.ipChecksum;
        out.str(', bad cksum ').hex(field).str(' (->').hex(shouldBe(field, s)).str(')!');
      }
    }
    out.str(')\n    ');
    if (optionsCut) {
      out.ipv4(v.ipSrc).str(' > ').ipv4(v.ipDst).str(': ');
      st.markTrunc();
      return;
    }
  }
  if (fragOff === 0) {
    if (proto !== 6 && proto !== 17 && proto !== 132 && proto !== 33) {
      out.ipv4(v.ipSrc).str(' > ').ipv4(v.ipDst).str(': ');
    }
    if (!st.has(bp, hlen)) {
      out.str(' [remaining caplen(').dec(Math.max(0, st.snapend - bp)).str(') < header length(').dec(hlen).str(')]');
      st.trunc();
      return;
    }
    writeIpDemux(st, bp + hlen, len, 4, (flags & IPF_MF) !== 0, proto, bp);
  } else {
    // Not the first fragment: the upper-layer header is in another one.
    out.ipv4(v.ipSrc).str(' > ').ipv4(v.ipDst).str(': ip-proto-').dec(proto);
  }
}

/** ip_demux_print(): the upper layer at `bp` of an IPv4 or IPv6 packet whose header is at
 *  `ip`, `length` bytes long per the IP header(s). */
export function writeIpDemux(st: TextState, bp: number, length: number, ver: number, fragmented: boolean, nh: number, ip: number): void {
  const out = st.out;
  if (nh === 89) { if (ver === 4) writeOspf(st, bp, length); else writeOspf6(st, bp, length); return; }
  switch (nh) {
    case 2: writeIgmp(st, bp, length); return;
    case 6: writeTcp(st, bp, length, ip, ver, fragmented); return;
    case 17: writeUdp(st, bp, length, ip, ver, fragmented); return;
    case 1:
      if (ver === 4) writeIcmp(st, bp, length, fragmented);
      else out.str('[ICMP requires IPv4] (invalid)');
      return;
    case 58:
      if (ver === 6) writeIcmp6(st, bp, length, fragmented, ip);
      else out.str('[ICMPv6 requires IPv6] (invalid)');
      return;
    case 4: writeInnerIp(st, bp, length, LINKTYPE_IPV4, nh); return;
    case 41: writeInnerIp(st, bp, length, LINKTYPE_IPV6, nh); return;
    case 47: writeGre(st, bp, length); return;
    case 50: writeEsp(st, bp, length); return;
    case 59: out.str('no next header'); return;
    case 77: out.str(' nd ').dec(length); return;
    default:
      // IGMP, GRE, OSPF, PIM, SCTP ... have printers of their own, and so has AH, whose
      // protected protocol only IPv6's extension-header chain locates: this is tcpdump's
      // form for a protocol it has no printer for.
      st.markCut();
      out.str(' ip-proto-').dec(nh).ch(32).dec(length);
      return;
  }
}

/** esp_print() without keys: the SPI, the sequence number and the length. */
function writeEsp(st: TextState, bp: number, length: number): void {
  st.proto = 'esp';
  if (bp + 8 >= st.snapend) { st.trunc(); return; }
  st.out.str('ESP(spi=0x').hex(st.g32(bp), 8).str(',seq=0x').hex(st.g32(bp + 4)).str('), length ').dec(length);
}

/** ah_print(): the authentication header at bp (an IPv6 extension header the descriptor
 *  located); returns its length. */
export function writeAh(st: TextState, bp: number): number {
  const out = st.out;
  st.proto = 'ah';
  if (!st.has(bp, 1)) { st.trunc(); return 0; }
  out.str('AH');
  const ahLen = st.g8(bp + 1);
  if (st.dead) return 0;
  const hdrLen = (ahLen + 2) * 4;
  out.ch(40);
  if (st.vflag) out.str('length=').dec(ahLen).ch(40).dec(hdrLen).str('-bytes),');
  const reserved = st.g16(bp + 2);
  if (st.dead) return 0;
  if (reserved) out.str('reserved=0x').hex(reserved).str('[MustBeZero],');
  const spi = st.g32(bp + 4);
  if (st.dead) return 0;
  out.str('spi=0x').hex(spi, 8).ch(44);
  const seq = st.g32(bp + 8);
  if (st.dead) return 0;
  out.str('seq=0x').hex(seq).str(',icv=0x');
  for (let p = bp + 12; p < bp + hdrLen; p++) {
    const b = st.g8(p);
    if (st.dead) return 0;
    out.hex2(b);
  }
  out.str('): ');
  return hdrLen;
}

/** udp_print() up to the generic "UDP, length N": well-known ports get their own
 *  printers in tcpdump, so the text after the ports is marked generic. */
function writeUdp(st: TextState, bp: number, length0: number, ip: number, ver: number, fragmented: boolean): void {
  const v = st.v;
  const out = st.out;
  const m = st.m;
  let length = length0;
  st.proto = 'udp';
  // Addresses go with the ports when UDP follows the fixed IP header directly.
  const direct = v.ipNxt === 17;
  const srcOff = ver === 4 ? ip + 12 : ip + 8;
  const dstOff = ver === 4 ? ip + 16 : ip + 24;
  // The dissector's fields when it read this header whole and the IP length covers it; else
  // tcpdump's reads, which stop where the capture does.
  const whole = (v.layers & (L_UDP | L_REASM)) === L_UDP && bp === st.f + v.l4Off && st.has(bp, 8);
  if (!st.has(bp + 2, 2)) { udpAddrs(st, direct, srcOff, dstOff, ver, -1, -1); st.trunc(); return; }
  const sport = whole ? v.srcPort : st.u16(bp);
  const dport = whole ? v.dstPort : st.u16(bp + 2);
  if (length < 8) { udpAddrs(st, direct, srcOff, dstOff, ver, sport, dport); out.str('truncated-udp ').dec(length); return; }
  if (!st.has(bp + 4, 2)) { udpAddrs(st, direct, srcOff, dstOff, ver, sport, dport); st.trunc(); return; }
  let ulen = whole ? v.udpLength : st.u16(bp + 4);
  if (ulen === 0 && length > 65535) ulen = length;
  if (ulen < 8) { udpAddrs(st, direct, srcOff, dstOff, ver, sport, dport); out.str('truncated-udplength ').dec(ulen); return; }
  ulen -= 8;
  length -= 8;
  if (ulen < length) length = ulen;
  if (bp + 8 > st.snapend) { udpAddrs(st, direct, srcOff, dstOff, ver, sport, dport); st.trunc(); return; }
  udpAddrs(st, direct, srcOff, dstOff, ver, sport, dport);
  // The port's printer, when host/app/ decoded one (DNS ...), or one called on nothing.
  const app = appText(st, bp) ?? (length === 0 ? emptyPayloadText(st, bp + 8, sport, dport) : null);
  if (!st.qflag && app === null) st.markCut();
  if (st.vflag && !fragmented && (ver === 6 || st.vflag > 1)) {
    const field = (m[bp + 6] << 8) | m[bp + 7];
    if (ver === 4 && field === 0) out.str('[no cksum] ');
    else if (st.has(bp + 8, length)) {
      let s = ver === 4 ? pseudoSum4(st, ip, v.l3HdrLen) : pseudoSum6(st, ip);
      s = onesSum(m, bp, length + 8, s + 17 + length + 8);
      if (s !== 0xFFFF) out.str('[bad udp cksum 0x').hex(field, 4).str(' -> 0x').hex(shouldBe(field, s), 4).str('!] ');
      else out.str('[udp sum ok] ');
    }
  }
  if (app !== null) { writeAppText(st, app); return; }
  // tcpdump's port table: VXLAN (4789 only: 8472, Linux's old default, is not in it) and
  // Geneve, either side; -q prints the generic form.
  if (!st.qflag && (sport === 4789 || dport === 4789)) { st.cut = -1; writeVxlan(st, bp + 8, length); return; }
  if (!st.qflag && (sport === 6081 || dport === 6081)) { st.cut = -1; writeGeneve(st, bp + 8, length); return; }
  if (!st.qflag && (sport === 6635 || dport === 6635)) { st.cut = -1; writeMplsUdp(st, bp + 8, length); return; }
  out.str('UDP, length ').dec(ulen);
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
