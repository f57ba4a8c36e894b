// Packet building, the inverse of dissection: a fixed-layout build spec (B_*, the same
// vocabulary as the descriptor's D_*) says which headers to write and with what values;
// build_packet writes them into a pool buffer in front of the payload already there,
// innermost first (sk_buff style: push L4, then L3, then L2), and fills in every length
// and checksum. build_ipv4_fragment and build_ipv6_fragment split a built packet into pool
// buffers.
//
// Nothing here allocates; errors come back as negative results (BERR_*), never traps.
import { L_ETH, L_VLAN, L_ARP, L_IP4, L_IP6, L_TCP, L_UDP, L_ICMP, L_ICMP6, IPF_MF, IPF_DF, IPF_RF,
  TO_MSS, TO_WSCALE, TO_SACK_PERM, TO_TIMESTAMP, TO_SACK } from "./layout";
import { cksum_partial, cksum_ipv4_header, cksum_l4_ipv4, cksum_l4_ipv6 } from "./checksum";
import { pool_alloc, pool_free, pool_push, pool_put, pool_data, pool_len, pool_headroom, MB_DATA, MB_LEN } from "./pool";
import {
  B_LAYERS, B_FLAGS, B_ETH_DST, B_ETH_SRC, B_ETH_TYPE, B_VLAN_COUNT, B_VLAN0, B_VLAN1,
  B_VLAN_TPID0, B_VLAN_TPID1, B_IP_TOS, B_IP_TTL, B_IP_PROTO, B_IP_FLAGS, B_IP_ID, B_FRAG_OFF,
  B_IP6_FLOW, B_IP_OPTS, B_IP_OPTS_LEN, B_IP6_EXT_COUNT, B_IP6_EXT_TYPES, B_IP_SRC, B_IP_DST,
  B_SRC_PORT, B_DST_PORT, B_TCP_SEQ, B_TCP_ACK, B_TCP_FLAGS, B_TCP_WINDOW, B_TCP_URG, B_TCP_MSS,
  B_TCP_OPTS, B_TCP_WSCALE, B_SACK_COUNT, B_ICMP_TYPE, B_TCP_TSVAL, B_TCP_TSECR, B_SACK,
  B_ICMP_CODE, B_ARP_OP, B_ICMP_ID, B_ICMP_SEQ, B_ARP_SHA, B_ARP_THA, B_OUT_L3_OFF, B_OUT_L4_OFF,
  B_OUT_LEN, BF_UDP_NO_CKSUM, BERR_HEADROOM, BERR_OPTIONS, BERR_TOO_BIG, BERR_SPEC, BERR_DF,
  BERR_MTU, BERR_NO_BUFFER, BERR_TOO_MANY, BERR_FRAGMENTED, BERR_CHAIN,
} from "./builder-layout";
// The spec layout (B_*), its flags (BF_*) and errors (BERR_*) live in builder-layout.ts, so
// that the host's copy can be generated from them.

@inline function s8(s: usize, off: i32): u32 { return <u32>load<u8>(s + <usize>off); }
@inline function s16(s: usize, off: i32): u32 { return <u32>load<u16>(s + <usize>off); }
@inline function s32(s: usize, off: i32): u32 { return load<u32>(s + <usize>off); }
@inline function w16(p: usize, v: u32): void { store<u16>(p, bswap<u16>(<u16>v)); }
@inline function w32(p: usize, v: u32): void { store<u32>(p, bswap<u32>(v)); }
@inline function r16(p: usize): u32 { return <u32>bswap<u16>(load<u16>(p)); }

/** Bytes the TCP options of the spec take, padded to 4; > 40 means they do not fit. */
function tcpOptLen(s: usize): u32 {
  let o = s8(s, B_TCP_OPTS);
  let n: u32 = 0;
  if (o & TO_MSS) n += 4;
  if (o & TO_TIMESTAMP) n += 12; // with SACK-permitted in its NOP slots, or NOP NOP TS
  else if (o & TO_SACK_PERM) n += 4; // NOP NOP SACK-permitted
  if (o & TO_WSCALE) n += 4; // NOP WS
  if (o & TO_SACK) {
    let c = s8(s, B_SACK_COUNT);
    if (c == 0 || c > 4) return 255;
    n += 4 + (c << 3); // NOP NOP SACK
  }
  return n;
}

/** Writes TCP options at `p` in the order Linux sends them (tcp_options_write). */
function writeTcpOpts(s: usize, p: usize): void {
  let o = s8(s, B_TCP_OPTS);
  if (o & TO_MSS) { store<u8>(p, 2); store<u8>(p, 4, 1); w16(p + 2, s16(s, B_TCP_MSS)); p += 4; }
  if (o & TO_TIMESTAMP) {
    if (o & TO_SACK_PERM) { store<u8>(p, 4); store<u8>(p, 2, 1); } else { store<u8>(p, 1); store<u8>(p, 1, 1); }
    store<u8>(p, 8, 2); store<u8>(p, 10, 3);
    w32(p + 4, s32(s, B_TCP_TSVAL)); w32(p + 8, s32(s, B_TCP_TSECR));
    p += 12;
  } else if (o & TO_SACK_PERM) {
    store<u8>(p, 1); store<u8>(p, 1, 1); store<u8>(p, 4, 2); store<u8>(p, 2, 3);
    p += 4;
  }
  if (o & TO_WSCALE) { store<u8>(p, 1); store<u8>(p, 3, 1); store<u8>(p, 3, 2); store<u8>(p, s8(s, B_TCP_WSCALE), 3); p += 4; }
  if (o & TO_SACK) {
    let c = s8(s, B_SACK_COUNT);
    store<u8>(p, 1); store<u8>(p, 1, 1); store<u8>(p, 5, 2); store<u8>(p, 2 + (c << 3), 3);
    p += 4;
    for (let i: u32 = 0; i < c; i++) {
      w32(p, s32(s, B_SACK + <i32>(i << 3)));
      w32(p + 4, s32(s, B_SACK + <i32>(i << 3) + 4));
      p += 8;
    }
  }
}

/** Writes the headers the spec names in front of the payload in buffer `m`. Returns the
 *  frame length, or a BERR_* code with the buffer's window as it was. */
export function build_packet(s: usize, m: usize): i32 {
  let headroom0 = pool_headroom(m);
  let len0 = pool_len(m);
  let r = buildLayers(s, m, s32(s, B_LAYERS));
  if (r < 0) {
    // Undo partial pushes: the caller's payload stays where it was.
    store<u32>(m + <usize>MB_DATA, headroom0);
    store<u32>(m + <usize>MB_LEN, len0);
    return r;
  }
  // While building, the OUT offsets held "bytes from this header to the end".
  let total = pool_len(m);
  store<u32>(s + <usize>B_OUT_LEN, total);
  store<u32>(s + <usize>B_OUT_L3_OFF, total - s32(s, B_OUT_L3_OFF));
  store<u32>(s + <usize>B_OUT_L4_OFF, total - s32(s, B_OUT_L4_OFF));
  return <i32>total;
}

function buildLayers(s: usize, m: usize, layers: u32): i32 {
  let l4kind = layers & (L_TCP | L_UDP | L_ICMP | L_ICMP6);
  let l3kind = layers & (L_IP4 | L_IP6 | L_ARP);
  // One L4 and one L3 at most; ICMP needs IPv4 (or nothing), ICMPv6 IPv6; ARP carries no L4.
  if ((l4kind & (l4kind - 1)) != 0 || (l3kind & (l3kind - 1)) != 0) return BERR_SPEC;
  if (l4kind == L_ICMP && l3kind == L_IP6) return BERR_SPEC;
  if (l4kind == L_ICMP6 && l3kind == L_IP4) return BERR_SPEC;
  if (l3kind == L_ARP && l4kind != 0) return BERR_SPEC;
  if ((layers & L_VLAN) != 0 && (layers & L_ETH) == 0) return BERR_SPEC;

  // L4, innermost first.
  let proto = s8(s, B_IP_PROTO);
  let l4: usize = 0;
  if (l4kind == L_TCP) {
    let ol = tcpOptLen(s);
    if (ol > 40) return BERR_OPTIONS;
    let t = <usize>pool_push(m, 20 + ol);
    if (t == 0) return BERR_HEADROOM;
    w16(t, s16(s, B_SRC_PORT));
    w16(t + 2, s16(s, B_DST_PORT));
    w32(t + 4, s32(s, B_TCP_SEQ));
    w32(t + 8, s32(s, B_TCP_ACK));
    w16(t + 12, (((20 + ol) >> 2) << 12) | (s16(s, B_TCP_FLAGS) & 0x0FFF));
    w16(t + 14, s16(s, B_TCP_WINDOW));
    store<u16>(t + 16, 0);
    w16(t + 18, s16(s, B_TCP_URG));
    writeTcpOpts(s, t + 20);
    proto = 6;
    l4 = t;
  } else if (l4kind == L_UDP) {
    let u = <usize>pool_push(m, 8);
    if (u == 0) return BERR_HEADROOM;
    let ulen = pool_len(m);
    if (ulen > 0xFFFF) return BERR_TOO_BIG;
    w16(u, s16(s, B_SRC_PORT));
    w16(u + 2, s16(s, B_DST_PORT));
    w16(u + 4, ulen);
    store<u16>(u + 6, 0);
    proto = 17;
    l4 = u;
  } else if (l4kind != 0) {
    let c = <usize>pool_push(m, 8);
    if (c == 0) return BERR_HEADROOM;
    store<u8>(c, <u8>s8(s, B_ICMP_TYPE));
    store<u8>(c + 1, <u8>s8(s, B_ICMP_CODE));
    store<u16>(c + 2, 0);
    w16(c + 4, s16(s, B_ICMP_ID));
    w16(c + 6, s16(s, B_ICMP_SEQ));
    if (l4kind == L_ICMP) {
      w16(c + 2, ~cksum_partial(c, pool_len(m), 0) & 0xFFFF); // no pseudo-header in ICMPv4
      proto = 1;
    } else {
      proto = 58;
    }
    l4 = c;
  }
  let l4len = pool_len(m);
  store<u32>(s + <usize>B_OUT_L4_OFF, l4len);

  // L3
  let etype = s16(s, B_ETH_TYPE);
  if (l3kind == L_IP4) {
    let ol = s16(s, B_IP_OPTS_LEN);
    let olp = (ol + 3) & ~3;
    if (olp > 40) return BERR_OPTIONS;
    let hl = 20 + olp;
    let ip = <usize>pool_push(m, hl);
    if (ip == 0) return BERR_HEADROOM;
    let total = pool_len(m);
    if (total > 0xFFFF) return BERR_TOO_BIG;
    let fl = s8(s, B_IP_FLAGS);
    let fw = (s16(s, B_FRAG_OFF) >> 3) & 0x1FFF;
    if (fl & IPF_MF) fw |= 0x2000;
    if (fl & IPF_DF) fw |= 0x4000;
    if (fl & IPF_RF) fw |= 0x8000;
    store<u8>(ip, <u8>(0x40 | (hl >> 2)));
    store<u8>(ip + 1, <u8>s8(s, B_IP_TOS));
    w16(ip + 2, total);
    w16(ip + 4, s16(s, B_IP_ID));
    w16(ip + 6, fw);
    store<u8>(ip + 8, <u8>s8(s, B_IP_TTL));
    store<u8>(ip + 9, <u8>proto);
    store<u16>(ip + 10, 0);
    memory.copy(ip + 12, s + <usize>B_IP_SRC, 4);
    memory.copy(ip + 16, s + <usize>B_IP_DST, 4);
    if (ol != 0) memory.copy(ip + 20, <usize>s32(s, B_IP_OPTS), ol);
    for (let i = ol; i < olp; i++) store<u8>(ip + 20 + <usize>i, 0); // pad with End of Options
    w16(ip + 10, cksum_ipv4_header(ip));
    // A non-first fragment carries no L4 header to sum (the payload is raw bytes then).
    if (l4kind == L_TCP) w16(l4 + 16, cksum_l4_ipv4(ip, l4, l4len, 6));
    else if (l4kind == L_UDP && (s32(s, B_FLAGS) & BF_UDP_NO_CKSUM) == 0) {
      let c = cksum_l4_ipv4(ip, l4, l4len, 17);
      w16(l4 + 6, c == 0 ? 0xFFFF : c); // a computed 0 is sent as all ones (RFC 768)
    }
    etype = 0x0800;
  } else if (l3kind == L_IP6) {
    let el = s16(s, B_IP_OPTS_LEN);
    let count = s8(s, B_IP6_EXT_COUNT);
    if (count > 8) return BERR_SPEC;
    let ip = <usize>pool_push(m, 40 + el);
    if (ip == 0) return BERR_HEADROOM;
    let plen = pool_len(m) - 40;
    if (plen > 0xFFFF) return BERR_TOO_BIG;
    w32(ip, 0x60000000 | (s8(s, B_IP_TOS) << 20) | (s32(s, B_IP6_FLOW) & 0xFFFFF));
    w16(ip + 4, plen);
    store<u8>(ip + 6, <u8>(count > 0 ? s8(s, B_IP6_EXT_TYPES) : proto));
    store<u8>(ip + 7, <u8>s8(s, B_IP_TTL));
    memory.copy(ip + 8, s + <usize>B_IP_SRC, 16);
    memory.copy(ip + 24, s + <usize>B_IP_DST, 16);
    if (el != 0) memory.copy(ip + 40, <usize>s32(s, B_IP_OPTS), el);
    // Chain the extension headers: each one's first byte names the next; their own length
    // fields must add up to the bytes given.
    let h: u32 = 0;
    for (let i: u32 = 0; i < count; i++) {
      let t = s8(s, B_IP6_EXT_TYPES + <i32>i);
      if (h + 8 > el) return BERR_SPEC;
      let p = ip + 40 + <usize>h;
      let hl: u32;
      if (t == 44) hl = 8;
      else if (t == 51) hl = (<u32>load<u8>(p + 1) + 2) << 2;
      else if (t == 0 || t == 43 || t == 60 || t == 135 || t == 139 || t == 140) hl = (<u32>load<u8>(p + 1) + 1) << 3;
      else return BERR_SPEC;
      store<u8>(p, <u8>(i + 1 < count ? s8(s, B_IP6_EXT_TYPES + <i32>i + 1) : proto));
      h += hl;
    }
    if (h != el) return BERR_SPEC;
    if (l4kind == L_TCP) w16(l4 + 16, cksum_l4_ipv6(ip, l4, l4len, 6));
    else if (l4kind == L_UDP) {
      let c = cksum_l4_ipv6(ip, l4, l4len, 17);
      w16(l4 + 6, c == 0 ? 0xFFFF : c); // zero is not allowed over IPv6 (RFC 8200 §8.1)
    } else if (l4kind == L_ICMP6) w16(l4 + 2, cksum_l4_ipv6(ip, l4, l4len, 58));
    etype = 0x86dd;
  } else if (l3kind == L_ARP) {
    let a = <usize>pool_push(m, 28);
    if (a == 0) return BERR_HEADROOM;
    w16(a, 1); // Ethernet
    w16(a + 2, 0x0800);
    store<u8>(a + 4, 6);
    store<u8>(a + 5, 4);
    w16(a + 6, s16(s, B_ARP_OP));
    memory.copy(a + 8, s + <usize>B_ARP_SHA, 6);
    memory.copy(a + 14, s + <usize>B_IP_SRC, 4);
    memory.copy(a + 18, s + <usize>B_ARP_THA, 6);
    memory.copy(a + 24, s + <usize>B_IP_DST, 4);
    etype = 0x0806;
  }
  store<u32>(s + <usize>B_OUT_L3_OFF, pool_len(m));

  // L2: tags innermost first, then the Ethernet header.
  if (layers & L_VLAN) {
    let n = s8(s, B_VLAN_COUNT);
    if (n == 0 || n > 2) return BERR_SPEC;
    for (let i = <i32>n - 1; i >= 0; i--) {
      let v = <usize>pool_push(m, 4);
      if (v == 0) return BERR_HEADROOM;
      w16(v, s16(s, i == 0 ? B_VLAN0 : B_VLAN1));
      w16(v + 2, etype);
      let tpid = s16(s, i == 0 ? B_VLAN_TPID0 : B_VLAN_TPID1);
      etype = tpid == 0 ? 0x8100 : tpid;
    }
  }
  if (layers & L_ETH) {
    let e = <usize>pool_push(m, 14);
    if (e == 0) return BERR_HEADROOM;
    memory.copy(e, s + <usize>B_ETH_DST, 6);
    memory.copy(e + 6, s + <usize>B_ETH_SRC, 6);
    w16(e + 12, etype);
  }
  return 0;
}

/** Splits the IPv4 packet at offset `l3off` of buffer `m` (link header before it) into
 *  fragments of at most `mtu` bytes of IP packet each, in new buffers of `pool` whose
 *  handles go to the u32 array `out` (room for `max`). Options without the copy flag
 *  ride only in the first fragment (RFC 791 §3.2). Returns the number of fragments (0:
 *  the packet fits, nothing done) or a BERR_* code, keeping no buffer. `m` is untouched. */
export function build_ipv4_fragment(pool: usize, m: usize, l3off: u32, mtu: u32, out: usize, max: u32): i32 {
  let ip = ipHeader(m, l3off, 20, 4);
  if (ip == 0) return BERR_SPEC;
  let frame = ip - <usize>l3off;
  let hl = (<u32>load<u8>(ip) & 15) << 2;
  let total = r16(ip + 2);
  if (hl < 20 || total < hl || l3off + total > pool_len(m)) return BERR_SPEC;
  if (total <= mtu) return 0;
  let fw = r16(ip + 6);
  if (fw & 0x4000) return BERR_DF;

  // Later fragments' options: those with the copy flag, in order, padded to 4.
  let copied: u32 = 0;
  let o = ip + 20;
  let oend = ip + <usize>hl;
  while (o < oend) {
    let kind = <u32>load<u8>(o);
    if (kind == 0) break;
    if (kind == 1) { o++; continue; }
    if (o + 1 >= oend) return BERR_SPEC;
    let ol = <u32>load<u8>(o + 1);
    if (ol < 2 || o + <usize>ol > oend) return BERR_SPEC;
    if (kind & 0x80) copied += ol;
    o += ol;
  }
  let hl2: u32 = 20 + ((copied + 3) & ~3);
  if (mtu < hl + 8 || mtu < hl2 + 8) return BERR_MTU;
  let first = (mtu - hl) & ~7;
  let rest = (mtu - hl2) & ~7;
  let data = total - hl;
  let n: u32 = 1;
  if (data > first) n += (data - first + rest - 1) / rest;
  if (n > max) return BERR_TOO_MANY;

  let baseOff = (fw & 0x1FFF) << 3;
  let moreAfter = (fw & 0x2000) != 0; // refragmenting a fragment that was not the last
  let done: u32 = 0;
  let at: u32 = 0; // payload bytes already placed
  for (let i: u32 = 0; i < n; i++) {
    let h = i == 0 ? hl : hl2;
    let chunk = i == 0 ? first : rest;
    if (chunk > data - at) chunk = data - at;
    let p = fragmentBuffer(pool, out, i, l3off + h + chunk);
    if (p == 0) return gFragmentError;
    memory.copy(p, frame, l3off);
    let q = p + <usize>l3off;
    memory.copy(q, ip, 20);
    if (i == 0) {
      memory.copy(q + 20, ip + 20, hl - 20);
    } else {
      let w = q + 20;
      o = ip + 20;
      while (o < oend) {
        let kind = <u32>load<u8>(o);
        if (kind == 0) break;
        if (kind == 1) { o++; continue; }
        let ol = <u32>load<u8>(o + 1);
        if (kind & 0x80) { memory.copy(w, o, ol); w += ol; }
        o += ol;
      }
      while (w < q + <usize>h) { store<u8>(w, 0); w++; }
    }
    store<u8>(q, <u8>(0x40 | (h >> 2)));
    w16(q + 2, h + chunk);
    let more = i + 1 < n || moreAfter;
    w16(q + 6, (fw & 0xC000) | (more ? 0x2000 : 0) | (((baseOff + at) >> 3) & 0x1FFF));
    store<u16>(q + 10, 0);
    w16(q + 10, cksum_ipv4_header(q));
    memory.copy(q + <usize>h, ip + <usize>hl + <usize>at, chunk);
    at += chunk;
    done++;
  }
  return <i32>done;
}

/** Both fragmenters' start: the address of the IP header at `l3off` of buffer `m` if `min`
 *  bytes of it are there and it is of IP version `version`, else 0. */
function ipHeader(m: usize, l3off: u32, min: u32, version: u32): usize {
  if (l3off + min > pool_len(m)) return 0;
  let ip = <usize>pool_data(m) + <usize>l3off;
  return (<u32>load<u8>(ip) >> 4) == version ? ip : 0;
}

// Why fragmentBuffer() returned 0.
let gFragmentError: i32 = 0;

/** Fragment `i`'s buffer, from `pool` into out[i], holding `len` bytes: its data address,
 *  or 0 with BERR_NO_BUFFER / BERR_TOO_BIG in gFragmentError and every buffer taken so far
 *  given back. */
function fragmentBuffer(pool: usize, out: usize, i: u32, len: u32): usize {
  let f = <usize>pool_alloc(pool);
  if (f == 0) { unwind(pool, out, i); gFragmentError = BERR_NO_BUFFER; return 0; }
  store<u32>(out + (<usize>i << 2), <u32>f);
  let p = <usize>pool_put(f, len);
  if (p == 0) { unwind(pool, out, i + 1); gFragmentError = BERR_TOO_BIG; return 0; }
  return p;
}

function unwind(pool: usize, out: usize, n: u32): void {
  for (let i: u32 = 0; i < n; i++) pool_free(pool, <usize>load<u32>(out + (<usize>i << 2)));
}

/** Length of the IPv6 extension header of type `t` at `p` (RFC 8200 §4; AH: RFC 4302 §2.2),
 *  or 0 when `t` is not one whose length this walk knows. */
@inline function ip6ExtLen(t: u32, p: usize): u32 {
  if (t == 0 || t == 43 || t == 60) return (<u32>load<u8>(p + 1) + 1) << 3;
  if (t == 51) return (<u32>load<u8>(p + 1) + 2) << 2;
  return 0;
}

/** Splits the IPv6 packet at offset `l3off` of buffer `m` (link header before it) into
 *  fragments of at most `mtu` bytes of IP packet each, as a source does (RFC 8200 §4.5):
 *  each fragment repeats the Unfragmentable Part (the IPv6 header and the extension
 *  headers up to and including the last Routing header, else the Hop-by-Hop header if
 *  first, else none) with its Payload Length set and its last Next Header set to 44, then
 *  a Fragment header (the first fragmentable header's type, the offset in 8-octet units,
 *  M on all but the last, identification `id`), then the next piece of the Fragmentable
 *  Part; every piece but the last a multiple of 8 octets. The first fragment must hold
 *  the whole header chain through the upper-layer header (RFC 7112), else BERR_CHAIN.
 *  Handles go to the u32 array `out` (room for `max`). Returns the number of fragments
 *  (0: the packet fits, nothing done; no atomic fragments, RFC 8021) or a BERR_* code,
 *  keeping no buffer: BERR_SPEC for a packet that is no IPv6 or is cut, BERR_FRAGMENTED
 *  for one that already carries a Fragment header or is a jumbogram (RFC 2675 forbids
 *  fragmenting those), BERR_CHAIN as above. `m` is untouched. */
export function build_ipv6_fragment(pool: usize, m: usize, l3off: u32, mtu: u32, id: u32, out: usize, max: u32): i32 {
  let ip = ipHeader(m, l3off, 40, 6);
  if (ip == 0) return BERR_SPEC;
  let frame = ip - <usize>l3off;
  let plen = r16(ip + 4);
  if (plen == 0) return BERR_FRAGMENTED;
  let total: u32 = 40 + plen;
  if (l3off + total > pool_len(m)) return BERR_SPEC;
  if (total <= mtu) return 0;

  // Walk the chain: where the Unfragmentable Part ends (unfrag), the Next Header field that
  // names its first fragmentable header (nh, an offset from ip: the last unfragmentable
  // header's first byte, or the IPv6 header's), and where the upper-layer header ends
  // (chain), which the first fragment must hold.
  let unfrag: u32 = 40;
  let nh: u32 = 6;
  let at: u32 = 40;
  let t = <u32>load<u8>(ip + 6);
  let chain: u32 = 0;
  while (true) {
    if (t == 44) return BERR_FRAGMENTED;
    if (at > total) return BERR_SPEC;
    if (t == 0 || t == 43 || t == 60 || t == 51) {
      if (at + 8 > total) return BERR_SPEC;
      let p = ip + <usize>at;
      let hl = ip6ExtLen(t, p);
      if (at + hl > total) return BERR_SPEC;
      if ((t == 0 && at == 40) || t == 43) { unfrag = at + hl; nh = at; }
      t = <u32>load<u8>(p);
      at += hl;
      continue;
    }
    // The upper-layer header (or ESP, whose header opens what is encrypted).
    let ul: u32 = 0;
    if (t == 6) ul = at + 13 <= total ? (<u32>load<u8>(ip + <usize>at + 12) >> 4) << 2 : 20;
    else if (t == 17 || t == 50) ul = 8;
    else if (t == 58) ul = 4;
    chain = at + ul;
    if (chain > total) chain = total;
    break;
  }
  let first = <u32>load<u8>(ip + <usize>nh); // type of the first fragmentable header
  if (mtu < unfrag + 8 + 8) return BERR_MTU;
  let piece = (mtu - unfrag - 8) & ~7;
  if (unfrag + piece < chain) return BERR_CHAIN;
  let data = total - unfrag;
  let n = (data + piece - 1) / piece;
  if (n > max) return BERR_TOO_MANY;

  let done: u32 = 0;
  let off: u32 = 0; // fragmentable bytes already placed
  for (let i: u32 = 0; i < n; i++) {
    let chunk = piece;
    if (chunk > data - off) chunk = data - off;
    let p = fragmentBuffer(pool, out, i, l3off + unfrag + 8 + chunk);
    if (p == 0) return gFragmentError;
    memory.copy(p, frame, l3off + unfrag);
    let q = p + <usize>l3off;
    w16(q + 4, unfrag - 40 + 8 + chunk);
    store<u8>(q + <usize>nh, 44);
    let fh = q + <usize>unfrag;
    store<u8>(fh, <u8>first);
    store<u8>(fh + 1, 0);
    w16(fh + 2, off | (i + 1 < n ? 1 : 0));
    w32(fh + 4, id);
    memory.copy(fh + 8, ip + <usize>unfrag + <usize>off, chunk);
    off += chunk;
    done++;
  }
  return <i32>done;
}
