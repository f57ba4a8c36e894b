// Pure-TS twin of assembly/dissect.ts. Same control flow, same bounds checks, same
// descriptor bytes: the differential tests demand identical descriptors. Descriptor
// stores go through aligned typed arrays, so `out` must be 8-byte aligned (arena
// regions are 64-byte aligned).
import type { DissectExports } from './exports.js';
import type { MemoryViews } from '../runtime/memory.js';
import type { ChecksumExports } from '../checksum/exports.js';
import { appTwinOf, type AppTwin } from '../app/twin.js';
import {
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
  FRAME_WORDS, FRAME_W_PTR, FRAME_W_CAPLEN, FRAME_W_WIRELEN, FRAME_W_LINK,
} from '../runtime/layout.js';

const MAX_TAGS = 8;
const MAX_EXT = 16;

function bswap32(v: number): number {
  return (((v & 0xFF) << 24) | ((v & 0xFF00) << 8) | ((v >>> 8) & 0xFF00) | (v >>> 24)) >>> 0;
}

function clamp16(v: number): number {
  return v > 0xFFFF ? 0xFFFF : v;
}

/** assembly/dissect.ts: chdlcType() (SLARP is not RARP). */
function chdlcType(t: number): number {
  return t === 0x8035 ? 0 : t;
}

/** assembly/dissect.ts: pppEthertype(). */
function pppEthertype(proto: number): number {
  if (proto === 0x0021 || proto === 0x0800) return 0x0800;
  if (proto === 0x0057 || proto === 0x86dd) return 0x86dd;
  if (proto === 0x0281) return 0x8847;
  if (proto === 0x0283) return 0x8848;
  return 0;
}

function isTag(t: number): boolean {
  return t === 0x8100 || t === 0x88a8 || t === 0x9100;
}

export class DissectTwin implements DissectExports {
  private readonly views: MemoryViews;
  private readonly cks: ChecksumExports;
  private readonly app: AppTwin;
  private m: Uint8Array;
  private m16: Uint16Array;
  private m32: Uint32Array;

  constructor(views: MemoryViews, cks: ChecksumExports) {
    this.views = views;
    this.cks = cks;
    this.app = appTwinOf(views);
    this.m = views.u8;
    this.m16 = views.u16;
    this.m32 = views.u32;
  }

  private sync(): void {
    const v = this.views.refresh();
    this.m = v.u8;
    this.m16 = v.u16;
    this.m32 = v.u32;
  }

  private be16(p: number): number {
    const m = this.m;
    return (m[p] << 8) | m[p + 1];
  }

  private be32(p: number): number {
    const m = this.m;
    return ((m[p] << 24) | (m[p + 1] << 16) | (m[p + 2] << 8) | m[p + 3]) >>> 0;
  }

  // Layer and error bits of the frame being dissected, stored once per frame (as the
  // WASM side keeps them in globals): a read-modify-write of the descriptor per bit
  // costs more than the bit.
  private layers = 0;
  private errors = 0;

  private setLayer(_d: number, bit: number): void {
    this.layers |= bit;
  }

  private setError(_d: number, bit: number): void {
    this.errors |= bit;
  }

  private put8(d: number, off: number, v: number): void {
    this.m[d + off] = v;
  }

  private put16(d: number, off: number, v: number): void {
    this.m16[(d + off) >>> 1] = v;
  }

  private put32(d: number, off: number, v: number): void {
    this.m32[(d + off) >>> 2] = v;
  }

  dissect_frame(f: number, cap: number, wire: number, linktype: number, d: number, opts: number): void {
    this.sync();
    this.one(f >>> 0, cap >>> 0, wire >>> 0, linktype & 0xFFFF, d >>> 0, opts >>> 0);
  }

  private one(f: number, cap: number, wire: number, linktype: number, d: number, opts: number): void {
    this.layers = 0;
    this.errors = 0;
    this.frame(f, cap, wire, linktype, d, opts);
    const m32 = this.m32;
    m32[(d + D_LAYERS) >>> 2] = this.layers;
    m32[(d + D_ERRORS) >>> 2] = this.errors;
    if ((opts & DF_APP) !== 0) this.app.app_frame(f, d); // the application layer, on request (host/app/)
  }

  dissect_batch(table: number, count: number, out: number, opts: number): number {
    this.sync();
    const m32 = this.m32;
    let bad = 0;
    for (let i = 0; i < count; i++) {
      const e = (table >>> 2) + i * FRAME_WORDS;
      const d = out + i * DESC_SIZE;
      this.one(m32[e + FRAME_W_PTR], m32[e + FRAME_W_CAPLEN], m32[e + FRAME_W_WIRELEN], m32[e + FRAME_W_LINK] & 0xFFFF, d, opts);
      if ((this.errors & ~E_SNAPLEN) !== 0) bad++;
    }
    return bad;
  }

  private frame(f: number, cap: number, wire: number, linktype: number, d: number, opts: number): void {
    this.m32.fill(0, d >>> 2, (d + DESC_SIZE) >>> 2);
    this.put32(d, D_WIRELEN, wire);
    this.put32(d, D_CAPLEN, cap);
    this.put16(d, D_LINKTYPE, linktype);
    if (cap > wire) this.setError(d, E_CAPLEN_OVER_WIRE);
    else if (cap < wire) this.setError(d, E_SNAPLEN);
    const frameEnd = wire > cap ? wire : cap;
    const m = this.m;

    let off = 0;
    let type = 0;
    let tagsAllowed = false;
    switch (linktype) {
      case LINKTYPE_ETHERNET: {
        if (cap < 14) { this.setError(d, E_TRUNC_L2); return; }
        type = this.be16(f + 12);
        this.put16(d, D_ETH_TYPE, type);
        this.setLayer(d, L_ETH);
        off = 14;
        tagsAllowed = true;
        break;
      }
      case LINKTYPE_LINUX_SLL: {
        if (cap < 16) { this.setError(d, E_TRUNC_L2); return; }
        this.put16(d, D_L2_PROTO, this.be16(f));
        type = this.be16(f + 14);
        this.setLayer(d, L_SLL);
        off = 16;
        if (this.be16(f + 2) === 824) type = 0;
        tagsAllowed = true;
        break;
      }
      case LINKTYPE_LINUX_SLL2: {
        if (cap < 20) { this.setError(d, E_TRUNC_L2); return; }
        this.put16(d, D_L2_PROTO, m[f + 10]);
        type = this.be16(f);
        this.setLayer(d, L_SLL2);
        off = 20;
        if (this.be16(f + 8) === 824) type = 0;
        tagsAllowed = true;
        break;
      }
      case LINKTYPE_NULL:
      case LINKTYPE_LOOP: {
        if (cap < 4) { this.setError(d, E_TRUNC_L2); return; }
        let fam = linktype === LINKTYPE_LOOP ? this.be32(f) : bswap32(this.be32(f));
        if ((fam & 0xFFFF0000) !== 0) fam = bswap32(fam);
        this.put16(d, D_L2_PROTO, fam);
        this.setLayer(d, L_NULL);
        off = 4;
        if (fam === 2) type = 0x0800;
        else if (fam === 10 || fam === 24 || fam === 28 || fam === 30) type = 0x86dd;
        break;
      }
      case LINKTYPE_RAW:
      case 12:
      case 14:
      case LINKTYPE_IPV4:
      case LINKTYPE_IPV6: {
        if (cap < 1) { this.setError(d, E_TRUNC_L3); return; }
        this.setLayer(d, L_RAW);
        const v = m[f] >> 4;
        if (v === 4) type = 0x0800;
        else if (v === 6) type = 0x86dd;
        else { this.setError(d, E_BAD_IP_VERSION); return; }
        break;
      }
      case LINKTYPE_PPP: {
        if (cap < 4) { this.setError(d, E_TRUNC_L2); return; }
        type = this.pppHeader(f, 0, cap, d);
        off = this.gOff;
        break;
      }
      case LINKTYPE_PPP_HDLC: {
        if (cap < 4) { this.setError(d, E_TRUNC_L2); return; }
        const a = m[f];
        if (a === 0xFF) {
          const proto = this.be16(f + 2);
          this.setLayer(d, L_PPP);
          this.put16(d, D_PPP_PROTO, proto);
          type = pppEthertype(proto);
        } else if (a === 0x0F || a === 0x8F) {
          type = chdlcType(this.be16(f + 2));
        } else {
          this.put16(d, D_L2_LEN, 4);
          return;
        }
        off = 4;
        break;
      }
      case LINKTYPE_C_HDLC: {
        if (cap < 4) { this.setError(d, E_TRUNC_L2); return; }
        type = chdlcType(this.be16(f + 2));
        off = 4;
        break;
      }
      case LINKTYPE_PPP_ETHER: {
        type = 0x8864;
        break;
      }
      case LINKTYPE_MPLS: {
        type = 0x8847;
        break;
      }
      case LINKTYPE_IPOIB: {
        if (cap < 44) { this.setError(d, E_TRUNC_L2); return; }
        this.setLayer(d, L_IPOIB);
        type = this.be16(f + 40);
        off = 44;
        break;
      }
      default: {
        this.setError(d, E_UNKNOWN_LINK);
        return;
      }
    }

    if (tagsAllowed) {
      let tags = 0;
      while (isTag(type)) {
        if (off + 4 > cap) {
          this.put8(d, D_VLAN_COUNT, tags);
          this.put16(d, D_L2_LEN, off);
          this.setError(d, E_TRUNC_L2);
          return;
        }
        if (tags < 2) this.put16(d, tags === 0 ? D_VLAN0 : D_VLAN1, this.be16(f + off));
        tags++;
        type = this.be16(f + off + 2);
        off += 4;
        if (tags >= MAX_TAGS) break;
      }
      if (tags > 0) {
        this.setLayer(d, L_VLAN);
        this.put8(d, D_VLAN_COUNT, tags);
      }
      if (type <= 1500) {
        this.setLayer(d, L_LLC);
        this.put16(d, D_L2_LEN, off);
        if (linktype === LINKTYPE_ETHERNET) this.llc(f, off, cap, type < frameEnd - off ? type : frameEnd - off, d);
        else if (tags > 0 || type === 4) this.llc(f, off, cap, frameEnd - off, d);
        return;
      }
    }
    this.put16(d, D_L2_LEN, off);
    this.put16(d, D_ETHERTYPE, type);

    if (type === 0x8863 || type === 0x8864) {
      type = this.pppoe(f, off, cap, d, type);
      off = this.gOff;
    }
    if (type === 0x8847 || type === 0x8848) {
      type = this.mpls(f, off, cap, d);
      off = this.gOff;
    }
    if (type === 0x0800) this.ipv4(f, off, cap, frameEnd, d, opts);
    else if (type === 0x86dd) this.ipv6(f, off, cap, frameEnd, d, opts);
    else if (type === 0x0806 || type === 0x8035) this.arp(f, off, cap, d);
  }

  // Where the encapsulation helpers leave the next header (assembly/dissect.ts: gOff).
  private gOff = 0;

  private pppHeader(f: number, off: number, cap: number, d: number): number {
    const m = this.m;
    this.gOff = off;
    if (off + 2 > cap) { this.setError(d, E_TRUNC_L2); return 0; }
    const w = this.be16(f + off);
    if (w === 0xFF03 || w === 0x0003 || w === 0x0103) off += 2;
    if (off + 1 > cap) { this.setError(d, E_TRUNC_L2); return 0; }
    let proto = 0;
    if ((m[f + off] & 1) !== 0) {
      proto = m[f + off];
      off += 1;
    } else {
      if (off + 2 > cap) { this.setError(d, E_TRUNC_L2); return 0; }
      proto = this.be16(f + off);
      off += 2;
    }
    this.setLayer(d, L_PPP);
    this.put16(d, D_PPP_PROTO, proto);
    this.gOff = off;
    return pppEthertype(proto);
  }

  private pppoe(f: number, off: number, cap: number, d: number, type: number): number {
    const m = this.m;
    this.gOff = off;
    if (off + 6 > cap) { this.setError(d, E_TRUNC_L2); return 0; }
    this.setLayer(d, L_PPPOE);
    const code = m[f + off + 1];
    this.put16(d, D_PPPOE_OFF, off);
    this.put8(d, D_PPPOE_CODE, code);
    this.put16(d, D_PPPOE_SESSION, this.be16(f + off + 2));
    this.put16(d, D_PPPOE_LEN, this.be16(f + off + 4));
    if (type === 0x8863 || code !== 0) { this.gOff = off + 6; return 0; }
    return this.pppHeader(f, off + 6, cap, d);
  }

  private mpls(f: number, off: number, cap: number, d: number): number {
    const m = this.m;
    this.gOff = off;
    this.put16(d, D_MPLS_OFF, off);
    this.setLayer(d, L_MPLS);
    let count = 0;
    let entry = 0;
    for (;;) {
      if (off + 4 > cap) {
        this.put8(d, D_MPLS_COUNT, count > 255 ? 255 : count);
        this.setError(d, E_TRUNC_L2);
        this.gOff = off;
        return 0;
      }
      entry = this.be32(f + off);
      if (count === 0) this.put32(d, D_MPLS_TOP, entry);
      count++;
      off += 4;
      if ((entry & 0x100) !== 0) break;
    }
    this.put8(d, D_MPLS_COUNT, count > 255 ? 255 : count);
    this.gOff = off;
    const label = entry >>> 12;
    if (label === 0 || label === 3) return 0x0800;
    if (label === 2) return 0x86dd;
    if (off >= cap) return 0;
    const b = m[f + off];
    if (b >= 0x45 && b <= 0x4F) return 0x0800;
    if (b >= 0x60 && b <= 0x6F) return 0x86dd;
    return 0;
  }

  private llc(f: number, off: number, cap: number, len: number, d: number): void {
    const m = this.m;
    this.put16(d, D_L3_OFF, off);
    if (off + 3 > cap) { this.setError(d, E_TRUNC_L3); return; }
    const dsap = m[f + off] & 0xFE;
    const ssap = m[f + off + 1] & 0xFE;
    const ctrl = m[f + off + 2];
    let hdr = (ctrl & 3) === 3 ? 3 : 4;
    let stp = false;
    if (dsap === 0xAA && ssap === 0xAA && ctrl === 3) {
      this.setLayer(d, L_SNAP);
      hdr = 8;
      if (off + 8 <= cap) {
        const oui = (this.be16(f + off + 3) << 8) | m[f + off + 5];
        const pid = this.be16(f + off + 6);
        stp = (oui === 0x00000C && (pid === 0x010B || pid === 0x010C)) || (oui === 0x0080C2 && pid === 0x000E);
      }
    } else {
      stp = dsap === 0x42 && ssap === 0x42 && ctrl === 3;
    }
    this.put16(d, D_L3_HDR_LEN, hdr);
    if (off + hdr > cap) { this.setError(d, E_TRUNC_L3); return; }
    if (stp) this.setLayer(d, L_STP);
    this.put16(d, D_PAYLOAD_OFF, off + hdr);
    this.put16(d, D_PAYLOAD_LEN, len > hdr ? clamp16(len - hdr) : 0);
  }

  private arp(f: number, off: number, cap: number, d: number): void {
    const m = this.m;
    this.put16(d, D_L3_OFF, off);
    if (off + 8 > cap) { this.setError(d, E_TRUNC_L3); return; }
    const hlen = m[f + off + 4];
    const plen = m[f + off + 5];
    this.setLayer(d, L_ARP);
    this.put16(d, D_ARP_OP, this.be16(f + off + 6));
    this.put8(d, D_ARP_HLEN, hlen);
    const total = 8 + 2 * (hlen + plen);
    this.put16(d, D_L3_HDR_LEN, total);
    if (off + total > cap) { this.setError(d, E_TRUNC_L3); return; }
    if (this.be16(f + off + 2) === 0x0800 && plen === 4) {
      this.put32(d, D_IP_SRC, this.be32(f + off + 8 + hlen));
      this.put32(d, D_IP_DST, this.be32(f + off + 8 + 2 * hlen + 4));
    } else if (plen === 0 && hlen === 0) {
      this.setError(d, E_BAD_ARP);
    }
  }

  // assembly/dissect.ts's optionLen: 1 for a NOP, 0 at the end of the list or a bad option.
  private optionLen(o: number, end: number, d: number): number {
    const m = this.m;
    const kind = m[o];
    if (kind === 0) return 0;
    if (kind === 1) return 1;
    if (o + 1 >= end) { this.setError(d, E_BAD_OPTION); return 0; }
    const olen = m[o + 1];
    if (olen < 2 || o + olen > end) { this.setError(d, E_BAD_OPTION); return 0; }
    return olen;
  }

  // assembly/dissect.ts's ipHeaderCut.
  private ipHeaderCut(f: number, off: number, cap: number, d: number, len: number, version: number): boolean {
    if (off + len <= cap) return false;
    if (off < cap && (this.m[f + off] >> 4) !== version) this.setError(d, E_BAD_IP_VERSION);
    else {
      this.setError(d, E_TRUNC_L3);
      if (off < cap) this.put8(d, D_IP_VERSION, version); // a cut header (assembly/dissect.ts)
    }
    return true;
  }

  private ipv4(f: number, off: number, cap: number, frameEnd: number, d: number, opts: number): void {
    const m = this.m;
    this.put16(d, D_L3_OFF, off);
    if (this.ipHeaderCut(f, off, cap, d, 20, 4)) return;
    const p = f + off;
    const vhl = m[p];
    if ((vhl >> 4) !== 4) { this.setError(d, E_BAD_IP_VERSION); return; }
    const hl = (vhl & 15) << 2;
    let total = this.be16(p + 2);
    const fragWord = this.be16(p + 6);
    const proto = m[p + 9];
    this.setLayer(d, L_IP4);
    this.put8(d, D_IP_VERSION, 4);
    this.put8(d, D_IP_TOS, m[p + 1]);
    this.put16(d, D_IP_LEN, total);
    // A zero total length is a TSO / BIG TCP send captured before segmentation: the datagram
    // is the rest of the frame, as tcpdump (GUESS_TSO) and Wireshark take it.
    if (total === 0) total = frameEnd - off;
    this.put32(d, D_IP_TOTAL, total);
    this.put16(d, D_IP_ID, this.be16(p + 4));
    this.put32(d, D_FRAG_ID, this.be16(p + 4));
    const fo = (fragWord & 0x1FFF) << 3;
    let flags = 0;
    if (fragWord & 0x2000) flags |= IPF_MF;
    if (fragWord & 0x4000) flags |= IPF_DF;
    if (fragWord & 0x8000) flags |= IPF_RF;
    this.put16(d, D_FRAG_OFF, fo);
    this.put8(d, D_IP_FLAGS, flags);
    this.put8(d, D_IP_TTL, m[p + 8]);
    this.put8(d, D_IP_NXT, proto);
    this.put8(d, D_IP_PROTO, proto);
    this.put16(d, D_IP_CKSUM, this.be16(p + 10));
    this.put32(d, D_IP_SRC, this.be32(p + 12));
    this.put32(d, D_IP_DST, this.be32(p + 16));
    this.put16(d, D_L3_HDR_LEN, hl);
    if ((flags & IPF_MF) !== 0 || fo !== 0) this.setLayer(d, L_FRAG);

    if (hl < 20) { this.setError(d, E_BAD_IP_HDR_LEN); return; }
    if (total < hl) { this.setError(d, total < 20 ? E_BAD_IP_LEN : E_BAD_IP_HDR_LEN); return; }
    if (off + hl > cap) { this.setError(d, E_TRUNC_L3); return; }
    if (off + total > frameEnd) this.setError(d, E_BAD_IP_LEN);

    let o = p + 20;
    const oend = p + hl;
    while (o < oend) {
      const olen = this.optionLen(o, oend, d);
      if (olen === 0) break;
      o += olen;
    }

    if ((opts & DF_VERIFY_CKSUM) !== 0) {
      this.setLayer(d, L_CKSUM_CHECKED);
      if (this.cks.cksum_partial(p, hl, 0) !== 0xFFFF) this.setError(d, E_BAD_IP_CKSUM);
    }
    const l4len = total - hl;
    this.put16(d, D_IP_PAYLOAD_LEN, clamp16(l4len));
    if (fo !== 0) return;
    const l4 = off + hl;
    const verify = (opts & DF_VERIFY_CKSUM) !== 0 && (flags & IPF_MF) === 0 && l4 + l4len <= cap;
    const firstFrag = (flags & IPF_MF) !== 0;
    this.transport(f, off, proto, l4, l4len, cap, d, verify, false, firstFrag);
  }

  // assembly/dissect.ts's dissectL4.
  private transport(f: number, off: number, proto: number, l4: number, l4len: number, cap: number, d: number, verify: boolean, v6: boolean, frag: boolean): void {
    if (proto === 6) this.tcp(f, off, l4, l4len, cap, d, verify, v6, frag);
    else if (proto === 17) this.udp(f, off, l4, l4len, cap, d, verify, v6, frag);
    else if (proto === (v6 ? 58 : 1)) this.icmp(f, off, l4, l4len, cap, d, verify, v6);
    else if (!frag) this.ipTunnel(f, proto, l4, l4 + l4len, cap, d);
  }

  private ipv6(f: number, off: number, cap: number, frameEnd: number, d: number, opts: number): void {
    const m = this.m;
    this.put16(d, D_L3_OFF, off);
    if (this.ipHeaderCut(f, off, cap, d, 40, 6)) return;
    const p = f + off;
    const w0 = this.be32(p);
    if ((w0 >>> 28) !== 6) { this.setError(d, E_BAD_IP_VERSION); return; }
    const plen = this.be16(p + 4);
    const nxt = m[p + 6];
    this.setLayer(d, L_IP6);
    this.put8(d, D_IP_VERSION, 6);
    this.put8(d, D_IP_TOS, (w0 >>> 20) & 0xFF);
    this.put32(d, D_IP6_FLOW, w0 & 0xFFFFF);
    this.put16(d, D_IP_LEN, clamp16(plen + 40));
    this.put32(d, D_IP_TOTAL, plen + 40);
    this.put8(d, D_IP_NXT, nxt);
    this.put8(d, D_IP_TTL, m[p + 7]);

    let payloadEnd = off + 40 + plen;
    let h = off + 40;
    let nh = nxt;
    let count = 0;
    let fo = 0;
    let more = false;
    let jumbo = false;
    while (count < MAX_EXT) {
      let len = 0;
      if (nh === 0 || nh === 43 || nh === 60 || nh === 135 || nh === 139 || nh === 140) {
        if (h + 2 > cap) { this.setError(d, E_TRUNC_L3); break; }
        len = (m[f + h + 1] + 1) << 3;
        if (nh === 0 && plen === 0 && h + len <= cap) {
          let o = h + 2;
          while (o < h + len) {
            const t = m[f + o];
            if (t === 0) { o++; continue; }
            if (o + 2 > h + len) break;
            const ol = m[f + o + 1];
            if (t === 0xC2 && ol === 4 && o + 6 <= h + len) {
              const jl = this.be32(f + o + 2);
              payloadEnd = (off + 40 + jl) >>> 0;
              jumbo = true;
              this.put16(d, D_IP_LEN, 0xFFFF);
              this.put32(d, D_IP_TOTAL, jl > 0xFFFFFFD7 ? 0xFFFFFFFF : jl + 40);
              this.put16(d, D_IP6_JUMBO_OFF, o + 2);
              break;
            }
            o += 2 + ol;
          }
        }
      } else if (nh === 44) {
        len = 8;
        if (h + 8 > cap) { this.setError(d, E_TRUNC_L3); break; }
        const fw = this.be16(f + h + 2);
        fo = fw & 0xFFF8;
        more = (fw & 1) !== 0;
        this.put16(d, D_FRAG_OFF, fo);
        this.put32(d, D_FRAG_ID, this.be32(f + h + 4));
        this.put16(d, D_IP_ID, this.be32(f + h + 4) & 0xFFFF);
        if (more) this.put8(d, D_IP_FLAGS, IPF_MF);
        if (more || fo !== 0) this.setLayer(d, L_FRAG);
      } else if (nh === 51) {
        if (h + 2 > cap) { this.setError(d, E_TRUNC_L3); break; }
        len = (m[f + h + 1] + 2) << 2;
      } else {
        break;
      }
      if (count >= 1 && count <= 4) this.put8(d, D_IP6_EXT_OFF + count - 1, h - off <= 1020 ? (h - off) >> 2 : 0);
      if (h + len > payloadEnd && !jumbo) { this.setError(d, E_BAD_EXT_HDR); h += len; count++; break; }
      if (h + len > cap) { this.setError(d, E_TRUNC_L3); h += len; count++; break; }
      nh = m[f + h];
      h += len;
      count++;
      if (fo !== 0) break;
    }
    this.put8(d, D_IP6_EXT_COUNT, count);
    this.put8(d, D_IP_PROTO, nh);
    this.put16(d, D_L3_HDR_LEN, clamp16(h - off));
    if (payloadEnd > frameEnd) this.setError(d, E_BAD_IP_LEN);
    const l4len = payloadEnd > h ? payloadEnd - h : 0;
    this.put16(d, D_IP_PAYLOAD_LEN, clamp16(l4len));
    if ((this.errors & (E_TRUNC_L3 | E_BAD_EXT_HDR)) !== 0) return;
    if (fo !== 0) return;
    if ((opts & DF_VERIFY_CKSUM) !== 0) this.setLayer(d, L_CKSUM_CHECKED);
    const verify = (opts & DF_VERIFY_CKSUM) !== 0 && !more && h + l4len <= cap;
    this.transport(f, off, nh, h, l4len, cap, d, verify, true, more);
  }

  private l4Verify(f: number, ip: number, l4: number, len: number, proto: number, v6: boolean): boolean {
    const c = this.cks;
    const init = v6 ? c.cksum_pseudo_ipv6(f + ip, proto, len) : c.cksum_pseudo_ipv4(f + ip, proto, len);
    return c.cksum_partial(f + l4, len, init) === 0xFFFF;
  }

  private tcp(f: number, ip: number, l4: number, l4len: number, cap: number, d: number, verify: boolean, v6: boolean, firstFrag: boolean): void {
    const m = this.m;
    this.put16(d, D_L4_OFF, l4);
    if (l4 + 20 > cap) { this.setError(d, E_TRUNC_L4); return; }
    const t = f + l4;
    const offFlags = this.be16(t + 12);
    const doff = (offFlags >> 12) << 2;
    this.put16(d, D_L4_HDR_LEN, doff);
    if (l4len < 20 && !firstFrag) { this.setError(d, E_BAD_TCP_OFF); return; }
    this.setLayer(d, L_TCP);
    this.put16(d, D_SRC_PORT, this.be16(t));
    this.put16(d, D_DST_PORT, this.be16(t + 2));
    this.put32(d, D_TCP_SEQ, this.be32(t + 4));
    this.put32(d, D_TCP_ACK, this.be32(t + 8));
    this.put16(d, D_TCP_FLAGS, offFlags & 0x0FFF);
    this.put16(d, D_TCP_WINDOW, this.be16(t + 14));
    this.put16(d, D_L4_CKSUM, this.be16(t + 16));
    this.put16(d, D_TCP_URG, this.be16(t + 18));
    if (doff < 20 || (doff > l4len && !firstFrag)) { this.setError(d, E_BAD_TCP_OFF); return; }
    this.put16(d, D_PAYLOAD_OFF, l4 + doff);
    this.put16(d, D_PAYLOAD_LEN, l4len > doff ? clamp16(l4len - doff) : 0);
    if (verify) {
      if (!this.l4Verify(f, ip, l4, l4len, 6, v6)) this.setError(d, E_BAD_L4_CKSUM);
    }
    if (l4 + doff > cap) { this.setError(d, E_TRUNC_L4); return; }

    let o = t + 20;
    const end = t + doff;
    let seen = 0;
    while (o < end) {
      const olen = this.optionLen(o, end, d);
      if (olen === 0) break;
      if (olen === 1) { o++; continue; }
      const kind = m[o];
      if (kind === 2 && olen === 4) {
        seen |= TO_MSS; this.put16(d, D_TCP_MSS, this.be16(o + 2));
      } else if (kind === 3 && olen === 3) {
        seen |= TO_WSCALE; this.put8(d, D_TCP_WSCALE, m[o + 2]);
      } else if (kind === 4 && olen === 2) {
        seen |= TO_SACK_PERM;
      } else if (kind === 5 && olen >= 10 && ((olen - 2) & 7) === 0) {
        seen |= TO_SACK;
        this.put8(d, D_SACK_COUNT, (olen - 2) >> 3);
        this.put16(d, D_SACK_OFF, o + 2 - f);
      } else if (kind === 8 && olen === 10) {
        seen |= TO_TIMESTAMP;
        this.put32(d, D_TCP_TSVAL, this.be32(o + 2));
        this.put32(d, D_TCP_TSECR, this.be32(o + 6));
      } else if (kind === 19 && olen === 18) {
        seen |= TO_MD5;
      } else if (kind <= 8) {
        this.setError(d, E_BAD_OPTION);
      } else {
        seen |= TO_OTHER;
      }
      o += olen;
    }
    this.put8(d, D_TCP_OPTS, seen);
  }

  private udp(f: number, ip: number, l4: number, l4len: number, cap: number, d: number, verify: boolean, v6: boolean, firstFrag: boolean): void {
    this.put16(d, D_L4_OFF, l4);
    if (l4 + 8 > cap) { this.setError(d, E_TRUNC_L4); return; }
    const u = f + l4;
    const ulen = this.be16(u + 4);
    this.setLayer(d, L_UDP);
    this.put16(d, D_SRC_PORT, this.be16(u));
    this.put16(d, D_DST_PORT, this.be16(u + 2));
    this.put16(d, D_UDP_LEN, ulen);
    this.put16(d, D_L4_CKSUM, this.be16(u + 6));
    this.put16(d, D_L4_HDR_LEN, 8);
    this.put16(d, D_PAYLOAD_OFF, l4 + 8);
    if (ulen < 8 || ulen > l4len) {
      if (ulen < 8 || !firstFrag) this.setError(d, E_BAD_UDP_LEN);
      this.put16(d, D_PAYLOAD_LEN, l4len >= 8 ? clamp16(l4len - 8) : 0);
      return;
    }
    this.put16(d, D_PAYLOAD_LEN, ulen - 8);
    if (verify && l4 + ulen <= cap) {
      if (v6 || this.be16(u + 6) !== 0) {
        if (!this.l4Verify(f, ip, l4, ulen, 17, v6)) this.setError(d, E_BAD_L4_CKSUM);
      }
    }
    if (!firstFrag) this.udpTunnel(f, this.be16(u), this.be16(u + 2), l4, l4 + ulen, cap, d);
  }

  // Tunnels (assembly/dissect.ts: dissectIPTunnel, dissectGRE, dissectUDPTunnel).
  private ipTunnel(f: number, proto: number, l4: number, end: number, cap: number, d: number): void {
    if (proto === 47) this.gre(f, l4, end, cap, d);
    else if (proto === 4 || proto === 41) {
      if (l4 >= cap) return;
      this.setTunnel(d, T_IPIP, 0, 0, l4, proto, 0);
      this.setInner(d, LINKTYPE_RAW, l4, end);
    }
  }

  private setTunnel(d: number, kind: number, flags: number, ver: number, at: number, proto: number, id: number): void {
    this.setLayer(d, L_TUNNEL);
    this.put8(d, D_TUNNEL, kind);
    this.put8(d, D_TUNNEL_FLAGS, flags);
    this.put8(d, D_TUNNEL_VER, ver);
    this.put16(d, D_TUNNEL_OFF, at);
    this.put16(d, D_TUNNEL_PROTO, proto);
    this.put32(d, D_TUNNEL_ID, id);
  }

  private setInner(d: number, linktype: number, at: number, end: number): void {
    this.put16(d, D_INNER_LINKTYPE, linktype);
    this.put16(d, D_INNER_OFF, at);
    this.put32(d, D_INNER_LEN, end > at ? end - at : 0);
  }

  private gre(f: number, g: number, end: number, cap: number, d: number): void {
    const m = this.m;
    if (g + 4 > cap) return;
    const fl = m[f + g];
    const b1 = m[f + g + 1];
    const ver = b1 & 7;
    const proto = this.be16(f + g + 2);
    let h = g + 4;
    let key = 0;
    if (ver === 0) {
      if ((fl & 0xC0) !== 0) h += 4;
      if ((fl & 0x20) !== 0) { if (h + 4 > cap) return; key = this.be32(f + h); h += 4; }
      if ((fl & 0x10) !== 0) h += 4;
    } else if (ver === 1) {
      if ((fl & 0x20) !== 0) { if (h + 4 > cap) return; key = this.be32(f + h); h += 4; }
      if ((fl & 0x10) !== 0) h += 4;
      if ((b1 & 0x80) !== 0) h += 4;
    } else {
      return;
    }
    if (h > cap) return;
    if (ver === 0 && (fl & 0x40) !== 0) { this.setTunnel(d, T_GRE, fl, ver, g, proto, key); return; }
    if (proto === 0x88BE || proto === 0x22EB) {
      let hl = 0;
      let ev = 0;
      let sid = 0;
      if (proto === 0x22EB) {
        if (h + 12 > cap) return;
        hl = (m[f + h + 11] & 1) !== 0 ? 20 : 12;
      } else if ((fl & 0x10) !== 0) {
        if (h + 8 > cap) return;
        hl = 8;
      }
      if (hl !== 0) { ev = m[f + h] >> 4; sid = this.be16(f + h + 2) & 0x3FF; }
      if (h + hl > cap) return;
      this.setTunnel(d, T_ERSPAN, fl, ev, h, proto, sid);
      this.setInner(d, LINKTYPE_ETHERNET, h + hl, end);
      return;
    }
    this.setTunnel(d, T_GRE, fl, ver, g, proto, key);
    if (proto === 0x8909) {
      if (h + 8 > cap) return;
      const et = this.be16(f + h);
      if (et === 0x0800 || et === 0x86dd) this.setInner(d, LINKTYPE_RAW, h + 8, end);
    } else if (proto === 0x0800 || proto === 0x86dd) this.setInner(d, LINKTYPE_RAW, h, end);
    else if (proto === 0x6558) this.setInner(d, LINKTYPE_ETHERNET, h, end);
    else if (proto === 0x880B) this.setInner(d, LINKTYPE_PPP, h, end);
  }

  private udpTunnel(f: number, sp: number, dp: number, u: number, end: number, cap: number, d: number): void {
    const m = this.m;
    const h = u + 8;
    if (sp === 6635 || dp === 6635) {
      if (h + 4 > cap) return;
      this.setTunnel(d, T_MPLS_UDP, 0, 0, h, 0x8847, this.be32(f + h) >>> 12);
      this.setInner(d, LINKTYPE_MPLS, h, end);
      return;
    }
    if (sp === 2152 || dp === 2152) {
      if (h + 8 > cap) return;
      const fl = m[f + h];
      const mt = m[f + h + 1];
      this.setTunnel(d, T_GTPU, fl, fl >> 5, h, mt, this.be32(f + h + 4));
      if ((fl >> 5) !== 1 || (fl & 0x10) === 0 || mt !== 255) return;
      let hl = 8;
      if ((fl & 7) !== 0) {
        hl = 12;
        if (h + 12 > cap) return;
        let next = (fl & 4) !== 0 ? m[f + h + 11] : 0;
        let n = 0;
        while (next !== 0) {
          if (h + hl + 1 > cap || n >= 16) return;
          const el = m[f + h + hl] << 2;
          if (el === 0 || h + hl + el > cap) return;
          next = m[f + h + hl + el - 1];
          hl += el;
          n++;
        }
      }
      this.setInner(d, LINKTYPE_RAW, h + hl, end);
      return;
    }
    if (sp === 4789 || dp === 4789 || sp === 8472 || dp === 8472) {
      if (h + 8 > cap) return;
      this.setTunnel(d, T_VXLAN, m[f + h], 0, h, 0x6558, this.be32(f + h + 4) >>> 8);
      this.setInner(d, LINKTYPE_ETHERNET, h + 8, end);
    } else if (sp === 6081 || dp === 6081) {
      if (h + 8 > cap) return;
      const b0 = m[f + h];
      const proto = this.be16(f + h + 2);
      const hl = 8 + ((b0 & 0x3F) << 2);
      if (h + hl > cap) return;
      this.setTunnel(d, T_GENEVE, b0 & 0x3F, b0 >> 6, h, proto, this.be32(f + h + 4) >>> 8);
      if ((b0 >> 6) !== 0) return;
      if (proto === 0x6558) this.setInner(d, LINKTYPE_ETHERNET, h + hl, end);
      else if (proto === 0x0800 || proto === 0x86dd) this.setInner(d, LINKTYPE_RAW, h + hl, end);
    }
  }

  private icmp(f: number, ip: number, l4: number, l4len: number, cap: number, d: number, verify: boolean, v6: boolean): void {
    const m = this.m;
    this.put16(d, D_L4_OFF, l4);
    if (l4len < 4) return; // bounded by the IP length, as assembly/dissect.ts says
    if (l4 + 4 > cap) { this.setError(d, E_TRUNC_L4); return; }
    const c = f + l4;
    const type = m[c];
    this.setLayer(d, v6 ? L_ICMP6 : L_ICMP);
    this.put8(d, D_ICMP_TYPE, type);
    this.put8(d, D_ICMP_CODE, m[c + 1]);
    this.put16(d, D_L4_CKSUM, this.be16(c + 2));
    const hdr = l4len >= 8 ? 8 : 4;
    this.put16(d, D_L4_HDR_LEN, hdr);
    this.put16(d, D_PAYLOAD_OFF, l4 + hdr);
    this.put16(d, D_PAYLOAD_LEN, l4len >= hdr ? clamp16(l4len - hdr) : 0);
    const echo = v6 ? (type === 128 || type === 129) : (type === 0 || type === 8 || (type >= 13 && type <= 18));
    if (echo && l4 + 8 <= cap) {
      this.put16(d, D_ICMP_ID, this.be16(c + 4));
      this.put16(d, D_ICMP_SEQ, this.be16(c + 6));
    }
    if (verify) {
      const ok = v6 ? this.l4Verify(f, ip, l4, l4len, 58, true) : this.cks.cksum_partial(c, l4len, 0) === 0xFFFF;
      if (!ok) this.setError(d, E_BAD_L4_CKSUM);
    }
  }
}

