// L2-L4 dissection into fixed descriptors (layout.ts). Every read is bounds-checked
// against caplen first; a header that does not fit sets an error bit and dissection
// stops at the last sound layer. Nothing here allocates or traps on malformed input.
import {
  FRAME_PTR, FRAME_CAPLEN, FRAME_WIRELEN, FRAME_LINKTYPE,
  DESC_SIZE, D_LAYERS, D_ERRORS, D_WIRELEN, D_CAPLEN, D_LINKTYPE, D_L2_LEN, D_L3_OFF, D_L3_HDR_LEN,
  D_L4_OFF, D_L4_HDR_LEN, D_PAYLOAD_OFF, D_PAYLOAD_LEN, D_ETH_TYPE, D_ETHERTYPE, D_VLAN0, D_VLAN1,
  D_VLAN_COUNT, D_IP_VERSION, D_IP_PROTO, D_IP_NXT, D_IP_LEN, D_IP_ID, D_FRAG_OFF, D_IP_FLAGS,
  D_IP_TTL, D_IP_TOS, D_IP6_EXT_COUNT, D_IP_CKSUM, D_IP_SRC, D_IP_DST, D_SRC_PORT, D_DST_PORT,
  D_TCP_SEQ, D_TCP_ACK, D_TCP_FLAGS, D_TCP_WINDOW, D_TCP_MSS, D_TCP_WSCALE, D_TCP_OPTS,
  D_TCP_TSVAL, D_TCP_TSECR, D_SACK_COUNT, D_ICMP_TYPE, D_ICMP_CODE, D_ARP_HLEN, D_L4_CKSUM,
  D_UDP_LEN, D_ICMP_ID, D_ICMP_SEQ, D_ARP_OP, D_SACK_OFF, D_IP6_FLOW, D_FRAG_ID, D_L2_PROTO,
  D_TCP_URG, D_IP_PAYLOAD_LEN, D_IP6_JUMBO_OFF, D_IP6_EXT_OFF, D_IP_TOTAL,
  D_PPP_PROTO, D_PPPOE_OFF, D_PPPOE_SESSION, D_PPPOE_CODE, D_PPPOE_LEN, D_MPLS_COUNT, D_MPLS_OFF, D_MPLS_TOP,
  L_PPP, L_PPPOE, L_MPLS, L_IPOIB, L_TUNNEL,
  D_TUNNEL, D_TUNNEL_FLAGS, D_INNER_LINKTYPE, D_TUNNEL_OFF, D_INNER_OFF, D_TUNNEL_ID, D_TUNNEL_PROTO, D_TUNNEL_VER, D_INNER_LEN,
  T_GRE, T_ERSPAN, T_VXLAN, T_GENEVE, T_IPIP, T_MPLS_UDP, T_GTPU, LINKTYPE_MPLS,
  LINKTYPE_PPP, LINKTYPE_PPP_HDLC, LINKTYPE_PPP_ETHER, LINKTYPE_C_HDLC, LINKTYPE_IPOIB,
  L_ETH, L_SLL, L_SLL2, L_NULL, L_VLAN, L_LLC, L_ARP, L_IP4, L_IP6, L_TCP, L_UDP, L_ICMP, L_ICMP6,
  L_FRAG, L_RAW, L_CKSUM_CHECKED, L_SNAP, L_STP,
  E_TRUNC_L2, E_TRUNC_L3, E_TRUNC_L4, E_BAD_IP_VERSION, E_BAD_IP_HDR_LEN, E_BAD_IP_LEN,
  E_BAD_TCP_OFF, E_BAD_UDP_LEN, E_BAD_IP_CKSUM, E_BAD_L4_CKSUM, E_UNKNOWN_LINK, E_BAD_EXT_HDR,
  E_BAD_OPTION, E_SNAPLEN, E_BAD_ARP, E_CAPLEN_OVER_WIRE,
  IPF_MF, IPF_DF, IPF_RF, TO_MSS, TO_WSCALE, TO_SACK_PERM, TO_TIMESTAMP, TO_SACK, TO_MD5, TO_OTHER,
  DF_VERIFY_CKSUM, DF_APP,
  LINKTYPE_NULL, LINKTYPE_ETHERNET, LINKTYPE_RAW, LINKTYPE_LOOP, LINKTYPE_LINUX_SLL, LINKTYPE_IPV4,
  LINKTYPE_IPV6, LINKTYPE_LINUX_SLL2,
} from "./layout";
import { cksum_partial, cksum_pseudo_ipv4, cksum_pseudo_ipv6 } from "./checksum";
import { app_frame } from "./app/app";

const MAX_TAGS: u32 = 8; // a deeper tag stack is not a real frame
const MAX_EXT: u32 = 16; // IPv6 extension headers walked before giving up

@inline function u8at(p: usize): u32 { return <u32>load<u8>(p); }
@inline function be16(p: usize): u32 { return <u32>bswap<u16>(load<u16>(p)); }
@inline function be32(p: usize): u32 { return bswap<u32>(load<u32>(p)); }
@inline function le32(p: usize): u32 { return load<u32>(p); }
@inline function clamp16(v: u32): u32 { return v > 0xFFFF ? 0xFFFF : v; }
/** Two big-endian u16 read as one little-endian u32, each half byte-swapped in place: the
 *  descriptor keeps adjacent u16 fields in the order the header has them. */
@inline function swap16x2(w: u32): u32 { return ((w & 0x00FF00FF) << 8) | ((w >> 8) & 0x00FF00FF); }

// Layer and error bits of the frame being dissected: WASM globals (per instance, never
// shared) so that each bit costs a register OR, stored once when the frame is done.
let gLayers: u32 = 0;
let gErrors: u32 = 0;
@inline function setLayer(d: usize, bit: u32): void { gLayers |= bit; }
@inline function setError(d: usize, bit: u32): void { gErrors |= bit; }
@inline function put8(d: usize, off: i32, v: u32): void { store<u8>(d + <usize>off, <u8>v); }
@inline function put16(d: usize, off: i32, v: u32): void { store<u16>(d + <usize>off, <u16>v); }
@inline function put32(d: usize, off: i32, v: u32): void { store<u32>(d + <usize>off, v); }

@inline function isTag(t: u32): bool { return t == 0x8100 || t == 0x88a8 || t == 0x9100; }

/** Dissects one frame at `f` into the descriptor at `d`. */
export function dissect_frame(f: usize, cap: u32, wire: u32, linktype: u32, d: usize, opts: u32): void {
  dissectOne(f, cap, wire, linktype, d, opts);
}

// Inlined into dissect_batch too: a call per frame there cost 1.6 of 24 ns (issue #17).
@inline function dissectOne(f: usize, cap: u32, wire: u32, linktype: u32, d: usize, opts: u32): void {
  gLayers = 0;
  gErrors = 0;
  dissectInto(f, cap, wire, linktype, d, opts);
  store<u32>(d + D_LAYERS, gLayers);
  store<u32>(d + D_ERRORS, gErrors);
  if ((opts & DF_APP) != 0) app_frame(f, d); // the application layer, on request (assembly/app/)
}

@inline function dissectInto(f: usize, cap: u32, wire: u32, linktype: u32, d: usize, opts: u32): void {
  let z = i64x2.splat(0);
  v128.store(d, z); v128.store(d, z, 16); v128.store(d, z, 32); v128.store(d, z, 48);
  v128.store(d, z, 64); v128.store(d, z, 80); v128.store(d, z, 96); v128.store(d, z, 112);
  v128.store(d, z, 128); v128.store(d, z, 144); v128.store(d, z, 160); v128.store(d, z, 176);
  put32(d, D_WIRELEN, wire);
  put32(d, D_CAPLEN, cap);
  put16(d, D_LINKTYPE, linktype);
  if (cap > wire) setError(d, E_CAPLEN_OVER_WIRE);
  else if (cap < wire) setError(d, E_SNAPLEN);
  // Lengths declared by headers are checked against what the wire carried; a corrupt
  // record whose caplen exceeds it is judged by caplen instead.
  let frameEnd = wire > cap ? wire : cap;

  let off: u32 = 0;
  let type: u32 = 0;
  let tagsAllowed = false;
  switch (<i32>linktype) {
    case LINKTYPE_ETHERNET: {
      if (cap < 14) { setError(d, E_TRUNC_L2); return; }
      type = be16(f + 12);
      put16(d, D_ETH_TYPE, type);
      setLayer(d, L_ETH);
      off = 14;
      tagsAllowed = true;
      break;
    }
    case LINKTYPE_LINUX_SLL: {
      if (cap < 16) { setError(d, E_TRUNC_L2); return; }
      put16(d, D_L2_PROTO, be16(f));
      type = be16(f + 14);
      setLayer(d, L_SLL);
      off = 16;
      if (be16(f + 2) == 824) type = 0; // ARPHRD_NETLINK: protocol is a netlink family
      tagsAllowed = true;
      break;
    }
    case LINKTYPE_LINUX_SLL2: {
      if (cap < 20) { setError(d, E_TRUNC_L2); return; }
      put16(d, D_L2_PROTO, u8at(f + 10));
      type = be16(f);
      setLayer(d, L_SLL2);
      off = 20;
      if (be16(f + 8) == 824) type = 0;
      tagsAllowed = true;
      break;
    }
    case LINKTYPE_NULL:
    case LINKTYPE_LOOP: {
      if (cap < 4) { setError(d, E_TRUNC_L2); return; }
      // NULL carries the family in the capturing host's byte order, LOOP in network order.
      let fam = linktype == LINKTYPE_LOOP ? be32(f) : le32(f);
      if ((fam & 0xFFFF0000) != 0) fam = bswap<u32>(fam);
      put16(d, D_L2_PROTO, fam);
      setLayer(d, L_NULL);
      off = 4;
      if (fam == 2) type = 0x0800;
      else if (fam == 10 || fam == 24 || fam == 28 || fam == 30) type = 0x86dd;
      break;
    }
    case LINKTYPE_RAW:
    case 12: // DLT_RAW on OpenBSD
    case 14: // DLT_RAW on BSD/OS
    case LINKTYPE_IPV4:
    case LINKTYPE_IPV6: {
      if (cap < 1) { setError(d, E_TRUNC_L3); return; }
      setLayer(d, L_RAW);
      // Decided by the version nibble for every raw link type, LINKTYPE_IPV4/IPV6 too, as
      // tcpdump's ipN_print() and Wireshark's raw dissector do.
      let v = u8at(f) >> 4;
      if (v == 4) type = 0x0800;
      else if (v == 6) type = 0x86dd;
      else { setError(d, E_BAD_IP_VERSION); return; }
      break;
    }
    case LINKTYPE_PPP: {
      // tcpdump's ppp_if_print(): at least a 4-byte header, then ppp_print().
      if (cap < 4) { setError(d, E_TRUNC_L2); return; }
      type = pppHeader(f, 0, cap, d);
      off = gOff;
      break;
    }
    case LINKTYPE_PPP_HDLC: {
      // RFC 1662 framing (address 0xff, control, protocol: no field compression here, as
      // tcpdump's ppp_hdlc_if_print() reads it), or Cisco HDLC (address 0x0f / 0x8f and an
      // EtherType); another address is a frame nobody decodes.
      if (cap < 4) { setError(d, E_TRUNC_L2); return; }
      let a = u8at(f);
      if (a == 0xFF) {
        let proto = be16(f + 2);
        setLayer(d, L_PPP);
        put16(d, D_PPP_PROTO, proto);
        type = pppEthertype(proto);
      } else if (a == 0x0F || a == 0x8F) {
        type = chdlcType(be16(f + 2));
      } else {
        put16(d, D_L2_LEN, 4);
        return;
      }
      off = 4;
      break;
    }
    case LINKTYPE_C_HDLC: {
      if (cap < 4) { setError(d, E_TRUNC_L2); return; }
      type = chdlcType(be16(f + 2));
      off = 4;
      break;
    }
    case LINKTYPE_PPP_ETHER: {
      type = 0x8864; // a PPPoE header first (pppoe_if_print()); its code tells session from discovery
      break;
    }
    case LINKTYPE_MPLS: {
      type = 0x8847; // the label stack starts the frame
      break;
    }
    case LINKTYPE_IPOIB: {
      // RFC 4391 as Linux captures it: 20-byte destination and source hardware addresses,
      // then the 4-byte encapsulation header whose first half is an EtherType.
      if (cap < 44) { setError(d, E_TRUNC_L2); return; }
      setLayer(d, L_IPOIB);
      type = be16(f + 40);
      off = 44;
      break;
    }
    default: {
      setError(d, E_UNKNOWN_LINK);
      return;
    }
  }

  if (tagsAllowed) {
    let tags: u32 = 0;
    while (isTag(type)) {
      if (off + 4 > cap) {
        put8(d, D_VLAN_COUNT, tags);
        put16(d, D_L2_LEN, off);
        setError(d, E_TRUNC_L2);
        return;
      }
      if (tags < 2) put16(d, tags == 0 ? D_VLAN0 : D_VLAN1, be16(f + off));
      tags++;
      type = be16(f + off + 2);
      off += 4;
      if (tags >= MAX_TAGS) break;
    }
    if (tags > 0) {
      setLayer(d, L_VLAN);
      put8(d, D_VLAN_COUNT, tags);
    }
    if (type <= 1500) {
      // An 802.3 length field (IEEE 802.3 clause 3.2.6; tcpdump and Wireshark draw the line
      // at 1500 too), or an SLL pseudo-protocol: no EtherType. An 802.2 header follows a
      // length field, and SLL's LINUX_SLL_P_802_2 (4); other SLL values carry IPX, netlink...
      setLayer(d, L_LLC);
      put16(d, D_L2_LEN, off);
      if (linktype == LINKTYPE_ETHERNET) dissectLLC(f, off, cap, type < frameEnd - off ? type : frameEnd - off, d);
      else if (tags > 0 || type == 4) dissectLLC(f, off, cap, frameEnd - off, d);
      return;
    }
  }
  put16(d, D_L2_LEN, off);
  put16(d, D_ETHERTYPE, type);
  // PPPoE, then the PPP it carries, then MPLS: each returns what follows and where (gOff).
  // IPv4 straight after the link header, the common case, skips their tests.
  if (type != 0x0800) {
    if (type == 0x8863 || type == 0x8864) {
      type = dissectPPPoE(f, off, cap, d, type);
      off = gOff;
    }
    if (type == 0x8847 || type == 0x8848) {
      type = dissectMPLS(f, off, cap, d);
      off = gOff;
    }
  }
  if (type == 0x0800) dissectIPv4(f, off, cap, frameEnd, d, opts);
  else if (type == 0x86dd) dissectIPv6(f, off, cap, frameEnd, d, opts);
  else if (type == 0x0806 || type == 0x8035) dissectARP(f, off, cap, d);
}

// Where the encapsulation helpers leave the next header (a WASM global, as gLayers).
let gOff: u32 = 0;

/** Cisco HDLC's protocol field is an EtherType, but 0x8035 there is SLARP (Cisco's serial
 *  line address resolution), not RARP: nothing the dissector follows. */
@inline function chdlcType(t: u32): u32 { return t == 0x8035 ? 0 : t; }

/** The EtherType for a PPP protocol number (RFC 1661 assigned numbers; tcpdump's
 *  handle_ppp() also takes the EtherTypes of IPv4 and IPv6 as they are); 0 for the rest. */
function pppEthertype(proto: u32): u32 {
  if (proto == 0x0021 || proto == 0x0800) return 0x0800;
  if (proto == 0x0057 || proto == 0x86dd) return 0x86dd;
  if (proto == 0x0281) return 0x8847;
  if (proto == 0x0283) return 0x8848;
  return 0;
}

/** A PPP header as tcpdump's ppp_print() reads it: an address and control field (0xff03,
 *  or pppd's direction byte and 0x03) if present, then a protocol field of one byte when
 *  its first byte is odd (RFC 1661 protocol-field compression), else two. */
function pppHeader(f: usize, off: u32, cap: u32, d: usize): u32 {
  gOff = off;
  if (off + 2 > cap) { setError(d, E_TRUNC_L2); return 0; }
  let w = be16(f + off);
  if (w == 0xFF03 || w == 0x0003 || w == 0x0103) off += 2;
  if (off + 1 > cap) { setError(d, E_TRUNC_L2); return 0; }
  let proto: u32 = 0;
  if ((u8at(f + off) & 1) != 0) {
    proto = u8at(f + off);
    off += 1;
  } else {
    if (off + 2 > cap) { setError(d, E_TRUNC_L2); return 0; }
    proto = be16(f + off);
    off += 2;
  }
  setLayer(d, L_PPP);
  put16(d, D_PPP_PROTO, proto);
  gOff = off;
  return pppEthertype(proto);
}

/** PPPoE (RFC 2516): version/type, code, session id, length. Discovery packets (0x8863, or
 *  a non-zero code) carry tags and no L3; session data carries a PPP frame. */
function dissectPPPoE(f: usize, off: u32, cap: u32, d: usize, type: u32): u32 {
  gOff = off;
  if (off + 6 > cap) { setError(d, E_TRUNC_L2); return 0; }
  setLayer(d, L_PPPOE);
  let code = u8at(f + off + 1);
  put16(d, D_PPPOE_OFF, off);
  put8(d, D_PPPOE_CODE, code);
  put16(d, D_PPPOE_SESSION, be16(f + off + 2));
  put16(d, D_PPPOE_LEN, be16(f + off + 4));
  if (type == 0x8863 || code != 0) { gOff = off + 6; return 0; }
  return pppHeader(f, off + 6, cap, d);
}

/** An MPLS label stack (RFC 3032) down to the entry with the bottom-of-stack bit, then
 *  what it carries guessed as tcpdump's mpls_print() does: the IPv4 and IPv6 explicit
 *  null labels (and implicit null, taken as IPv4) say so, else a first byte of 0x45-0x4f
 *  is IPv4 and 0x60-0x6f IPv6 (RFC 3032 gives the payload no type field). */
function dissectMPLS(f: usize, off: u32, cap: u32, d: usize): u32 {
  gOff = off;
  put16(d, D_MPLS_OFF, off);
  setLayer(d, L_MPLS);
  let count: u32 = 0;
  let entry: u32 = 0;
  while (true) {
    if (off + 4 > cap) {
      put8(d, D_MPLS_COUNT, count > 255 ? 255 : count);
      setError(d, E_TRUNC_L2);
      gOff = off;
      return 0;
    }
    entry = be32(f + off);
    if (count == 0) put32(d, D_MPLS_TOP, entry);
    count++;
    off += 4;
    if ((entry & 0x100) != 0) break;
  }
  put8(d, D_MPLS_COUNT, count > 255 ? 255 : count);
  gOff = off;
  let label = entry >>> 12;
  if (label == 0 || label == 3) return 0x0800;
  if (label == 2) return 0x86dd;
  if (off >= cap) return 0;
  let b = u8at(f + off);
  if (b >= 0x45 && b <= 0x4F) return 0x0800;
  if (b >= 0x60 && b <= 0x6F) return 0x86dd;
  return 0;
}

// IEEE 802.2 LLC: DSAP, SSAP and a control field of 1 byte (U frames) or 2 (I and S
// frames); DSAP = SSAP = 0xAA with a UI control announces a 5-byte SNAP header (OUI, PID).
// Spanning-tree BPDUs are told apart as tcpdump does: SAP 0x42, or SNAP with Cisco's
// PVST+ / VLAN-bridge PIDs or RFC 2684's bridged-BPDU PID. `len` is what the length field
// (or the frame) leaves for the LLC header and its payload.
function dissectLLC(f: usize, off: u32, cap: u32, len: u32, d: usize): void {
  put16(d, D_L3_OFF, off);
  if (off + 3 > cap) { setError(d, E_TRUNC_L3); return; }
  let dsap = u8at(f + off) & 0xFE; // without the I/G bit
  let ssap = u8at(f + off + 1) & 0xFE; // without the C/R bit
  let ctrl = u8at(f + off + 2);
  let hdr: u32 = (ctrl & 3) == 3 ? 3 : 4;
  let stp = false;
  if (dsap == 0xAA && ssap == 0xAA && ctrl == 3) {
    setLayer(d, L_SNAP);
    hdr = 8;
    if (off + 8 <= cap) {
      let oui = (be16(f + off + 3) << 8) | u8at(f + off + 5);
      let pid = be16(f + off + 6);
      stp = (oui == 0x00000C && (pid == 0x010B || pid == 0x010C)) || (oui == 0x0080C2 && pid == 0x000E);
    }
  } else {
    stp = dsap == 0x42 && ssap == 0x42 && ctrl == 3;
  }
  put16(d, D_L3_HDR_LEN, hdr);
  if (off + hdr > cap) { setError(d, E_TRUNC_L3); return; }
  if (stp) setLayer(d, L_STP);
  put16(d, D_PAYLOAD_OFF, off + hdr);
  put16(d, D_PAYLOAD_LEN, len > hdr ? clamp16(len - hdr) : 0);
}

function dissectARP(f: usize, off: u32, cap: u32, d: usize): void {
  put16(d, D_L3_OFF, off);
  if (off + 8 > cap) { setError(d, E_TRUNC_L3); return; }
  let hlen = u8at(f + off + 4);
  let plen = u8at(f + off + 5);
  setLayer(d, L_ARP);
  put16(d, D_ARP_OP, be16(f + off + 6));
  put8(d, D_ARP_HLEN, hlen);
  let total = 8 + 2 * (hlen + plen);
  put16(d, D_L3_HDR_LEN, total);
  if (off + total > cap) { setError(d, E_TRUNC_L3); return; }
  if (be16(f + off + 2) == 0x0800 && plen == 4) {
    // Sender and target protocol addresses, so filters and flows can key on them.
    put32(d, D_IP_SRC, be32(f + off + 8 + hlen));
    put32(d, D_IP_DST, be32(f + off + 8 + 2 * hlen + 4));
  } else if (plen == 0 && hlen == 0) {
    setError(d, E_BAD_ARP);
  }
}

// True when the capture ends before the `len`-byte IP header at off (its error is set):
// E_BAD_IP_VERSION when the version nibble captured is not `version`, else E_TRUNC_L3.
@inline function ipHeaderCut(f: usize, off: u32, cap: u32, d: usize, len: u32, version: u32): bool {
  if (off + len <= cap) return false;
  if (off < cap && (u8at(f + off) >> 4) != version) setError(d, E_BAD_IP_VERSION);
  else {
    setError(d, E_TRUNC_L3);
    // A header cut by the capture: D_IP_VERSION without L_IP4/L_IP6 tells decode() to show
    // the fields whose bytes were captured, as tshark does (host/dissect/cut-headers.ts).
    if (off < cap) put8(d, D_IP_VERSION, version);
  }
  return true;
}

// The framing IPv4 and TCP options share (RFC 791 §3.1, RFC 9293 §3.2): the length of the
// option at o, 1 for a NOP; 0 at the end-of-list option or at an option that does not fit
// before `end` (E_BAD_OPTION set).
@inline function optionLen(o: usize, end: usize, d: usize): u32 {
  let kind = u8at(o);
  if (kind == 0) return 0;
  if (kind == 1) return 1;
  if (o + 1 >= end) { setError(d, E_BAD_OPTION); return 0; }
  let olen = u8at(o + 1);
  if (olen < 2 || o + olen > end) { setError(d, E_BAD_OPTION); return 0; }
  return olen;
}

// IPv4, TCP and UDP are inlined into the common path: 27.1 -> 24.7 ns per frame for the
// bench's hot mix (IPv6 inlined too gained nothing).
@inline function dissectIPv4(f: usize, off: u32, cap: u32, frameEnd: u32, d: usize, opts: u32): void {
  put16(d, D_L3_OFF, off);
  if (ipHeaderCut(f, off, cap, d, 20, 4)) return;
  let p = f + off;
  let vhl = u8at(p);
  if ((vhl >> 4) != 4) { setError(d, E_BAD_IP_VERSION); return; }
  let hl = (vhl & 15) << 2;
  let total = be16(p + 2);
  let fragWord = be16(p + 6);
  let proto = u8at(p + 9);
  setLayer(d, L_IP4);
  put8(d, D_IP_VERSION, 4);
  put16(d, D_IP_PROTO, proto | (proto << 8)); // D_IP_PROTO, then D_IP_NXT
  store<u32>(d + D_IP_LEN, swap16x2(load<u32>(p + 2))); // D_IP_LEN, then D_IP_ID
  // D_FRAG_OFF..D_IP_DST (16 bytes) from header bytes 1 and 8..19, each field byte-swapped,
  // in one shuffle of the header's first 16 bytes and of bytes 4..19; the fragment
  // offset, the flags and D_IP6_EXT_COUNT are masked to 0, the first two set below.
  v128.store(d + D_FRAG_OFF, v128.and(
    i8x16.shuffle(v128.load(p), v128.load(p, 4), 0, 0, 0, 8, 1, 0, 11, 10, 15, 14, 13, 12, 31, 30, 29, 28),
    i8x16(0, 0, 0, -1, -1, 0, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1)));
  // A zero total length is a TSO / BIG TCP send captured before segmentation: the datagram
  // is the rest of the frame, as tcpdump (GUESS_TSO) and Wireshark take it.
  if (total == 0) total = frameEnd - off;
  put32(d, D_IP_TOTAL, total);
  put32(d, D_FRAG_ID, be16(p + 4));
  let fo = (fragWord & 0x1FFF) << 3;
  let flags: u32 = 0;
  if (fragWord & 0x2000) flags |= IPF_MF;
  if (fragWord & 0x4000) flags |= IPF_DF;
  if (fragWord & 0x8000) flags |= IPF_RF;
  put16(d, D_FRAG_OFF, fo);
  put8(d, D_IP_FLAGS, flags);
  put16(d, D_L3_HDR_LEN, hl);
  if ((flags & IPF_MF) != 0 || fo != 0) setLayer(d, L_FRAG);

  if (hl < 20) { setError(d, E_BAD_IP_HDR_LEN); return; }
  if (total < hl) { setError(d, total < 20 ? E_BAD_IP_LEN : E_BAD_IP_HDR_LEN); return; }
  if (off + hl > cap) { setError(d, E_TRUNC_L3); return; }
  if (off + total > frameEnd) setError(d, E_BAD_IP_LEN);

  // Options: only their framing is checked (RFC 791 §3.1); their meaning is the host's.
  let o = p + 20;
  let oend = p + hl;
  while (o < oend) {
    let olen = optionLen(o, oend, d);
    if (olen == 0) break;
    o += olen;
  }

  if ((opts & DF_VERIFY_CKSUM) != 0) {
    setLayer(d, L_CKSUM_CHECKED);
    if (cksum_partial(p, hl, 0) != 0xFFFF) setError(d, E_BAD_IP_CKSUM);
  }
  let l4len = total - hl;
  put16(d, D_IP_PAYLOAD_LEN, clamp16(l4len));
  if (fo != 0) return; // only the first fragment carries the transport header
  let l4 = off + hl;
  let verify = (opts & DF_VERIFY_CKSUM) != 0 && (flags & IPF_MF) == 0 && l4 + l4len <= cap;
  // A first fragment carries only part of the datagram: its transport lengths may
  // rightly exceed what follows the IP header (RFC 791 §2.3), so they are not flagged.
  let firstFrag = (flags & IPF_MF) != 0;
  dissectL4(f, off, proto, l4, l4len, cap, d, verify, false, firstFrag);
}

// What follows the IP header at off (its payload: l4len bytes at l4): TCP, UDP, ICMP or
// ICMPv6 (v6), or a tunnel unless `frag` (a first fragment: the payload is cut short).
@inline function dissectL4(f: usize, off: u32, proto: u32, l4: u32, l4len: u32, cap: u32, d: usize, verify: bool, v6: bool, frag: bool): void {
  if (proto == 6) dissectTCP(f, off, l4, l4len, cap, d, verify, v6, frag);
  else if (proto == 17) dissectUDP(f, off, l4, l4len, cap, d, verify, v6, frag);
  else if (proto == (v6 ? 58 : 1)) dissectICMP(f, off, l4, l4len, cap, d, verify, v6);
  else if (!frag) dissectIPTunnel(f, proto, l4, l4 + l4len, cap, d);
}

/** Tunnels over IP: GRE (47) and IP-in-IP (4: IPv4 inside, 41: IPv6 inside). `end` is where
 *  the IP payload ends by the IP header. */
function dissectIPTunnel(f: usize, proto: u32, l4: u32, end: u32, cap: u32, d: usize): void {
  if (proto == 47) dissectGRE(f, l4, end, cap, d);
  else if (proto == 4 || proto == 41) {
    if (l4 >= cap) return;
    setTunnel(d, T_IPIP, 0, 0, l4, proto, 0);
    setInner(d, LINKTYPE_RAW, l4, end);
  }
}

@inline function setTunnel(d: usize, kind: u32, flags: u32, ver: u32, at: u32, proto: u32, id: u32): void {
  setLayer(d, L_TUNNEL);
  put8(d, D_TUNNEL, kind);
  put8(d, D_TUNNEL_FLAGS, flags);
  put8(d, D_TUNNEL_VER, ver);
  put16(d, D_TUNNEL_OFF, at);
  put16(d, D_TUNNEL_PROTO, proto);
  put32(d, D_TUNNEL_ID, id);
}

@inline function setInner(d: usize, linktype: u32, at: u32, end: u32): void {
  put16(d, D_INNER_LINKTYPE, linktype);
  put16(d, D_INNER_OFF, at);
  put32(d, D_INNER_LEN, end > at ? end - at : 0);
}

/** GRE: RFC 2784/2890 (version 0: checksum, key, sequence number when their bits say so;
 *  RFC 1701 routing is not walked) and RFC 2637's enhanced GRE (version 1, PPTP: key = payload
 *  length and call id, sequence and acknowledgment numbers). ERSPAN rides on GRE protocol
 *  0x88be (type II with a sequence number, type I without and without a header) and 0x22eb
 *  (type III, 12 bytes and an 8-byte platform subheader when its O bit is set). */
function dissectGRE(f: usize, g: u32, end: u32, cap: u32, d: usize): void {
  if (g + 4 > cap) return;
  let fl = u8at(f + g);
  let b1 = u8at(f + g + 1);
  let ver = b1 & 7;
  let proto = be16(f + g + 2);
  let h = g + 4;
  let key: u32 = 0;
  if (ver == 0) {
    if ((fl & 0xC0) != 0) h += 4;
    if ((fl & 0x20) != 0) { if (h + 4 > cap) return; key = be32(f + h); h += 4; }
    if ((fl & 0x10) != 0) h += 4;
  } else if (ver == 1) {
    if ((fl & 0x20) != 0) { if (h + 4 > cap) return; key = be32(f + h); h += 4; }
    if ((fl & 0x10) != 0) h += 4;
    if ((b1 & 0x80) != 0) h += 4;
  } else {
    return;
  }
  if (h > cap) return;
  if (ver == 0 && (fl & 0x40) != 0) { setTunnel(d, T_GRE, fl, ver, g, proto, key); return; } // source routes follow
  if (proto == 0x88BE || proto == 0x22EB) {
    let hl: u32 = 0;
    let ev: u32 = 0;
    let sid: u32 = 0;
    if (proto == 0x22EB) {
      if (h + 12 > cap) return;
      hl = (u8at(f + h + 11) & 1) != 0 ? 20 : 12;
    } else if ((fl & 0x10) != 0) {
      if (h + 8 > cap) return;
      hl = 8;
    }
    if (hl != 0) { ev = u8at(f + h) >> 4; sid = be16(f + h + 2) & 0x3FF; }
    if (h + hl > cap) return;
    setTunnel(d, T_ERSPAN, fl, ev, h, proto, sid);
    setInner(d, LINKTYPE_ETHERNET, h + hl, end);
    return;
  }
  setTunnel(d, T_GRE, fl, ver, g, proto, key);
  if (proto == 0x8909) {
    // Cisco MetaData (Cisco TrustSec) as GRE carries it (Wireshark's packet-cisco-metadata.c):
    // the EtherType of what follows, version, length, option, SGT: 8 bytes.
    if (h + 8 > cap) return;
    let et = be16(f + h);
    if (et == 0x0800 || et == 0x86dd) setInner(d, LINKTYPE_RAW, h + 8, end);
  } else if (proto == 0x0800 || proto == 0x86dd) setInner(d, LINKTYPE_RAW, h, end);
  else if (proto == 0x6558) setInner(d, LINKTYPE_ETHERNET, h, end);
  else if (proto == 0x880B) setInner(d, LINKTYPE_PPP, h, end);
}

/** UDP tunnels by port, either side, as tcpdump's udp_print() and Wireshark's port tables
 *  pick them: VXLAN (RFC 7348, 4789; Linux's old default 8472), Geneve (RFC 8926, 6081),
 *  MPLS over UDP (RFC 7510, 6635) and GTP-U (3GPP TS 29.281, 2152: a G-PDU's user packet,
 *  after the optional sequence/N-PDU/next-type word and the extension headers it chains). */
function dissectUDPTunnel(f: usize, sp: u32, dp: u32, u: u32, end: u32, cap: u32, d: usize): void {
  let h = u + 8;
  if (sp == 6635 || dp == 6635) {
    if (h + 4 > cap) return;
    setTunnel(d, T_MPLS_UDP, 0, 0, h, 0x8847, be32(f + h) >>> 12);
    setInner(d, LINKTYPE_MPLS, h, end);
    return;
  }
  if (sp == 2152 || dp == 2152) {
    if (h + 8 > cap) return;
    let fl = u8at(f + h);
    let mt = u8at(f + h + 1);
    setTunnel(d, T_GTPU, fl, fl >> 5, h, mt, be32(f + h + 4));
    if ((fl >> 5) != 1 || (fl & 0x10) == 0 || mt != 255) return;
    let hl: u32 = 8;
    if ((fl & 7) != 0) {
      hl = 12;
      if (h + 12 > cap) return;
      let next = (fl & 4) != 0 ? u8at(f + h + 11) : 0;
      let n: u32 = 0;
      while (next != 0) {
        if (h + hl + 1 > cap || n >= 16) return;
        let el = u8at(f + h + hl) << 2;
        if (el == 0 || h + hl + el > cap) return;
        next = u8at(f + h + hl + el - 1);
        hl += el;
        n++;
      }
    }
    setInner(d, LINKTYPE_RAW, h + hl, end);
    return;
  }
  if (sp == 4789 || dp == 4789 || sp == 8472 || dp == 8472) {
    if (h + 8 > cap) return;
    setTunnel(d, T_VXLAN, u8at(f + h), 0, h, 0x6558, be32(f + h + 4) >>> 8);
    setInner(d, LINKTYPE_ETHERNET, h + 8, end);
  } else if (sp == 6081 || dp == 6081) {
    if (h + 8 > cap) return;
    let b0 = u8at(f + h);
    let proto = be16(f + h + 2);
    let hl = 8 + ((b0 & 0x3F) << 2);
    if (h + hl > cap) return;
    setTunnel(d, T_GENEVE, b0 & 0x3F, b0 >> 6, h, proto, be32(f + h + 4) >>> 8);
    if ((b0 >> 6) != 0) return;
    if (proto == 0x6558) setInner(d, LINKTYPE_ETHERNET, h + hl, end);
    else if (proto == 0x0800 || proto == 0x86dd) setInner(d, LINKTYPE_RAW, h + hl, end);
  }
}

function dissectIPv6(f: usize, off: u32, cap: u32, frameEnd: u32, d: usize, opts: u32): void {
  put16(d, D_L3_OFF, off);
  if (ipHeaderCut(f, off, cap, d, 40, 6)) return;
  let p = f + off;
  let w0 = be32(p);
  if ((w0 >>> 28) != 6) { setError(d, E_BAD_IP_VERSION); return; }
  let plen = be16(p + 4);
  let nxt = u8at(p + 6);
  setLayer(d, L_IP6);
  put8(d, D_IP_VERSION, 6);
  put8(d, D_IP_TOS, (w0 >>> 20) & 0xFF);
  put32(d, D_IP6_FLOW, w0 & 0xFFFFF);
  put16(d, D_IP_LEN, clamp16(plen + 40));
  put32(d, D_IP_TOTAL, plen + 40);
  put8(d, D_IP_NXT, nxt);
  put8(d, D_IP_TTL, u8at(p + 7));

  let payloadEnd = off + 40 + plen;
  let h = off + 40;
  let nh = nxt;
  let count: u32 = 0;
  let fo: u32 = 0;
  let more = false;
  let jumbo = false;
  while (count < MAX_EXT) {
    let len: u32 = 0;
    if (nh == 6 || nh == 17 || nh == 58) break; // the upper layers, without the chain below
    if (nh == 0 || nh == 43 || nh == 60 || nh == 135 || nh == 139 || nh == 140) {
      if (h + 2 > cap) { setError(d, E_TRUNC_L3); break; }
      len = (u8at(f + h + 1) + 1) << 3;
      if (nh == 0 && plen == 0 && h + len <= cap) {
        // Jumbo Payload option (RFC 2675): the real length lives in hop-by-hop.
        let o = h + 2;
        while (o < h + len) {
          let t = u8at(f + o);
          if (t == 0) { o++; continue; }
          if (o + 2 > h + len) break;
          let ol = u8at(f + o + 1);
          if (t == 0xC2 && ol == 4 && o + 6 <= h + len) {
            let jl = be32(f + o + 2);
            payloadEnd = off + 40 + jl;
            jumbo = true;
            put16(d, D_IP_LEN, 0xFFFF);
            put32(d, D_IP_TOTAL, jl > 0xFFFFFFD7 ? 0xFFFFFFFF : jl + 40);
            put16(d, D_IP6_JUMBO_OFF, o + 2);
            break;
          }
          o += 2 + ol;
        }
      }
    } else if (nh == 44) {
      len = 8;
      if (h + 8 > cap) { setError(d, E_TRUNC_L3); break; }
      let fw = be16(f + h + 2);
      fo = fw & 0xFFF8;
      more = (fw & 1) != 0;
      put16(d, D_FRAG_OFF, fo);
      put32(d, D_FRAG_ID, be32(f + h + 4));
      put16(d, D_IP_ID, be32(f + h + 4) & 0xFFFF);
      if (more) put8(d, D_IP_FLAGS, IPF_MF);
      if (more || fo != 0) setLayer(d, L_FRAG);
    } else if (nh == 51) {
      if (h + 2 > cap) { setError(d, E_TRUNC_L3); break; }
      len = (u8at(f + h + 1) + 2) << 2;
    } else {
      break; // upper layer, ESP (50) or No Next Header (59)
    }
    // Where headers 2..5 start, for printers that show each one (the first is at off + 40).
    if (count >= 1 && count <= 4) put8(d, D_IP6_EXT_OFF + <i32>count - 1, h - off <= 1020 ? (h - off) >> 2 : 0);
    if (h + len > payloadEnd && !jumbo) { setError(d, E_BAD_EXT_HDR); h += len; count++; break; }
    if (h + len > cap) { setError(d, E_TRUNC_L3); h += len; count++; break; }
    nh = u8at(f + h);
    h += len;
    count++;
    if (fo != 0) break; // a non-first fragment: what follows is not a header
  }
  put8(d, D_IP6_EXT_COUNT, count);
  put8(d, D_IP_PROTO, nh);
  put16(d, D_L3_HDR_LEN, clamp16(h - off));
  if (payloadEnd > frameEnd) setError(d, E_BAD_IP_LEN);
  let l4len = payloadEnd > h ? payloadEnd - h : 0;
  put16(d, D_IP_PAYLOAD_LEN, clamp16(l4len));
  if ((gErrors & (E_TRUNC_L3 | E_BAD_EXT_HDR)) != 0) return;
  if (fo != 0) return;
  if ((opts & DF_VERIFY_CKSUM) != 0) setLayer(d, L_CKSUM_CHECKED);
  let verify = (opts & DF_VERIFY_CKSUM) != 0 && !more && h + l4len <= cap;
  dissectL4(f, off, nh, h, l4len, cap, d, verify, true, more);
}

@inline function l4Verify(f: usize, ip: u32, l4: u32, len: u32, proto: u32, v6: bool): bool {
  let init = v6 ? cksum_pseudo_ipv6(f + ip, proto, len) : cksum_pseudo_ipv4(f + ip, proto, len);
  return cksum_partial(f + l4, len, init) == 0xFFFF;
}

@inline function dissectTCP(f: usize, ip: u32, l4: u32, l4len: u32, cap: u32, d: usize, verify: bool, v6: bool, firstFrag: bool): void {
  put16(d, D_L4_OFF, l4);
  if (l4 + 20 > cap) { setError(d, E_TRUNC_L4); return; }
  let t = f + l4;
  let offFlags = be16(t + 12);
  let doff = (offFlags >> 12) << 2;
  // The header length is recorded even for a segment too short to hold the header, so
  // that a printer can say what the header claimed.
  put16(d, D_L4_HDR_LEN, doff);
  if (l4len < 20 && !firstFrag) { setError(d, E_BAD_TCP_OFF); return; }
  setLayer(d, L_TCP);
  // The first 16 header bytes are the descriptor's D_SRC_PORT..D_TCP_WINDOW in the same
  // order, each field byte-swapped: one shuffle, the data offset masked out of the flags.
  v128.store(d + D_SRC_PORT, v128.and(
    i8x16.shuffle(v128.load(t), v128.load(t), 1, 0, 3, 2, 7, 6, 5, 4, 11, 10, 9, 8, 13, 12, 15, 14),
    i8x16(-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, 0x0F, -1, -1)));
  put16(d, D_L4_CKSUM, be16(t + 16));
  put16(d, D_TCP_URG, be16(t + 18));
  if (doff < 20 || (doff > l4len && !firstFrag)) { setError(d, E_BAD_TCP_OFF); return; }
  put16(d, D_PAYLOAD_OFF, l4 + doff);
  put16(d, D_PAYLOAD_LEN, l4len > doff ? clamp16(l4len - doff) : 0);
  if (verify) {
    if (!l4Verify(f, ip, l4, l4len, 6, v6)) setError(d, E_BAD_L4_CKSUM);
  }
  if (l4 + doff > cap) { setError(d, E_TRUNC_L4); return; }

  let o = t + 20;
  let end = t + doff;
  // NOP, NOP, Timestamps and nothing else: the layout RFC 7323 (appendix A) suggests and
  // Linux and the BSDs send on every segment after the handshake. Read straight, with the
  // result the walk below would give.
  if (doff == 32 && load<u32>(o) == 0x0A080101) {
    put32(d, D_TCP_TSVAL, be32(o + 4));
    put32(d, D_TCP_TSECR, be32(o + 8));
    put8(d, D_TCP_OPTS, TO_TIMESTAMP);
    return;
  }
  let seen: u32 = 0;
  while (o < end) {
    let olen = optionLen(o, end, d);
    if (olen == 0) break;
    if (olen == 1) { o++; continue; }
    let kind = u8at(o);
    if (kind == 2 && olen == 4) {
      seen |= TO_MSS; put16(d, D_TCP_MSS, be16(o + 2));
    } else if (kind == 3 && olen == 3) {
      seen |= TO_WSCALE; put8(d, D_TCP_WSCALE, u8at(o + 2));
    } else if (kind == 4 && olen == 2) {
      seen |= TO_SACK_PERM;
    } else if (kind == 5 && olen >= 10 && ((olen - 2) & 7) == 0) {
      seen |= TO_SACK;
      put8(d, D_SACK_COUNT, (olen - 2) >> 3);
      put16(d, D_SACK_OFF, <u32>(o + 2 - f));
    } else if (kind == 8 && olen == 10) {
      seen |= TO_TIMESTAMP;
      put32(d, D_TCP_TSVAL, be32(o + 2));
      put32(d, D_TCP_TSECR, be32(o + 6));
    } else if (kind == 19 && olen == 18) {
      seen |= TO_MD5;
    } else if (kind <= 8) {
      setError(d, E_BAD_OPTION); // a known option with the wrong length
    } else {
      seen |= TO_OTHER;
    }
    o += olen;
  }
  put8(d, D_TCP_OPTS, seen);
}

@inline function dissectUDP(f: usize, ip: u32, l4: u32, l4len: u32, cap: u32, d: usize, verify: bool, v6: bool, firstFrag: bool): void {
  put16(d, D_L4_OFF, l4);
  if (l4 + 8 > cap) { setError(d, E_TRUNC_L4); return; }
  let u = f + l4;
  let ulen = be16(u + 4);
  setLayer(d, L_UDP);
  store<u32>(d + D_SRC_PORT, swap16x2(load<u32>(u))); // D_SRC_PORT, then D_DST_PORT
  store<u32>(d + D_L4_CKSUM, bswap<u32>(load<u32>(u + 4))); // D_L4_CKSUM, then D_UDP_LEN
  put16(d, D_L4_HDR_LEN, 8);
  put16(d, D_PAYLOAD_OFF, l4 + 8);
  if (ulen < 8 || ulen > l4len) {
    if (ulen < 8 || !firstFrag) setError(d, E_BAD_UDP_LEN);
    put16(d, D_PAYLOAD_LEN, l4len >= 8 ? clamp16(l4len - 8) : 0);
    return;
  }
  put16(d, D_PAYLOAD_LEN, ulen - 8);
  if (verify && l4 + ulen <= cap) {
    // A zero checksum means "none" over IPv4 (RFC 768); over IPv6 it is invalid (RFC 8200 §8.1).
    if (v6 || be16(u + 6) != 0) {
      if (!l4Verify(f, ip, l4, ulen, 17, v6)) setError(d, E_BAD_L4_CKSUM);
    }
  }
  if (!firstFrag) dissectUDPTunnel(f, be16(u), be16(u + 2), l4, l4 + ulen, cap, d);
}

function dissectICMP(f: usize, ip: u32, l4: u32, l4len: u32, cap: u32, d: usize, verify: bool, v6: bool): void {
  put16(d, D_L4_OFF, l4);
  // The IP length bounds the message (RFC 8200 §3, RFC 791): bytes past it (an Ethernet
  // trailer after a payload length of 0) are no ICMP header; tcpdump prints
  // "ICMP6, length 0 (invalid)" and tshark no icmpv6 layer.
  if (l4len < 4) return;
  if (l4 + 4 > cap) { setError(d, E_TRUNC_L4); return; }
  let c = f + l4;
  let type = u8at(c);
  setLayer(d, v6 ? L_ICMP6 : L_ICMP);
  put8(d, D_ICMP_TYPE, type);
  put8(d, D_ICMP_CODE, u8at(c + 1));
  put16(d, D_L4_CKSUM, be16(c + 2));
  let hdr: u32 = l4len >= 8 ? 8 : 4;
  put16(d, D_L4_HDR_LEN, hdr);
  put16(d, D_PAYLOAD_OFF, l4 + hdr);
  put16(d, D_PAYLOAD_LEN, l4len >= hdr ? clamp16(l4len - hdr) : 0);
  let echo = v6 ? (type == 128 || type == 129) : (type == 0 || type == 8 || (type >= 13 && type <= 18));
  if (echo && l4 + 8 <= cap) {
    put16(d, D_ICMP_ID, be16(c + 4));
    put16(d, D_ICMP_SEQ, be16(c + 6));
  }
  if (verify) {
    let ok = v6 ? l4Verify(f, ip, l4, l4len, 58, true) : cksum_partial(c, l4len, 0) == 0xFFFF;
    if (!ok) setError(d, E_BAD_L4_CKSUM);
  }
}

/** Dissects `count` frames of a frame table into consecutive descriptors at `out`.
 *  Returns how many frames carry an error other than snaplen truncation. */
export function dissect_batch(table: usize, count: u32, out: usize, opts: u32): u32 {
  let bad: u32 = 0;
  for (let i: u32 = 0; i < count; i++) {
    let e = table + (<usize>i << 4);
    let d = out + <usize>i * <usize>DESC_SIZE;
    dissectOne(load<u32>(e + FRAME_PTR), load<u32>(e + FRAME_CAPLEN), load<u32>(e + FRAME_WIRELEN),
      <u32>load<u16>(e + FRAME_LINKTYPE), d, opts);
    if ((gErrors & ~E_SNAPLEN) != 0) bad++;
  }
  return bad;
}
