// A zero-allocation cursor over one descriptor and its frame: point it at a frame with
// `at()` and read fields through getters. Numbers only; strings only from the *String()
// methods, which a hot loop should not call.
import type { MemoryViews } from '../runtime/memory.js';
import type { FrameBatch } from '../engine/frame-batch.js';
import { ipv4ToString, ipv6ToString, macToString } from '../runtime/addr.js';
import {
  D_LAYERS, D_ERRORS, D_WIRELEN, D_CAPLEN, D_LINKTYPE, D_L2_LEN, D_L3_OFF, D_L3_HDR_LEN, D_L4_OFF,
  D_L4_HDR_LEN, D_PAYLOAD_OFF, D_PAYLOAD_LEN, D_ETH_TYPE, D_ETHERTYPE, D_VLAN0, D_VLAN1, D_VLAN_COUNT,
  D_IP_VERSION, D_IP_PROTO, D_IP_NXT, D_IP_LEN, D_IP_ID, D_FRAG_OFF, D_IP_FLAGS, D_IP_TTL, D_IP_TOS,
  D_IP6_EXT_COUNT, D_IP_CKSUM, D_IP_SRC, D_IP_DST, D_SRC_PORT, D_DST_PORT, D_TCP_SEQ, D_TCP_ACK,
  D_TCP_FLAGS, D_TCP_WINDOW, D_TCP_MSS, D_TCP_WSCALE, D_TCP_OPTS, D_TCP_TSVAL, D_TCP_TSECR,
  D_SACK_COUNT, D_ICMP_TYPE, D_ICMP_CODE, D_L4_CKSUM, D_UDP_LEN, D_ICMP_ID, D_ICMP_SEQ, D_ARP_OP,
  D_SACK_OFF, D_IP6_FLOW, D_FRAG_ID, D_L2_PROTO, D_TCP_URG, D_IP_PAYLOAD_LEN, D_ARP_HLEN, D_IP6_JUMBO_OFF,
  D_IP6_EXT_OFF,
  D_IP_TOTAL, D_REASM_PTR, D_REASM_LEN, D_REASM_FRAGS,
  D_PPP_PROTO, D_PPPOE_OFF, D_PPPOE_SESSION, D_PPPOE_CODE, D_PPPOE_LEN, D_MPLS_COUNT, D_MPLS_OFF, D_MPLS_TOP,
  D_TUNNEL, D_TUNNEL_FLAGS, D_INNER_LINKTYPE, D_TUNNEL_OFF, D_INNER_OFF, D_TUNNEL_ID, D_TUNNEL_PROTO, D_TUNNEL_VER,
  D_INNER_LEN,
  L_IP4, L_IP6, L_REASM,
} from '../runtime/layout.js';
import { APP_SIZE } from '../app/app-layout.js';

/** A reusable, allocation-free reader of one dissected frame's descriptor: point it with
 *  `at(batch, i)` and read fields as getters (offsets, addresses as numbers, ports, flags). */
export class PacketView {
  private readonly views: MemoryViews;
  /** Descriptor address. */
  desc = 0;
  /** Frame address. */
  frame = 0;
  /** Address of the frame's application record (host/app/), 0 when it has none. */
  app = 0;

  constructor(views: MemoryViews) {
    this.views = views;
  }

  /** Points the view at frame i of a dissected batch. */
  at(batch: FrameBatch, i: number): this {
    this.desc = batch.descAt(i);
    this.frame = batch.framePtr(i);
    this.app = batch.apps === 0 ? 0 : batch.apps + i * APP_SIZE;
    return this;
  }

  /** Points the view at an arbitrary descriptor and frame. */
  set(desc: number, frame: number, app = 0): this {
    this.desc = desc;
    this.frame = frame;
    this.app = app;
    this.views.refresh();
    return this;
  }

  private u8(off: number): number { return this.views.u8[this.desc + off]; }
  private u16(off: number): number { return this.views.u16[(this.desc + off) >>> 1]; }
  private u32(off: number): number { return this.views.u32[(this.desc + off) >>> 2]; }

  get layers(): number { return this.u32(D_LAYERS); }
  get errors(): number { return this.u32(D_ERRORS); }
  has(layerBits: number): boolean { return (this.u32(D_LAYERS) & layerBits) !== 0; }
  get wireLen(): number { return this.u32(D_WIRELEN); }
  get capLen(): number { return this.u32(D_CAPLEN); }
  get linktype(): number { return this.u16(D_LINKTYPE); }
  get l2Len(): number { return this.u16(D_L2_LEN); }
  get l2Proto(): number { return this.u16(D_L2_PROTO); }
  get l3Off(): number { return this.u16(D_L3_OFF); }
  get l3HdrLen(): number { return this.u16(D_L3_HDR_LEN); }
  get l4Off(): number { return this.u16(D_L4_OFF); }
  get l4HdrLen(): number { return this.u16(D_L4_HDR_LEN); }
  get payloadOff(): number { return this.u16(D_PAYLOAD_OFF); }
  get payloadLen(): number { return this.u16(D_PAYLOAD_LEN); }
  get ethType(): number { return this.u16(D_ETH_TYPE); }
  get etherType(): number { return this.u16(D_ETHERTYPE); }
  get vlanCount(): number { return this.u8(D_VLAN_COUNT); }
  get vlanTci0(): number { return this.u16(D_VLAN0); }
  get vlanTci1(): number { return this.u16(D_VLAN1); }
  get ipVersion(): number { return this.u8(D_IP_VERSION); }
  get ipProto(): number { return this.u8(D_IP_PROTO); }
  get ipNxt(): number { return this.u8(D_IP_NXT); }
  get ipLen(): number { return this.u16(D_IP_LEN); }
  get ipPayloadLen(): number { return this.u16(D_IP_PAYLOAD_LEN); }
  /** The IP packet's real length (jumbograms, TSO/BIG TCP): see D_IP_TOTAL. */
  get ipTotal(): number { return this.u32(D_IP_TOTAL); }
  /** Address of the reassembled datagram this fragment completed (L_REASM), else 0. */
  get reasmPtr(): number { return this.has(L_REASM) ? this.u32(D_REASM_PTR) : 0; }
  /** Its length (IP header(s) + payload) and how many fragments it was made of (L_REASM). */
  get reasmLen(): number { return this.u32(D_REASM_LEN); }
  get reasmFrags(): number { return this.u16(D_REASM_FRAGS); }
  /** Where l4Off, payloadOff and the SACK offset count from: the frame, or the reassembled
   *  datagram when this fragment completed one (L_REASM). */
  get l4Base(): number { return this.has(L_REASM) ? this.u32(D_REASM_PTR) : this.frame; }
  /** Bytes available from l4Base: the captured length, or the reassembled datagram's. */
  get l4CapEnd(): number { return this.has(L_REASM) ? this.u32(D_REASM_LEN) : this.capLen; }
  get ipId(): number { return this.u16(D_IP_ID); }
  get fragId(): number { return this.u32(D_FRAG_ID); }
  get fragOffset(): number { return this.u16(D_FRAG_OFF); }
  get ipFlags(): number { return this.u8(D_IP_FLAGS); }
  get ttl(): number { return this.u8(D_IP_TTL); }
  get tos(): number { return this.u8(D_IP_TOS); }
  get flowLabel(): number { return this.u32(D_IP6_FLOW); }
  get ip6ExtCount(): number { return this.u8(D_IP6_EXT_COUNT); }
  /** Where IPv6 extension header i + 2 starts (i = 0..3), from L3_OFF in 4-byte units; 0 =
   *  not recorded. Header 1 starts at L3_OFF + 40. */
  ip6ExtOff(i: number): number { return this.u8(D_IP6_EXT_OFF + i); }
  /** Frame offset of the Jumbo Payload option's 32-bit length, 0 without one. */
  get ip6JumboOff(): number { return this.u16(D_IP6_JUMBO_OFF); }
  get ipChecksum(): number { return this.u16(D_IP_CKSUM); }
  /** IPv4 source as a number (ARP: sender protocol address). */
  get ipSrc(): number { return this.u32(D_IP_SRC); }
  get ipDst(): number { return this.u32(D_IP_DST); }
  get srcPort(): number { return this.u16(D_SRC_PORT); }
  get dstPort(): number { return this.u16(D_DST_PORT); }
  get tcpSeq(): number { return this.u32(D_TCP_SEQ); }
  get tcpAck(): number { return this.u32(D_TCP_ACK); }
  get tcpFlags(): number { return this.u16(D_TCP_FLAGS); }
  get tcpWindow(): number { return this.u16(D_TCP_WINDOW); }
  get tcpUrgent(): number { return this.u16(D_TCP_URG); }
  get tcpMss(): number { return this.u16(D_TCP_MSS); }
  get tcpWscale(): number { return this.u8(D_TCP_WSCALE); }
  get tcpOptions(): number { return this.u8(D_TCP_OPTS); }
  get tcpTsval(): number { return this.u32(D_TCP_TSVAL); }
  get tcpTsecr(): number { return this.u32(D_TCP_TSECR); }
  get sackCount(): number { return this.u8(D_SACK_COUNT); }
  /** Left/right edge of SACK block i, read from the segment's bytes (l4Base). */
  sackEdge(i: number, right: boolean): number {
    const p = this.l4Base + this.u16(D_SACK_OFF) + i * 8 + (right ? 4 : 0);
    const m = this.views.u8;
    return ((m[p] << 24) | (m[p + 1] << 16) | (m[p + 2] << 8) | m[p + 3]) >>> 0;
  }
  get l4Checksum(): number { return this.u16(D_L4_CKSUM); }
  get udpLength(): number { return this.u16(D_UDP_LEN); }
  get icmpType(): number { return this.u8(D_ICMP_TYPE); }
  get icmpCode(): number { return this.u8(D_ICMP_CODE); }
  get icmpId(): number { return this.u16(D_ICMP_ID); }
  get icmpSeq(): number { return this.u16(D_ICMP_SEQ); }
  get arpOpcode(): number { return this.u16(D_ARP_OP); }
  get arpHwLen(): number { return this.u8(D_ARP_HLEN); }
  // Encapsulations and tunnels (assembly/layout.ts, issue #15).
  get pppProto(): number { return this.u16(D_PPP_PROTO); }
  get pppoeOff(): number { return this.u16(D_PPPOE_OFF); }
  get pppoeSession(): number { return this.u16(D_PPPOE_SESSION); }
  get pppoeCode(): number { return this.u8(D_PPPOE_CODE); }
  get pppoeLen(): number { return this.u16(D_PPPOE_LEN); }
  get mplsCount(): number { return this.u8(D_MPLS_COUNT); }
  get mplsOff(): number { return this.u16(D_MPLS_OFF); }
  get mplsTop(): number { return this.u32(D_MPLS_TOP); }
  get tunnel(): number { return this.u8(D_TUNNEL); }
  get tunnelFlags(): number { return this.u8(D_TUNNEL_FLAGS); }
  get tunnelVer(): number { return this.u8(D_TUNNEL_VER); }
  get tunnelOff(): number { return this.u16(D_TUNNEL_OFF); }
  get tunnelProto(): number { return this.u16(D_TUNNEL_PROTO); }
  get tunnelId(): number { return this.u32(D_TUNNEL_ID); }
  get innerLinktype(): number { return this.u16(D_INNER_LINKTYPE); }
  get innerOff(): number { return this.u16(D_INNER_OFF); }
  get innerLen(): number { return this.u32(D_INNER_LEN); }

  /** Source address as text (IPv4 or IPv6), or '' when there is no IP layer. */
  srcString(): string {
    const l = this.layers;
    if (l & L_IP4) return ipv4ToString(this.ipSrc);
    if (l & L_IP6) return ipv6ToString(this.views.u8, this.frame + this.l3Off + 8);
    return '';
  }

  dstString(): string {
    const l = this.layers;
    if (l & L_IP4) return ipv4ToString(this.ipDst);
    if (l & L_IP6) return ipv6ToString(this.views.u8, this.frame + this.l3Off + 24);
    return '';
  }

  ethSrcString(): string { return macToString(this.views.u8, this.frame + 6); }
  ethDstString(): string { return macToString(this.views.u8, this.frame); }
}
