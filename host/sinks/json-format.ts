// --json: one JSON object per packet and line, the shape of the engine's decode()
// (host/decode.ts: Wireshark field names, nested by protocol) plus frame.number and
// frame.time_epoch. Written straight from the descriptor into a TextBuffer: no object per
// packet, no JSON.stringify. test/sinks-json.test.ts parses the lines back and requires
// them to deep-equal decode()'s objects, so the two cannot drift apart.
//
// frame.time_epoch is a string "seconds.nanoseconds" (9 digits), as tshark's JSON writes
// it: a JSON number (an IEEE double) cannot hold 19 significant digits, and nanosecond
// timestamps would silently round.
import type { PacketView } from '../dissect/packet-view.js';
import type { TextBuffer } from './text/buffer.js';
import {
  L_ETH, L_SLL, L_SLL2, L_NULL, L_VLAN, L_ARP, L_IP4, L_IP6, L_TCP, L_UDP, L_ICMP, L_ICMP6, L_FRAG,
  L_FRAG_HELD, L_REASM, L_PPP, L_PPPOE, L_MPLS, L_TUNNEL, IPF_MF, IPF_DF, IPF_RF, TO_SACK_PERM, TO_MSS, TO_WSCALE, TO_TIMESTAMP, TO_SACK,
} from '../runtime/layout.js';
import { errorNames } from '../dissect/descriptor-names.js';
import { appObject } from '../app/objects.js';
import { quotedOf } from '../app/icmp-quoted.js';
import { A_PROTO, APP_NONE } from '../app/app-layout.js';
import { encapsulation } from '../dissect/inner.js';
import { decodeInnerLevel as decodeLevelOf } from '../dissect/decode.js';

/** Error-name lists by bit set, cached: a packet's errors are one of few combinations. */
const errorJson = new Map<number, string>();

function errorsText(bits: number): string {
  let s = errorJson.get(bits);
  if (s === undefined) {
    s = JSON.stringify(errorNames(bits));
    errorJson.set(bits, s);
  }
  return s;
}

function tag(out: TextBuffer, tci: number): void {
  out.str('"id":').dec(tci & 0x0FFF).str(',"priority":').dec(tci >>> 13).str(',"dei":').dec((tci >>> 12) & 1);
}

/** Appends one JSON line for the frame the view points at (`m`: the memory holding it). */
export function writeJsonPacket(out: TextBuffer, v: PacketView, m: Uint8Array, tsSec: number, tsNsec: number, number: number): void {
  const l = v.layers;
  const f = v.frame;
  out.str('{"frame":{"len":').dec(v.wireLen).str(',"cap_len":').dec(v.capLen).str(',"linktype":').dec(v.linktype)
    .str(',"number":').dec(number).str(',"time_epoch":"').dec(tsSec).ch(46).decPad(tsNsec, 9).str('"}');
  if (l & L_ETH) {
    out.str(',"eth":{"dst":"').macAt(m, f).str('","src":"').macAt(m, f + 6).str(v.ethType > 1500 ? '","type":' : '","len":').dec(v.ethType).ch(125);
  }
  if (l & (L_SLL | L_SLL2)) out.str(',"sll":{"pkttype":').dec(v.l2Proto).str(',"etype":').dec(v.etherType).ch(125);
  if (l & L_NULL) out.str(',"null":{"family":').dec(v.l2Proto).ch(125);
  if (l & L_VLAN) {
    out.str(',"vlan":{');
    tag(out, v.vlanTci0);
    out.str(',"etype":').dec(v.etherType).str(',"count":').dec(v.vlanCount);
    if (v.vlanCount > 1) { out.str(',"inner":{'); tag(out, v.vlanTci1); out.ch(125); }
    out.ch(125);
  }
  if (l & L_ARP) {
    out.str(',"arp":{"opcode":').dec(v.arpOpcode).str(',"hw_size":').dec(v.arpHwLen);
    const base = f + v.l3Off;
    if (v.arpHwLen === 6 && v.l3HdrLen === 28 && v.capLen >= v.l3Off + 28) {
      out.str(',"src_hw_mac":"').macAt(m, base + 8).str('","src_proto_ipv4":"').ipv4(v.ipSrc)
        .str('","dst_hw_mac":"').macAt(m, base + 18).str('","dst_proto_ipv4":"').ipv4(v.ipDst).ch(34);
    }
    out.ch(125);
  }
  if (l & L_IP4) {
    const fl = v.ipFlags;
    out.str(',"ip":{"version":4,"hdr_len":').dec(v.l3HdrLen).str(',"dsfield":').dec(v.tos).str(',"len":').dec(v.ipTotal)
      .str(',"id":').dec(v.ipId).str(',"flags":{"rb":').dec(fl & IPF_RF ? 1 : 0).str(',"df":').dec(fl & IPF_DF ? 1 : 0)
      .str(',"mf":').dec(fl & IPF_MF ? 1 : 0).str('},"frag_offset":').dec(v.fragOffset >>> 3).str(',"ttl":').dec(v.ttl)
      .str(',"proto":').dec(v.ipNxt).str(',"checksum":').dec(v.ipChecksum)
      .str(',"src":"').ipv4(v.ipSrc).str('","dst":"').ipv4(v.ipDst).str('"}');
  }
  if (l & L_IP6) {
    const a = f + v.l3Off;
    out.str(',"ipv6":{"version":6,"tclass":').dec(v.tos).str(',"flow":').dec(v.flowLabel).str(',"plen":').sdec(v.ip6JumboOff !== 0 ? 0 : v.ipLen - 40)
      .str(',"nxt":').dec(v.ipNxt).str(',"hlim":').dec(v.ttl)
      .str(',"src":"').ipv6At(m, a + 8, false).str('","dst":"').ipv6At(m, a + 24, false)
      .str('","ext_count":').dec(v.ip6ExtCount).str(',"upper":').dec(v.ipProto);
    if (l & L_FRAG) {
      out.str(',"frag":{"offset":').dec(v.fragOffset).str(',"more":').dec(v.ipFlags & IPF_MF ? 1 : 0).str(',"id":').dec(v.fragId).ch(125);
    }
    out.ch(125);
  }
  // A fragment taken by reassembly shows no transport (decode() does the same).
  const transport = (l & L_FRAG_HELD) === 0;
  if (transport && (l & L_TCP)) {
    out.str(',"tcp":{"srcport":').dec(v.srcPort).str(',"dstport":').dec(v.dstPort).str(',"seq_raw":').dec(v.tcpSeq)
      .str(',"ack_raw":').dec(v.tcpAck).str(',"hdr_len":').dec(v.l4HdrLen).str(',"flags":').dec(v.tcpFlags)
      .str(',"window_size_value":').dec(v.tcpWindow).str(',"checksum":').dec(v.l4Checksum)
      .str(',"urgent_pointer":').dec(v.tcpUrgent).str(',"len":').dec(v.payloadLen).str(',"options":{');
    const o = v.tcpOptions;
    let sep = false;
    if (o & TO_MSS) { out.str('"mss_val":').dec(v.tcpMss); sep = true; }
    if (o & TO_WSCALE) { if (sep) out.ch(44); out.str('"wscale_shift":').dec(v.tcpWscale); sep = true; }
    if (o & TO_SACK_PERM) { if (sep) out.ch(44); out.str('"sack_perm":true'); sep = true; }
    if (o & TO_TIMESTAMP) { if (sep) out.ch(44); out.str('"tsval":').dec(v.tcpTsval).str(',"tsecr":').dec(v.tcpTsecr); sep = true; }
    if (o & TO_SACK) {
      if (sep) out.ch(44);
      out.str('"sack":[');
      for (let i = 0; i < v.sackCount; i++) {
        if (i) out.ch(44);
        out.ch(91).dec(v.sackEdge(i, false)).ch(44).dec(v.sackEdge(i, true)).ch(93);
      }
      out.ch(93);
    }
    out.str('}}');
  }
  if (transport && (l & L_UDP)) {
    out.str(',"udp":{"srcport":').dec(v.srcPort).str(',"dstport":').dec(v.dstPort).str(',"length":').dec(v.udpLength)
      .str(',"checksum":').dec(v.l4Checksum).ch(125);
  }
  if (transport && (l & (L_ICMP | L_ICMP6))) {
    out.str(l & L_ICMP ? ',"icmp":{"type":' : ',"icmpv6":{"type":').dec(v.icmpType).str(',"code":').dec(v.icmpCode)
      .str(',"checksum":').dec(v.l4Checksum);
    const t = v.icmpType;
    const echo = l & L_ICMP6 ? t === 128 || t === 129 : t === 0 || t === 8 || (t >= 13 && t <= 18);
    if (echo && v.l4CapEnd >= v.l4Off + 8) out.str(',"ident":').dec(v.icmpId).str(',"seq":').dec(v.icmpSeq);
    const quoted = quotedOf(v, m); // an error's quoted datagram, decode()'s own object
    if (quoted !== undefined) out.str(',"quoted":').str(JSON.stringify(quoted));
    out.ch(125);
  }
  if (l & (L_PPP | L_PPPOE | L_MPLS | L_TUNNEL)) {
    // Encapsulations and a tunnel's inner packet (host/dissect/inner.ts): decode()'s own
    // objects, so the two cannot differ; only frames that have them pay for it.
    const e = encapsulation(v, m, f, 0, (iv, ib, d) => decodeLevelOf(iv, ib, d));
    for (const [k, val] of Object.entries(e)) out.str(`,"${k}":`).str(JSON.stringify(val));
  }
  if (transport && v.app !== 0 && m[v.app + A_PROTO] !== APP_NONE) {
    // The application layer (host/app/objects.ts): decode()'s own object, so the two
    // cannot differ; only frames a decoder claimed pay for it.
    const o = appObject(m, (l & L_REASM) !== 0 ? v.reasmPtr : f, v.app);
    if (o !== undefined) out.str(`,"${o.key}":`).str(JSON.stringify(o.value));
  }
  if (v.errors !== 0) out.str(',"errors":').str(errorsText(v.errors));
  out.str('}\n');
}
