// decode(): one frame as a plain object whose nesting follows Wireshark's display-filter
// field names (eth.type -> pkt.eth.type, tcp.srcport -> pkt.tcp.srcport), so values can be
// compared with tshark without a dictionary. Built from a descriptor; not for hot loops.
import type { PacketView } from './packet-view.js';
import { ipv4ToString, macToString } from '../runtime/addr.js';
import {
  L_ETH, L_SLL, L_SLL2, L_NULL, L_VLAN, L_ARP, L_IP4, L_IP6, L_TCP, L_UDP, L_ICMP, L_ICMP6, L_FRAG, L_FRAG_HELD, L_REASM,
  L_PPP, L_PPPOE, L_MPLS, L_TUNNEL,
  IPF_MF, IPF_DF, IPF_RF, TO_SACK_PERM, TO_MSS, TO_WSCALE, TO_TIMESTAMP, TO_SACK,
} from '../runtime/layout.js';
import { errorNames } from './descriptor-names.js';
import { addAppObject, type DecodedApp } from '../app/objects.js';
import { quotedOf, type DecodedQuoted } from '../app/icmp-quoted.js';
import { encapsulation, type DecodedEncap } from './inner.js';
import { cutHeaders, type DecodedCut } from './cut-headers.js';

export interface DecodedFrame {
  len: number;
  cap_len: number;
  linktype: number;
  number?: number;
  time_epoch?: number;
}
/** Ethernet II's EtherType is eth.type; an IEEE 802.3 length field (1500 or less) is
 *  eth.len, as Wireshark names them. */
export interface DecodedEth { dst: string; src: string; type?: number; len?: number }
export interface DecodedSll { pkttype: number; etype: number }
export interface DecodedVlanTag { id: number; priority: number; dei: number }
export interface DecodedVlan extends DecodedVlanTag { etype: number; inner?: DecodedVlanTag; count: number }
export interface DecodedArp {
  opcode: number; hw_size: number;
  src_hw_mac?: string; dst_hw_mac?: string; src_proto_ipv4?: string; dst_proto_ipv4?: string;
}
export interface DecodedIp {
  version: 4; hdr_len: number; dsfield: number; len: number; id: number;
  flags: { rb: number; df: number; mf: number }; frag_offset: number; ttl: number; proto: number;
  checksum: number; src: string; dst: string;
}
export interface DecodedIpv6 {
  version: 6; tclass: number; flow: number; plen: number; nxt: number; hlim: number; src: string; dst: string;
  ext_count: number; upper: number; frag?: { offset: number; more: number; id: number };
}
export interface DecodedTcpOptions {
  mss_val?: number; wscale_shift?: number; sack_perm?: boolean; tsval?: number; tsecr?: number;
  sack?: Array<[number, number]>;
}
export interface DecodedTcp {
  srcport: number; dstport: number; seq_raw: number; ack_raw: number; hdr_len: number; flags: number;
  window_size_value: number; checksum: number; urgent_pointer: number; len: number; options: DecodedTcpOptions;
}
export interface DecodedUdp { srcport: number; dstport: number; length: number; checksum: number }
export interface DecodedIcmp { type: number; code: number; checksum: number; ident?: number; seq?: number; quoted?: DecodedQuoted }

/** A frame as an object; the application layer (host/app/objects.ts: dns, tls, ...) when
 *  decoded with its app record; PPP, PPPoE, MPLS and a tunnel's header and inner packet
 *  (host/dissect/inner.ts: pkt.inner has this same shape, one level down). */
export interface DecodedPacket extends DecodedApp, DecodedEncap<DecodedPacket> {
  frame: DecodedFrame;
  eth?: DecodedEth;
  sll?: DecodedSll;
  null?: { family: number };
  vlan?: DecodedVlan;
  arp?: DecodedArp;
  ip?: DecodedIp;
  ipv6?: DecodedIpv6;
  tcp?: DecodedTcp;
  udp?: DecodedUdp;
  icmp?: DecodedIcmp;
  icmpv6?: DecodedIcmp;
  /** A header the capture cut short (E_TRUNC_L3/L4): the fields whose bytes were captured,
   *  as tshark shows them (host/dissect/cut-headers.ts); the complete headers above it are
   *  under their own names. */
  cut?: DecodedCut;
  /** E_* error names; absent on a sound frame. */
  errors?: string[];
}

function tag(tci: number): DecodedVlanTag {
  return { id: tci & 0x0FFF, priority: tci >>> 13, dei: (tci >>> 12) & 1 };
}

/** The frame of view `v` as an object; `app`, the address of its app record (dissected with
 *  DF_APP), adds the application layer. */
export function decodeView(v: PacketView, bytes: Uint8Array, frameOffset: number, app?: number): DecodedPacket {
  return decodeLevel(v, bytes, frameOffset, app, 0);
}

/** An inner packet (host/dissect/inner.ts) at nesting `depth`: the JSON sink's way to the
 *  same objects decode() nests. */
export function decodeInnerLevel(v: PacketView, bytes: Uint8Array, depth: number): DecodedPacket {
  return decodeLevel(v, bytes, v.frame, undefined, depth);
}

function decodeLevel(v: PacketView, bytes: Uint8Array, frameOffset: number, app: number | undefined, depth: number): DecodedPacket {
  const l = v.layers;
  const pkt: DecodedPacket = { frame: { len: v.wireLen, cap_len: v.capLen, linktype: v.linktype } };
  const f = frameOffset;
  if (l & L_ETH) {
    pkt.eth = { dst: macToString(bytes, f), src: macToString(bytes, f + 6) };
    if (v.ethType > 1500) pkt.eth.type = v.ethType; else pkt.eth.len = v.ethType;
  }
  if (l & (L_SLL | L_SLL2)) pkt.sll = { pkttype: v.l2Proto, etype: v.etherType };
  if (l & L_NULL) pkt.null = { family: v.l2Proto };
  if (l & L_VLAN) {
    const outer = tag(v.vlanTci0);
    pkt.vlan = { ...outer, etype: v.etherType, count: v.vlanCount };
    if (v.vlanCount > 1) pkt.vlan.inner = tag(v.vlanTci1);
  }
  if (l & L_ARP) {
    const a: DecodedArp = { opcode: v.arpOpcode, hw_size: v.arpHwLen };
    const base = f + v.l3Off;
    if (v.arpHwLen === 6 && v.l3HdrLen === 28 && v.capLen >= v.l3Off + 28) {
      a.src_hw_mac = macToString(bytes, base + 8);
      a.src_proto_ipv4 = ipv4ToString(v.ipSrc);
      a.dst_hw_mac = macToString(bytes, base + 18);
      a.dst_proto_ipv4 = ipv4ToString(v.ipDst);
    }
    pkt.arp = a;
  }
  if (l & L_IP4) {
    const fl = v.ipFlags;
    pkt.ip = {
      version: 4, hdr_len: v.l3HdrLen, dsfield: v.tos, len: v.ipTotal, id: v.ipId,
      flags: { rb: fl & IPF_RF ? 1 : 0, df: fl & IPF_DF ? 1 : 0, mf: fl & IPF_MF ? 1 : 0 },
      frag_offset: v.fragOffset >>> 3, ttl: v.ttl, proto: v.ipNxt, checksum: v.ipChecksum,
      src: ipv4ToString(v.ipSrc), dst: ipv4ToString(v.ipDst),
    };
  }
  if (l & L_IP6) {
    pkt.ipv6 = {
      version: 6, tclass: v.tos, flow: v.flowLabel, plen: v.ip6JumboOff !== 0 ? 0 : v.ipLen - 40, nxt: v.ipNxt, hlim: v.ttl,
      src: v.srcString(), dst: v.dstString(), ext_count: v.ip6ExtCount, upper: v.ipProto,
    };
    if (l & L_FRAG) pkt.ipv6.frag = { offset: v.fragOffset, more: v.ipFlags & IPF_MF ? 1 : 0, id: v.fragId };
  }
  // A fragment taken by reassembly shows no transport: the fragment that completes its
  // datagram shows the datagram's (L_REASM), as tshark does with defragmentation on.
  const transport = (l & L_FRAG_HELD) === 0;
  if (transport && (l & L_TCP)) {
    const o = v.tcpOptions;
    const options: DecodedTcpOptions = {};
    if (o & TO_MSS) options.mss_val = v.tcpMss;
    if (o & TO_WSCALE) options.wscale_shift = v.tcpWscale;
    if (o & TO_SACK_PERM) options.sack_perm = true;
    if (o & TO_TIMESTAMP) { options.tsval = v.tcpTsval; options.tsecr = v.tcpTsecr; }
    if (o & TO_SACK) {
      options.sack = [];
      for (let i = 0; i < v.sackCount; i++) options.sack.push([v.sackEdge(i, false), v.sackEdge(i, true)]);
    }
    pkt.tcp = {
      srcport: v.srcPort, dstport: v.dstPort, seq_raw: v.tcpSeq, ack_raw: v.tcpAck, hdr_len: v.l4HdrLen,
      flags: v.tcpFlags, window_size_value: v.tcpWindow, checksum: v.l4Checksum, urgent_pointer: v.tcpUrgent,
      len: v.payloadLen, options,
    };
  }
  if (transport && (l & L_UDP)) pkt.udp = { srcport: v.srcPort, dstport: v.dstPort, length: v.udpLength, checksum: v.l4Checksum };
  if (transport && (l & (L_ICMP | L_ICMP6))) {
    const ic: DecodedIcmp = { type: v.icmpType, code: v.icmpCode, checksum: v.l4Checksum };
    const t = v.icmpType;
    const echo = l & L_ICMP6 ? t === 128 || t === 129 : t === 0 || t === 8 || (t >= 13 && t <= 18);
    if (echo && v.l4CapEnd >= v.l4Off + 8) { ic.ident = v.icmpId; ic.seq = v.icmpSeq; }
    const quoted = quotedOf(v, bytes); // an error's quoted datagram (issue #16)
    if (quoted !== undefined) ic.quoted = quoted;
    if (l & L_ICMP) pkt.icmp = ic; else pkt.icmpv6 = ic;
  }
  // A reassembled datagram's app record counts from the datagram, as its transport does.
  if (l & (L_PPP | L_PPPOE | L_MPLS | L_TUNNEL)) {
    Object.assign(pkt, encapsulation(v, bytes, f, depth, decodeInnerLevel));
  }
  if (app !== undefined && transport) addAppObject(pkt, bytes, (l & L_REASM) !== 0 ? v.reasmPtr : f, app);
  if (v.errors !== 0) {
    const cut = cutHeaders(v, bytes, f);
    if (cut !== undefined) pkt.cut = cut;
    pkt.errors = errorNames(v.errors);
  }
  return pkt;
}
