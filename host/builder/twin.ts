// Pure-TS twin of assembly/builder.ts: the same exports over the same memory, byte for
// byte the same output (test/build.test.ts compares them on random specs).
import type { MemoryViews } from '../runtime/memory.js';
import type { ChecksumExports } from '../checksum/exports.js';
import type { PoolExports } from '../pool/exports.js';
import type { BuilderExports } from './exports.js';
import { MB_DATA, MB_LEN } from '../pool/twin.js';
import {
  L_ETH, L_VLAN, L_ARP, L_IP4, L_IP6, L_TCP, L_UDP, L_ICMP, L_ICMP6, IPF_MF, IPF_DF, IPF_RF,
  TO_MSS, TO_WSCALE, TO_SACK_PERM, TO_TIMESTAMP, TO_SACK,
} from '../runtime/layout.js';
import {
  B_LAYERS, B_FLAGS, B_ETH_DST, B_ETH_SRC, B_ETH_TYPE, B_VLAN_COUNT, B_VLAN0, B_VLAN1, B_VLAN_TPID0,
  B_VLAN_TPID1, B_IP_TOS, B_IP_TTL, B_IP_PROTO, B_IP_FLAGS, B_IP_ID, B_FRAG_OFF, B_IP6_FLOW, B_IP_OPTS,
  B_IP_OPTS_LEN, B_IP6_EXT_COUNT, B_IP6_EXT_TYPES, B_IP_SRC, B_IP_DST, B_SRC_PORT, B_DST_PORT, B_TCP_SEQ,
  B_TCP_ACK, B_TCP_FLAGS, B_TCP_WINDOW, B_TCP_URG, B_TCP_MSS, B_TCP_OPTS, B_TCP_WSCALE, B_SACK_COUNT,
  B_ICMP_TYPE, B_TCP_TSVAL, B_TCP_TSECR, B_SACK, B_ICMP_CODE, B_ARP_OP, B_ICMP_ID, B_ICMP_SEQ, B_ARP_SHA,
  B_ARP_THA, B_OUT_L3_OFF, B_OUT_L4_OFF, B_OUT_LEN, BF_UDP_NO_CKSUM,
  BERR_HEADROOM, BERR_OPTIONS, BERR_TOO_BIG, BERR_SPEC, BERR_DF, BERR_MTU, BERR_NO_BUFFER, BERR_TOO_MANY,
  BERR_FRAGMENTED, BERR_CHAIN,
} from './spec-layout.js';

export class BuildTwin implements BuilderExports {
  private readonly views: MemoryViews;
  private readonly pool: PoolExports;
  private readonly cks: ChecksumExports;
  private u8: Uint8Array;
  private dv: DataView;

  constructor(views: MemoryViews, pool: PoolExports, cks: ChecksumExports) {
    this.views = views;
    this.pool = pool;
    this.cks = cks;
    this.u8 = views.u8;
    this.dv = views.dv;
  }

  // Spec fields are little-endian numbers; frame fields big-endian.
  private s8(s: number, off: number): number { return this.u8[s + off]; }
  private s16(s: number, off: number): number { return this.dv.getUint16(s + off, true); }
  private s32(s: number, off: number): number { return this.dv.getUint32(s + off, true); }
  private w16(p: number, v: number): void { this.u8[p] = (v >>> 8) & 0xFF; this.u8[p + 1] = v & 0xFF; }
  private w32(p: number, v: number): void { this.dv.setUint32(p, v >>> 0, false); }
  /** A short copy: a byte loop beats copyWithin's call overhead for headers and addresses. */
  private copy(dst: number, src: number, n: number): void {
    const u8 = this.u8;
    if (n > 32) { u8.copyWithin(dst, src, src + n); return; }
    for (let i = 0; i < n; i++) u8[dst + i] = u8[src + i];
  }

  private tcpOptLen(s: number): number {
    const o = this.s8(s, B_TCP_OPTS);
    let n = 0;
    if (o & TO_MSS) n += 4;
    if (o & TO_TIMESTAMP) n += 12;
    else if (o & TO_SACK_PERM) n += 4;
    if (o & TO_WSCALE) n += 4;
    if (o & TO_SACK) {
      const c = this.s8(s, B_SACK_COUNT);
      if (c === 0 || c > 4) return 255;
      n += 4 + (c << 3);
    }
    return n;
  }

  private writeTcpOpts(s: number, p: number): void {
    const m = this.u8;
    const o = this.s8(s, B_TCP_OPTS);
    if (o & TO_MSS) { m[p] = 2; m[p + 1] = 4; this.w16(p + 2, this.s16(s, B_TCP_MSS)); p += 4; }
    if (o & TO_TIMESTAMP) {
      if (o & TO_SACK_PERM) { m[p] = 4; m[p + 1] = 2; } else { m[p] = 1; m[p + 1] = 1; }
      m[p + 2] = 8; m[p + 3] = 10;
      this.w32(p + 4, this.s32(s, B_TCP_TSVAL));
      this.w32(p + 8, this.s32(s, B_TCP_TSECR));
      p += 12;
    } else if (o & TO_SACK_PERM) {
      m[p] = 1; m[p + 1] = 1; m[p + 2] = 4; m[p + 3] = 2;
      p += 4;
    }
    if (o & TO_WSCALE) { m[p] = 1; m[p + 1] = 3; m[p + 2] = 3; m[p + 3] = this.s8(s, B_TCP_WSCALE); p += 4; }
    if (o & TO_SACK) {
      const c = this.s8(s, B_SACK_COUNT);
      m[p] = 1; m[p + 1] = 1; m[p + 2] = 5; m[p + 3] = 2 + (c << 3);
      p += 4;
      for (let i = 0; i < c; i++) {
        this.w32(p, this.s32(s, B_SACK + (i << 3)));
        this.w32(p + 4, this.s32(s, B_SACK + (i << 3) + 4));
        p += 8;
      }
    }
  }

  build_packet(s: number, m: number): number {
    const v = this.views.refresh();
    this.u8 = v.u8;
    this.dv = v.dv;
    const headroom0 = this.pool.pool_headroom(m);
    const len0 = this.pool.pool_len(m);
    const r = this.buildLayers(s, m, this.s32(s, B_LAYERS));
    if (r < 0) {
      v.u32[(m + MB_DATA) >>> 2] = headroom0;
      v.u32[(m + MB_LEN) >>> 2] = len0;
      return r;
    }
    const total = this.pool.pool_len(m);
    const dv = this.dv;
    dv.setUint32(s + B_OUT_LEN, total, true);
    dv.setUint32(s + B_OUT_L3_OFF, total - dv.getUint32(s + B_OUT_L3_OFF, true), true);
    dv.setUint32(s + B_OUT_L4_OFF, total - dv.getUint32(s + B_OUT_L4_OFF, true), true);
    return total;
  }

  private buildLayers(s: number, m: number, layers: number): number {
    const u8 = this.u8;
    const pool = this.pool;
    const cks = this.cks;
    const l4kind = layers & (L_TCP | L_UDP | L_ICMP | L_ICMP6);
    const l3kind = layers & (L_IP4 | L_IP6 | L_ARP);
    if ((l4kind & (l4kind - 1)) !== 0 || (l3kind & (l3kind - 1)) !== 0) return BERR_SPEC;
    if (l4kind === L_ICMP && l3kind === L_IP6) return BERR_SPEC;
    if (l4kind === L_ICMP6 && l3kind === L_IP4) return BERR_SPEC;
    if (l3kind === L_ARP && l4kind !== 0) return BERR_SPEC;
    if ((layers & L_VLAN) !== 0 && (layers & L_ETH) === 0) return BERR_SPEC;

    let proto = this.s8(s, B_IP_PROTO);
    let l4 = 0;
    if (l4kind === L_TCP) {
      const ol = this.tcpOptLen(s);
      if (ol > 40) return BERR_OPTIONS;
      const t = pool.pool_push(m, 20 + ol);
      if (t === 0) return BERR_HEADROOM;
      this.w16(t, this.s16(s, B_SRC_PORT));
      this.w16(t + 2, this.s16(s, B_DST_PORT));
      this.w32(t + 4, this.s32(s, B_TCP_SEQ));
      this.w32(t + 8, this.s32(s, B_TCP_ACK));
      this.w16(t + 12, (((20 + ol) >> 2) << 12) | (this.s16(s, B_TCP_FLAGS) & 0x0FFF));
      this.w16(t + 14, this.s16(s, B_TCP_WINDOW));
      u8[t + 16] = 0; u8[t + 17] = 0;
      this.w16(t + 18, this.s16(s, B_TCP_URG));
      this.writeTcpOpts(s, t + 20);
      proto = 6;
      l4 = t;
    } else if (l4kind === L_UDP) {
      const u = pool.pool_push(m, 8);
      if (u === 0) return BERR_HEADROOM;
      const ulen = pool.pool_len(m);
      if (ulen > 0xFFFF) return BERR_TOO_BIG;
      this.w16(u, this.s16(s, B_SRC_PORT));
      this.w16(u + 2, this.s16(s, B_DST_PORT));
      this.w16(u + 4, ulen);
      u8[u + 6] = 0; u8[u + 7] = 0;
      proto = 17;
      l4 = u;
    } else if (l4kind !== 0) {
      const c = pool.pool_push(m, 8);
      if (c === 0) return BERR_HEADROOM;
      u8[c] = this.s8(s, B_ICMP_TYPE);
      u8[c + 1] = this.s8(s, B_ICMP_CODE);
      u8[c + 2] = 0; u8[c + 3] = 0;
      this.w16(c + 4, this.s16(s, B_ICMP_ID));
      this.w16(c + 6, this.s16(s, B_ICMP_SEQ));
      if (l4kind === L_ICMP) {
        this.w16(c + 2, ~cks.cksum_partial(c, pool.pool_len(m), 0) & 0xFFFF);
        proto = 1;
      } else {
        proto = 58;
      }
      l4 = c;
    }
    const l4len = pool.pool_len(m);
    this.dv.setUint32(s + B_OUT_L4_OFF, l4len, true);

    let etype = this.s16(s, B_ETH_TYPE);
    if (l3kind === L_IP4) {
      const ol = this.s16(s, B_IP_OPTS_LEN);
      const olp = (ol + 3) & ~3;
      if (olp > 40) return BERR_OPTIONS;
      const hl = 20 + olp;
      const ip = pool.pool_push(m, hl);
      if (ip === 0) return BERR_HEADROOM;
      const total = pool.pool_len(m);
      if (total > 0xFFFF) return BERR_TOO_BIG;
      const fl = this.s8(s, B_IP_FLAGS);
      let fw = (this.s16(s, B_FRAG_OFF) >> 3) & 0x1FFF;
      if (fl & IPF_MF) fw |= 0x2000;
      if (fl & IPF_DF) fw |= 0x4000;
      if (fl & IPF_RF) fw |= 0x8000;
      u8[ip] = 0x40 | (hl >> 2);
      u8[ip + 1] = this.s8(s, B_IP_TOS);
      this.w16(ip + 2, total);
      this.w16(ip + 4, this.s16(s, B_IP_ID));
      this.w16(ip + 6, fw);
      u8[ip + 8] = this.s8(s, B_IP_TTL);
      u8[ip + 9] = proto;
      u8[ip + 10] = 0; u8[ip + 11] = 0;
      this.copy(ip + 12, s + B_IP_SRC, 4);
      this.copy(ip + 16, s + B_IP_DST, 4);
      if (ol !== 0) {
        const src = this.s32(s, B_IP_OPTS);
        u8.copyWithin(ip + 20, src, src + ol);
      }
      for (let i = ol; i < olp; i++) u8[ip + 20 + i] = 0;
      this.w16(ip + 10, cks.cksum_ipv4_header(ip));
      if (l4kind === L_TCP) this.w16(l4 + 16, cks.cksum_l4_ipv4(ip, l4, l4len, 6));
      else if (l4kind === L_UDP && (this.s32(s, B_FLAGS) & BF_UDP_NO_CKSUM) === 0) {
        const c = cks.cksum_l4_ipv4(ip, l4, l4len, 17);
        this.w16(l4 + 6, c === 0 ? 0xFFFF : c);
      }
      etype = 0x0800;
    } else if (l3kind === L_IP6) {
      const el = this.s16(s, B_IP_OPTS_LEN);
      const count = this.s8(s, B_IP6_EXT_COUNT);
      if (count > 8) return BERR_SPEC;
      const ip = pool.pool_push(m, 40 + el);
      if (ip === 0) return BERR_HEADROOM;
      const plen = pool.pool_len(m) - 40;
      if (plen > 0xFFFF) return BERR_TOO_BIG;
      this.w32(ip, (0x60000000 | (this.s8(s, B_IP_TOS) << 20) | (this.s32(s, B_IP6_FLOW) & 0xFFFFF)) >>> 0);
      this.w16(ip + 4, plen);
      u8[ip + 6] = count > 0 ? this.s8(s, B_IP6_EXT_TYPES) : proto;
      u8[ip + 7] = this.s8(s, B_IP_TTL);
      this.copy(ip + 8, s + B_IP_SRC, 16);
      this.copy(ip + 24, s + B_IP_DST, 16);
      if (el !== 0) {
        const src = this.s32(s, B_IP_OPTS);
        u8.copyWithin(ip + 40, src, src + el);
      }
      let h = 0;
      for (let i = 0; i < count; i++) {
        const t = this.s8(s, B_IP6_EXT_TYPES + i);
        if (h + 8 > el) return BERR_SPEC;
        const p = ip + 40 + h;
        let hl: number;
        if (t === 44) hl = 8;
        else if (t === 51) hl = (u8[p + 1] + 2) << 2;
        else if (t === 0 || t === 43 || t === 60 || t === 135 || t === 139 || t === 140) hl = (u8[p + 1] + 1) << 3;
        else return BERR_SPEC;
        u8[p] = i + 1 < count ? this.s8(s, B_IP6_EXT_TYPES + i + 1) : proto;
        h += hl;
      }
      if (h !== el) return BERR_SPEC;
      if (l4kind === L_TCP) this.w16(l4 + 16, cks.cksum_l4_ipv6(ip, l4, l4len, 6));
      else if (l4kind === L_UDP) {
        const c = cks.cksum_l4_ipv6(ip, l4, l4len, 17);
        this.w16(l4 + 6, c === 0 ? 0xFFFF : c);
      } else if (l4kind === L_ICMP6) this.w16(l4 + 2, cks.cksum_l4_ipv6(ip, l4, l4len, 58));
      etype = 0x86dd;
    } else if (l3kind === L_ARP) {
      const a = pool.pool_push(m, 28);
      if (a === 0) return BERR_HEADROOM;
      this.w16(a, 1);
      this.w16(a + 2, 0x0800);
      u8[a + 4] = 6;
      u8[a + 5] = 4;
      this.w16(a + 6, this.s16(s, B_ARP_OP));
      this.copy(a + 8, s + B_ARP_SHA, 6);
      this.copy(a + 14, s + B_IP_SRC, 4);
      this.copy(a + 18, s + B_ARP_THA, 6);
      this.copy(a + 24, s + B_IP_DST, 4);
      etype = 0x0806;
    }
    this.dv.setUint32(s + B_OUT_L3_OFF, pool.pool_len(m), true);

    if (layers & L_VLAN) {
      const n = this.s8(s, B_VLAN_COUNT);
      if (n === 0 || n > 2) return BERR_SPEC;
      for (let i = n - 1; i >= 0; i--) {
        const vp = pool.pool_push(m, 4);
        if (vp === 0) return BERR_HEADROOM;
        this.w16(vp, this.s16(s, i === 0 ? B_VLAN0 : B_VLAN1));
        this.w16(vp + 2, etype);
        const tpid = this.s16(s, i === 0 ? B_VLAN_TPID0 : B_VLAN_TPID1);
        etype = tpid === 0 ? 0x8100 : tpid;
      }
    }
    if (layers & L_ETH) {
      const e = pool.pool_push(m, 14);
      if (e === 0) return BERR_HEADROOM;
      this.copy(e, s + B_ETH_DST, 6);
      this.copy(e + 6, s + B_ETH_SRC, 6);
      this.w16(e + 12, etype);
    }
    return 0;
  }

  build_ipv4_fragment(poolAddr: number, m: number, l3off: number, mtu: number, out: number, max: number): number {
    l3off >>>= 0; mtu >>>= 0; max >>>= 0;
    const ip = this.ipHeader(m, l3off, 20, 4);
    if (ip < 0) return ip;
    const u8 = this.u8;
    const frame = ip - l3off;
    const hl = (u8[ip] & 15) << 2;
    const total = (u8[ip + 2] << 8) | u8[ip + 3];
    if (hl < 20 || total < hl || l3off + total > this.pool.pool_len(m)) return BERR_SPEC;
    if (total <= mtu) return 0;
    const fw = (u8[ip + 6] << 8) | u8[ip + 7];
    if (fw & 0x4000) return BERR_DF;

    let copied = 0;
    const oend = ip + hl;
    let o = ip + 20;
    while (o < oend) {
      const kind = u8[o];
      if (kind === 0) break;
      if (kind === 1) { o++; continue; }
      if (o + 1 >= oend) return BERR_SPEC;
      const ol = u8[o + 1];
      if (ol < 2 || o + ol > oend) return BERR_SPEC;
      if (kind & 0x80) copied += ol;
      o += ol;
    }
    const hl2 = 20 + ((copied + 3) & ~3);
    if (mtu < hl + 8 || mtu < hl2 + 8) return BERR_MTU;
    const first = (mtu - hl) & ~7;
    const rest = (mtu - hl2) & ~7;
    const data = total - hl;
    let n = 1;
    if (data > first) n += Math.floor((data - first + rest - 1) / rest);
    if (n > max) return BERR_TOO_MANY;

    const baseOff = (fw & 0x1FFF) << 3;
    const moreAfter = (fw & 0x2000) !== 0;
    let at = 0;
    for (let i = 0; i < n; i++) {
      const h = i === 0 ? hl : hl2;
      let chunk = i === 0 ? first : rest;
      if (chunk > data - at) chunk = data - at;
      const p = this.fragmentBuffer(poolAddr, out, i, l3off + h + chunk);
      if (p < 0) return p;
      u8.copyWithin(p, frame, frame + l3off);
      const q = p + l3off;
      u8.copyWithin(q, ip, ip + 20);
      if (i === 0) {
        u8.copyWithin(q + 20, ip + 20, ip + hl);
      } else {
        let w = q + 20;
        o = ip + 20;
        while (o < oend) {
          const kind = u8[o];
          if (kind === 0) break;
          if (kind === 1) { o++; continue; }
          const ol = u8[o + 1];
          if (kind & 0x80) { u8.copyWithin(w, o, o + ol); w += ol; }
          o += ol;
        }
        while (w < q + h) u8[w++] = 0;
      }
      u8[q] = 0x40 | (h >> 2);
      this.w16(q + 2, h + chunk);
      const more = i + 1 < n || moreAfter;
      this.w16(q + 6, (fw & 0xC000) | (more ? 0x2000 : 0) | (((baseOff + at) >> 3) & 0x1FFF));
      u8[q + 10] = 0; u8[q + 11] = 0;
      this.w16(q + 10, this.cks.cksum_ipv4_header(q));
      u8.copyWithin(q + h, ip + hl + at, ip + hl + at + chunk);
      at += chunk;
    }
    return n;
  }

  build_ipv6_fragment(poolAddr: number, m: number, l3off: number, mtu: number, id: number, out: number, max: number): number {
    l3off >>>= 0; mtu >>>= 0; max >>>= 0;
    const ip = this.ipHeader(m, l3off, 40, 6);
    if (ip < 0) return ip;
    const u8 = this.u8;
    const frame = ip - l3off;
    const plen = (u8[ip + 4] << 8) | u8[ip + 5];
    if (plen === 0) return BERR_FRAGMENTED;
    const total = 40 + plen;
    if (l3off + total > this.pool.pool_len(m)) return BERR_SPEC;
    if (total <= mtu) return 0;

    // The chain walk of assembly/builder.ts: unfrag, nh (the Next Header field to set to 44)
    // and chain (the end of the upper-layer header, which the first fragment must hold).
    let unfrag = 40;
    let nh = 6;
    let at = 40;
    let t = u8[ip + 6];
    let chain = 0;
    for (;;) {
      if (t === 44) return BERR_FRAGMENTED;
      if (at > total) return BERR_SPEC;
      if (t === 0 || t === 43 || t === 60 || t === 51) {
        if (at + 8 > total) return BERR_SPEC;
        const p = ip + at;
        const hl = t === 51 ? (u8[p + 1] + 2) << 2 : (u8[p + 1] + 1) << 3;
        if (at + hl > total) return BERR_SPEC;
        if ((t === 0 && at === 40) || t === 43) { unfrag = at + hl; nh = at; }
        t = u8[p];
        at += hl;
        continue;
      }
      let ul = 0;
      if (t === 6) ul = at + 13 <= total ? (u8[ip + at + 12] >> 4) << 2 : 20;
      else if (t === 17 || t === 50) ul = 8;
      else if (t === 58) ul = 4;
      chain = at + ul;
      if (chain > total) chain = total;
      break;
    }
    const first = u8[ip + nh];
    if (mtu < unfrag + 8 + 8) return BERR_MTU;
    const piece = (mtu - unfrag - 8) & ~7;
    if (unfrag + piece < chain) return BERR_CHAIN;
    const data = total - unfrag;
    const n = Math.floor((data + piece - 1) / piece);
    if (n > max) return BERR_TOO_MANY;

    let off = 0;
    for (let i = 0; i < n; i++) {
      const chunk = Math.min(piece, data - off);
      const p = this.fragmentBuffer(poolAddr, out, i, l3off + unfrag + 8 + chunk);
      if (p < 0) return p;
      u8.copyWithin(p, frame, frame + l3off + unfrag);
      const q = p + l3off;
      this.w16(q + 4, unfrag - 40 + 8 + chunk);
      u8[q + nh] = 44;
      const fh = q + unfrag;
      u8[fh] = first;
      u8[fh + 1] = 0;
      this.w16(fh + 2, off | (i + 1 < n ? 1 : 0));
      this.w32(fh + 4, id);
      u8.copyWithin(fh + 8, ip + unfrag + off, ip + unfrag + off + chunk);
      off += chunk;
    }
    return n;
  }

  /** Both fragmenters' start: fresh views, and the address of the IP header at `l3off` of
   *  buffer `m` if `min` bytes of it are there and it is of IP version `version`, else
   *  BERR_SPEC. */
  private ipHeader(m: number, l3off: number, min: number, version: number): number {
    const v = this.views.refresh();
    this.u8 = v.u8;
    this.dv = v.dv;
    if (l3off + min > this.pool.pool_len(m)) return BERR_SPEC;
    const ip = this.pool.pool_data(m) + l3off;
    return this.u8[ip] >> 4 === version ? ip : BERR_SPEC;
  }

  /** Fragment `i`'s buffer, from the pool at `poolAddr` into out[i], holding `len` bytes:
   *  its data address, or BERR_NO_BUFFER / BERR_TOO_BIG with every buffer taken so far
   *  given back. */
  private fragmentBuffer(poolAddr: number, out: number, i: number, len: number): number {
    const f = this.pool.pool_alloc(poolAddr);
    if (f === 0) { this.unwind(poolAddr, out, i); return BERR_NO_BUFFER; }
    this.views.u32[(out >>> 2) + i] = f;
    const p = this.pool.pool_put(f, len);
    if (p === 0) { this.unwind(poolAddr, out, i + 1); return BERR_TOO_BIG; }
    return p;
  }

  private unwind(poolAddr: number, out: number, n: number): void {
    const w = this.views.u32;
    for (let i = 0; i < n; i++) this.pool.pool_free(poolAddr, w[(out >>> 2) + i]);
  }
}
