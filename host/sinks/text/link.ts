// Link layers as tcpdump 4.99 prints them (print-ether.c, print-sll.c, print-null.c, and
// the raw-IP link types), then what they carry. The descriptor says where the link header
// ends (L2_LEN), how many VLAN tags it holds and what follows (EtherType, an 802.3 length
// with its LLC header, or the IP/ARP header at L3_OFF); the link-header fields printed with
// -e (addresses, tag control words, the SLL fields) are read where those headers put them.
import type { TextState } from './state.js';
import { writeIp4 } from './ip.js';
import { writeArp } from './arp.js';
import { writeSlarp } from './slarp.js';
import { LINKTYPE_VSOCK, writeVsock } from './vsock.js';
import { writeIp6 } from './ip6.js';
import { writeEther8023, writeLlc } from './llc.js';
import { writeLoopback } from './loopback.js';
import { writeMpls, writePpp, writePppoe, handlePpp, PPP_NAMES } from './ppp.js';
import { bsdAfName, ethertypeName, SLL_PKTTYPES } from './names.js';
import { writeIpx, writeIpxEthertype } from './ipx.js';
import { writeLldp } from './lldp.js';
import { readdirSync, readFileSync } from 'node:fs';
import {
  LINKTYPE_ETHERNET, LINKTYPE_IPV4, LINKTYPE_IPV6, LINKTYPE_LINUX_SLL, LINKTYPE_LINUX_SLL2, LINKTYPE_LOOP,
  LINKTYPE_NULL, LINKTYPE_RAW, L_ETH, L_NULL, L_SLL, L_SLL2, LINKTYPE_PPP, LINKTYPE_PPP_HDLC, LINKTYPE_IPOIB,
  LINKTYPE_PPP_ETHER, LINKTYPE_C_HDLC,
} from '../../runtime/layout.js';

/** Prints the link layer and what it carries; returns the link header length for -x, or
 *  -1 for link types printed as a raw dump. */
export function writeLink(st: TextState): number {
  const v = st.v;
  switch (v.linktype) {
    case LINKTYPE_ETHERNET: return writeEther(st);
    case LINKTYPE_LINUX_SLL: return writeSll(st);
    case LINKTYPE_LINUX_SLL2: return writeSll2(st);
    case LINKTYPE_NULL:
    case LINKTYPE_LOOP: return writeNull(st);
    case LINKTYPE_RAW:
    case LINKTYPE_IPV4:
    case LINKTYPE_IPV6: {
      const out = st.out;
      if (st.eflag) out.str('ip: ');
      if (v.capLen < 1) { st.proto = 'ip'; st.trunc(); return 0; }
      // The dissector decided by the link type, or for LINKTYPE_RAW by the version nibble.
      const bp = st.f + v.l2Len;
      if (v.etherType === 0x0800) writeIp4(st, bp, v.wireLen);
      else if (v.etherType === 0x86dd) writeIp6(st, bp, v.wireLen);
      else out.str('unknown ip ').dec(st.m[bp] >>> 4);
      return 0;
    }
    case LINKTYPE_PPP: {
      // ppp_if_print(): a 4-byte header at least, then ppp_print().
      st.proto = 'ppp';
      if (v.capLen < 4) { st.hdrlen = v.capLen; st.markTrunc(); return v.capLen; }
      st.hdrlen = 4;
      writePpp(st, st.f, v.wireLen);
      return 4;
    }
    case LINKTYPE_PPP_HDLC: return writePppHdlc(st);
    case LINKTYPE_PPP_ETHER:
      st.proto = 'pppoe';
      writePppoe(st, st.f, v.wireLen);
      return 0;
    case LINKTYPE_IPOIB: return writeIpoib(st);
    case LINKTYPE_C_HDLC: return writeChdlc(st);
    case LINKTYPE_VSOCK: return writeVsock(st);
    default:
      // tcpdump's unsupported_if_print(): the protocol name in capitals, then the bytes.
      st.markCut();
      st.out.str('UNSUPPORTED');
      return -1;
  }
}

/** VLAN tag types the dissector steps over (802.1Q, 802.1ad, the old QinQ 0x9100). */
function isTag(t: number): boolean {
  return t === 0x8100 || t === 0x88a8 || t === 0x9100;
}

/** ether_type_print(): with -q just the name. */
function writeEthertype(st: TextState, type: number): void {
  const name = ethertypeName(type);
  if (!st.qflag) st.out.str('ethertype ').str(name ?? 'Unknown').str(' (0x').hex(type, 4).ch(41);
  else if (name !== undefined) st.out.str(name);
  else st.out.str('Unknown Ethertype (0x').hex(type, 4).ch(41);
}

/** The SLL printers' own EtherType form (sll_print(), sll2_print()): -q leaves it out. */
function writeSllEthertype(st: TextState, type: number): void {
  st.out.str('ethertype ').str(ethertypeName(type) ?? 'Unknown').str(' (0x').hex(type, 4).ch(41);
}

/** Ethernet II / 802.3, with 802.1Q/802.1ad tags (also a tunnel's inner frame, through
 *  host/sinks/text/inner.ts: tcpdump's ether_print()). */
export function writeEther(st: TextState): number {
  const v = st.v;
  const out = st.out;
  const m = st.m;
  const f = st.f;
  const length = v.wireLen;
  st.proto = 'ether';
  st.hdrlen = 14;
  if ((v.layers & L_ETH) === 0 || length < 14) { st.trunc(); return 14; }
  if (st.eflag) out.macAt(m, f + 6).str(' > ').macAt(m, f).str(', ');
  let type = v.ethType;
  let hdr = 14;
  if (type <= 1500) return (st.hdrlen = hdr + writeEther8023(st, f + hdr, length - hdr, type, false));
  if (st.eflag) { writeEthertype(st, type); out.str(', length ').dec(length).str(': '); }
  // Tags: the descriptor counts those captured whole, from byte 14 on.
  const tags = v.vlanCount;
  for (let i = 0; isTag(type); i++) {
    st.proto = 'vlan';
    const p = f + hdr;
    if (i >= tags) {
      // The tag the dissector found cut short: tcpdump's -x then starts where the capture ends.
      if (!st.need(p, 4)) return (st.hdrlen = hdr + Math.max(0, st.snapend - p));
      break; // more tags than the dissector follows: the rest is printed as unknown
    }
    const tci = i === 0 ? v.vlanTci0 : i === 1 ? v.vlanTci1 : (m[p] << 8) | m[p + 1];
    type = (m[p + 2] << 8) | m[p + 3];
    if (st.eflag) {
      out.str('vlan ').dec(tci & 0xFFF).str(', p ').dec(tci >>> 13);
      if (tci & 0x1000) out.str(', DEI');
      out.str(', ');
      if (type > 1500) { writeEthertype(st, type); out.str(', '); }
    }
    hdr += 4;
    st.hdrlen = hdr;
    if (type <= 1500) return (st.hdrlen = hdr + writeEther8023(st, f + hdr, length - hdr, type, true));
  }
  const bp = f + hdr;
  const rest = length - hdr;
  switch (type) {
    case 0x0800: writeIp4(st, f + v.l3Off, rest); break;
    case 0x86dd: writeIp6(st, f + v.l3Off, rest); break;
    case 0x0806: case 0x8035: writeArp(st, f + v.l3Off, rest); break;
    case 0x9000: writeLoopback(st, bp, rest); break;
    case 0x8863: case 0x8864: writePppoe(st, bp, rest); break;
    case 0x8847: case 0x8848: writeMpls(st, bp, rest); break;
    case 0x8137: writeIpxEthertype(st, bp); break;
    case 0x88cc: writeLldp(st, bp, rest); break;
    default:
      st.markCut();
      if (!st.eflag) {
        out.macAt(m, f + 6).str(' > ').macAt(m, f).str(', ');
        writeEthertype(st, type);
        out.str(', length ').dec(length).str(': ');
      }
      st.defaultData(bp, v.capLen - hdr);
      break;
  }
  return hdr;
}

/** What an SLL header's protocol field announces: IPv4, IPv6, ARP through the descriptor;
 *  802.2 (LLC) and VLAN as tcpdump's sll printers do; anything else as its bytes, after the
 *  SLL header itself when -e did not print it. */
function sllPayload(st: TextState, type0: number, hdr0: number, header: () => void): number {
  const v = st.v;
  const out = st.out;
  const m = st.m;
  const f = st.f;
  let type = type0;
  let hdr = hdr0;
  for (let i = 0; type === 0x8100; i++) {
    // tcpdump's SLL printers follow 802.1Q tags only.
    const p = f + hdr;
    if (i >= v.vlanCount) {
      st.proto = 'vlan';
      if (!st.need(p, 4)) return hdr;
      break; // more tags than the dissector follows: the rest is printed as unknown
    }
    if (st.eflag) {
      const tci = i === 0 ? v.vlanTci0 : i === 1 ? v.vlanTci1 : (m[p] << 8) | m[p + 1];
      out.str('vlan ').dec(tci & 0xFFF).str(', p ').dec(tci >>> 13);
      if (tci & 0x1000) out.str(', DEI');
      out.str(', ');
    }
    type = (m[p + 2] << 8) | m[p + 3];
    if (type <= 1500) type = 4; // an 802.3 length inside the tag: tcpdump takes it as 802.2
    if (!st.qflag) out.str('ethertype ').str(ethertypeName(type) ?? 'Unknown').str(', ');
    hdr += 4;
  }
  const bp = f + hdr;
  const length = v.wireLen - hdr;
  if (type === 0x0800) writeIp4(st, f + v.l3Off, length);
  else if (type === 0x86dd) writeIp6(st, f + v.l3Off, length);
  else if (type === 0x0806 || type === 0x8035) writeArp(st, f + v.l3Off, length);
  else if (type === 4) {
    const n = writeLlc(st, bp, length, false);
    if (n >= 0) hdr += n;
    else st.defaultData(bp, v.capLen - hdr);
  } else if (type === 1) {
    writeIpx(st, bp); // LINUX_SLL_P_802_3: Novell's raw 802.3, an IPX header at once
  } else if (type === 0x8137) {
    writeIpxEthertype(st, bp);
  } else if (type === 0x88cc) {
    writeLldp(st, bp, length);
  } else {
    st.markCut();
    if (type > 1500 && !st.eflag) header();
    st.defaultData(bp, v.capLen - hdr);
  }
  return hdr;
}

/** Where the two Linux cooked headers keep their fields (tcpdump's sll_print, sll2_print). */
interface Cooked {
  /** The link address length: v1's is 16 bits wide (bytes 4-5), v2's one byte (11). */
  proto: string; hdrLen: number; layer: number; protoOff: number; addrLenOff: number; addrLenWide: boolean; addrOff: number;
}
const SLL: Cooked = { proto: 'sll', hdrLen: 16, layer: L_SLL, protoOff: 14, addrLenOff: 4, addrLenWide: true, addrOff: 6 };
const SLL2: Cooked = { proto: 'sll2', hdrLen: 20, layer: L_SLL2, protoOff: 0, addrLenOff: 11, addrLenWide: false, addrOff: 12 };

/** `s` padded with spaces to `width` on the right ("%-Ns") or the left ("%Ns"), then a space. */
function padded(st: TextState, s: string, width: number, left: boolean): void {
  if (!left) for (let i = s.length; i < width; i++) st.out.ch(32);
  st.out.str(s);
  if (left) for (let i = s.length; i < width; i++) st.out.ch(32);
  st.out.ch(32);
}

/** A Linux cooked header: `lead` prints what comes before the link address (v1: the
 *  direction, with -e only; v2: the interface and direction always, the index with -e). */
function writeCooked(st: TextState, c: Cooked, lead: (withHeader: boolean) => void): number {
  const v = st.v;
  const out = st.out;
  const m = st.m;
  const p = st.f;
  st.proto = c.proto;
  st.hdrlen = c.hdrLen;
  if ((v.layers & c.layer) === 0) { st.jump(); return c.hdrLen; }
  const proto = (m[p + c.protoOff] << 8) | m[p + c.protoOff + 1];
  const header = (): void => {
    lead(true);
    const addrLen = c.addrLenWide ? (m[p + c.addrLenOff] << 8) | m[p + c.addrLenOff + 1] : m[p + c.addrLenOff];
    if (addrLen === 6) out.macAt(m, p + c.addrOff).ch(32);
    if (st.qflag) return;
    if (proto > 1500) writeSllEthertype(st, proto);
    else if (proto === 1 || proto === 4) out.str(proto === 1 ? '802.3' : '802.2'); // both versions, as tcpdump 4.99.3
    else out.str('ethertype Unknown (0x').hex(proto, 4).ch(41);
    out.str(', length ').dec(v.wireLen).str(': ');
  };
  lead(false);
  if (st.eflag) header();
  const hdr = sllPayload(st, proto, c.hdrLen, header);
  st.hdrlen = hdr;
  return hdr;
}

/** Linux cooked capture v1: its header only with -e, as tcpdump. */
function writeSll(st: TextState): number {
  return writeCooked(st, SLL, (withHeader) => { if (withHeader) padded(st, SLL_PKTTYPES[st.v.l2Proto] ?? '?', 3, false); });
}

/** Linux cooked capture v2: tcpdump always prints the interface name and direction. */
function writeSll2(st: TextState): number {
  const m = st.m;
  const p = st.f;
  const ifindex = ((m[p + 4] << 24) | (m[p + 5] << 16) | (m[p + 6] << 8) | m[p + 7]) >>> 0;
  return writeCooked(st, SLL2, (withHeader) => {
    if (withHeader) { st.out.str('ifindex ').dec(ifindex).ch(32); return; }
    const ifname = ifName(ifindex);
    st.out.utf8(ifname);
    for (let i = ifname.length; i < 5; i++) st.out.ch(32);
    st.out.ch(32);
    padded(st, SLL_PKTTYPES[st.v.l2Proto] ?? '?', 3, true);
  });
}

/** BSD loopback (DLT_NULL, DLT_LOOP): the address family the dissector read. */
function writeNull(st: TextState): number {
  const v = st.v;
  const out = st.out;
  st.proto = 'null';
  st.hdrlen = 4;
  if ((v.layers & L_NULL) === 0) { st.jump(); return 4; }
  const af = v.l2Proto;
  const length = v.wireLen;
  const header = (): void => { out.str('AF ').str(bsdAfName(af)).str(' (').dec(af).str('), length ').dec(length).str(': '); };
  if (st.eflag) header();
  if (af === 2) writeIp4(st, st.f + v.l3Off, length - 4);
  else if (af === 24 || af === 28 || af === 30) writeIp6(st, st.f + v.l3Off, length - 4);
  else {
    st.markCut();
    if (!st.eflag) header();
    st.defaultData(st.f + 4, v.capLen - 4);
  }
  return 4;
}

let ifNames: Map<number, string> | null = null;

/** if_indextoname() as tcpdump calls it: this host's interface of that index, or "?". */
function ifName(index: number): string {
  if (ifNames === null) {
    ifNames = new Map();
    try {
      for (const name of readdirSync('/sys/class/net')) {
        const idx = Number(readFileSync(`/sys/class/net/${name}/ifindex`, 'utf8').trim());
        if (Number.isInteger(idx)) ifNames.set(idx, name);
      }
    } catch { /* not Linux: every index prints as "?" */ }
  }
  return ifNames.get(index) ?? '?';
}

/** ppp_hdlc_if_print(): RFC 1662 framing (address 0xff), Cisco HDLC (0x0f, 0x8f: printed
 *  generically here), or an unknown address. */
function writePppHdlc(st: TextState): number {
  const v = st.v;
  const out = st.out;
  const m = st.m;
  const f = st.f;
  st.proto = 'ppp_hdlc';
  if (v.capLen < 2) { st.hdrlen = v.capLen; st.markTrunc(); return v.capLen; }
  const a = m[f];
  if (a === 0x0f || a === 0x8f) return writeChdlc(st);
  if (v.capLen < 4) { st.hdrlen = v.capLen; st.markTrunc(); return v.capLen; }
  if (st.eflag) out.hex2(m[f]).ch(32).hex2(m[f + 1]).ch(32).dec(v.wireLen).ch(32);
  st.hdrlen = 2;
  if (a !== 0xff) {
    out.str('unknown addr ').hex2(m[f + 2]).str('; ctrl ').hex2(m[f + 3]);
    return 2;
  }
  const proto = (m[f + 2] << 8) | m[f + 3];
  st.hdrlen = 4;
  out.str(pppProtoName(proto)).str(': ');
  handlePpp(st, proto, f + 4, v.wireLen - 4);
  return 4;
}

function pppProtoName(proto: number): string {
  return PPP_NAMES.get(proto) ?? 'unknown PPP protocol (0x' + proto.toString(16).padStart(4, '0') + ')';
}

/** ipoib_if_print(): the 44-byte header (its EtherType at 40) only with -e. */
function writeIpoib(st: TextState): number {
  const v = st.v;
  const out = st.out;
  const m = st.m;
  const f = st.f;
  st.proto = 'ipoib';
  st.hdrlen = 44;
  if (v.capLen < 44 || v.wireLen < 44) { st.markTrunc(); return 44; }
  const type = (m[f + 40] << 8) | m[f + 41];
  const header = (): void => {
    out.str(', ethertype ').str(ethertypeName(type) ?? 'Unknown');
    if (!st.qflag) out.str(' (0x').hex(type, 4).ch(41);
    out.str(', length ').dec(v.wireLen).str(': ');
  };
  if (st.eflag) { out.str('IPOIB'); header(); }
  const rest = v.wireLen - 44;
  switch (type) {
    case 0x0800: writeIp4(st, f + v.l3Off, rest); break;
    case 0x86dd: writeIp6(st, f + v.l3Off, rest); break;
    case 0x0806: case 0x8035: writeArp(st, f + v.l3Off, rest); break;
    default:
      st.markCut();
      if (!st.eflag) header();
      st.defaultData(f + 44, v.capLen - 44);
  }
  return 44;
}

/** chdlc_print() (DLT_C_HDLC, and DLT_PPP_SERIAL frames with a Cisco address): the
 *  address and EtherType with -e, then what it carries (SLARP: slarp.ts). */
function writeChdlc(st: TextState): number {
  const v = st.v;
  const out = st.out;
  const m = st.m;
  const f = st.f;
  st.proto = 'chdlc';
  st.hdrlen = 4;
  const length = v.wireLen;
  if (length < 4 || !st.get(f, 4)) { if (!st.dead) st.trunc(); return 4; }
  const proto = (m[f + 2] << 8) | m[f + 3];
  if (st.eflag) {
    const a = m[f];
    out.str(a === 0x0f ? 'unicast' : a === 0x8f ? 'bcast' : '0x' + a.toString(16).padStart(2, '0'))
      .str(', ethertype ').str(ethertypeName(proto) ?? 'Unknown').str(' (0x').hex(proto, 4).str('), length ').dec(length).str(': ');
  }
  const rest = length - 4;
  switch (proto) {
    case 0x0800: writeIp4(st, f + 4, rest); break;
    case 0x86dd: writeIp6(st, f + 4, rest); break;
    case 0x8847: case 0x8848: writeMpls(st, f + 4, rest); break;
    case 0x8035: writeSlarp(st, f + 4, rest); break;
    default:
      st.markCut();
      if (!st.eflag) out.str('unknown CHDLC protocol (0x').hex(proto, 4).ch(41);
  }
  return 4;
}
