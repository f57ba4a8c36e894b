// IP reassembly: the pure-TS twin of assembly/reasm.ts (layout in ./reasm-layout.ts, same
// exports, same memory, same results, same eviction and expiry order; the surface is in
// ./exports.ts). See assembly/reasm.ts for the policy: RFC 815 holes, RFC 5722 overlaps,
// bounded entries and blocks, timeouts on the wheel.
import type { MemoryViews } from '../runtime/memory.js';
import { RegionTwin } from '../runtime/region-twin.js';
import type { WheelExports } from '../wheel/exports.js';
import type { DissectExports } from '../dissect/exports.js';
import type { ChecksumExports } from '../checksum/exports.js';
import type { AppExports } from '../app/exports.js';
import type { ReasmExports } from './exports.js';
import {
  DESC_SIZE, FRAME_SIZE, FRAME_PTR, FRAME_CAPLEN, TIME_SIZE, TIME_SEC, TIME_NSEC,
  D_LAYERS, D_ERRORS, D_L3_OFF, D_L3_HDR_LEN, D_L4_OFF, D_IP_NXT, D_IP_PROTO, D_IP_SRC, D_IP_DST,
  D_FRAG_OFF, D_IP_FLAGS, D_FRAG_ID, D_IP_TOTAL, D_IP6_JUMBO_OFF, D_SRC_PORT, D_ARP_HLEN, D_L4_CKSUM,
  D_ARP_OP, D_SACK_OFF, D_TCP_URG, D_REASM_PTR, D_REASM_LEN, D_REASM_FRAGS, D_TUNNEL, D_INNER_LEN,
  L_IP4, L_IP6, L_TCP, L_UDP, L_ICMP, L_ICMP6, L_FRAG, L_CKSUM_CHECKED, L_REASM, L_FRAG_HELD, L_TUNNEL, T_GRE, T_ERSPAN,
  E_TRUNC_L3, E_TRUNC_L4, E_BAD_IP_VERSION, E_BAD_IP_HDR_LEN, E_BAD_IP_LEN, E_BAD_TCP_OFF,
  E_BAD_UDP_LEN, E_BAD_L4_CKSUM, E_BAD_EXT_HDR, E_CAPLEN_OVER_WIRE, IPF_MF, DF_VERIFY_CKSUM, DF_APP, D_CAPLEN,
  LINKTYPE_IPV4, LINKTYPE_IPV6,
} from '../runtime/layout.js';
import {
  REASM_MAGIC, RH_MAGIC, RH_CAPACITY, RH_BMASK, RH_INDEX, RH_ENTRIES, RH_BLOCKS, RH_BLOCK_COUNT,
  RH_BLOCK_FREE, RH_BLOCK_BUMP, RH_BLOCKS_USED, RH_FREE, RH_BUMP, RH_LIVE, RH_OLDEST, RH_NEWEST,
  RH_WHEEL, RH_TIMEOUT4, RH_TIMEOUT6, RH_MAX_PAYLOAD, RH_OUT, RH_OUT_CAP, RH_OUT_USED, RH_SCRATCH,
  RH_FLAGS, RH_BASE_SEC, RH_NOW, RH_DONE, RH_SIZE, RHF_CLOCK,
  RS_FRAGMENTS, RS_HELD, RS_DONE, RS_TIMEOUTS, RS_EVICTED, RS_OVERLAPS, RS_DUPLICATES,
  RS_INCONSISTENT, RS_TOO_BIG, RS_BAD, RS_CUT, RS_TINY, RS_OFFSET8, RS_HOLES, RS_LATE, RS_OUT_FULL,
  RS_FLUSHED, RS_NO_ROOM,
  RE_NEXT, RE_OLDER, RE_NEWER, RE_TIMER, RE_HASH, RE_ID, RE_VER, RE_PROTO, RE_STATE, RE_HOLES,
  RE_SRC, RE_DST, RE_END, RE_MAXEND, RE_HDR_LEN, RE_FRAGS, RE_HDR_BLOCK, RE_NXT, RE_NXT_OFF,
  RE_HOLE, RE_MAX_HOLES, RE_BLOCK, RE_BLOCK_SLOTS, RE_SIZE, ES_USED, ES_FIRST, ES_LAST, ES_DEAD,
  REASM_BLOCK, REASM_BLOCK_SHIFT, REASM_INF, REASM_MAX_PAYLOAD, REASM_WHEEL_OUT, REASM_TICK_US,
} from './reasm-layout.js';

const L4_LAYERS = L_TCP | L_UDP | L_ICMP | L_ICMP6;
const L4_ERRORS = E_TRUNC_L4 | E_BAD_TCP_OFF | E_BAD_UDP_LEN | E_BAD_L4_CKSUM;
const CUT_ERRORS = E_TRUNC_L3 | E_BAD_IP_VERSION | E_BAD_IP_HDR_LEN | E_BAD_IP_LEN | E_BAD_EXT_HDR | E_CAPLEN_OVER_WIRE;
const imul = Math.imul;

const align64 = (n: number): number => ((n + 63) & ~63) >>> 0;

function bucketsFor(capacity: number): number {
  let b = 1;
  while (b < capacity) b *= 2;
  return b;
}

function mix(h: number, v: number): number {
  h = (h ^ imul(v, 0xcc9e2d51)) >>> 0;
  h = ((h << 13) | (h >>> 19)) >>> 0;
  return (imul(h, 5) + 0xe6546b64) >>> 0;
}

/**
 * Pure-TS twin of assembly/reasm.ts. Header and entry fields are read through aligned
 * typed arrays (the region, entries and blocks are 64-byte aligned), frame bytes one by
 * one (headers in frames may be unaligned). The current fragment's key lives in fields, as
 * it lives in WASM globals. u32 results come back as i32, as WASM returns them.
 */
export class ReasmTwin extends RegionTwin implements ReasmExports {
  private readonly wheel: WheelExports;
  private readonly dissect: DissectExports;
  private readonly cks: ChecksumExports;
  private readonly app: AppExports;
  private kId = 0;

  constructor(views: MemoryViews, wheel: WheelExports, dissect: DissectExports, cks: ChecksumExports, app: AppExports) {
    super(views);
    this.wheel = wheel;
    this.dissect = dissect;
    this.cks = cks;
    this.app = app;
  }

  private entryAt(r: number, i: number): number { return this.m32[(r + RH_ENTRIES) >>> 2] + i * RE_SIZE; }
  private blockAt(r: number, b: number): number { return this.m32[(r + RH_BLOCKS) >>> 2] + (b - 1) * REASM_BLOCK; }
  private be16(p: number): number { return (this.m8[p] << 8) | this.m8[p + 1]; }
  private be32(p: number): number { const m = this.m8; return ((m[p] << 24) | (m[p + 1] << 16) | (m[p + 2] << 8) | m[p + 3]) >>> 0; }
  /** A little-endian u32 at any address, as WASM's load<u32> reads it. */
  private le32(p: number): number { const m = this.m8; return (m[p] | (m[p + 1] << 8) | (m[p + 2] << 16) | (m[p + 3] << 24)) >>> 0; }

  reasm_region_size(capacity: number, blocks: number, outBytes: number): number {
    return (align64(RH_SIZE) + align64(bucketsFor(capacity) * 4) + align64((capacity + 1) * RE_SIZE) +
      blocks * REASM_BLOCK + align64(DESC_SIZE + REASM_WHEEL_OUT * 4) + align64(outBytes)) | 0;
  }

  reasm_init(r: number, capacity: number, blocks: number, outBytes: number, wheel: number): number {
    capacity >>>= 0; blocks >>>= 0; outBytes >>>= 0;
    if (capacity === 0 || capacity > 0x100000 || blocks === 0 || blocks > 0x400000 || outBytes < 0x10400) return 0;
    this.sync();
    this.m8.fill(0, r, r + RH_SIZE);
    this.set32(r, RH_MAGIC, REASM_MAGIC);
    this.set32(r, RH_CAPACITY, capacity);
    const buckets = bucketsFor(capacity);
    this.set32(r, RH_BMASK, buckets - 1);
    let p = r + align64(RH_SIZE);
    this.set32(r, RH_INDEX, p);
    this.m8.fill(0, p, p + buckets * 4);
    p += align64(buckets * 4);
    this.set32(r, RH_ENTRIES, p);
    this.m8.fill(0, p, p + RE_SIZE);
    p += align64((capacity + 1) * RE_SIZE);
    this.set32(r, RH_BLOCKS, p);
    this.set32(r, RH_BLOCK_COUNT, blocks);
    p += blocks * REASM_BLOCK;
    this.set32(r, RH_SCRATCH, p);
    p += align64(DESC_SIZE + REASM_WHEEL_OUT * 4);
    this.set32(r, RH_OUT, p);
    this.set32(r, RH_OUT_CAP, outBytes);
    this.set32(r, RH_BUMP, 1);
    this.set32(r, RH_WHEEL, wheel);
    this.set32(r, RH_TIMEOUT4, 30000);
    this.set32(r, RH_TIMEOUT6, 60000);
    this.set32(r, RH_MAX_PAYLOAD, REASM_MAX_PAYLOAD);
    return 1;
  }

  reasm_configure(r: number, timeout4: number, timeout6: number, maxPayload: number): void {
    timeout4 >>>= 0; timeout6 >>>= 0; maxPayload >>>= 0;
    this.sync();
    this.set32(r, RH_TIMEOUT4, timeout4 === 0 ? 1 : (timeout4 > 0x3FFFFFFF ? 0x3FFFFFFF : timeout4));
    this.set32(r, RH_TIMEOUT6, timeout6 === 0 ? 1 : (timeout6 > 0x3FFFFFFF ? 0x3FFFFFFF : timeout6));
    this.set32(r, RH_MAX_PAYLOAD, maxPayload === 0 ? 1 : (maxPayload > REASM_MAX_PAYLOAD ? REASM_MAX_PAYLOAD : maxPayload));
  }

  reasm_live(r: number): number { this.sync(); return this.h32(r, RH_LIVE) | 0; }
  reasm_blocks_used(r: number): number { this.sync(); return this.h32(r, RH_BLOCKS_USED) | 0; }

  // ---- the key ----

  private keyHash(): number {
    let h = mix(0x9747b28c, this.kId);
    h = mix(h, (this.kVer << 8) | this.kProto);
    h = mix(h, this.kS0); h = mix(h, this.kD0);
    if (this.kVer === 6) {
      h = mix(h, this.kS1); h = mix(h, this.kS2); h = mix(h, this.kS3);
      h = mix(h, this.kD1); h = mix(h, this.kD2); h = mix(h, this.kD3);
    }
    h ^= h >>> 16; h = imul(h, 0x85ebca6b); h ^= h >>> 13; h = imul(h, 0xc2b2ae35); h ^= h >>> 16;
    return h >>> 0;
  }

  private keyIs(e: number, h: number): boolean {
    const m32 = this.m32;
    const w = e >>> 2;
    return m32[w + (RE_HASH >>> 2)] === h && m32[w + (RE_ID >>> 2)] === this.kId &&
      this.m8[e + RE_VER] === this.kVer && this.m8[e + RE_PROTO] === this.kProto &&
      m32[w + (RE_SRC >>> 2)] === this.kS0 && m32[w + (RE_SRC >>> 2) + 1] === this.kS1 &&
      m32[w + (RE_SRC >>> 2) + 2] === this.kS2 && m32[w + (RE_SRC >>> 2) + 3] === this.kS3 &&
      m32[w + (RE_DST >>> 2)] === this.kD0 && m32[w + (RE_DST >>> 2) + 1] === this.kD1 &&
      m32[w + (RE_DST >>> 2) + 2] === this.kD2 && m32[w + (RE_DST >>> 2) + 3] === this.kD3;
  }

  private lookup(r: number, h: number): number {
    let i = this.m32[(this.h32(r, RH_INDEX) + (h & this.h32(r, RH_BMASK)) * 4) >>> 2];
    while (i !== 0) {
      const e = this.entryAt(r, i);
      if (this.keyIs(e, h)) return i;
      i = this.m32[(e + RE_NEXT) >>> 2];
    }
    return 0;
  }

  // ---- entries and blocks ----

  private freeBlocks(r: number, e: number): void {
    const m32 = this.m32;
    let freeHead = this.h32(r, RH_BLOCK_FREE);
    let used = this.h32(r, RH_BLOCKS_USED);
    for (let k = -1; k < RE_BLOCK_SLOTS; k++) {
      const slot = (k < 0 ? e + RE_HDR_BLOCK : e + RE_BLOCK + k * 4) >>> 2;
      const b = m32[slot];
      if (b === 0) continue;
      m32[this.blockAt(r, b) >>> 2] = freeHead;
      freeHead = b;
      used--;
      m32[slot] = 0;
    }
    this.set32(r, RH_BLOCK_FREE, freeHead);
    this.set32(r, RH_BLOCKS_USED, used);
  }

  private release(r: number, i: number, timerFired: boolean): void {
    const m32 = this.m32;
    const e = this.entryAt(r, i);
    this.freeBlocks(r, e);
    const head = (this.h32(r, RH_INDEX) + (m32[(e + RE_HASH) >>> 2] & this.h32(r, RH_BMASK)) * 4) >>> 2;
    let j = m32[head];
    if (j === i) {
      m32[head] = m32[(e + RE_NEXT) >>> 2];
    } else {
      while (j !== 0) {
        const ej = this.entryAt(r, j);
        const n = m32[(ej + RE_NEXT) >>> 2];
        if (n === i) { m32[(ej + RE_NEXT) >>> 2] = m32[(e + RE_NEXT) >>> 2]; break; }
        j = n;
      }
    }
    const older = m32[(e + RE_OLDER) >>> 2];
    const newer = m32[(e + RE_NEWER) >>> 2];
    if (older !== 0) m32[(this.entryAt(r, older) + RE_NEWER) >>> 2] = newer; else this.set32(r, RH_OLDEST, newer);
    if (newer !== 0) m32[(this.entryAt(r, newer) + RE_OLDER) >>> 2] = older; else this.set32(r, RH_NEWEST, older);
    if (!timerFired) this.wheel.wheel_cancel(this.h32(r, RH_WHEEL), m32[(e + RE_TIMER) >>> 2]);
    this.m8[e + RE_STATE] = 0;
    m32[(e + RE_NEXT) >>> 2] = this.h32(r, RH_FREE);
    this.set32(r, RH_FREE, i);
    this.set32(r, RH_LIVE, this.h32(r, RH_LIVE) - 1);
  }

  private evictOldest(r: number, keep: number): number {
    let i = this.h32(r, RH_OLDEST);
    if (i === keep && i !== 0) i = this.m32[(this.entryAt(r, i) + RE_NEWER) >>> 2];
    if (i === 0) return 0;
    if ((this.m8[this.entryAt(r, i) + RE_STATE] & ES_DEAD) === 0) this.bump(r, RS_EVICTED);
    this.release(r, i, false);
    return 1;
  }

  private allocBlock(r: number, keep: number): number {
    for (;;) {
      const b = this.h32(r, RH_BLOCK_FREE);
      if (b !== 0) {
        this.set32(r, RH_BLOCK_FREE, this.m32[this.blockAt(r, b) >>> 2]);
        this.set32(r, RH_BLOCKS_USED, this.h32(r, RH_BLOCKS_USED) + 1);
        return b;
      }
      const bump = this.h32(r, RH_BLOCK_BUMP);
      if (bump < this.h32(r, RH_BLOCK_COUNT)) {
        this.set32(r, RH_BLOCK_BUMP, bump + 1);
        this.set32(r, RH_BLOCKS_USED, this.h32(r, RH_BLOCKS_USED) + 1);
        return bump + 1;
      }
      if (this.evictOldest(r, keep) === 0) return 0;
    }
  }

  private create(r: number, h: number): number {
    const m32 = this.m32;
    let i = this.h32(r, RH_FREE);
    if (i !== 0) {
      this.set32(r, RH_FREE, m32[(this.entryAt(r, i) + RE_NEXT) >>> 2]);
    } else if (this.h32(r, RH_BUMP) <= this.h32(r, RH_CAPACITY)) {
      i = this.h32(r, RH_BUMP);
      this.set32(r, RH_BUMP, i + 1);
    } else {
      this.evictOldest(r, 0);
      i = this.h32(r, RH_FREE);
      this.set32(r, RH_FREE, m32[(this.entryAt(r, i) + RE_NEXT) >>> 2]);
    }
    const e = this.entryAt(r, i);
    const w = e >>> 2;
    this.m8.fill(0, e, e + RE_SIZE);
    m32[w + (RE_HASH >>> 2)] = h;
    m32[w + (RE_ID >>> 2)] = this.kId;
    this.m8[e + RE_VER] = this.kVer;
    this.m8[e + RE_PROTO] = this.kProto;
    this.m8[e + RE_STATE] = ES_USED;
    m32[w + (RE_SRC >>> 2)] = this.kS0; m32[w + (RE_SRC >>> 2) + 1] = this.kS1;
    m32[w + (RE_SRC >>> 2) + 2] = this.kS2; m32[w + (RE_SRC >>> 2) + 3] = this.kS3;
    m32[w + (RE_DST >>> 2)] = this.kD0; m32[w + (RE_DST >>> 2) + 1] = this.kD1;
    m32[w + (RE_DST >>> 2) + 2] = this.kD2; m32[w + (RE_DST >>> 2) + 3] = this.kD3;
    this.m8[e + RE_HOLES] = 1;
    m32[w + (RE_HOLE >>> 2)] = 0;
    m32[w + (RE_HOLE >>> 2) + 1] = REASM_INF;
    const head = (this.h32(r, RH_INDEX) + (h & this.h32(r, RH_BMASK)) * 4) >>> 2;
    m32[w + (RE_NEXT >>> 2)] = m32[head];
    m32[head] = i;
    const newest = this.h32(r, RH_NEWEST);
    m32[w + (RE_OLDER >>> 2)] = newest;
    if (newest !== 0) m32[(this.entryAt(r, newest) + RE_NEWER) >>> 2] = i; else this.set32(r, RH_OLDEST, i);
    this.set32(r, RH_NEWEST, i);
    this.set32(r, RH_LIVE, this.h32(r, RH_LIVE) + 1);
    const timeout = this.kVer === 4 ? this.h32(r, RH_TIMEOUT4) : this.h32(r, RH_TIMEOUT6);
    m32[w + (RE_TIMER >>> 2)] = this.wheel.wheel_schedule(this.h32(r, RH_WHEEL), timeout, i);
    return i;
  }

  private discard(r: number, e: number, stat: number): void {
    this.freeBlocks(r, e);
    this.m8[e + RE_STATE] |= ES_DEAD;
    this.m8[e + RE_HOLES] = 0;
    this.bump(r, stat);
  }

  // ---- the clock ----

  private expireDue(r: number): void {
    const wheel = this.h32(r, RH_WHEEL);
    const now = this.h32(r, RH_NOW);
    if (this.wheel.wheel_now(wheel) >>> 0 === now) return;
    const out = this.h32(r, RH_SCRATCH) + DESC_SIZE;
    for (;;) {
      const n = this.wheel.wheel_advance(wheel, now, out, REASM_WHEEL_OUT);
      for (let k = 0; k < n; k++) {
        const i = this.m32[(out >>> 2) + k];
        const e = this.entryAt(r, i);
        if ((this.m8[e + RE_STATE] & ES_USED) === 0) continue;
        if ((this.m8[e + RE_STATE] & ES_DEAD) === 0) this.bump(r, RS_TIMEOUTS);
        this.release(r, i, true);
      }
      if (n < REASM_WHEEL_OUT) return;
    }
  }

  private clockTo(r: number, sec: number, nsec: number): void {
    if ((this.h32(r, RH_FLAGS) & RHF_CLOCK) === 0) {
      this.set32(r, RH_FLAGS, this.h32(r, RH_FLAGS) | RHF_CLOCK);
      this.set32(r, RH_BASE_SEC, sec);
    }
    const base = this.h32(r, RH_BASE_SEC);
    if (((sec - base) | 0) < 0) return;
    // (sec - base) * 1e6 + nsec / 1e3 can pass 2^53 only after 285 years; the u64 of the
    // WASM side is truncated to u32 the same way.
    const us = ((sec - base) >>> 0) * 1000000 + Math.floor(nsec / 1000);
    const tick = Math.floor(us / REASM_TICK_US) % 4294967296;
    if (((tick - this.h32(r, RH_NOW)) | 0) > 0) this.set32(r, RH_NOW, tick);
    this.expireDue(r);
  }

  reasm_expire(r: number, sec: number, nsec: number): void {
    this.sync();
    this.clockTo(r, sec >>> 0, nsec >>> 0);
  }

  reasm_flush(r: number): void {
    this.sync();
    for (;;) {
      const i = this.h32(r, RH_OLDEST);
      if (i === 0) return;
      if ((this.m8[this.entryAt(r, i) + RE_STATE] & ES_DEAD) === 0) this.bump(r, RS_FLUSHED);
      this.release(r, i, false);
    }
  }

  // ---- one fragment ----

  private holeAt(e: number, off: number): number {
    const n = this.m8[e + RE_HOLES];
    const w = (e + RE_HOLE) >>> 2;
    for (let k = 0; k < n; k++) {
      if (this.m32[w + 2 * k] <= off && off < this.m32[w + 2 * k + 1]) return k;
    }
    return -1;
  }

  private meetsHole(e: number, off: number, end: number): boolean {
    const n = this.m8[e + RE_HOLES];
    const w = (e + RE_HOLE) >>> 2;
    for (let k = 0; k < n; k++) {
      if (this.m32[w + 2 * k] < end && off < this.m32[w + 2 * k + 1]) return true;
    }
    return false;
  }

  private storePayload(r: number, i: number, e: number, src: number, off: number, len: number): boolean {
    let pos = off;
    const end = off + len;
    while (pos < end) {
      const slot = (e + RE_BLOCK + (pos >>> REASM_BLOCK_SHIFT) * 4) >>> 2;
      let b = this.m32[slot];
      if (b === 0) {
        b = this.allocBlock(r, i);
        if (b === 0) return false;
        this.m32[slot] = b;
      }
      const within = pos & (REASM_BLOCK - 1);
      let n = REASM_BLOCK - within;
      if (n > end - pos) n = end - pos;
      this.m8.copyWithin(this.blockAt(r, b) + within, src + (pos - off), src + (pos - off) + n);
      pos += n;
    }
    return true;
  }

  private complete(r: number, e: number, d: number, opts: number): number {
    const m8 = this.m8;
    const m16 = this.m16;
    const m32 = this.m32;
    const hdrLen = m16[(e + RE_HDR_LEN) >>> 1];
    const payLen = m32[(e + RE_END) >>> 2];
    const total = hdrLen + payLen;
    const used = this.h32(r, RH_OUT_USED);
    if (used + total > this.h32(r, RH_OUT_CAP)) return 0;
    const p = this.h32(r, RH_OUT) + used;
    this.set32(r, RH_OUT_USED, (used + total + 7) & ~7);
    const hb = this.blockAt(r, m32[(e + RE_HDR_BLOCK) >>> 2]);
    m8.copyWithin(p, hb, hb + hdrLen);
    for (let pos = 0; pos < payLen;) {
      const n = payLen - pos < REASM_BLOCK ? payLen - pos : REASM_BLOCK;
      const b = this.blockAt(r, m32[(e + RE_BLOCK + (pos >>> REASM_BLOCK_SHIFT) * 4) >>> 2]);
      m8.copyWithin(p + hdrLen + pos, b, b + n);
      pos += n;
    }
    let linktype: number;
    if (m8[e + RE_VER] === 4) {
      m8[p + 2] = total >>> 8; m8[p + 3] = total & 0xFF;
      m8[p + 6] &= 0xC0; m8[p + 7] = 0; // MF and offset cleared, DF/RF kept
      m8[p + 10] = 0; m8[p + 11] = 0;
      const c = this.cks.cksum_ipv4_header(p);
      m8[p + 10] = c >>> 8; m8[p + 11] = c & 0xFF;
      linktype = LINKTYPE_IPV4;
    } else {
      const pl = total - 40;
      m8[p + 4] = pl >>> 8; m8[p + 5] = pl & 0xFF;
      m8[p + m16[(e + RE_NXT_OFF) >>> 1]] = m8[e + RE_NXT];
      linktype = LINKTYPE_IPV6;
    }
    const s = this.h32(r, RH_SCRATCH);
    this.dissect.dissect_frame(p, total, total, linktype, s, opts & DF_VERIFY_CKSUM);
    const sl = m32[(s + D_LAYERS) >>> 2];
    m32[(d + D_LAYERS) >>> 2] = ((m32[(d + D_LAYERS) >>> 2] & ~(L4_LAYERS | L_FRAG_HELD)) | (sl & (L4_LAYERS | L_CKSUM_CHECKED)) | L_REASM) >>> 0;
    m32[(d + D_ERRORS) >>> 2] = ((m32[(d + D_ERRORS) >>> 2] & ~L4_ERRORS) | (m32[(s + D_ERRORS) >>> 2] & L4_ERRORS)) >>> 0;
    m8[d + D_IP_PROTO] = m8[s + D_IP_PROTO];
    m8.copyWithin(d + D_L4_OFF, s + D_L4_OFF, s + D_L4_OFF + 8);
    m8.copyWithin(d + D_SRC_PORT, s + D_SRC_PORT, s + D_ARP_HLEN);
    m8.copyWithin(d + D_L4_CKSUM, s + D_L4_CKSUM, s + D_ARP_OP);
    m16[(d + D_SACK_OFF) >>> 1] = m16[(s + D_SACK_OFF) >>> 1];
    m16[(d + D_TCP_URG) >>> 1] = m16[(s + D_TCP_URG) >>> 1];
    if ((sl & L_TUNNEL) !== 0) { // a tunnel datagram (assembly/reasm.ts)
      m32[(d + D_LAYERS) >>> 2] = (m32[(d + D_LAYERS) >>> 2] | L_TUNNEL) >>> 0;
      m8.copyWithin(d + D_TUNNEL, s + D_TUNNEL, s + D_INNER_LEN + 4);
      const kind = m8[s + D_TUNNEL];
      if (kind === T_GRE || kind === T_ERSPAN) m16[(d + D_L4_OFF) >>> 1] = m16[(s + D_L3_HDR_LEN) >>> 1];
    }
    m32[(d + D_REASM_PTR) >>> 2] = p;
    m32[(d + D_REASM_LEN) >>> 2] = total;
    m16[(d + D_REASM_FRAGS) >>> 1] = m16[(e + RE_FRAGS) >>> 1];
    if ((opts & DF_APP) !== 0) {
      // The datagram's application layer into d's app record (assembly/reasm.ts).
      const cap = m32[(d + D_CAPLEN) >>> 2];
      m32[(d + D_CAPLEN) >>> 2] = total;
      this.app.app_frame(p, d);
      this.sync();
      this.m32[(d + D_CAPLEN) >>> 2] = cap;
    }
    return 1;
  }

  private fragment(r: number, f: number, cap: number, d: number, opts: number): number {
    const m8 = this.m8;
    const m16 = this.m16;
    const m32 = this.m32;
    const layers = m32[(d + D_LAYERS) >>> 2];
    this.bump(r, RS_FRAGMENTS);
    if ((m32[(d + D_ERRORS) >>> 2] & CUT_ERRORS) !== 0) { this.bump(r, RS_CUT); return 0; }
    const l3 = m16[(d + D_L3_OFF) >>> 1];
    const ipEnd = (l3 + m32[(d + D_IP_TOTAL) >>> 2]) >>> 0;
    if (ipEnd > cap || ipEnd < l3) { this.bump(r, RS_CUT); return 0; }
    let off = m16[(d + D_FRAG_OFF) >>> 1];
    let mf = (m8[d + D_IP_FLAGS] & IPF_MF) !== 0;
    let data: number;
    let hdrLen: number;
    let upper: number;
    let nxtOff = 0;
    let limit: number;
    m32[(d + D_LAYERS) >>> 2] = (layers | L_FRAG_HELD) >>> 0;
    if ((layers & L_IP4) !== 0) {
      hdrLen = m16[(d + D_L3_HDR_LEN) >>> 1];
      data = l3 + hdrLen;
      upper = m8[d + D_IP_NXT];
      this.kVer = 4;
      this.kProto = upper;
      this.kId = m32[(d + D_FRAG_ID) >>> 2];
      this.kS0 = m32[(d + D_IP_SRC) >>> 2]; this.kS1 = 0; this.kS2 = 0; this.kS3 = 0;
      this.kD0 = m32[(d + D_IP_DST) >>> 2]; this.kD1 = 0; this.kD2 = 0; this.kD3 = 0;
      limit = REASM_MAX_PAYLOAD - hdrLen;
    } else {
      if (m16[(d + D_IP6_JUMBO_OFF) >>> 1] !== 0) { this.bump(r, RS_BAD); return 0; }
      let nh = m8[d + D_IP_NXT];
      let x = l3 + 40;
      nxtOff = 6;
      let n = 0;
      while (nh !== 44) {
        if (n >= 16 || x + 2 > ipEnd) { this.bump(r, RS_BAD); return 0; }
        let xl: number;
        if (nh === 0 || nh === 43 || nh === 60 || nh === 135 || nh === 139 || nh === 140) xl = (m8[f + x + 1] + 1) << 3;
        else if (nh === 51) xl = (m8[f + x + 1] + 2) << 2;
        else { this.bump(r, RS_BAD); return 0; }
        nxtOff = x - l3;
        nh = m8[f + x];
        x += xl;
        n++;
      }
      if (x + 8 > ipEnd || x - l3 > REASM_BLOCK) { this.bump(r, RS_BAD); return 0; }
      hdrLen = x - l3;
      data = x + 8;
      upper = m8[f + x];
      const fw = this.be16(f + x + 2);
      off = fw & 0xFFF8;
      mf = (fw & 1) !== 0;
      this.kVer = 6;
      this.kProto = 0;
      this.kId = this.be32(f + x + 4);
      const a = f + l3 + 8;
      this.kS0 = this.le32(a); this.kS1 = this.le32(a + 4); this.kS2 = this.le32(a + 8); this.kS3 = this.le32(a + 12);
      this.kD0 = this.le32(a + 16); this.kD1 = this.le32(a + 20); this.kD2 = this.le32(a + 24); this.kD3 = this.le32(a + 28);
      limit = REASM_MAX_PAYLOAD + 40 - hdrLen;
    }
    const len = ipEnd - data;
    const end = off + len;
    if (off === 0 && mf && ((upper === 6 && len < 20) || ((upper === 17 || upper === 1 || upper === 58) && len < 8))) this.bump(r, RS_TINY);
    if (off === 8 && upper === 6) this.bump(r, RS_OFFSET8);
    if (len === 0 || (mf && (len & 7) !== 0)) { this.bump(r, RS_BAD); return 0; }
    const h = this.keyHash();
    let i = this.lookup(r, h);
    if (i === 0) i = this.create(r, h);
    const e = this.entryAt(r, i);
    const w = e >>> 2;
    let state = m8[e + RE_STATE];
    if ((state & ES_DEAD) !== 0) { this.bump(r, RS_LATE); return 0; }
    if (end > limit || end > this.h32(r, RH_MAX_PAYLOAD)) { this.discard(r, e, RS_TOO_BIG); return 0; }
    if (!mf) {
      if (((state & ES_LAST) !== 0 && m32[w + (RE_END >>> 2)] !== end) || m32[w + (RE_MAXEND >>> 2)] > end) {
        this.discard(r, e, RS_INCONSISTENT);
        return 0;
      }
    } else if ((state & ES_LAST) !== 0 && end > m32[w + (RE_END >>> 2)]) {
      this.discard(r, e, RS_INCONSISTENT);
      return 0;
    }
    const k = this.holeAt(e, off);
    if (k < 0) {
      if (this.meetsHole(e, off, end)) { this.discard(r, e, RS_OVERLAPS); return 0; }
      this.bump(r, RS_DUPLICATES);
      return 0;
    }
    const hw = ((e + RE_HOLE) >>> 2) + 2 * k;
    const hs = m32[hw];
    const he = m32[hw + 1];
    if (end > he) { this.discard(r, e, RS_OVERLAPS); return 0; }
    const before = off > hs;
    const after = end < he && mf;
    let holes = m8[e + RE_HOLES];
    if (before && after) {
      if (holes >= RE_MAX_HOLES) { this.discard(r, e, RS_HOLES); return 0; }
      m32[hw + 1] = off;
      const nw = ((e + RE_HOLE) >>> 2) + 2 * holes;
      m32[nw] = end;
      m32[nw + 1] = he;
      holes++;
    } else if (before) {
      m32[hw + 1] = off;
    } else if (after) {
      m32[hw] = end;
    } else {
      holes--;
      const lw = ((e + RE_HOLE) >>> 2) + 2 * holes;
      m32[hw] = m32[lw];
      m32[hw + 1] = m32[lw + 1];
    }
    m8[e + RE_HOLES] = holes;
    if (!this.storePayload(r, i, e, f + data, off, len)) { this.discard(r, e, RS_NO_ROOM); return 0; }
    if (off === 0) {
      const b = this.allocBlock(r, i);
      if (b === 0) { this.discard(r, e, RS_NO_ROOM); return 0; }
      m32[w + (RE_HDR_BLOCK >>> 2)] = b;
      const ba = this.blockAt(r, b);
      m8.copyWithin(ba, f + l3, f + l3 + hdrLen);
      m16[(e + RE_HDR_LEN) >>> 1] = hdrLen;
      m8[e + RE_NXT] = upper;
      m16[(e + RE_NXT_OFF) >>> 1] = nxtOff;
      state |= ES_FIRST;
    }
    if (!mf) {
      m32[w + (RE_END >>> 2)] = end;
      state |= ES_LAST;
    }
    m8[e + RE_STATE] = state;
    if (end > m32[w + (RE_MAXEND >>> 2)]) m32[w + (RE_MAXEND >>> 2)] = end;
    m16[(e + RE_FRAGS) >>> 1]++;
    this.bump(r, RS_HELD);
    if ((state & (ES_FIRST | ES_LAST)) !== (ES_FIRST | ES_LAST) || holes !== 0) return 0;
    const ok = this.complete(r, e, d, opts);
    if (ok === 0) this.bump(r, RS_OUT_FULL);
    else this.bump(r, RS_DONE);
    this.release(r, i, false);
    return ok;
  }

  reasm_batch(r: number, frames: number, descs: number, times: number, n: number, opts: number): number {
    this.sync();
    n >>>= 0;
    const m32 = this.m32;
    this.set32(r, RH_OUT_USED, 0);
    let done = 0;
    for (let i = 0; i < n; i++) {
      const d = descs + i * DESC_SIZE;
      const layers = m32[(d + D_LAYERS) >>> 2];
      if ((layers & L_FRAG) === 0 || (layers & (L_IP4 | L_IP6)) === 0) continue;
      const t = times + i * TIME_SIZE;
      this.clockTo(r, m32[(t + TIME_SEC) >>> 2], m32[(t + TIME_NSEC) >>> 2]);
      const fe = frames + i * FRAME_SIZE;
      done += this.fragment(r, m32[(fe + FRAME_PTR) >>> 2], m32[(fe + FRAME_CAPLEN) >>> 2], d, opts);
      // The dissector twin refreshes its own views; ours stay valid (nothing grows memory here).
    }
    if (n > 0) {
      const t = times + (n - 1) * TIME_SIZE;
      this.clockTo(r, m32[(t + TIME_SEC) >>> 2], m32[(t + TIME_NSEC) >>> 2]);
    }
    this.set32(r, RH_DONE, done);
    return done;
  }
}
