// Flow table: protocol control blocks keyed by the bidirectional 5-tuple, with TCP
// connection state per RFC 9293 as seen from the wire, idle and active timeouts on the
// timer wheel (wheel.ts), and expired flows written out as records.
//
// Layout (all in the host's region, nothing in static data):
//   header | scratch | bucket index | entry pool | export buffer
// The index is DPDK rte_hash-like: 64-byte buckets of 7 (signature, entry) slots plus an
// "overflowed" count, probed over at most FT_PROBE consecutive buckets; entries live in a
// separate pool and never move, so a wheel timer can name its flow by index.
//
// flows_update_batch works in chunks: it hashes every frame of a chunk, touches every
// bucket, then each candidate entry, and only then updates the flows in frame order. The
// touching passes are tight loops of loads whose misses overlap (WASM has no prefetch
// instruction); results are the same as a one-frame-at-a-time loop.
//
// Timers are lazy, as conntrack's are: a packet never moves a flow's timer later; when
// the timer fires, the flow is checked against its real deadline and re-armed if it
// is still alive. A timer moves earlier only when a state change shortens the timeout.
import {
  DESC_SIZE, D_LAYERS, D_WIRELEN, D_L3_OFF, D_IP_PROTO, D_IP_TOTAL, D_REASM_LEN, L_REASM, L_FRAG_HELD, D_IP_SRC, D_IP_DST, D_SRC_PORT,
  D_TCP_SEQ, D_TCP_ACK, D_TCP_FLAGS, D_PAYLOAD_LEN, D_ICMP_TYPE, D_ICMP_CODE, D_ICMP_ID,
  D_VLAN0, D_VLAN_COUNT, FRAME_SIZE, FRAME_PTR, FRAME_IFACE, TIME_SIZE, TIME_SEC, TIME_NSEC,
  L_IP4, L_IP6, L_TCP, L_UDP, L_ICMP, L_ICMP6,
} from "./layout";
import { wheel_advance, wheel_schedule, wheel_reschedule, wheel_now } from "./wheel";
import { D_TCP_WINDOW, D_TCP_WSCALE, D_TCP_OPTS, TO_WSCALE } from "./layout";
import { FE_WIN_A, FE_RST_IGNORED, FE_WSCALE, EF_WIN_A, FT_ST_RST_IGNORED } from "./flow-layout";
import { FT_SEED, FT_AGE_SHIFT, FB_HAND, FB_IDX_MASK, FB_STAMP_SHIFT, FB_STAMP_MASK, FB_WEAK, EF_REPLIED, FT_SWEEP } from "./flow-layout";
import {
  FLOWS_MAGIC, FT_MAGIC, FT_CAPACITY, FT_BUCKETS, FT_BMASK, FT_INDEX, FT_ENTRIES, FT_WHEEL,
  FT_EXPORT, FT_EXPORT_CAP, FT_EXPORT_COUNT, FT_FREE, FT_BUMP, FT_LIVE, FT_TICK_US, FT_BASE_SEC,
  FT_NOW_TICK, FT_NOW_SEC, FT_NOW_NSEC, FT_FIRST_SEC, FT_FIRST_NSEC, FT_FLAGS, FT_EVICT, FT_SCAN,
  FT_SCRATCH, FT_TIMEOUTS, FT_ST_FRAMES, FT_ST_SKIPPED, FT_ST_CREATED, FT_ST_IDLE, FT_ST_EVICTED,
  FT_ST_FAILED, FT_ST_ACTIVE, FT_ST_REUSED, FT_ST_FLUSHED, FT_TICK_SEC, FT_TICK_NSEC0,
  FT_TICK_NSEC1, FT_HDR_SIZE, TF_CLOCK, TF_DRAIN, TC_TCP_OPENING, TC_TCP_ESTABLISHED,
  TC_TCP_CLOSING, TC_TCP_TIME_WAIT, TC_TCP_CLOSED, TC_UDP, TC_ICMP, TC_OTHER, TC_ACTIVE, TC_COUNT,
  FT_CHUNK, FT_WHEEL_OUT, FT_SC_HASH, FT_SC_CAND, FT_SC_SINK, FT_SC_OUT, FT_SCRATCH_SIZE, FB_SIZE, FB_SLOTS,
  FB_OVERFLOW, FB_IDX, FT_PROBE, FE_SIZE, FE_LAST_TICK, FE_PROTO, FE_IPVER, FE_FLAGS, FE_TIMER,
  FE_DEADLINE, FE_ADDR_A, FE_ADDR_B, FE_PORT_A, FE_STATE_A, FE_STATE_B, FE_TCPFL_A, FE_TCPFL_B,
  FE_FIRST_SEC, FE_FIRST_NSEC, FE_LAST_SEC, FE_LAST_NSEC, FE_FRAMES_AB, FE_FRAMES_BA, FE_BYTES_AB,
  FE_BYTES_BA, FE_IPBYTES_AB, FE_IPBYTES_BA, FE_NEXT_A, FE_RETRANS_A, FE_OOO_A, FE_ISN_A, FE_FIN_A,
  FE_HIST_A, FE_END, FE_ICMP_TYPE, FE_ICMP_CODE, FE_VLAN, FE_IFACE, FE_REPORT_TICK, FE_START_SEC,
  FE_START_NSEC, FE_REPORTS, FE_INDEX, EF_USED, EF_ISN_A, EF_FIN_A, EF_SEQ_A, EF_NOPORTS,
  EF_PASSIVE_A, EF_REPORTED, EF_PICKUP, TS_NONE, TS_CLOSED, TS_LISTEN, TS_SYN_SENT,
  TS_SYN_RECEIVED, TS_ESTABLISHED, TS_FIN_WAIT_1, TS_FIN_WAIT_2, TS_CLOSING, TS_TIME_WAIT,
  TS_CLOSE_WAIT, TS_LAST_ACK, END_IDLE, END_ACTIVE, END_EOF, END_FORCED, END_RESOURCES,
} from "./flow-layout";

// Layout constants (header FT_*, buckets FB_*, entries FE_*, their flags and states) live in
// flow-layout.ts, so that the host's copy can be generated from them.

const TH_FIN: u32 = 1;
const TH_SYN: u32 = 2;
const TH_RST: u32 = 4;
const TH_ACK: u32 = 16;

@inline function h32(t: usize, f: u32): u32 { return load<u32>(t + <usize>f); }
@inline function seth32(t: usize, f: u32, v: u32): void { store<u32>(t + <usize>f, v); }
@inline function bump(t: usize, f: u32): void { store<f64>(t + <usize>f, load<f64>(t + <usize>f) + 1.0); }
@inline function entryAt(t: usize, i: u32): usize { return <usize>h32(t, FT_ENTRIES) + <usize>i * FE_SIZE; }

@inline function fmix(h: u32): u32 {
  h ^= h >> 16;
  h = h * 0x85ebca6b;
  h ^= h >> 13;
  h = h * 0xc2b2ae35;
  h ^= h >> 16;
  return h;
}

/** Bytes a table of `capacity` flows with an export buffer of `exportCap` records needs
 *  (the wheel is a separate region of wheel_region_size(capacity)). */
export function flows_region_size(capacity: u32, exportCap: u32): u32 {
  let buckets = bucketsFor(capacity);
  return FT_HDR_SIZE + FT_SCRATCH_SIZE + 64 + buckets * FB_SIZE + (capacity + 1) * FE_SIZE + exportCap * FE_SIZE;
}

/** Buckets for a capacity: a power of two with at most 4 entries per bucket on average. */
export function bucketsFor(capacity: u32): u32 {
  let want = (capacity + 3) >> 2;
  let b: u32 = 1;
  while (b < want) b <<= 1;
  return b;
}

/** Sets up an empty table. `wheel` must be a wheel_init'ed region of at least `capacity`
 *  timers, dedicated to this table, clock at 0. Returns 1, or 0 on a bad argument. */
export function flows_init(t: usize, capacity: u32, exportCap: u32, wheel: usize, tickUs: u32, seed: u32): u32 {
  if (capacity == 0 || capacity > 0x3FFFFFF || exportCap == 0 || tickUs == 0) return 0;
  let buckets = bucketsFor(capacity);
  memory.fill(t, 0, FT_HDR_SIZE);
  seth32(t, FT_MAGIC, FLOWS_MAGIC);
  seth32(t, FT_CAPACITY, capacity);
  seth32(t, FT_BUCKETS, buckets);
  seth32(t, FT_BMASK, buckets - 1);
  let scratch = t + FT_HDR_SIZE;
  seth32(t, FT_SCRATCH, <u32>scratch);
  let index = (scratch + FT_SCRATCH_SIZE + 63) & ~<usize>63;
  seth32(t, FT_INDEX, <u32>index);
  let entries = index + <usize>buckets * FB_SIZE;
  seth32(t, FT_ENTRIES, <u32>entries);
  let exp = entries + <usize>(capacity + 1) * FE_SIZE;
  seth32(t, FT_EXPORT, <u32>exp);
  seth32(t, FT_EXPORT_CAP, exportCap);
  seth32(t, FT_WHEEL, <u32>wheel);
  seth32(t, FT_BUMP, 1);
  seth32(t, FT_TICK_US, tickUs);
  seth32(t, FT_EVICT, 1);
  seth32(t, FT_SEED, seed);
  memory.fill(scratch, 0, FT_SCRATCH_SIZE);
  memory.fill(index, 0, <usize>buckets * FB_SIZE);
  // Default timeouts in seconds, converted to ticks (the host overrides them).
  setTimeoutSecs(t, TC_TCP_OPENING, 30);
  setTimeoutSecs(t, TC_TCP_ESTABLISHED, 3600);
  setTimeoutSecs(t, TC_TCP_CLOSING, 120);
  setTimeoutSecs(t, TC_TCP_TIME_WAIT, 120);
  setTimeoutSecs(t, TC_TCP_CLOSED, 10);
  setTimeoutSecs(t, TC_UDP, 120);
  setTimeoutSecs(t, TC_ICMP, 30);
  setTimeoutSecs(t, TC_OTHER, 120);
  seth32(t, FT_TIMEOUTS + TC_ACTIVE * 4, 0);
  return 1;
}

function setTimeoutSecs(t: usize, cls: u32, secs: u32): void {
  let us = <u64>secs * 1000000;
  let tick = <u64>h32(t, FT_TICK_US);
  let ticks = (us + tick - 1) / tick;
  seth32(t, FT_TIMEOUTS + cls * 4, ticks > 0x3FFFFFFF ? 0x3FFFFFFF : <u32>ticks);
}

/** Sets a timeout class to `ticks` (idle classes: at least 1; TC_ACTIVE: 0 disables). */
export function flows_set_timeout(t: usize, cls: u32, ticks: u32): void {
  if (cls >= TC_COUNT) return;
  if (ticks > 0x3FFFFFFF) ticks = 0x3FFFFFFF;
  if (ticks == 0 && cls != TC_ACTIVE) ticks = 1;
  seth32(t, FT_TIMEOUTS + cls * 4, ticks);
  // Stamp units such that no live flow's age wraps the 5-bit stamp: a flow outlives its
  // longest timeout by a tick at most before the wheel ends it.
  let most: u32 = 0;
  for (let c: u32 = 0; c < TC_COUNT; c++) {
    let v = h32(t, FT_TIMEOUTS + c * 4);
    if (v > most) most = v;
  }
  let shift: u32 = 0;
  while ((most >> shift) >= FB_STAMP_MASK - 1) shift++;
  seth32(t, FT_AGE_SHIFT, shift);
}

export function flows_set_evict(t: usize, on: u32): void { seth32(t, FT_EVICT, on != 0 ? 1 : 0); }
export function flows_count(t: usize): u32 { return h32(t, FT_LIVE); }
export function flows_export_count(t: usize): u32 { return h32(t, FT_EXPORT_COUNT); }
export function flows_export_clear(t: usize): void { seth32(t, FT_EXPORT_COUNT, 0); }

/** Address of entry `i` (1-based). */
export function flows_entry(t: usize, i: u32): usize { return entryAt(t, i); }

/** The next live entry index after `i`, or 0 at the end (iterate from 0). */
export function flows_next(t: usize, i: u32): u32 {
  let end = h32(t, FT_BUMP);
  for (let j = i + 1; j < end; j++) {
    if ((<u32>load<u16>(entryAt(t, j) + FE_FLAGS) & EF_USED) != 0) return j;
  }
  return 0;
}

// ---- clock ----

function tickOf(t: usize, sec: u32, nsec: u32): u32 {
  let base = h32(t, FT_BASE_SEC);
  if (<i32>(sec - base) < 0) return 0;
  let us = <u64>(sec - base) * 1000000 + <u64>(nsec / 1000);
  let tickUs = <u64>h32(t, FT_TICK_US);
  let tick = us / tickUs;
  // Remember which nanoseconds of this second map to the same tick: the next frames
  // (mostly in the same tick) then skip the 64-bit division.
  let startUs = tick * tickUs;
  let secUs = <u64>(sec - base) * 1000000;
  let lo = startUs > secUs ? (startUs - secUs) * 1000 : 0;
  let hi = (startUs + tickUs - secUs) * 1000;
  seth32(t, FT_TICK_SEC, sec);
  seth32(t, FT_TICK_NSEC0, <u32>lo);
  seth32(t, FT_TICK_NSEC1, hi > 1000000000 ? 1000000000 : <u32>hi);
  return <u32>tick;
}

/** Moves the clock forward to (sec, nsec) if that is later. */
@inline function clockTo(t: usize, sec: u32, nsec: u32): void {
  if ((h32(t, FT_FLAGS) & TF_CLOCK) == 0) {
    seth32(t, FT_FLAGS, h32(t, FT_FLAGS) | TF_CLOCK);
    seth32(t, FT_BASE_SEC, sec);
    seth32(t, FT_FIRST_SEC, sec);
    seth32(t, FT_FIRST_NSEC, nsec);
    seth32(t, FT_NOW_SEC, sec);
    seth32(t, FT_NOW_NSEC, nsec);
    seth32(t, FT_NOW_TICK, tickOf(t, sec, nsec));
    return;
  }
  let ns = h32(t, FT_NOW_SEC);
  if (sec > ns || (sec == ns && nsec > h32(t, FT_NOW_NSEC))) {
    seth32(t, FT_NOW_SEC, sec);
    seth32(t, FT_NOW_NSEC, nsec);
    if (sec == h32(t, FT_TICK_SEC) && nsec >= h32(t, FT_TICK_NSEC0) && nsec < h32(t, FT_TICK_NSEC1)) return;
    let tick = tickOf(t, sec, nsec);
    if (<i32>(tick - h32(t, FT_NOW_TICK)) > 0) seth32(t, FT_NOW_TICK, tick);
  }
}

// ---- index ----

@inline function bucketAddr(t: usize, h: u32): usize {
  return <usize>h32(t, FT_INDEX) + <usize>(h & h32(t, FT_BMASK)) * FB_SIZE;
}

/** Bit mask (lanes 0..6) of bucket slots whose signature equals `sig`. */
@inline function sigMask(bk: usize, sig: u32): u32 {
  let v = i32x4.splat(<i32>sig);
  let m0 = i32x4.bitmask(i32x4.eq(v128.load(bk), v));
  let m1 = i32x4.bitmask(i32x4.eq(v128.load(bk, 16), v));
  return (m0 | (m1 << 4)) & 0x7F;
}

// Key of the frame being processed, unpacked (set by loadKey).
// These are WASM globals: per instance, never shared, rewritten for each frame.
let kVer: u32 = 0;
let kProto: u32 = 0;
let kS0: u32 = 0; let kS1: u32 = 0; let kS2: u32 = 0; let kS3: u32 = 0;
let kD0: u32 = 0; let kD1: u32 = 0; let kD2: u32 = 0; let kD3: u32 = 0;
let kPorts: u32 = 0; // src port | dst port << 16
let kNoPorts: u32 = 0;

/** Unpacks a frame's key into the k* globals and returns its symmetric hash under the
 *  table's seed, or 0 when the frame has no IP layer. */
@inline function loadKey(frames: usize, d: usize, seed: u32): u32 {
  if (extractKey(frames, d) == 0) return 0;
  return hashKey(seed, kVer, kProto, kS0, kS1, kS2, kS3, kD0, kD1, kD2, kD3, kPorts);
}

/** Unpacks a frame's key into the k* globals; 0 when the frame has no IP layer. */
@inline function extractKey(frames: usize, d: usize): u32 {
  let layers = load<u32>(d + D_LAYERS);
  // A fragment held by IP reassembly is counted with its datagram, on the fragment that
  // completes it (L_REASM), as tshark's conversations count it.
  if ((layers & (L_IP4 | L_IP6)) == 0 || (layers & L_FRAG_HELD) != 0) return 0;
  kProto = <u32>load<u8>(d + D_IP_PROTO);
  if ((layers & L_IP4) != 0) {
    kVer = 4;
    kS0 = bswap<u32>(load<u32>(d + D_IP_SRC));
    kD0 = bswap<u32>(load<u32>(d + D_IP_DST));
    kS1 = 0; kS2 = 0; kS3 = 0; kD1 = 0; kD2 = 0; kD3 = 0;
  } else {
    kVer = 6;
    let a = <usize>load<u32>(frames + FRAME_PTR) + <usize>load<u16>(d + D_L3_OFF) + 8;
    kS0 = load<u32>(a); kS1 = load<u32>(a, 4); kS2 = load<u32>(a, 8); kS3 = load<u32>(a, 12);
    kD0 = load<u32>(a, 16); kD1 = load<u32>(a, 20); kD2 = load<u32>(a, 24); kD3 = load<u32>(a, 28);
  }
  kNoPorts = 0;
  if ((layers & (L_TCP | L_UDP)) != 0) {
    kPorts = load<u32>(d + D_SRC_PORT); // src u16 then dst u16
  } else if ((layers & (L_ICMP | L_ICMP6)) != 0) {
    let type = <u32>load<u8>(d + D_ICMP_TYPE);
    let echo = (layers & L_ICMP6) != 0 ? (type == 128 || type == 129) : (type == 0 || type == 8 || (type >= 13 && type <= 18));
    if (echo) {
      let id = <u32>load<u16>(d + D_ICMP_ID);
      kPorts = id | (id << 16);
    } else {
      kPorts = ((type << 8) | <u32>load<u8>(d + D_ICMP_CODE)) << 16;
    }
  } else {
    kPorts = 0;
    if (kProto == 6 || kProto == 17 || kProto == 1 || kProto == 58) kNoPorts = 1;
  }
  return 1;
}

/** Symmetric hash of a key: the two (address, port) ends are put in a canonical order
 *  first, so both directions of a flow hash alike. Never 0 (0 means "no key").
 *  Keyed by the table's seed (FT_SEED, random per run): the words are summed as NH does
 *  (UMAC, RFC 4418 section 5.2.2): pairs of (word + key word) multiplied into 64 bits, the
 *  key words here the seed XOR fixed constants. An unkeyed sum of per-word products has
 *  differences that do not depend on any key (flip the top bit of two words: the sums
 *  are equal), so collisions could be computed offline to evict chosen flows or fill a
 *  bucket (issue #21 item 9); with the seed unknown the 64-bit product differences are
 *  not. The products are independent (they run in parallel), then one finalizer. */
@inline function hashKey(seed: u32, ver: u32, proto: u32, s0: u32, s1: u32, s2: u32, s3: u32,
                 d0: u32, d1: u32, d2: u32, d3: u32, ports: u32): u32 {
  let sp = ports & 0xFFFF;
  let dp = ports >> 16;
  let sFirst: bool;
  if (s0 != d0) sFirst = s0 < d0;
  else if (s1 != d1) sFirst = s1 < d1;
  else if (s2 != d2) sFirst = s2 < d2;
  else if (s3 != d3) sFirst = s3 < d3;
  else sFirst = sp <= dp;
  let x0 = sFirst ? s0 : d0;
  let y0 = sFirst ? d0 : s0;
  let pp = sFirst ? (sp << 16) | dp : (dp << 16) | sp;
  let vp = (ver << 24) | (proto << 16);
  let acc: u64 = <u64>(x0 + (seed ^ 0x9e3779b9)) * <u64>(y0 + (seed ^ 0x7f4a7c15)) +
    <u64>(pp + (seed ^ 0x85ebca6b)) * <u64>(vp + (seed ^ 0xc2b2ae35));
  if (ver != 4) {
    let x1 = sFirst ? s1 : d1; let x2 = sFirst ? s2 : d2; let x3 = sFirst ? s3 : d3;
    let y1 = sFirst ? d1 : s1; let y2 = sFirst ? d2 : s2; let y3 = sFirst ? d3 : s3;
    acc += <u64>(x1 + (seed ^ 0x165667b1)) * <u64>(y1 + (seed ^ 0xd3a2646d)) +
      <u64>(x2 + (seed ^ 0x61c88647)) * <u64>(y2 + (seed ^ 0xfd7046c5)) +
      <u64>(x3 + (seed ^ 0x2545f491)) * <u64>(y3 + (seed ^ 0xb55a4f09));
  }
  let h = fmix(<u32>(acc >> 32) ^ <u32>acc);
  return h == 0 ? 1 : h;
}

/** 1: entry holds the key with the frame's source as A; 2: as B; 0: another key. */
@inline function keyMatch(e: usize): u32 {
  if (<u32>load<u8>(e + FE_PROTO) != kProto || <u32>load<u8>(e + FE_IPVER) != kVer) return 0;
  let a0 = load<u32>(e + FE_ADDR_A);
  let b0 = load<u32>(e + FE_ADDR_B);
  let ports = load<u32>(e + FE_PORT_A);
  let rev = (kPorts >> 16) | (kPorts << 16);
  if (kVer == 4) {
    if (a0 == kS0 && b0 == kD0 && ports == kPorts) return 1;
    if (a0 == kD0 && b0 == kS0 && ports == rev) return 2;
    return 0;
  }
  if (ports == kPorts && a0 == kS0 && b0 == kD0 &&
      load<u32>(e + FE_ADDR_A, 4) == kS1 && load<u32>(e + FE_ADDR_A, 8) == kS2 && load<u32>(e + FE_ADDR_A, 12) == kS3 &&
      load<u32>(e + FE_ADDR_B, 4) == kD1 && load<u32>(e + FE_ADDR_B, 8) == kD2 && load<u32>(e + FE_ADDR_B, 12) == kD3) return 1;
  if (ports == rev && a0 == kD0 && b0 == kS0 &&
      load<u32>(e + FE_ADDR_A, 4) == kD1 && load<u32>(e + FE_ADDR_A, 8) == kD2 && load<u32>(e + FE_ADDR_A, 12) == kD3 &&
      load<u32>(e + FE_ADDR_B, 4) == kS1 && load<u32>(e + FE_ADDR_B, 8) == kS2 && load<u32>(e + FE_ADDR_B, 12) == kS3) return 2;
  return 0;
}

// Result of lookup: entry index, direction (1 forward, 2 reverse) and the address of the
// index word naming the entry (insert sets it too).
let fIdx: u32 = 0;
let fDir: u32 = 0;
let fSlot: usize = 0;

/** Finds the current key (hash h) in the index; sets fIdx/fDir (0 when absent). */
function lookup(t: usize, h: u32): void {
  let bmask = h32(t, FT_BMASK);
  let index = <usize>h32(t, FT_INDEX);
  let home = h & bmask;
  let bk = index + <usize>home * FB_SIZE;
  let ents = <usize>h32(t, FT_ENTRIES);
  let probes: u32 = load<u32>(bk + FB_OVERFLOW) != 0 ? FT_PROBE : 1;
  for (let p: u32 = 0; p < probes; p++) {
    let b = index + <usize>((home + p) & bmask) * FB_SIZE;
    let mask = sigMask(b, h);
    while (mask != 0) {
      let lane = ctz<u32>(mask);
      let slot = b + FB_IDX + (<usize>lane << 2);
      let i = load<u32>(slot) & FB_IDX_MASK;
      let m = keyMatch(ents + <usize>i * FE_SIZE);
      if (m != 0) {
        fIdx = i;
        fDir = m;
        fSlot = slot;
        return;
      }
      mask &= mask - 1;
    }
  }
  fIdx = 0;
  fDir = 0;
}

/** Hash of a stored entry's key (to find its bucket when removing it). */
function entryHash(t: usize, e: usize): u32 {
  return hashKey(h32(t, FT_SEED), <u32>load<u8>(e + FE_IPVER), <u32>load<u8>(e + FE_PROTO),
    load<u32>(e + FE_ADDR_A), load<u32>(e + FE_ADDR_A, 4), load<u32>(e + FE_ADDR_A, 8), load<u32>(e + FE_ADDR_A, 12),
    load<u32>(e + FE_ADDR_B), load<u32>(e + FE_ADDR_B, 4), load<u32>(e + FE_ADDR_B, 8), load<u32>(e + FE_ADDR_B, 12),
    load<u32>(e + FE_PORT_A));
}

/** Removes entry i from the index (it must be there). */
function indexRemove(t: usize, i: u32): void {
  let h = entryHash(t, entryAt(t, i));
  let bmask = h32(t, FT_BMASK);
  let index = <usize>h32(t, FT_INDEX);
  let home = h & bmask;
  for (let p: u32 = 0; p < FT_PROBE; p++) {
    let b = index + <usize>((home + p) & bmask) * FB_SIZE;
    for (let s: u32 = 0; s < FB_SLOTS; s++) {
      if ((load<u32>(b + FB_IDX + (<usize>s << 2)) & FB_IDX_MASK) == i && load<u32>(b + (<usize>s << 2)) != 0) {
        dropSlot(t, b, s);
        return;
      }
    }
  }
}

/** Empties slot s of bucket b. Its signature is the flow's whole hash, so it names the
 *  home bucket whose overflow count the slot was counted in (when not at home). */
function dropSlot(t: usize, b: usize, s: u32): void {
  let index = <usize>h32(t, FT_INDEX);
  let home = load<u32>(b + (<usize>s << 2)) & h32(t, FT_BMASK);
  store<u32>(b + (<usize>s << 2), 0);
  store<u32>(b + FB_IDX + (<usize>s << 2), 0);
  let hb = index + <usize>home * FB_SIZE;
  if (hb != b) store<u32>(hb + FB_OVERFLOW, load<u32>(hb + FB_OVERFLOW) - 1);
}

// ---- records and entry lifetime ----

/** Copies entry i to the export buffer with its end reason (the caller checked room). */
function exportRecord(t: usize, i: u32, reason: u32): void {
  let n = h32(t, FT_EXPORT_COUNT);
  let dst = <usize>h32(t, FT_EXPORT) + <usize>n * FE_SIZE;
  memory.copy(dst, entryAt(t, i), FE_SIZE);
  store<u8>(dst + FE_END, <u8>reason);
  seth32(t, FT_EXPORT_COUNT, n + 1);
}

/** Frees entry i: out of the index, onto the free list. */
function release(t: usize, i: u32): void {
  indexRemove(t, i);
  freeEntry(t, i);
}

/** Puts entry i (out of the index) on the free list. Its timer is not cancelled (issue
 *  #19): an unlink writes the two neighbouring nodes, other flows' random lines, three
 *  misses per evicted flow. It stays armed for the entry, free or reused (FE_TIMER and
 *  FE_DEADLINE survive insert), and when it fires onTimer checks what it finds, as a
 *  timer a packet made late is checked: a free entry is left alone, a new flow re-armed
 *  at its own deadline. An entry has at most one timer in the wheel: FE_TIMER names it,
 *  0 when none (onTimer clears it first), and a timer is scheduled only when it is 0. */
function freeEntry(t: usize, i: u32): void {
  let e = entryAt(t, i);
  store<u16>(e + FE_FLAGS, 0);
  store<u32>(e + FE_LAST_TICK, h32(t, FT_FREE));
  seth32(t, FT_FREE, i);
  seth32(t, FT_LIVE, h32(t, FT_LIVE) - 1);
}

@inline function tcpClass(a: u32, b: u32): u32 {
  let aDown = a == TS_CLOSED || a == TS_LISTEN;
  let bDown = b == TS_CLOSED || b == TS_LISTEN;
  if (aDown && bDown) return TC_TCP_CLOSED;
  if ((aDown || a == TS_TIME_WAIT) && (bDown || b == TS_TIME_WAIT)) return TC_TCP_TIME_WAIT;
  if (a == TS_ESTABLISHED && b == TS_ESTABLISHED) return TC_TCP_ESTABLISHED;
  if (a == TS_SYN_SENT || a == TS_SYN_RECEIVED || a == TS_LISTEN || b == TS_SYN_SENT || b == TS_SYN_RECEIVED || b == TS_LISTEN) {
    return TC_TCP_OPENING;
  }
  return TC_TCP_CLOSING;
}

@inline function classOf(e: usize): u32 {
  let proto = <u32>load<u8>(e + FE_PROTO);
  if (proto == 6 && (<u32>load<u16>(e + FE_FLAGS) & EF_NOPORTS) == 0) {
    return tcpClass(<u32>load<u8>(e + FE_STATE_A), <u32>load<u8>(e + FE_STATE_B));
  }
  if (proto == 17) return TC_UDP;
  if (proto == 1 || proto == 58) return TC_ICMP;
  return TC_OTHER;
}

@inline function timeoutOf(t: usize, cls: u32): u32 { return h32(t, FT_TIMEOUTS + cls * 4); }

/** The tick the flow is due at: its idle deadline, or its active-report deadline if sooner. */
@inline function dueTick(t: usize, e: usize): u32 {
  let due = load<u32>(e + FE_LAST_TICK) + timeoutOf(t, classOf(e));
  let active = timeoutOf(t, TC_ACTIVE);
  if (active != 0) {
    let ad = load<u32>(e + FE_REPORT_TICK) + active;
    if (<i32>(ad - due) < 0) due = ad;
  }
  return due;
}

/** A wheel timer for entry i fired at the current clock. */
function onTimer(t: usize, i: u32): void {
  let e = entryAt(t, i);
  store<u32>(e + FE_TIMER, 0); // the entry's one timer (freeEntry): gone
  if ((<u32>load<u16>(e + FE_FLAGS) & EF_USED) == 0) return;
  let now = h32(t, FT_NOW_TICK);
  let cls = classOf(e);
  let idleDue = load<u32>(e + FE_LAST_TICK) + timeoutOf(t, cls);
  if (<i32>(now - idleDue) >= 0) {
    let empty = load<u32>(e + FE_FRAMES_AB) == 0 && load<u32>(e + FE_FRAMES_BA) == 0;
    if (!empty) exportRecord(t, i, cls == TC_TCP_CLOSED || cls == TC_TCP_TIME_WAIT ? END_EOF : END_IDLE);
    bump(t, FT_ST_IDLE);
    release(t, i);
    return;
  }
  let active = timeoutOf(t, TC_ACTIVE);
  if (active != 0 && <i32>(now - (load<u32>(e + FE_REPORT_TICK) + active)) >= 0) {
    if (load<u32>(e + FE_FRAMES_AB) != 0 || load<u32>(e + FE_FRAMES_BA) != 0) {
      exportRecord(t, i, END_ACTIVE);
      bump(t, FT_ST_ACTIVE);
      store<u32>(e + FE_REPORTS, load<u32>(e + FE_REPORTS) + 1);
    }
    // IPFIX delta semantics: the next record counts from here.
    store<u32>(e + FE_FRAMES_AB, 0);
    store<u32>(e + FE_FRAMES_BA, 0);
    store<f64>(e + FE_BYTES_AB, 0);
    store<f64>(e + FE_BYTES_BA, 0);
    store<f64>(e + FE_IPBYTES_AB, 0);
    store<f64>(e + FE_IPBYTES_BA, 0);
    store<u8>(e + FE_TCPFL_A, 0);
    store<u8>(e + FE_TCPFL_B, 0);
    store<u32>(e + FE_REPORT_TICK, now);
    store<u16>(e + FE_FLAGS, <u16>(<u32>load<u16>(e + FE_FLAGS) | EF_REPORTED));
  }
  let due = dueTick(t, e);
  let wheel = <usize>h32(t, FT_WHEEL);
  store<u32>(e + FE_TIMER, wheel_schedule(wheel, due - now, i));
  store<u32>(e + FE_DEADLINE, <i32>(due - now) > 0 ? due : now + 1);
}

/** Runs the wheel up to the clock. Returns 0 if the export buffer filled first. */
/** Nothing for expireDue to do: the wheel is at the clock and no drain is pending. Inline,
 *  so that the update of a frame (nearly always this case) makes no call for it. */
@inline function nothingDue(t: usize): bool {
  return wheel_now(<usize>h32(t, FT_WHEEL)) == h32(t, FT_NOW_TICK) && (h32(t, FT_FLAGS) & TF_DRAIN) == 0;
}

function expireDue(t: usize): u32 {
  if (nothingDue(t)) return 1;
  let wheel = <usize>h32(t, FT_WHEEL);
  let now = h32(t, FT_NOW_TICK);
  let out = <usize>h32(t, FT_SCRATCH) + FT_SC_OUT;
  while (true) {
    let room = h32(t, FT_EXPORT_CAP) - h32(t, FT_EXPORT_COUNT);
    if (room == 0) {
      seth32(t, FT_FLAGS, h32(t, FT_FLAGS) | TF_DRAIN);
      return 0;
    }
    let max = room < FT_WHEEL_OUT ? room : FT_WHEEL_OUT;
    let n = wheel_advance(wheel, now, out, max);
    for (let k: u32 = 0; k < n; k++) onTimer(t, load<u32>(out + (<usize>k << 2)));
    if (n < max) {
      seth32(t, FT_FLAGS, h32(t, FT_FLAGS) & ~TF_DRAIN);
      return 1;
    }
  }
  return 1;
}

/** The eviction word of a slot for a flow last seen now: its stamp and weak bit above
 *  entry index i (FB_*). */
@inline function slotWord(t: usize, i: u32, replied: bool): u32 {
  let stamp = (h32(t, FT_NOW_TICK) >> h32(t, FT_AGE_SHIFT)) & FB_STAMP_MASK;
  return i | (stamp << FB_STAMP_SHIFT) | (replied ? 0 : FB_WEAK);
}

/** Picks the stalest entry in the probe window of `home` and evicts it (a record with
 *  reason "lack of resources"). Returns 1 if one was evicted.
 *  Reads only the window's 4 buckets (adjacent lines), never an entry (issue #19: reading
 *  28 entries' last tick was 28 cache misses per new flow in a full table). A slot's score
 *  is its weak bit (never answered goes first, as conntrack's early drop prefers flows
 *  not yet assured) then its age in stamp units; ties go to the first slot from the home
 *  bucket's hand, which then moves past the victim, so equal flows leave oldest-inserted
 *  first rather than the newcomer in the slot just freed. */
function evictNear(t: usize, home: u32): u32 {
  let pos = victimPos(t, home);
  if (pos < 0) {
    // The pool is full but this window holds no flow (an unlucky key in a table a little
    // over half full): a victim from anywhere frees an entry, and the window has slots.
    let best = sweepVictim(t);
    if (best == 0) return 0;
    exportRecord(t, best, END_RESOURCES);
    bump(t, FT_ST_EVICTED);
    release(t, best);
    return 1;
  }
  let p = <u32>pos / FB_SLOTS;
  let s = <u32>pos - p * FB_SLOTS;
  let index = <usize>h32(t, FT_INDEX);
  let bestB = index + <usize>((home + p) & h32(t, FT_BMASK)) * FB_SIZE;
  let best = load<u32>(bestB + FB_IDX + (<usize>s << 2)) & FB_IDX_MASK;
  store<u32>(index + <usize>home * FB_SIZE + FB_HAND, <u32>pos + 1 == FT_PROBE * FB_SLOTS ? 0 : <u32>pos + 1);
  exportRecord(t, best, END_RESOURCES);
  bump(t, FT_ST_EVICTED);
  // The victim's slot is known: no rehash of its key to find it again.
  dropSlot(t, bestB, s);
  freeEntry(t, best);
  return 1;
}

/** Where in the probe window of `home` evictNear finds its victim: the window position
 *  (bucket offset * FB_SLOTS + slot) of the best score, the first from the hand on, as a
 *  scan from the hand keeping the first best finds; -1 if no slot of the window holds a
 *  flow. Reads the window's buckets, writes nothing: flows_update_batch asks it ahead to
 *  touch the victim's entry. The 28 scores are computed four lanes at a time with no
 *  branch per slot: a loop over the slots cost ~270 ns per new flow in a full table even
 *  with every line cached (its score comparisons mispredict). */
function victimPos(t: usize, home: u32): i32 {
  let bmask = h32(t, FT_BMASK);
  let index = <usize>h32(t, FT_INDEX);
  let now = i32x4.splat(<i32>((h32(t, FT_NOW_TICK) >> h32(t, FT_AGE_SHIFT)) & FB_STAMP_MASK));
  // FT_PROBE is 4: one pair of score vectors per bucket of the window.
  let b0 = index + <usize>home * FB_SIZE;
  let b1 = index + <usize>((home + 1) & bmask) * FB_SIZE;
  let b2 = index + <usize>((home + 2) & bmask) * FB_SIZE;
  let b3 = index + <usize>((home + 3) & bmask) * FB_SIZE;
  let s0 = slotScores(b0, 0, now); let s1 = slotScores(b0, 16, now);
  let s2 = slotScores(b1, 0, now); let s3 = slotScores(b1, 16, now);
  let s4 = slotScores(b2, 0, now); let s5 = slotScores(b2, 16, now);
  let s6 = slotScores(b3, 0, now); let s7 = slotScores(b3, 16, now);
  let m = i32x4.max_s(i32x4.max_s(i32x4.max_s(s0, s1), i32x4.max_s(s2, s3)), i32x4.max_s(i32x4.max_s(s4, s5), i32x4.max_s(s6, s7)));
  m = i32x4.max_s(m, v128.shuffle<i32>(m, m, 2, 3, 0, 1));
  m = i32x4.max_s(m, v128.shuffle<i32>(m, m, 1, 0, 3, 2));
  if (i32x4.extract_lane(m, 0) < 0) return -1;
  let top = bestBits(s0, s1, m) | (bestBits(s2, s3, m) << FB_SLOTS) | (bestBits(s4, s5, m) << (2 * FB_SLOTS)) | (bestBits(s6, s7, m) << (3 * FB_SLOTS));
  const window: u32 = FT_PROBE * FB_SLOTS;
  let hand = load<u32>(b0 + FB_HAND);
  let fromHand = ((top >> hand) | (top << (window - hand))) & ((1 << window) - 1);
  let pos = hand + ctz<u32>(fromHand);
  return <i32>(pos >= window ? pos - window : pos);
}

/** Eviction scores of a bucket's slots 0-3 (`half` 0) or 4-6 (`half` 16; lane 3, the
 *  overflow count and the hand, scores -1): weak bit << 5 | age in stamp units, -1 for a
 *  free slot (signature 0). */
@inline function slotScores(b: usize, half: u32, now: v128): v128 {
  let sig = v128.load(b + <usize>half);
  let w = v128.load(b + FB_IDX + <usize>half);
  let score = v128.or(
    i32x4.shl(i32x4.shr_u(w, 31), 5),
    v128.and(i32x4.sub(now, i32x4.shr_u(w, FB_STAMP_SHIFT)), i32x4.splat(FB_STAMP_MASK)),
  );
  let used = v128.not(i32x4.eq(sig, i32x4.splat(0)));
  if (half != 0) used = v128.and(used, i32x4(-1, -1, -1, 0));
  return v128.bitselect(score, i32x4.splat(-1), used);
}

/** The bucket's FB_SLOTS slots whose score is `best` (in every lane), as bits. */
@inline function bestBits(lo: v128, hi: v128, best: v128): u32 {
  return <u32>i32x4.bitmask(i32x4.eq(lo, best)) | ((<u32>i32x4.bitmask(i32x4.eq(hi, best)) & 7) << 4);
}

/** The first flow of the first non-empty bucket from the sweep cursor on, which then moves
 *  past it (a clock over the whole index, for a full pool and an empty window); 0 if the
 *  index is empty. */
function sweepVictim(t: usize): u32 {
  let buckets = h32(t, FT_BUCKETS);
  let index = <usize>h32(t, FT_INDEX);
  let c = h32(t, FT_SWEEP);
  for (let n: u32 = 0; n < buckets; n++) {
    if (c >= buckets) c = 0;
    let b = index + <usize>c * FB_SIZE;
    c++;
    let mask = sigMask(b, 0) ^ 0x7F; // used slots
    if (mask != 0) {
      seth32(t, FT_SWEEP, c);
      return load<u32>(b + FB_IDX + (<usize>ctz<u32>(mask) << 2)) & FB_IDX_MASK;
    }
  }
  return 0;
}

/** A free index slot in the probe window of `home`: sets sB (bucket address) and sP
 *  (probe distance) and returns the slot number, or -1. */
let sB: usize = 0;
let sP: u32 = 0;
function freeSlot(t: usize, home: u32): i32 {
  let bmask = h32(t, FT_BMASK);
  let index = <usize>h32(t, FT_INDEX);
  for (let p: u32 = 0; p < FT_PROBE; p++) {
    let b = index + <usize>((home + p) & bmask) * FB_SIZE;
    let mask = sigMask(b, 0);
    if (mask != 0) {
      sB = b;
      sP = p;
      return <i32>ctz<u32>(mask);
    }
  }
  return -1;
}

/** Inserts the current key (hash h) as a new entry with the frame's source as A.
 *  Returns the entry index, or 0 when there is no room. */
function insert(t: usize, h: u32): u32 {
  let home = h & h32(t, FT_BMASK);
  let poolFull = h32(t, FT_FREE) == 0 && h32(t, FT_BUMP) > h32(t, FT_CAPACITY);
  let slot = freeSlot(t, home);
  if (poolFull || slot < 0) {
    // Evicting a flow of this window frees both an entry and a slot here.
    if (h32(t, FT_EVICT) == 0 || evictNear(t, home) == 0) return 0;
    slot = freeSlot(t, home);
    if (slot < 0) return 0;
  }
  let i = h32(t, FT_FREE);
  if (i != 0) {
    seth32(t, FT_FREE, load<u32>(entryAt(t, i) + FE_LAST_TICK));
  } else {
    i = h32(t, FT_BUMP);
    seth32(t, FT_BUMP, i + 1);
  }
  if (sP != 0) {
    let hb = <usize>h32(t, FT_INDEX) + <usize>home * FB_SIZE;
    store<u32>(hb + FB_OVERFLOW, load<u32>(hb + FB_OVERFLOW) + 1);
  }
  store<u32>(sB + (<usize>slot << 2), h);
  fSlot = sB + FB_IDX + (<usize>slot << 2);
  store<u32>(fSlot, slotWord(t, i, false));
  let e = entryAt(t, i);
  // A timer the entry's last flow left armed stays its (freeEntry).
  let timer = load<u32>(e + FE_TIMER);
  let deadline = load<u32>(e + FE_DEADLINE);
  memory.fill(e, 0, FE_SIZE);
  store<u32>(e + FE_TIMER, timer);
  store<u32>(e + FE_DEADLINE, deadline);
  store<u8>(e + FE_PROTO, <u8>kProto);
  store<u8>(e + FE_IPVER, <u8>kVer);
  store<u16>(e + FE_FLAGS, <u16>(EF_USED | (kNoPorts != 0 ? EF_NOPORTS : 0)));
  store<u32>(e + FE_ADDR_A, kS0); store<u32>(e + FE_ADDR_A, kS1, 4);
  store<u32>(e + FE_ADDR_A, kS2, 8); store<u32>(e + FE_ADDR_A, kS3, 12);
  store<u32>(e + FE_ADDR_B, kD0); store<u32>(e + FE_ADDR_B, kD1, 4);
  store<u32>(e + FE_ADDR_B, kD2, 8); store<u32>(e + FE_ADDR_B, kD3, 12);
  store<u32>(e + FE_PORT_A, kPorts);
  store<u32>(e + FE_INDEX, i);
  seth32(t, FT_LIVE, h32(t, FT_LIVE) + 1);
  bump(t, FT_ST_CREATED);
  return i;
}

// ---- TCP state from the wire ----

@inline function setState(e: usize, end: u32, st: u32): void {
  let a = e + FE_STATE_A + end;
  if (<u32>load<u8>(a) == st) return;
  store<u8>(a, <u8>st);
  let ha = e + FE_HIST_A + (<usize>end << 2);
  store<u32>(ha, (load<u32>(ha) << 4) | st);
}

@inline function stateOf(e: usize, end: u32): u32 { return <u32>load<u8>(e + FE_STATE_A + end); }

/** RST window check (RFC 5961 section 3, as stateful monitors do) and window bookkeeping
 *  for one segment from end s, before tcpSegment. The receiver r's RCV.NXT is taken as
 *  the next sequence number the observer expects from s (FE_NEXT of s: what r has once
 *  everything s sent arrives, the sequence number a genuine RST from s carries), and
 *  RCV.WND as the last window r advertised, scaled by r's shift when both SYNs carried
 *  the option. An RST is accepted when its seq is in [RCV.NXT, RCV.NXT + RCV.WND); when
 *  r's window was never seen, only seq == RCV.NXT; when nothing of s's sequence space was
 *  seen (s never sent, e.g. a reset refusing a SYN), it is accepted: there is nothing to
 *  check it against. Returns false for an RST to ignore (counted in the flow and table). */
function tcpWindow(t: usize, e: usize, s: u32, fl: u32, seq: u32, d: usize): bool {
  let flags = <u32>load<u16>(e + FE_FLAGS);
  let r = s ^ 1;
  if ((fl & TH_RST) != 0) {
    if ((flags & (EF_SEQ_A << s)) == 0) return true;
    let off = seq - load<u32>(e + FE_NEXT_A + (<usize>s << 2));
    let wnd: u32 = 1;
    if ((flags & (EF_WIN_A << r)) != 0) {
      let ws = <u32>load<u8>(e + FE_WSCALE);
      let shift: u32 = (ws & 15) != 0 && (ws >> 4) != 0 ? ((ws >> (r << 2)) & 15) - 1 : 0;
      wnd = <u32>load<u16>(e + FE_WIN_A + (<usize>r << 1)) << shift;
      if (wnd == 0) wnd = 1; // a zero window still takes an RST at exactly RCV.NXT
    }
    if (off < wnd) return true;
    let c = e + FE_RST_IGNORED;
    let n = <u32>load<u16>(c);
    if (n != 0xFFFF) store<u16>(c, <u16>(n + 1));
    bump(t, FT_ST_RST_IGNORED);
    return false;
  }
  if ((fl & TH_SYN) != 0) {
    if ((<u32>load<u8>(d + D_TCP_OPTS) & TO_WSCALE) != 0) {
      let v = <u32>load<u8>(d + D_TCP_WSCALE);
      v = (v > 14 ? 14 : v) + 1; // RFC 7323 section 2.3: a shift over 14 is taken as 14
      let sh = s << 2;
      store<u8>(e + FE_WSCALE, <u8>((<u32>load<u8>(e + FE_WSCALE) & ~(<u32>15 << sh)) | (v << sh)));
    }
  } else if ((fl & TH_ACK) != 0) {
    store<u16>(e + FE_WIN_A + (<usize>s << 1), load<u16>(d + D_TCP_WINDOW));
    store<u16>(e + FE_FLAGS, <u16>(flags | (EF_WIN_A << s)));
  }
  return true;
}

/** First segment of a TCP flow: the roles the two ends had before it. */
function tcpBegin(e: usize, s: u32, fl: u32): void {
  let r = s ^ 1;
  let flags = <u32>load<u16>(e + FE_FLAGS);
  if ((fl & (TH_SYN | TH_ACK | TH_RST)) == TH_SYN) {
    setState(e, s, TS_CLOSED);
    setState(e, r, TS_LISTEN);
  } else if ((fl & (TH_SYN | TH_ACK | TH_RST)) == (TH_SYN | TH_ACK)) {
    setState(e, s, TS_LISTEN);
    flags |= EF_PASSIVE_A << s;
    setState(e, r, TS_CLOSED);
    setState(e, r, TS_SYN_SENT);
  } else {
    setState(e, s, TS_ESTABLISHED);
    setState(e, r, TS_ESTABLISHED);
    flags |= EF_PICKUP;
  }
  store<u16>(e + FE_FLAGS, <u16>flags);
}

/** One segment from end s (0 = A, 1 = B) to the other end r. The segment is taken as
 *  sent by s and, the observer being on the path, received by r: s makes its "send"
 *  transition and r its "receive" one. A later segment from r whose acknowledgment shows
 *  it had not yet seen a SYN or FIN from s when it sent (simultaneous open or close)
 *  rewrites r's last receive transition in the order the two crossed. */
function tcpSegment(e: usize, s: u32, fl: u32, seq: u32, ack: u32, len: u32): void {
  let r = s ^ 1;
  let flags = <u32>load<u16>(e + FE_FLAGS);
  let syn = (fl & TH_SYN) != 0;
  let fin = (fl & TH_FIN) != 0;
  let hasAck = (fl & TH_ACK) != 0;
  let segLen = len + (syn ? 1 : 0) + (fin ? 1 : 0);
  let so = <usize>s << 2; // u32 field offset of the sender's copy
  let ro = <usize>r << 2;
  let s2 = <usize>s << 1; // u16 field offset

  // Sequence space of the sender: retransmissions and out-of-order arrivals.
  if (syn) {
    if ((flags & (EF_ISN_A << s)) != 0 && load<u32>(e + FE_ISN_A + so) == seq) {
      store<u16>(e + FE_RETRANS_A + s2, load<u16>(e + FE_RETRANS_A + s2) + 1);
    } else {
      store<u32>(e + FE_ISN_A + so, seq);
      store<u32>(e + FE_NEXT_A + so, seq + segLen);
      flags |= (EF_ISN_A | EF_SEQ_A) << s;
    }
  } else if (segLen != 0) {
    if ((flags & (EF_SEQ_A << s)) != 0) {
      let next = load<u32>(e + FE_NEXT_A + so);
      let diff = <i32>(seq - next);
      if (diff == 0) {
        store<u32>(e + FE_NEXT_A + so, seq + segLen);
      } else if (diff > 0) {
        store<u16>(e + FE_OOO_A + s2, load<u16>(e + FE_OOO_A + s2) + 1);
        store<u32>(e + FE_NEXT_A + so, seq + segLen);
      } else {
        store<u16>(e + FE_RETRANS_A + s2, load<u16>(e + FE_RETRANS_A + s2) + 1);
        if (<i32>(seq + segLen - next) > 0) store<u32>(e + FE_NEXT_A + so, seq + segLen);
      }
    } else {
      store<u32>(e + FE_NEXT_A + so, seq + segLen);
      flags |= EF_SEQ_A << s;
    }
  }
  if (fin) {
    store<u32>(e + FE_FIN_A + so, seq + len);
    flags |= EF_FIN_A << s;
  }
  store<u16>(e + FE_FLAGS, <u16>flags);

  if ((fl & TH_RST) != 0) {
    let rs = stateOf(e, r);
    setState(e, r, rs == TS_SYN_RECEIVED && (flags & (EF_PASSIVE_A << r)) != 0 ? TS_LISTEN : TS_CLOSED);
    let hs = e + FE_HIST_A + so;
    if (stateOf(e, s) == TS_SYN_RECEIVED && ((load<u32>(hs) >> 4) & 15) == TS_LISTEN &&
        (flags & ((EF_PASSIVE_A | EF_ISN_A) << s)) == (EF_PASSIVE_A << s)) {
      // Refused: s answered the SYN with a reset and no SYN of its own; it never listened.
      store<u32>(hs, load<u32>(hs) >> 8);
      store<u8>(e + FE_STATE_A + s, 0);
    }
    setState(e, s, TS_CLOSED);
    return;
  }

  // The sender's transition (with the crossing fixes). The history word (third cache
  // line of the entry) is read only when a crossing is possible.
  let st = stateOf(e, s);
  let hs = e + FE_HIST_A + so;
  if (syn && !hasAck && st == TS_SYN_RECEIVED && (flags & (EF_PASSIVE_A << s)) != 0 && ((load<u32>(hs) >> 4) & 15) == TS_LISTEN) {
    // Simultaneous open: s sent its own SYN before ours reached it, so it never listened.
    store<u32>(hs, load<u32>(hs) >> 8);
    store<u8>(e + FE_STATE_A + s, 0);
    setState(e, s, TS_CLOSED);
    setState(e, s, TS_SYN_SENT);
    setState(e, s, TS_SYN_RECEIVED);
    flags &= ~(EF_PASSIVE_A << s);
    store<u16>(e + FE_FLAGS, <u16>flags);
  } else if (fin && st == TS_CLOSE_WAIT && (flags & (EF_FIN_A << r)) != 0 && ((load<u32>(hs) >> 4) & 15) == TS_ESTABLISHED &&
             !(hasAck && <i32>(ack - (load<u32>(e + FE_FIN_A + ro) + 1)) >= 0)) {
    // Simultaneous close: s's FIN does not acknowledge r's, so it was sent from ESTABLISHED
    // and r's FIN arrived afterwards.
    store<u32>(hs, load<u32>(hs) >> 4);
    store<u8>(e + FE_STATE_A + s, <u8>TS_ESTABLISHED);
    setState(e, s, TS_FIN_WAIT_1);
    setState(e, s, TS_CLOSING);
  } else {
    if (syn && !hasAck) {
      if (st == TS_NONE || st == TS_CLOSED || st == TS_LISTEN) setState(e, s, TS_SYN_SENT);
    } else if (syn) {
      if (st == TS_NONE || st == TS_CLOSED || st == TS_LISTEN || st == TS_SYN_SENT) setState(e, s, TS_SYN_RECEIVED);
    }
    if (fin) {
      st = stateOf(e, s);
      if (st == TS_ESTABLISHED || st == TS_SYN_RECEIVED) setState(e, s, TS_FIN_WAIT_1);
      else if (st == TS_CLOSE_WAIT) setState(e, s, TS_LAST_ACK);
    }
  }

  // The receiver's transitions: the SYN, the acknowledgment, then the FIN (RFC 9293 3.10.7).
  let rt = stateOf(e, r);
  let isnKnown = (flags & (EF_ISN_A << r)) != 0;
  if (syn && !hasAck) {
    if (rt == TS_NONE || rt == TS_CLOSED || rt == TS_LISTEN) {
      setState(e, r, TS_SYN_RECEIVED);
      flags |= EF_PASSIVE_A << r;
      store<u16>(e + FE_FLAGS, <u16>flags);
    } else if (rt == TS_SYN_SENT) {
      setState(e, r, TS_SYN_RECEIVED);
    }
  } else if (syn) {
    if ((rt == TS_SYN_SENT || rt == TS_SYN_RECEIVED) && (!isnKnown || ack == load<u32>(e + FE_ISN_A + ro) + 1)) setState(e, r, TS_ESTABLISHED);
  } else if (hasAck) {
    if (rt == TS_SYN_RECEIVED && (!isnKnown || <i32>(ack - (load<u32>(e + FE_ISN_A + ro) + 1)) >= 0)) {
      setState(e, r, TS_ESTABLISHED);
      rt = TS_ESTABLISHED;
    }
    if ((flags & (EF_FIN_A << r)) != 0 && <i32>(ack - (load<u32>(e + FE_FIN_A + ro) + 1)) >= 0) {
      if (rt == TS_FIN_WAIT_1) setState(e, r, TS_FIN_WAIT_2);
      else if (rt == TS_CLOSING) setState(e, r, TS_TIME_WAIT);
      else if (rt == TS_LAST_ACK) setState(e, r, TS_CLOSED);
    }
  }
  if (fin) {
    rt = stateOf(e, r);
    if (rt == TS_ESTABLISHED || rt == TS_SYN_RECEIVED) setState(e, r, TS_CLOSE_WAIT);
    else if (rt == TS_FIN_WAIT_1) setState(e, r, TS_CLOSING);
    else if (rt == TS_FIN_WAIT_2) setState(e, r, TS_TIME_WAIT);
  }
}

// ---- the batch update ----

/** Accounts frame `i` of a batch. Returns 0 if it could not be processed because the
 *  export buffer is full (nothing about the frame was changed), else 1. */
function updateOne(t: usize, frames: usize, descs: usize, times: usize, i: u32, h: u32, cand: usize): u32 {
  let d = descs + <usize>i * DESC_SIZE;
  let tp = times + <usize>i * TIME_SIZE;
  let sec = load<u32>(tp + TIME_SEC);
  let nsec = load<u32>(tp + TIME_NSEC);
  if (h == 0) {
    // Not counted, but its time is the capture's: the first frame is where tshark's
    // relative starts count from, whatever it carries (a fragment held for reassembly,
    // ARP ...). Expiry waits for the next counted frame.
    clockTo(t, sec, nsec);
    bump(t, FT_ST_SKIPPED);
    return 1;
  }
  clockTo(t, sec, nsec);
  if (!nothingDue(t) && expireDue(t) == 0) return 0;
  if (h32(t, FT_EXPORT_COUNT) >= h32(t, FT_EXPORT_CAP)) return 0;
  let fe = frames + <usize>i * FRAME_SIZE;
  extractKey(fe, d); // the chunk's first pass left another frame's key in the globals
  // Pass 3 found the home bucket's first slot with this signature: if it still holds it
  // and its entry has the key, that is the one slot a lookup finds (a key is in the index
  // once); anything else (a signature collision, a slot changed by an earlier frame of the
  // chunk, a flow not in its home bucket) takes the whole lookup.
  let m: u32 = 0;
  if (cand != 0 && load<u32>(cand - FB_IDX) == h) {
    let ci = load<u32>(cand) & FB_IDX_MASK;
    m = keyMatch(<usize>h32(t, FT_ENTRIES) + <usize>ci * FE_SIZE);
    if (m != 0) {
      fIdx = ci;
      fDir = m;
      fSlot = cand;
    }
  }
  if (m == 0) lookup(t, h);
  let idx = fIdx;
  let dir = fDir;
  let layers = load<u32>(d + D_LAYERS);
  let isTcp = (layers & L_TCP) != 0;
  let fl: u32 = isTcp ? <u32>load<u16>(d + D_TCP_FLAGS) : 0;
  let seq: u32 = isTcp ? load<u32>(d + D_TCP_SEQ) : 0;
  if (idx != 0 && isTcp && (fl & (TH_SYN | TH_ACK | TH_RST)) == TH_SYN) {
    // A new SYN on a finished connection is a new connection (port reuse), as tshark's
    // stream numbering has it.
    let e = entryAt(t, idx);
    let cls = classOf(e);
    let s = dir - 1;
    let sameIsn = (<u32>load<u16>(e + FE_FLAGS) & (EF_ISN_A << s)) != 0 && load<u32>(e + FE_ISN_A + (<usize>s << 2)) == seq;
    if ((cls == TC_TCP_CLOSED || cls == TC_TCP_TIME_WAIT) && !sameIsn) {
      exportRecord(t, idx, END_EOF);
      bump(t, FT_ST_REUSED);
      release(t, idx);
      idx = 0;
    }
  }
  let now = h32(t, FT_NOW_TICK);
  let created = false;
  if (idx == 0) {
    idx = insert(t, h);
    if (idx == 0) {
      bump(t, FT_ST_FAILED);
      return 1;
    }
    dir = 1;
    created = true;
  }
  let e = entryAt(t, idx);
  let s: u32 = dir - 1;
  if (created) {
    store<u32>(e + FE_FIRST_SEC, sec);
    store<u32>(e + FE_FIRST_NSEC, nsec);
    store<u32>(e + FE_START_SEC, sec);
    store<u32>(e + FE_START_NSEC, nsec);
    store<u32>(e + FE_LAST_SEC, sec);
    store<u32>(e + FE_LAST_NSEC, nsec);
    store<u32>(e + FE_REPORT_TICK, now);
    if ((layers & (L_ICMP | L_ICMP6)) != 0) {
      store<u8>(e + FE_ICMP_TYPE, load<u8>(d + D_ICMP_TYPE));
      store<u8>(e + FE_ICMP_CODE, load<u8>(d + D_ICMP_CODE));
    }
    if (load<u8>(d + D_VLAN_COUNT) != 0) store<u16>(e + FE_VLAN, load<u16>(d + D_VLAN0) & 0xFFF);
    store<u16>(e + FE_IFACE, load<u16>(fe + FRAME_IFACE));
  } else {
    let flags = <u32>load<u16>(e + FE_FLAGS);
    if ((flags & EF_REPORTED) != 0) {
      store<u16>(e + FE_FLAGS, <u16>(flags & ~EF_REPORTED));
      store<u32>(e + FE_FIRST_SEC, sec);
      store<u32>(e + FE_FIRST_NSEC, nsec);
    }
    let ls = load<u32>(e + FE_LAST_SEC);
    if (sec > ls || (sec == ls && nsec > load<u32>(e + FE_LAST_NSEC))) {
      store<u32>(e + FE_LAST_SEC, sec);
      store<u32>(e + FE_LAST_NSEC, nsec);
    }
  }
  store<u32>(e + FE_LAST_TICK, now);
  if (s != 0 && (<u32>load<u16>(e + FE_FLAGS) & EF_REPLIED) == 0) store<u16>(e + FE_FLAGS, <u16>(<u32>load<u16>(e + FE_FLAGS) | EF_REPLIED));
  // The slot's eviction word; written only when it changes (a stamp unit is many ticks),
  // so an update does not dirty the bucket's line.
  let sw = slotWord(t, idx, (<u32>load<u16>(e + FE_FLAGS) & EF_REPLIED) != 0);
  if (load<u32>(fSlot) != sw) store<u32>(fSlot, sw);
  let fo = e + FE_FRAMES_AB + (<usize>s << 2);
  store<u32>(fo, load<u32>(fo) + 1);
  let bo = e + FE_BYTES_AB + (<usize>s << 3);
  store<f64>(bo, load<f64>(bo) + <f64>load<u32>(d + D_WIRELEN));
  let io = e + FE_IPBYTES_AB + (<usize>s << 3);
  // IP octets: the real length (jumbograms, TSO), or the whole reassembled datagram.
  store<f64>(io, load<f64>(io) + <f64>load<u32>(d + ((layers & L_REASM) != 0 ? D_REASM_LEN : D_IP_TOTAL)));
  if (isTcp && (<u32>load<u16>(e + FE_FLAGS) & EF_NOPORTS) == 0) {
    let fa = e + FE_TCPFL_A + s;
    store<u8>(fa, load<u8>(fa) | <u8>fl);
    if (created) tcpBegin(e, s, fl);
    if (tcpWindow(t, e, s, fl, seq, d)) tcpSegment(e, s, fl, seq, load<u32>(d + D_TCP_ACK), <u32>load<u16>(d + D_PAYLOAD_LEN));
  }
  // Timer: armed when the entry has none (a new flow may have its entry's last timer,
  // freeEntry); afterwards only ever moved earlier (lazy re-arm on expiry).
  let due = dueTick(t, e);
  let wheel = <usize>h32(t, FT_WHEEL);
  if (load<u32>(e + FE_TIMER) == 0) {
    store<u32>(e + FE_TIMER, wheel_schedule(wheel, due - now, idx));
    store<u32>(e + FE_DEADLINE, due);
  } else if (<i32>(due - load<u32>(e + FE_DEADLINE)) < 0) {
    wheel_reschedule(wheel, load<u32>(e + FE_TIMER), due - now);
    store<u32>(e + FE_DEADLINE, due);
  }
  bump(t, FT_ST_FRAMES);
  return 1;
}

/** Accounts `count` dissected frames (frame table, descriptors, timestamps as FrameBatch
 *  lays them out) in order. Returns how many were consumed: fewer than `count` when the
 *  export buffer filled up; drain it (flows_export_count / flows_export_clear) and call
 *  again with the rest. Frames without IP are counted in FT_ST_SKIPPED. */
export function flows_update_batch(t: usize, frames: usize, descs: usize, times: usize, count: u32): u32 {
  let scratch = <usize>h32(t, FT_SCRATCH);
  let index = <usize>h32(t, FT_INDEX);
  let ents = <usize>h32(t, FT_ENTRIES);
  let bmask = h32(t, FT_BMASK);
  let seed = h32(t, FT_SEED);
  let i: u32 = 0;
  while (i < count) {
    let n = count - i < FT_CHUNK ? count - i : FT_CHUNK;
    // Pass 1: hash every frame of the chunk.
    for (let k: u32 = 0; k < n; k++) {
      let j = i + k;
      store<u32>(scratch + FT_SC_HASH + (<usize>k << 2), loadKey(frames + <usize>j * FRAME_SIZE, descs + <usize>j * DESC_SIZE, seed));
    }
    // Pass 2: touch every bucket. A tight loop, so that many misses are in flight at once
    // (a loop with the hashing in it would fill the reorder buffer after a few).
    // A full table's new flows read the whole probe window (victimPos): all of it is
    // touched then.
    let evicting = h32(t, FT_EVICT) != 0 && h32(t, FT_FREE) == 0 && h32(t, FT_BUMP) > h32(t, FT_CAPACITY);
    let sink: u32 = 0;
    if (evicting) {
      for (let k: u32 = 0; k < n; k++) {
        let home = load<u32>(scratch + FT_SC_HASH + (<usize>k << 2)) & bmask;
        sink ^= load<u32>(index + <usize>home * FB_SIZE + FB_IDX)
          ^ load<u32>(index + <usize>((home + 1) & bmask) * FB_SIZE + FB_IDX)
          ^ load<u32>(index + <usize>((home + 2) & bmask) * FB_SIZE + FB_IDX)
          ^ load<u32>(index + <usize>((home + 3) & bmask) * FB_SIZE + FB_IDX);
      }
    } else {
      for (let k: u32 = 0; k < n; k++) {
        let h = load<u32>(scratch + FT_SC_HASH + (<usize>k << 2));
        sink ^= load<u32>(index + <usize>(h & bmask) * FB_SIZE + FB_IDX);
      }
    }
    // The next chunk's descriptors (DESC_SIZE bytes, three lines each), while the bucket
    // misses are in flight: pass 1 of that chunk and pass 4's loads then hit.
    let ahead = count - (i + n) < FT_CHUNK ? count - (i + n) : FT_CHUNK;
    let nd = descs + <usize>(i + n) * DESC_SIZE;
    for (let k: u32 = 0; k < ahead; k++) {
      let da = nd + <usize>k * DESC_SIZE;
      sink ^= load<u32>(da) ^ load<u32>(da, 64) ^ load<u32>(da, 128);
    }
    // Pass 3: touch the two cache lines of the entry the signature points at (an update
    // of an established flow reads nothing beyond them: the TCP windows moved to the first
    // line; touching the third line too measured 9.0 -> 7.2 M updates/s at 1 M flows,
    // issue #17: probably more misses per chunk than a core keeps in flight).
    // A new flow in a full table evicts: the entry it will evict is the one to touch (its
    // three lines: the export copies it whole), as evictNear will pick it unless a frame
    // before it in this chunk changes the window (a touch in vain, nothing more).
    for (let k: u32 = 0; k < n; k++) {
      let h = load<u32>(scratch + FT_SC_HASH + (<usize>k << 2));
      let b = index + <usize>(h & bmask) * FB_SIZE;
      let mask = sigMask(b, h);
      let cslot: usize = mask != 0 ? b + FB_IDX + (<usize>ctz<u32>(mask) << 2) : 0;
      store<u32>(scratch + FT_SC_CAND + (<usize>k << 2), <u32>cslot);
      let cand: u32 = mask != 0 ? load<u32>(cslot) & FB_IDX_MASK : 0;
      if (cand == 0 && evicting) {
        let pos = victimPos(t, h & bmask);
        if (pos >= 0) {
          let p = <u32>pos / FB_SLOTS;
          let vb = index + <usize>(((h & bmask) + p) & bmask) * FB_SIZE;
          let ve = ents + <usize>(load<u32>(vb + FB_IDX + (<usize>(<u32>pos - p * FB_SLOTS) << 2)) & FB_IDX_MASK) * FE_SIZE;
          sink ^= load<u32>(ve) ^ load<u32>(ve, 64) ^ load<u32>(ve, 128);
          continue;
        }
      }
      let ce = ents + <usize>cand * FE_SIZE;
      sink ^= load<u32>(ce + FE_ADDR_A) ^ load<u32>(ce + FE_FRAMES_AB);
    }
    store<u32>(scratch + FT_SC_SINK, sink);
    // Pass 4: the real work, in frame order.
    for (let k: u32 = 0; k < n; k++) {
      let h = load<u32>(scratch + FT_SC_HASH + (<usize>k << 2));
      if (updateOne(t, frames, descs, times, i + k, h, <usize>load<u32>(scratch + FT_SC_CAND + (<usize>k << 2))) == 0) return i + k;
    }
    i += n;
  }
  return count;
}

/** Moves the clock to (sec, nsec) without a frame (a quiet live capture) and expires what
 *  is due. Returns 1 when done, 0 if the export buffer filled first (drain, call again). */
export function flows_expire(t: usize, sec: u32, nsec: u32): u32 {
  clockTo(t, sec, nsec);
  return expireDue(t);
}

/** Ends every live flow with reason `reason` (END_FORCED at the end of a capture). Returns
 *  1 when the table is empty, 0 if the export buffer filled first (drain, call again). */
export function flows_flush(t: usize, reason: u32): u32 {
  let end = h32(t, FT_BUMP);
  let i = h32(t, FT_SCAN);
  if (i == 0) i = 1;
  for (; i < end; i++) {
    let e = entryAt(t, i);
    if ((<u32>load<u16>(e + FE_FLAGS) & EF_USED) == 0) continue;
    if (h32(t, FT_EXPORT_COUNT) >= h32(t, FT_EXPORT_CAP)) {
      seth32(t, FT_SCAN, i);
      return 0;
    }
    if (load<u32>(e + FE_FRAMES_AB) != 0 || load<u32>(e + FE_FRAMES_BA) != 0) exportRecord(t, i, reason);
    bump(t, FT_ST_FLUSHED);
    release(t, i);
  }
  seth32(t, FT_SCAN, 0);
  return 1;
}
