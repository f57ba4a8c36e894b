// Flow table: the pure-TS twin of assembly/flows.ts (same exports, same memory, same
// records, same order; the surface is in ./exports.ts, the layout in ./flow-layout.ts,
// generated from assembly/flow-layout.ts). See
// assembly/flows.ts for the design: a bucketed signature index over an entry pool, TCP
// state per RFC 9293 from the wire, lazy idle/active timers on the wheel.
import type { MemoryViews } from '../runtime/memory.js';
import { RegionTwin } from '../runtime/region-twin.js';
import type { WheelExports } from '../wheel/exports.js';
import type { FlowsExports } from './exports.js';
import {
  DESC_SIZE, D_LAYERS, D_WIRELEN, D_L3_OFF, D_IP_PROTO, D_IP_TOTAL, D_REASM_LEN, L_REASM, L_FRAG_HELD, D_IP_SRC, D_IP_DST, D_SRC_PORT,
  D_TCP_SEQ, D_TCP_ACK, D_TCP_FLAGS, D_PAYLOAD_LEN, D_ICMP_TYPE, D_ICMP_CODE, D_ICMP_ID,
  D_VLAN0, D_VLAN_COUNT, FRAME_SIZE, FRAME_PTR, FRAME_IFACE, TIME_SIZE, TIME_W_SEC, TIME_W_NSEC,
  L_IP4, L_IP6, L_TCP, L_UDP, L_ICMP, L_ICMP6,
} from '../runtime/layout.js';
import {
  FLOWS_MAGIC, FT_MAGIC, FT_CAPACITY, FT_BUCKETS, FT_BMASK, FT_INDEX, FT_ENTRIES, FT_WHEEL, FT_EXPORT,
  FT_EXPORT_CAP, FT_EXPORT_COUNT, FT_FREE, FT_BUMP, FT_LIVE, FT_TICK_US, FT_BASE_SEC, FT_NOW_TICK,
  FT_NOW_SEC, FT_NOW_NSEC, FT_FIRST_SEC, FT_FIRST_NSEC, FT_FLAGS, FT_EVICT, FT_SCAN, FT_SCRATCH, FT_TIMEOUTS,
  FT_ST_FRAMES, FT_ST_SKIPPED, FT_ST_CREATED, FT_ST_IDLE, FT_ST_EVICTED, FT_ST_FAILED, FT_ST_ACTIVE,
  FT_ST_REUSED, FT_ST_FLUSHED, FT_TICK_SEC, FT_TICK_NSEC0, FT_TICK_NSEC1, FT_HDR_SIZE, TF_CLOCK, TF_DRAIN,
  TC_TCP_OPENING, TC_TCP_ESTABLISHED, TC_TCP_CLOSING, TC_TCP_TIME_WAIT, TC_TCP_CLOSED, TC_UDP, TC_ICMP,
  TC_OTHER, TC_ACTIVE, TC_COUNT, FT_CHUNK, FT_WHEEL_OUT, FT_SC_HASH, FT_SC_SINK, FT_SC_OUT, FT_SCRATCH_SIZE,
  FB_SIZE, FB_SLOTS, FB_OVERFLOW, FB_IDX, FT_PROBE, FE_SIZE, FE_LAST_TICK, FE_PROTO, FE_IPVER, FE_FLAGS,
  FE_TIMER, FE_DEADLINE, FE_ADDR_A, FE_ADDR_B, FE_PORT_A, FE_STATE_A, FE_STATE_B, FE_TCPFL_A, FE_TCPFL_B,
  FE_FIRST_SEC, FE_FIRST_NSEC, FE_LAST_SEC, FE_LAST_NSEC, FE_FRAMES_AB, FE_FRAMES_BA, FE_BYTES_AB,
  FE_BYTES_BA, FE_IPBYTES_AB, FE_IPBYTES_BA, FE_NEXT_A, FE_RETRANS_A, FE_OOO_A, FE_ISN_A, FE_FIN_A,
  FE_HIST_A, FE_END, FE_ICMP_TYPE, FE_ICMP_CODE, FE_VLAN, FE_IFACE, FE_REPORT_TICK, FE_START_SEC,
  FE_START_NSEC, FE_REPORTS, FE_INDEX, EF_USED, EF_ISN_A, EF_FIN_A, EF_SEQ_A, EF_NOPORTS, EF_PASSIVE_A,
  EF_REPORTED, EF_PICKUP, TS_NONE, TS_CLOSED, TS_LISTEN, TS_SYN_SENT, TS_SYN_RECEIVED, TS_ESTABLISHED,
  TS_FIN_WAIT_1, TS_FIN_WAIT_2, TS_CLOSING, TS_TIME_WAIT, TS_CLOSE_WAIT, TS_LAST_ACK, END_IDLE, END_ACTIVE,
  END_EOF, END_RESOURCES,
} from './flow-layout.js';
import { FE_WIN_A, FE_RST_IGNORED, FE_WSCALE, EF_WIN_A, FT_ST_RST_IGNORED } from './flow-layout.js';
import { FT_SEED, FT_AGE_SHIFT, FB_HAND, FB_IDX_MASK, FB_STAMP_SHIFT, FB_STAMP_MASK, FB_WEAK, EF_REPLIED, FT_SWEEP } from './flow-layout.js';
import { D_TCP_WINDOW, D_TCP_WSCALE, D_TCP_OPTS, TO_WSCALE } from '../runtime/layout.js';

const TH_FIN = 1;
const TH_SYN = 2;
const TH_RST = 4;
const TH_ACK = 16;
const imul = Math.imul;

function fmix(h: number): number {
  h ^= h >>> 16;
  h = imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

// The NH accumulator of hashKey: a sum of 32 x 32 -> 64-bit products, mod 2^64, as two
// u32 halves (JS numbers are exact only to 2^53, so each product is built from 16-bit limbs).
let nhHi = 0;
let nhLo = 0;

/** nh += a * b (a, b taken as u32), as WASM's i64 multiply-add. */
function nhAdd(a: number, b: number): void {
  a >>>= 0;
  b >>>= 0;
  const a0 = a & 0xFFFF; const a1 = a >>> 16;
  const b0 = b & 0xFFFF; const b1 = b >>> 16;
  const p00 = a0 * b0; const p01 = a0 * b1; const p10 = a1 * b0; const p11 = a1 * b1;
  const mid = (p00 >>> 16) + (p01 & 0xFFFF) + (p10 & 0xFFFF);
  const lo = (((mid & 0xFFFF) << 16) | (p00 & 0xFFFF)) >>> 0;
  const hi = p11 + (p01 >>> 16) + (p10 >>> 16) + (mid >>> 16);
  const sum = nhLo + lo;
  const carry = sum >= 0x100000000 ? 1 : 0;
  nhLo = sum - carry * 0x100000000;
  nhHi = (nhHi + hi + carry) >>> 0;
}

/** Symmetric key hash under the table's seed (see assembly/flows.ts hashKey: NH over
 *  seed-keyed words, then fmix); never 0. Addresses as raw LE words. */
export function hashKey(seed: number, ver: number, proto: number, s0: number, s1: number, s2: number, s3: number,
  d0: number, d1: number, d2: number, d3: number, ports: number): number {
  const sp = ports & 0xFFFF;
  const dp = ports >>> 16;
  let sFirst: boolean;
  if (s0 !== d0) sFirst = s0 >>> 0 < d0 >>> 0;
  else if (s1 !== d1) sFirst = s1 >>> 0 < d1 >>> 0;
  else if (s2 !== d2) sFirst = s2 >>> 0 < d2 >>> 0;
  else if (s3 !== d3) sFirst = s3 >>> 0 < d3 >>> 0;
  else sFirst = sp <= dp;
  const x0 = sFirst ? s0 : d0;
  const y0 = sFirst ? d0 : s0;
  const pp = sFirst ? (sp << 16) | dp : (dp << 16) | sp;
  const vp = (ver << 24) | (proto << 16);
  nhHi = 0;
  nhLo = 0;
  nhAdd(x0 + (seed ^ 0x9e3779b9), y0 + (seed ^ 0x7f4a7c15));
  nhAdd(pp + (seed ^ 0x85ebca6b), vp + (seed ^ 0xc2b2ae35));
  if (ver !== 4) {
    const x1 = sFirst ? s1 : d1; const x2 = sFirst ? s2 : d2; const x3 = sFirst ? s3 : d3;
    const y1 = sFirst ? d1 : s1; const y2 = sFirst ? d2 : s2; const y3 = sFirst ? d3 : s3;
    nhAdd(x1 + (seed ^ 0x165667b1), y1 + (seed ^ 0xd3a2646d));
    nhAdd(x2 + (seed ^ 0x61c88647), y2 + (seed ^ 0xfd7046c5));
    nhAdd(x3 + (seed ^ 0x2545f491), y3 + (seed ^ 0xb55a4f09));
  }
  const h = fmix(nhHi ^ nhLo);
  return h === 0 ? 1 : h;
}

const align64 = (n: number): number => (n + 63) & ~63;

/**
 * Pure-TS twin of assembly/flows.ts. Fields are read through aligned typed arrays (every
 * field is aligned to its size; entries and records are 64-byte aligned), IPv6 addresses
 * in frames byte by byte (they may be unaligned). The key of the frame being processed
 * lives in fields, as it lives in WASM globals.
 */
export class FlowsTwin extends RegionTwin implements FlowsExports {
  private readonly wheel: WheelExports;
  private kPorts = 0;
  private kNoPorts = 0;
  private fIdx = 0;
  private fDir = 0;
  /** Byte address of the index word naming the found (or inserted) entry. */
  private fSlot = 0;
  private sB = 0;
  private sP = 0;

  constructor(views: MemoryViews, wheel: WheelExports) {
    super(views);
    this.wheel = wheel;
  }

  private entryAt(t: number, i: number): number { return this.m32[(t + FT_ENTRIES) >>> 2] + i * FE_SIZE; }

  flows_region_size(capacity: number, exportCap: number): number {
    const buckets = this.bucketsFor(capacity);
    return FT_HDR_SIZE + FT_SCRATCH_SIZE + 64 + buckets * FB_SIZE + (capacity + 1) * FE_SIZE + exportCap * FE_SIZE;
  }

  bucketsFor(capacity: number): number {
    const want = (capacity + 3) >>> 2;
    let b = 1;
    while (b < want) b *= 2;
    return b;
  }

  flows_init(t: number, capacity: number, exportCap: number, wheel: number, tickUs: number, seed: number): number {
    if (capacity === 0 || capacity > 0x3FFFFFF || exportCap === 0 || tickUs === 0) return 0;
    this.sync();
    const buckets = this.bucketsFor(capacity);
    this.m8.fill(0, t, t + FT_HDR_SIZE);
    this.set32(t, FT_MAGIC, FLOWS_MAGIC);
    this.set32(t, FT_CAPACITY, capacity);
    this.set32(t, FT_BUCKETS, buckets);
    this.set32(t, FT_BMASK, buckets - 1);
    const scratch = t + FT_HDR_SIZE;
    this.set32(t, FT_SCRATCH, scratch);
    const index = align64(scratch + FT_SCRATCH_SIZE);
    this.set32(t, FT_INDEX, index);
    const entries = index + buckets * FB_SIZE;
    this.set32(t, FT_ENTRIES, entries);
    this.set32(t, FT_EXPORT, entries + (capacity + 1) * FE_SIZE);
    this.set32(t, FT_EXPORT_CAP, exportCap);
    this.set32(t, FT_WHEEL, wheel);
    this.set32(t, FT_BUMP, 1);
    this.set32(t, FT_TICK_US, tickUs);
    this.set32(t, FT_EVICT, 1);
    this.set32(t, FT_SEED, seed >>> 0);
    this.m8.fill(0, scratch, scratch + FT_SCRATCH_SIZE);
    this.m8.fill(0, index, index + buckets * FB_SIZE);
    const secs = [30, 3600, 120, 120, 10, 120, 30, 120];
    for (let c = 0; c < secs.length; c++) {
      const ticks = Math.ceil((secs[c] * 1e6) / tickUs);
      this.set32(t, FT_TIMEOUTS + c * 4, ticks > 0x3FFFFFFF ? 0x3FFFFFFF : ticks);
    }
    this.set32(t, FT_TIMEOUTS + TC_ACTIVE * 4, 0);
    return 1;
  }

  flows_set_timeout(t: number, cls: number, ticks: number): void {
    if (cls >>> 0 >= TC_COUNT) return;
    this.sync();
    ticks >>>= 0;
    if (ticks > 0x3FFFFFFF) ticks = 0x3FFFFFFF;
    if (ticks === 0 && cls !== TC_ACTIVE) ticks = 1;
    this.set32(t, FT_TIMEOUTS + cls * 4, ticks);
    // Stamp units such that no live flow's age wraps the 5-bit stamp (see assembly/flows.ts).
    let most = 0;
    for (let c = 0; c < TC_COUNT; c++) most = Math.max(most, this.h32(t, FT_TIMEOUTS + c * 4));
    let shift = 0;
    while ((most >>> shift) >= FB_STAMP_MASK - 1) shift++;
    this.set32(t, FT_AGE_SHIFT, shift);
  }

  flows_set_evict(t: number, on: number): void {
    this.sync();
    this.set32(t, FT_EVICT, on !== 0 ? 1 : 0);
  }

  flows_count(t: number): number { this.sync(); return this.h32(t, FT_LIVE); }
  flows_export_count(t: number): number { this.sync(); return this.h32(t, FT_EXPORT_COUNT); }
  flows_export_clear(t: number): void { this.sync(); this.set32(t, FT_EXPORT_COUNT, 0); }
  flows_entry(t: number, i: number): number { this.sync(); return this.entryAt(t, i); }

  flows_next(t: number, i: number): number {
    this.sync();
    const end = this.h32(t, FT_BUMP);
    for (let j = i + 1; j < end; j++) {
      if ((this.m16[(this.entryAt(t, j) + FE_FLAGS) >>> 1] & EF_USED) !== 0) return j;
    }
    return 0;
  }

  // ---- clock ----

  private tickOf(t: number, sec: number, nsec: number): number {
    const base = this.h32(t, FT_BASE_SEC);
    if (((sec - base) | 0) < 0) return 0;
    const secUs = ((sec - base) >>> 0) * 1e6;
    const us = secUs + Math.floor(nsec / 1000);
    const tickUs = this.h32(t, FT_TICK_US);
    const tick = Math.floor(us / tickUs);
    const startUs = tick * tickUs;
    const lo = startUs > secUs ? (startUs - secUs) * 1000 : 0;
    const hi = (startUs + tickUs - secUs) * 1000;
    this.set32(t, FT_TICK_SEC, sec);
    this.set32(t, FT_TICK_NSEC0, lo);
    this.set32(t, FT_TICK_NSEC1, hi > 1e9 ? 1e9 : hi);
    return tick >>> 0;
  }

  private clockTo(t: number, sec: number, nsec: number): void {
    if ((this.h32(t, FT_FLAGS) & TF_CLOCK) === 0) {
      this.set32(t, FT_FLAGS, this.h32(t, FT_FLAGS) | TF_CLOCK);
      this.set32(t, FT_BASE_SEC, sec);
      this.set32(t, FT_FIRST_SEC, sec);
      this.set32(t, FT_FIRST_NSEC, nsec);
      this.set32(t, FT_NOW_SEC, sec);
      this.set32(t, FT_NOW_NSEC, nsec);
      this.set32(t, FT_NOW_TICK, this.tickOf(t, sec, nsec));
      return;
    }
    const ns = this.h32(t, FT_NOW_SEC);
    if (sec > ns || (sec === ns && nsec > this.h32(t, FT_NOW_NSEC))) {
      this.set32(t, FT_NOW_SEC, sec);
      this.set32(t, FT_NOW_NSEC, nsec);
      if (sec === this.h32(t, FT_TICK_SEC) && nsec >= this.h32(t, FT_TICK_NSEC0) && nsec < this.h32(t, FT_TICK_NSEC1)) return;
      const tick = this.tickOf(t, sec, nsec);
      if (((tick - this.h32(t, FT_NOW_TICK)) | 0) > 0) this.set32(t, FT_NOW_TICK, tick);
    }
  }

  // ---- keys and index ----

  private le32(a: number): number {
    const m = this.m8;
    return (m[a] | (m[a + 1] << 8) | (m[a + 2] << 16) | (m[a + 3] << 24)) >>> 0;
  }

  private static bswap(v: number): number {
    return (((v & 0xFF) << 24) | ((v & 0xFF00) << 8) | ((v >>> 8) & 0xFF00) | (v >>> 24)) >>> 0;
  }

  private loadKey(fe: number, d: number, seed: number): number {
    if (this.extractKey(fe, d) === 0) return 0;
    return hashKey(seed, this.kVer, this.kProto, this.kS0, this.kS1, this.kS2, this.kS3, this.kD0, this.kD1, this.kD2, this.kD3, this.kPorts);
  }

  private extractKey(fe: number, d: number): number {
    const m32 = this.m32;
    const layers = m32[(d + D_LAYERS) >>> 2];
    // A fragment held by IP reassembly is counted with its datagram (assembly/flows.ts).
    if ((layers & (L_IP4 | L_IP6)) === 0 || (layers & L_FRAG_HELD) !== 0) return 0;
    const proto = this.m8[d + D_IP_PROTO];
    this.kProto = proto;
    if ((layers & L_IP4) !== 0) {
      this.kVer = 4;
      this.kS0 = FlowsTwin.bswap(m32[(d + D_IP_SRC) >>> 2]);
      this.kD0 = FlowsTwin.bswap(m32[(d + D_IP_DST) >>> 2]);
      this.kS1 = 0; this.kS2 = 0; this.kS3 = 0; this.kD1 = 0; this.kD2 = 0; this.kD3 = 0;
    } else {
      this.kVer = 6;
      const a = m32[(fe + FRAME_PTR) >>> 2] + this.m16[(d + D_L3_OFF) >>> 1] + 8;
      this.kS0 = this.le32(a); this.kS1 = this.le32(a + 4); this.kS2 = this.le32(a + 8); this.kS3 = this.le32(a + 12);
      this.kD0 = this.le32(a + 16); this.kD1 = this.le32(a + 20); this.kD2 = this.le32(a + 24); this.kD3 = this.le32(a + 28);
    }
    this.kNoPorts = 0;
    if ((layers & (L_TCP | L_UDP)) !== 0) {
      this.kPorts = m32[(d + D_SRC_PORT) >>> 2];
    } else if ((layers & (L_ICMP | L_ICMP6)) !== 0) {
      const type = this.m8[d + D_ICMP_TYPE];
      const echo = (layers & L_ICMP6) !== 0 ? (type === 128 || type === 129) : (type === 0 || type === 8 || (type >= 13 && type <= 18));
      if (echo) {
        const id = this.m16[(d + D_ICMP_ID) >>> 1];
        this.kPorts = (id | (id << 16)) >>> 0;
      } else {
        this.kPorts = (((type << 8) | this.m8[d + D_ICMP_CODE]) << 16) >>> 0;
      }
    } else {
      this.kPorts = 0;
      if (proto === 6 || proto === 17 || proto === 1 || proto === 58) this.kNoPorts = 1;
    }
    return 1;
  }

  private keyMatch(e: number): number {
    const m8 = this.m8;
    if (m8[e + FE_PROTO] !== this.kProto || m8[e + FE_IPVER] !== this.kVer) return 0;
    const m32 = this.m32;
    const w = e >>> 2;
    const a0 = m32[w + (FE_ADDR_A >>> 2)];
    const b0 = m32[w + (FE_ADDR_B >>> 2)];
    const ports = m32[w + (FE_PORT_A >>> 2)];
    const kp = this.kPorts;
    const rev = ((kp >>> 16) | (kp << 16)) >>> 0;
    if (this.kVer === 4) {
      if (a0 === this.kS0 && b0 === this.kD0 && ports === kp) return 1;
      if (a0 === this.kD0 && b0 === this.kS0 && ports === rev) return 2;
      return 0;
    }
    const a = w + (FE_ADDR_A >>> 2);
    const b = w + (FE_ADDR_B >>> 2);
    if (ports === kp && a0 === this.kS0 && b0 === this.kD0 &&
        m32[a + 1] === this.kS1 && m32[a + 2] === this.kS2 && m32[a + 3] === this.kS3 &&
        m32[b + 1] === this.kD1 && m32[b + 2] === this.kD2 && m32[b + 3] === this.kD3) return 1;
    if (ports === rev && a0 === this.kD0 && b0 === this.kS0 &&
        m32[a + 1] === this.kD1 && m32[a + 2] === this.kD2 && m32[a + 3] === this.kD3 &&
        m32[b + 1] === this.kS1 && m32[b + 2] === this.kS2 && m32[b + 3] === this.kS3) return 2;
    return 0;
  }

  private lookup(t: number, h: number): void {
    const m32 = this.m32;
    const bmask = this.h32(t, FT_BMASK);
    const index = this.h32(t, FT_INDEX);
    const home = h & bmask;
    const ents = this.h32(t, FT_ENTRIES);
    const probes = m32[(index + home * FB_SIZE + FB_OVERFLOW) >>> 2] !== 0 ? FT_PROBE : 1;
    for (let p = 0; p < probes; p++) {
      const bw = (index + ((home + p) & bmask) * FB_SIZE) >>> 2;
      for (let lane = 0; lane < FB_SLOTS; lane++) {
        if (m32[bw + lane] !== h) continue;
        const i = m32[bw + (FB_IDX >>> 2) + lane] & FB_IDX_MASK;
        const m = this.keyMatch(ents + i * FE_SIZE);
        if (m !== 0) {
          this.fIdx = i;
          this.fDir = m;
          this.fSlot = (bw + (FB_IDX >>> 2) + lane) << 2;
          return;
        }
      }
    }
    this.fIdx = 0;
    this.fDir = 0;
  }

  private entryHash(t: number, e: number): number {
    const m32 = this.m32;
    const a = (e + FE_ADDR_A) >>> 2;
    const b = (e + FE_ADDR_B) >>> 2;
    return hashKey(this.h32(t, FT_SEED), this.m8[e + FE_IPVER], this.m8[e + FE_PROTO], m32[a], m32[a + 1], m32[a + 2], m32[a + 3],
      m32[b], m32[b + 1], m32[b + 2], m32[b + 3], m32[(e + FE_PORT_A) >>> 2]);
  }

  private indexRemove(t: number, i: number): void {
    const m32 = this.m32;
    const h = this.entryHash(t, this.entryAt(t, i));
    const bmask = this.h32(t, FT_BMASK);
    const index = this.h32(t, FT_INDEX);
    const home = h & bmask;
    for (let p = 0; p < FT_PROBE; p++) {
      const bw = (index + ((home + p) & bmask) * FB_SIZE) >>> 2;
      for (let s = 0; s < FB_SLOTS; s++) {
        if ((m32[bw + (FB_IDX >>> 2) + s] & FB_IDX_MASK) === i && m32[bw + s] !== 0) {
          this.dropSlot(t, bw << 2, s);
          return;
        }
      }
    }
  }

  /** Empties slot s of bucket b (see assembly/flows.ts dropSlot). */
  private dropSlot(t: number, b: number, s: number): void {
    const m32 = this.m32;
    const bw = b >>> 2;
    const hb = this.h32(t, FT_INDEX) + (m32[bw + s] & this.h32(t, FT_BMASK)) * FB_SIZE;
    m32[bw + s] = 0;
    m32[bw + (FB_IDX >>> 2) + s] = 0;
    if (hb !== b) m32[(hb + FB_OVERFLOW) >>> 2]--;
  }

  // ---- records and entry lifetime ----

  private exportRecord(t: number, i: number, reason: number): void {
    const n = this.h32(t, FT_EXPORT_COUNT);
    const dst = this.h32(t, FT_EXPORT) + n * FE_SIZE;
    const src = this.entryAt(t, i);
    this.m8.copyWithin(dst, src, src + FE_SIZE);
    this.m8[dst + FE_END] = reason;
    this.set32(t, FT_EXPORT_COUNT, n + 1);
  }

  private release(t: number, i: number): void {
    this.indexRemove(t, i);
    this.freeEntry(t, i);
  }

  /** Onto the free list, its timer left armed (see assembly/flows.ts freeEntry). */
  private freeEntry(t: number, i: number): void {
    const e = this.entryAt(t, i);
    this.m16[(e + FE_FLAGS) >>> 1] = 0;
    this.m32[(e + FE_LAST_TICK) >>> 2] = this.h32(t, FT_FREE);
    this.set32(t, FT_FREE, i);
    this.set32(t, FT_LIVE, this.h32(t, FT_LIVE) - 1);
  }

  private static tcpClass(a: number, b: number): number {
    const aDown = a === TS_CLOSED || a === TS_LISTEN;
    const bDown = b === TS_CLOSED || b === TS_LISTEN;
    if (aDown && bDown) return TC_TCP_CLOSED;
    if ((aDown || a === TS_TIME_WAIT) && (bDown || b === TS_TIME_WAIT)) return TC_TCP_TIME_WAIT;
    if (a === TS_ESTABLISHED && b === TS_ESTABLISHED) return TC_TCP_ESTABLISHED;
    if (a === TS_SYN_SENT || a === TS_SYN_RECEIVED || a === TS_LISTEN || b === TS_SYN_SENT || b === TS_SYN_RECEIVED || b === TS_LISTEN) {
      return TC_TCP_OPENING;
    }
    return TC_TCP_CLOSING;
  }

  private classOf(e: number): number {
    const proto = this.m8[e + FE_PROTO];
    if (proto === 6 && (this.m16[(e + FE_FLAGS) >>> 1] & EF_NOPORTS) === 0) {
      return FlowsTwin.tcpClass(this.m8[e + FE_STATE_A], this.m8[e + FE_STATE_B]);
    }
    if (proto === 17) return TC_UDP;
    if (proto === 1 || proto === 58) return TC_ICMP;
    return TC_OTHER;
  }

  private timeoutOf(t: number, cls: number): number { return this.m32[(t + FT_TIMEOUTS + cls * 4) >>> 2]; }

  private dueTick(t: number, e: number): number {
    let due = (this.m32[(e + FE_LAST_TICK) >>> 2] + this.timeoutOf(t, this.classOf(e))) >>> 0;
    const active = this.timeoutOf(t, TC_ACTIVE);
    if (active !== 0) {
      const ad = (this.m32[(e + FE_REPORT_TICK) >>> 2] + active) >>> 0;
      if (((ad - due) | 0) < 0) due = ad;
    }
    return due;
  }

  private onTimer(t: number, i: number): void {
    const e = this.entryAt(t, i);
    const m32 = this.m32;
    const f64 = this.f64;
    m32[(e + FE_TIMER) >>> 2] = 0; // the entry's one timer: gone
    if ((this.m16[(e + FE_FLAGS) >>> 1] & EF_USED) === 0) return;
    const now = this.h32(t, FT_NOW_TICK);
    const cls = this.classOf(e);
    const idleDue = (m32[(e + FE_LAST_TICK) >>> 2] + this.timeoutOf(t, cls)) >>> 0;
    const w = e >>> 2;
    if (((now - idleDue) | 0) >= 0) {
      const empty = m32[w + (FE_FRAMES_AB >>> 2)] === 0 && m32[w + (FE_FRAMES_BA >>> 2)] === 0;
      if (!empty) this.exportRecord(t, i, cls === TC_TCP_CLOSED || cls === TC_TCP_TIME_WAIT ? END_EOF : END_IDLE);
      this.bump(t, FT_ST_IDLE);
      this.release(t, i);
      return;
    }
    const active = this.timeoutOf(t, TC_ACTIVE);
    if (active !== 0 && ((now - (m32[w + (FE_REPORT_TICK >>> 2)] + active)) | 0) >= 0) {
      if (m32[w + (FE_FRAMES_AB >>> 2)] !== 0 || m32[w + (FE_FRAMES_BA >>> 2)] !== 0) {
        this.exportRecord(t, i, END_ACTIVE);
        this.bump(t, FT_ST_ACTIVE);
        m32[w + (FE_REPORTS >>> 2)]++;
      }
      m32[w + (FE_FRAMES_AB >>> 2)] = 0;
      m32[w + (FE_FRAMES_BA >>> 2)] = 0;
      const d = e >>> 3;
      f64[d + (FE_BYTES_AB >>> 3)] = 0;
      f64[d + (FE_BYTES_BA >>> 3)] = 0;
      f64[d + (FE_IPBYTES_AB >>> 3)] = 0;
      f64[d + (FE_IPBYTES_BA >>> 3)] = 0;
      this.m8[e + FE_TCPFL_A] = 0;
      this.m8[e + FE_TCPFL_B] = 0;
      m32[w + (FE_REPORT_TICK >>> 2)] = now;
      this.m16[(e + FE_FLAGS) >>> 1] |= EF_REPORTED;
    }
    const due = this.dueTick(t, e);
    m32[w + (FE_TIMER >>> 2)] = this.wheel.wheel_schedule(this.h32(t, FT_WHEEL), (due - now) >>> 0, i);
    m32[w + (FE_DEADLINE >>> 2)] = ((due - now) | 0) > 0 ? due : (now + 1) >>> 0;
  }

  private expireDue(t: number): number {
    const wheel = this.h32(t, FT_WHEEL);
    const now = this.h32(t, FT_NOW_TICK);
    if ((this.wheel.wheel_now(wheel) >>> 0) === now && (this.h32(t, FT_FLAGS) & TF_DRAIN) === 0) return 1;
    const out = this.h32(t, FT_SCRATCH) + FT_SC_OUT;
    for (;;) {
      const room = this.h32(t, FT_EXPORT_CAP) - this.h32(t, FT_EXPORT_COUNT);
      if (room === 0) {
        this.set32(t, FT_FLAGS, this.h32(t, FT_FLAGS) | TF_DRAIN);
        return 0;
      }
      const max = room < FT_WHEEL_OUT ? room : FT_WHEEL_OUT;
      const n = this.wheel.wheel_advance(wheel, now, out, max);
      for (let k = 0; k < n; k++) this.onTimer(t, this.m32[(out >>> 2) + k]);
      if (n < max) {
        this.set32(t, FT_FLAGS, this.h32(t, FT_FLAGS) & ~TF_DRAIN);
        return 1;
      }
    }
  }

  /** The eviction word of a slot for a flow last seen now (see assembly/flows.ts slotWord). */
  private slotWord(t: number, i: number, replied: boolean): number {
    const stamp = (this.h32(t, FT_NOW_TICK) >>> this.h32(t, FT_AGE_SHIFT)) & FB_STAMP_MASK;
    return (i | (stamp << FB_STAMP_SHIFT) | (replied ? 0 : FB_WEAK)) >>> 0;
  }

  /** The window's stalest slot by its eviction word, from the home bucket's hand (see
   *  assembly/flows.ts evictNear). */
  private evictNear(t: number, home: number): number {
    const m32 = this.m32;
    const bmask = this.h32(t, FT_BMASK);
    const index = this.h32(t, FT_INDEX);
    const hw = (index + home * FB_SIZE + FB_HAND) >>> 2;
    const nowStamp = (this.h32(t, FT_NOW_TICK) >>> this.h32(t, FT_AGE_SHIFT)) & FB_STAMP_MASK;
    const hand = m32[hw];
    const window = FT_PROBE * FB_SLOTS;
    let best = 0;
    let bestScore = -1;
    let bestPos = 0;
    let bestB = 0;
    for (let j = 0; j < window; j++) {
      let pos = hand + j;
      if (pos >= window) pos -= window;
      const p = Math.floor(pos / FB_SLOTS);
      const s = pos - p * FB_SLOTS;
      const bw = (index + ((home + p) & bmask) * FB_SIZE) >>> 2;
      if (m32[bw + s] === 0) continue;
      const w = m32[bw + (FB_IDX >>> 2) + s];
      const score = ((w >>> 31) << 5) | ((nowStamp - (w >>> FB_STAMP_SHIFT)) & FB_STAMP_MASK);
      if (score > bestScore) {
        bestScore = score;
        best = w & FB_IDX_MASK;
        bestPos = pos;
        bestB = bw << 2;
      }
    }
    if (best === 0) {
      // Full pool, empty window: a victim from anywhere (see assembly/flows.ts).
      best = this.sweepVictim(t);
      if (best === 0) return 0;
      this.exportRecord(t, best, END_RESOURCES);
      this.bump(t, FT_ST_EVICTED);
      this.release(t, best);
      return 1;
    }
    m32[hw] = bestPos + 1 === window ? 0 : bestPos + 1;
    this.exportRecord(t, best, END_RESOURCES);
    this.bump(t, FT_ST_EVICTED);
    this.dropSlot(t, bestB, bestPos % FB_SLOTS);
    this.freeEntry(t, best);
    return 1;
  }

  /** The first flow from the sweep cursor on (see assembly/flows.ts sweepVictim). */
  private sweepVictim(t: number): number {
    const m32 = this.m32;
    const buckets = this.h32(t, FT_BUCKETS);
    const index = this.h32(t, FT_INDEX);
    let c = this.h32(t, FT_SWEEP);
    for (let n = 0; n < buckets; n++) {
      if (c >= buckets) c = 0;
      const bw = (index + c * FB_SIZE) >>> 2;
      c++;
      for (let s = 0; s < FB_SLOTS; s++) {
        if (m32[bw + s] === 0) continue;
        this.set32(t, FT_SWEEP, c);
        return m32[bw + (FB_IDX >>> 2) + s] & FB_IDX_MASK;
      }
    }
    return 0;
  }

  private freeSlot(t: number, home: number): number {
    const m32 = this.m32;
    const bmask = this.h32(t, FT_BMASK);
    const index = this.h32(t, FT_INDEX);
    for (let p = 0; p < FT_PROBE; p++) {
      const b = index + ((home + p) & bmask) * FB_SIZE;
      const bw = b >>> 2;
      for (let s = 0; s < FB_SLOTS; s++) {
        if (m32[bw + s] === 0) {
          this.sB = b;
          this.sP = p;
          return s;
        }
      }
    }
    return -1;
  }

  private insert(t: number, h: number): number {
    const m32 = this.m32;
    const home = h & this.h32(t, FT_BMASK);
    const poolFull = this.h32(t, FT_FREE) === 0 && this.h32(t, FT_BUMP) > this.h32(t, FT_CAPACITY);
    let slot = this.freeSlot(t, home);
    if (poolFull || slot < 0) {
      if (this.h32(t, FT_EVICT) === 0 || this.evictNear(t, home) === 0) return 0;
      slot = this.freeSlot(t, home);
      if (slot < 0) return 0;
    }
    let i = this.h32(t, FT_FREE);
    if (i !== 0) {
      this.set32(t, FT_FREE, m32[(this.entryAt(t, i) + FE_LAST_TICK) >>> 2]);
    } else {
      i = this.h32(t, FT_BUMP);
      this.set32(t, FT_BUMP, i + 1);
    }
    if (this.sP !== 0) m32[(this.h32(t, FT_INDEX) + home * FB_SIZE + FB_OVERFLOW) >>> 2]++;
    const bw = this.sB >>> 2;
    m32[bw + slot] = h;
    this.fSlot = (bw + (FB_IDX >>> 2) + slot) << 2;
    m32[this.fSlot >>> 2] = this.slotWord(t, i, false);
    const e = this.entryAt(t, i);
    // A timer the entry's last flow left armed stays its (freeEntry).
    const timer = m32[(e + FE_TIMER) >>> 2];
    const deadline = m32[(e + FE_DEADLINE) >>> 2];
    this.m8.fill(0, e, e + FE_SIZE);
    m32[(e + FE_TIMER) >>> 2] = timer;
    m32[(e + FE_DEADLINE) >>> 2] = deadline;
    this.m8[e + FE_PROTO] = this.kProto;
    this.m8[e + FE_IPVER] = this.kVer;
    this.m16[(e + FE_FLAGS) >>> 1] = EF_USED | (this.kNoPorts !== 0 ? EF_NOPORTS : 0);
    const a = (e + FE_ADDR_A) >>> 2;
    m32[a] = this.kS0; m32[a + 1] = this.kS1; m32[a + 2] = this.kS2; m32[a + 3] = this.kS3;
    const b = (e + FE_ADDR_B) >>> 2;
    m32[b] = this.kD0; m32[b + 1] = this.kD1; m32[b + 2] = this.kD2; m32[b + 3] = this.kD3;
    m32[(e + FE_PORT_A) >>> 2] = this.kPorts;
    m32[(e + FE_INDEX) >>> 2] = i;
    this.set32(t, FT_LIVE, this.h32(t, FT_LIVE) + 1);
    this.bump(t, FT_ST_CREATED);
    return i;
  }

  // ---- TCP state from the wire (see assembly/flows.ts tcpSegment) ----

  private setState(e: number, end: number, st: number): void {
    const a = e + FE_STATE_A + end;
    if (this.m8[a] === st) return;
    this.m8[a] = st;
    const ha = (e + FE_HIST_A + end * 4) >>> 2;
    this.m32[ha] = (this.m32[ha] << 4) | st;
  }

  private tcpBegin(e: number, s: number, fl: number): void {
    const r = s ^ 1;
    let flags = this.m16[(e + FE_FLAGS) >>> 1];
    const k = fl & (TH_SYN | TH_ACK | TH_RST);
    if (k === TH_SYN) {
      this.setState(e, s, TS_CLOSED);
      this.setState(e, r, TS_LISTEN);
    } else if (k === (TH_SYN | TH_ACK)) {
      this.setState(e, s, TS_LISTEN);
      flags |= EF_PASSIVE_A << s;
      this.setState(e, r, TS_CLOSED);
      this.setState(e, r, TS_SYN_SENT);
    } else {
      this.setState(e, s, TS_ESTABLISHED);
      this.setState(e, r, TS_ESTABLISHED);
      flags |= EF_PICKUP;
    }
    this.m16[(e + FE_FLAGS) >>> 1] = flags;
  }

  /** RST window check and window bookkeeping (see assembly/flows.ts tcpWindow). */
  private tcpWindow(t: number, e: number, s: number, fl: number, seq: number, d: number): boolean {
    const m8 = this.m8;
    const m16 = this.m16;
    const flags = m16[(e + FE_FLAGS) >>> 1];
    const r = s ^ 1;
    if ((fl & TH_RST) !== 0) {
      if ((flags & (EF_SEQ_A << s)) === 0) return true;
      const off = (seq - this.m32[((e + FE_NEXT_A) >>> 2) + s]) >>> 0;
      let wnd = 1;
      if ((flags & (EF_WIN_A << r)) !== 0) {
        const ws = m8[e + FE_WSCALE];
        const shift = (ws & 15) !== 0 && (ws >>> 4) !== 0 ? ((ws >>> (r << 2)) & 15) - 1 : 0;
        wnd = (m16[((e + FE_WIN_A) >>> 1) + r] << shift) >>> 0;
        if (wnd === 0) wnd = 1;
      }
      if (off < wnd) return true;
      const c = ((e + FE_RST_IGNORED) >>> 1);
      if (m16[c] !== 0xFFFF) m16[c]++;
      this.bump(t, FT_ST_RST_IGNORED);
      return false;
    }
    if ((fl & TH_SYN) !== 0) {
      if ((m8[d + D_TCP_OPTS] & TO_WSCALE) !== 0) {
        let v = m8[d + D_TCP_WSCALE];
        v = (v > 14 ? 14 : v) + 1;
        const sh = s << 2;
        m8[e + FE_WSCALE] = (m8[e + FE_WSCALE] & ~(15 << sh)) | (v << sh);
      }
    } else if ((fl & TH_ACK) !== 0) {
      m16[((e + FE_WIN_A) >>> 1) + s] = m16[(d + D_TCP_WINDOW) >>> 1];
      m16[(e + FE_FLAGS) >>> 1] = flags | (EF_WIN_A << s);
    }
    return true;
  }

  private tcpSegment(e: number, s: number, fl: number, seq: number, ack: number, len: number): void {
    const m8 = this.m8;
    const m16 = this.m16;
    const m32 = this.m32;
    const r = s ^ 1;
    let flags = m16[(e + FE_FLAGS) >>> 1];
    const syn = (fl & TH_SYN) !== 0;
    const fin = (fl & TH_FIN) !== 0;
    const hasAck = (fl & TH_ACK) !== 0;
    const segLen = len + (syn ? 1 : 0) + (fin ? 1 : 0);
    const sw = (e >>> 2) + s; // add to a FE_*_A word index for the sender's copy
    const rw = (e >>> 2) + r;
    const sh = (e >>> 1) + s; // same for u16 fields

    if (syn) {
      if ((flags & (EF_ISN_A << s)) !== 0 && m32[sw + (FE_ISN_A >>> 2)] === seq) {
        m16[sh + (FE_RETRANS_A >>> 1)]++;
      } else {
        m32[sw + (FE_ISN_A >>> 2)] = seq;
        m32[sw + (FE_NEXT_A >>> 2)] = seq + segLen;
        flags |= (EF_ISN_A | EF_SEQ_A) << s;
      }
    } else if (segLen !== 0) {
      if ((flags & (EF_SEQ_A << s)) !== 0) {
        const next = m32[sw + (FE_NEXT_A >>> 2)];
        const diff = (seq - next) | 0;
        if (diff === 0) {
          m32[sw + (FE_NEXT_A >>> 2)] = seq + segLen;
        } else if (diff > 0) {
          m16[sh + (FE_OOO_A >>> 1)]++;
          m32[sw + (FE_NEXT_A >>> 2)] = seq + segLen;
        } else {
          m16[sh + (FE_RETRANS_A >>> 1)]++;
          if (((seq + segLen - next) | 0) > 0) m32[sw + (FE_NEXT_A >>> 2)] = seq + segLen;
        }
      } else {
        m32[sw + (FE_NEXT_A >>> 2)] = seq + segLen;
        flags |= EF_SEQ_A << s;
      }
    }
    if (fin) {
      m32[sw + (FE_FIN_A >>> 2)] = seq + len;
      flags |= EF_FIN_A << s;
    }
    m16[(e + FE_FLAGS) >>> 1] = flags;

    if ((fl & TH_RST) !== 0) {
      const rs = m8[e + FE_STATE_A + r];
      this.setState(e, r, rs === TS_SYN_RECEIVED && (flags & (EF_PASSIVE_A << r)) !== 0 ? TS_LISTEN : TS_CLOSED);
      const hs = sw + (FE_HIST_A >>> 2);
      if (m8[e + FE_STATE_A + s] === TS_SYN_RECEIVED && ((m32[hs] >>> 4) & 15) === TS_LISTEN &&
          (flags & ((EF_PASSIVE_A | EF_ISN_A) << s)) === (EF_PASSIVE_A << s)) {
        m32[hs] = m32[hs] >>> 8;
        m8[e + FE_STATE_A + s] = 0;
      }
      this.setState(e, s, TS_CLOSED);
      return;
    }

    let st = m8[e + FE_STATE_A + s];
    const hs = sw + (FE_HIST_A >>> 2);
    if (syn && !hasAck && st === TS_SYN_RECEIVED && (flags & (EF_PASSIVE_A << s)) !== 0 && ((m32[hs] >>> 4) & 15) === TS_LISTEN) {
      m32[hs] = m32[hs] >>> 8;
      m8[e + FE_STATE_A + s] = 0;
      this.setState(e, s, TS_CLOSED);
      this.setState(e, s, TS_SYN_SENT);
      this.setState(e, s, TS_SYN_RECEIVED);
      flags &= ~(EF_PASSIVE_A << s);
      m16[(e + FE_FLAGS) >>> 1] = flags;
    } else if (fin && st === TS_CLOSE_WAIT && (flags & (EF_FIN_A << r)) !== 0 && ((m32[hs] >>> 4) & 15) === TS_ESTABLISHED &&
               !(hasAck && ((ack - (m32[rw + (FE_FIN_A >>> 2)] + 1)) | 0) >= 0)) {
      m32[hs] = m32[hs] >>> 4;
      m8[e + FE_STATE_A + s] = TS_ESTABLISHED;
      this.setState(e, s, TS_FIN_WAIT_1);
      this.setState(e, s, TS_CLOSING);
    } else {
      if (syn && !hasAck) {
        if (st === TS_NONE || st === TS_CLOSED || st === TS_LISTEN) this.setState(e, s, TS_SYN_SENT);
      } else if (syn) {
        if (st === TS_NONE || st === TS_CLOSED || st === TS_LISTEN || st === TS_SYN_SENT) this.setState(e, s, TS_SYN_RECEIVED);
      }
      if (fin) {
        st = m8[e + FE_STATE_A + s];
        if (st === TS_ESTABLISHED || st === TS_SYN_RECEIVED) this.setState(e, s, TS_FIN_WAIT_1);
        else if (st === TS_CLOSE_WAIT) this.setState(e, s, TS_LAST_ACK);
      }
    }

    let rt = m8[e + FE_STATE_A + r];
    const isnKnown = (flags & (EF_ISN_A << r)) !== 0;
    if (syn && !hasAck) {
      if (rt === TS_NONE || rt === TS_CLOSED || rt === TS_LISTEN) {
        this.setState(e, r, TS_SYN_RECEIVED);
        flags |= EF_PASSIVE_A << r;
        m16[(e + FE_FLAGS) >>> 1] = flags;
      } else if (rt === TS_SYN_SENT) {
        this.setState(e, r, TS_SYN_RECEIVED);
      }
    } else if (syn) {
      if ((rt === TS_SYN_SENT || rt === TS_SYN_RECEIVED) && (!isnKnown || ack === ((m32[rw + (FE_ISN_A >>> 2)] + 1) >>> 0))) this.setState(e, r, TS_ESTABLISHED);
    } else if (hasAck) {
      if (rt === TS_SYN_RECEIVED && (!isnKnown || ((ack - (m32[rw + (FE_ISN_A >>> 2)] + 1)) | 0) >= 0)) {
        this.setState(e, r, TS_ESTABLISHED);
        rt = TS_ESTABLISHED;
      }
      if ((flags & (EF_FIN_A << r)) !== 0 && ((ack - (m32[rw + (FE_FIN_A >>> 2)] + 1)) | 0) >= 0) {
        if (rt === TS_FIN_WAIT_1) this.setState(e, r, TS_FIN_WAIT_2);
        else if (rt === TS_CLOSING) this.setState(e, r, TS_TIME_WAIT);
        else if (rt === TS_LAST_ACK) this.setState(e, r, TS_CLOSED);
      }
    }
    if (fin) {
      rt = m8[e + FE_STATE_A + r];
      if (rt === TS_ESTABLISHED || rt === TS_SYN_RECEIVED) this.setState(e, r, TS_CLOSE_WAIT);
      else if (rt === TS_FIN_WAIT_1) this.setState(e, r, TS_CLOSING);
      else if (rt === TS_FIN_WAIT_2) this.setState(e, r, TS_TIME_WAIT);
    }
  }

  // ---- the batch update ----

  private updateOne(t: number, frames: number, descs: number, times: number, i: number, h: number): number {
    const m8 = this.m8;
    const m16 = this.m16;
    const m32 = this.m32;
    const f64 = this.f64;
    const d = descs + i * DESC_SIZE;
    const tp = (times + i * TIME_SIZE) >>> 2;
    const sec = m32[tp + TIME_W_SEC];
    const nsec = m32[tp + TIME_W_NSEC];
    if (h === 0) {
      // Not counted, but its time is the capture's (assembly/flows.ts).
      this.clockTo(t, sec, nsec);
      this.bump(t, FT_ST_SKIPPED);
      return 1;
    }
    this.clockTo(t, sec, nsec);
    if (this.expireDue(t) === 0) return 0;
    if (this.h32(t, FT_EXPORT_COUNT) >= this.h32(t, FT_EXPORT_CAP)) return 0;
    const fe = frames + i * FRAME_SIZE;
    this.extractKey(fe, d);
    this.lookup(t, h);
    let idx = this.fIdx;
    let dir = this.fDir;
    const layers = m32[(d + D_LAYERS) >>> 2];
    const isTcp = (layers & L_TCP) !== 0;
    const fl = isTcp ? m16[(d + D_TCP_FLAGS) >>> 1] : 0;
    const seq = isTcp ? m32[(d + D_TCP_SEQ) >>> 2] : 0;
    if (idx !== 0 && isTcp && (fl & (TH_SYN | TH_ACK | TH_RST)) === TH_SYN) {
      const e = this.entryAt(t, idx);
      const cls = this.classOf(e);
      const s = dir - 1;
      const sameIsn = (m16[(e + FE_FLAGS) >>> 1] & (EF_ISN_A << s)) !== 0 && m32[((e + FE_ISN_A) >>> 2) + s] === seq;
      if ((cls === TC_TCP_CLOSED || cls === TC_TCP_TIME_WAIT) && !sameIsn) {
        this.exportRecord(t, idx, END_EOF);
        this.bump(t, FT_ST_REUSED);
        this.release(t, idx);
        idx = 0;
      }
    }
    const now = this.h32(t, FT_NOW_TICK);
    let created = false;
    if (idx === 0) {
      idx = this.insert(t, h);
      if (idx === 0) {
        this.bump(t, FT_ST_FAILED);
        return 1;
      }
      dir = 1;
      created = true;
    }
    const e = this.entryAt(t, idx);
    const w = e >>> 2;
    const s = dir - 1;
    if (created) {
      m32[w + (FE_FIRST_SEC >>> 2)] = sec;
      m32[w + (FE_FIRST_NSEC >>> 2)] = nsec;
      m32[w + (FE_START_SEC >>> 2)] = sec;
      m32[w + (FE_START_NSEC >>> 2)] = nsec;
      m32[w + (FE_LAST_SEC >>> 2)] = sec;
      m32[w + (FE_LAST_NSEC >>> 2)] = nsec;
      m32[w + (FE_REPORT_TICK >>> 2)] = now;
      if ((layers & (L_ICMP | L_ICMP6)) !== 0) {
        m8[e + FE_ICMP_TYPE] = m8[d + D_ICMP_TYPE];
        m8[e + FE_ICMP_CODE] = m8[d + D_ICMP_CODE];
      }
      if (m8[d + D_VLAN_COUNT] !== 0) m16[(e + FE_VLAN) >>> 1] = m16[(d + D_VLAN0) >>> 1] & 0xFFF;
      m16[(e + FE_IFACE) >>> 1] = m16[(fe + FRAME_IFACE) >>> 1];
    } else {
      const flags = m16[(e + FE_FLAGS) >>> 1];
      if ((flags & EF_REPORTED) !== 0) {
        m16[(e + FE_FLAGS) >>> 1] = flags & ~EF_REPORTED;
        m32[w + (FE_FIRST_SEC >>> 2)] = sec;
        m32[w + (FE_FIRST_NSEC >>> 2)] = nsec;
      }
      const ls = m32[w + (FE_LAST_SEC >>> 2)];
      if (sec > ls || (sec === ls && nsec > m32[w + (FE_LAST_NSEC >>> 2)])) {
        m32[w + (FE_LAST_SEC >>> 2)] = sec;
        m32[w + (FE_LAST_NSEC >>> 2)] = nsec;
      }
    }
    m32[w + (FE_LAST_TICK >>> 2)] = now;
    if (s !== 0) m16[(e + FE_FLAGS) >>> 1] |= EF_REPLIED;
    const sw = this.slotWord(t, idx, (m16[(e + FE_FLAGS) >>> 1] & EF_REPLIED) !== 0);
    if (m32[this.fSlot >>> 2] !== sw) m32[this.fSlot >>> 2] = sw;
    m32[w + (FE_FRAMES_AB >>> 2) + s]++;
    const dd = e >>> 3;
    f64[dd + (FE_BYTES_AB >>> 3) + s] += m32[(d + D_WIRELEN) >>> 2];
    f64[dd + (FE_IPBYTES_AB >>> 3) + s] += m32[(d + ((layers & L_REASM) !== 0 ? D_REASM_LEN : D_IP_TOTAL)) >>> 2];
    if (isTcp && (m16[(e + FE_FLAGS) >>> 1] & EF_NOPORTS) === 0) {
      m8[e + FE_TCPFL_A + s] |= fl;
      if (created) this.tcpBegin(e, s, fl);
      if (this.tcpWindow(t, e, s, fl, seq, d)) this.tcpSegment(e, s, fl, seq, m32[(d + D_TCP_ACK) >>> 2], m16[(d + D_PAYLOAD_LEN) >>> 1]);
    }
    const due = this.dueTick(t, e);
    const wheel = this.h32(t, FT_WHEEL);
    if (m32[w + (FE_TIMER >>> 2)] === 0) {
      m32[w + (FE_TIMER >>> 2)] = this.wheel.wheel_schedule(wheel, (due - now) >>> 0, idx);
      m32[w + (FE_DEADLINE >>> 2)] = due;
    } else if (((due - m32[w + (FE_DEADLINE >>> 2)]) | 0) < 0) {
      this.wheel.wheel_reschedule(wheel, m32[w + (FE_TIMER >>> 2)], (due - now) >>> 0);
      m32[w + (FE_DEADLINE >>> 2)] = due;
    }
    this.bump(t, FT_ST_FRAMES);
    return 1;
  }

  flows_update_batch(t: number, frames: number, descs: number, times: number, count: number): number {
    this.sync();
    const m32 = this.m32;
    const scratch = this.h32(t, FT_SCRATCH);
    const index = this.h32(t, FT_INDEX);
    const ents = this.h32(t, FT_ENTRIES);
    const bmask = this.h32(t, FT_BMASK);
    const seed = this.h32(t, FT_SEED);
    const sw = scratch >>> 2;
    let i = 0;
    while (i < count) {
      const n = count - i < FT_CHUNK ? count - i : FT_CHUNK;
      // The same passes as the WASM side: hash, touch buckets, touch entries (loads only,
      // so their cache misses overlap), then the work in frame order.
      for (let k = 0; k < n; k++) {
        const j = i + k;
        m32[sw + (FT_SC_HASH >>> 2) + k] = this.loadKey(frames + j * FRAME_SIZE, descs + j * DESC_SIZE, seed);
      }
      let sink = 0;
      for (let k = 0; k < n; k++) {
        const h = m32[sw + (FT_SC_HASH >>> 2) + k];
        sink ^= m32[((index + (h & bmask) * FB_SIZE) >>> 2) + (FB_IDX >>> 2)];
      }
      for (let k = 0; k < n; k++) {
        const h = m32[sw + (FT_SC_HASH >>> 2) + k];
        const bw = (index + (h & bmask) * FB_SIZE) >>> 2;
        let cand = 0;
        for (let lane = 0; lane < FB_SLOTS; lane++) {
          if (m32[bw + lane] === h) {
            cand = m32[bw + (FB_IDX >>> 2) + lane] & FB_IDX_MASK;
            break;
          }
        }
        const cw = (ents + cand * FE_SIZE) >>> 2;
        sink ^= m32[cw + (FE_ADDR_A >>> 2)] ^ m32[cw + (FE_FRAMES_AB >>> 2)];
      }
      m32[sw + (FT_SC_SINK >>> 2)] = sink;
      for (let k = 0; k < n; k++) {
        if (this.updateOne(t, frames, descs, times, i + k, m32[sw + (FT_SC_HASH >>> 2) + k]) === 0) return i + k;
      }
      i += n;
    }
    return count;
  }

  flows_expire(t: number, sec: number, nsec: number): number {
    this.sync();
    this.clockTo(t, sec >>> 0, nsec >>> 0);
    return this.expireDue(t);
  }

  flows_flush(t: number, reason: number): number {
    this.sync();
    const end = this.h32(t, FT_BUMP);
    let i = this.h32(t, FT_SCAN);
    if (i === 0) i = 1;
    for (; i < end; i++) {
      const e = this.entryAt(t, i);
      if ((this.m16[(e + FE_FLAGS) >>> 1] & EF_USED) === 0) continue;
      if (this.h32(t, FT_EXPORT_COUNT) >= this.h32(t, FT_EXPORT_CAP)) {
        this.set32(t, FT_SCAN, i);
        return 0;
      }
      const w = e >>> 2;
      if (this.m32[w + (FE_FRAMES_AB >>> 2)] !== 0 || this.m32[w + (FE_FRAMES_BA >>> 2)] !== 0) this.exportRecord(t, i, reason);
      this.bump(t, FT_ST_FLUSHED);
      this.release(t, i);
    }
    this.set32(t, FT_SCAN, 0);
    return 1;
  }
}
