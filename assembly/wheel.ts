// Hierarchical timer wheel (Varghese & Lauck 1987, scheme 7; the classic Linux tv1..tv5
// wheel): one 256-slot level for the next 256 ticks and four 64-slot levels above it,
// covering 2^32 ticks. A timer sits in the slot its expiry selects relative to the wheel's
// cursor; when the cursor crosses a 256-tick boundary, the matching upper-level slot is
// "cascaded" (its timers re-slotted one level down). Expiry is exact to the tick.
//
// Timers are nodes of a preallocated pool in the host's region, linked into circular
// doubly linked lists whose heads are 512 sentinel nodes (one per slot), so cancel is
// O(1) with no search and no branch on "is this the head". Every node keeps a u32
// generation, bumped on every free. A handle packs the node index with that generation:
// a stale handle (cancelled, expired, or reused node) is rejected. Two handle forms share
// the nodes: the u32 handle (gen << IDX_BITS | index, only 32 - IDX_BITS generation bits:
// 11 at 1 M timers, so it matches again after 2,048 reuses of a node) for callers that
// never keep a handle past its timer (the flow table and reassembly cancel only timers
// that have not fired), and the wide handle (*_h functions, an f64 holding the exact
// integer gen * 2^IDX_BITS + index, below 2^53) for callers that may hold stale handles
// (TimerWheel, hence rudp and synprobe): with IDX_BITS <= 21 (up to WHEEL_MAX_WIDE_CAPACITY
// timers) it carries all 32 generation bits, so a stale handle matches again only after
// 2^32 reuses of its node; bigger wheels keep 53 - IDX_BITS >= 27 bits. A 512-bit occupancy bitmap lets advance skip empty slots
// and whole empty blocks instead of walking tick by tick.
//
// Ticks are u32 and wrap; all comparisons are on differences, so a wheel runs forever as
// long as delays stay below WHEEL_MAX_DELAY and one advance moves less than 2^31 ticks.
// Nothing here allocates; all state is in the region (no static data is written).

// The layout (header, node, slot constants) is in wheel-layout.ts, so that the host's copy
// can be generated from it.
import {
  WHEEL_MAGIC, WH_MAGIC, WH_CAPACITY, WH_CUR, WH_TIME, WH_LIVE, WH_FREE, WH_BUMP, WH_IDX_BITS,
  WH_IDX_MASK, WH_NODES, WH_SCHEDULED, WH_CANCELLED, WH_EXPIRED, WH_FULL, WH_BITMAP, WH_HDR_SIZE,
  WN_SIZE, WN_NEXT, WN_PREV, WN_EXPIRY, WN_ID, WN_GEN, WHEEL_SLOTS, WHEEL_FIRST, WHEEL_MAX_DELAY,
  WHEEL_MAX_CAPACITY, WHEEL_MAX_WIDE_CAPACITY,
} from "./wheel-layout";

@inline function hdr(w: usize, f: u32): u32 { return load<u32>(w + <usize>f); }
@inline function setHdr(w: usize, f: u32, v: u32): void { store<u32>(w + <usize>f, v); }
@inline function node(nodes: usize, i: u32): usize { return nodes + <usize>i * WN_SIZE; }
@inline function nextOf(nodes: usize, i: u32): u32 { return load<u32>(node(nodes, i) + WN_NEXT); }
@inline function prevOf(nodes: usize, i: u32): u32 { return load<u32>(node(nodes, i) + WN_PREV); }
@inline function setNext(nodes: usize, i: u32, v: u32): void { store<u32>(node(nodes, i) + WN_NEXT, v); }
@inline function setPrev(nodes: usize, i: u32, v: u32): void { store<u32>(node(nodes, i) + WN_PREV, v); }

@inline function setBit(w: usize, s: u32): void {
  let a = w + WH_BITMAP + ((<usize>s >> 5) << 2);
  store<u32>(a, load<u32>(a) | (<u32>1 << (s & 31)));
}
@inline function clearBit(w: usize, s: u32): void {
  let a = w + WH_BITMAP + ((<usize>s >> 5) << 2);
  store<u32>(a, load<u32>(a) & ~(<u32>1 << (s & 31)));
}

/** First occupied slot in [from, to] (slot numbers, same 32-aligned region rules), or -1. */
function findBit(w: usize, from: u32, to: u32): i32 {
  let s = from;
  while (s <= to) {
    let word = load<u32>(w + WH_BITMAP + ((<usize>s >> 5) << 2)) >> (s & 31);
    if (word != 0) {
      let hit = s + ctz<u32>(word);
      return hit <= to ? <i32>hit : -1;
    }
    s = (s | 31) + 1;
  }
  return -1;
}

/** Bytes a wheel of `capacity` timers needs. */
export function wheel_region_size(capacity: u32): u32 {
  if (capacity > WHEEL_MAX_CAPACITY) capacity = WHEEL_MAX_CAPACITY;
  return WH_HDR_SIZE + (WHEEL_FIRST + capacity) * WN_SIZE;
}

/** Sets up an empty wheel whose clock reads `now`. The region must be wheel_region_size(capacity) bytes. */
export function wheel_init(w: usize, capacity: u32, now: u32): u32 {
  if (capacity > WHEEL_MAX_CAPACITY) return 0;
  let total = WHEEL_FIRST + capacity;
  let bits: u32 = 32 - clz<u32>(total);
  memory.fill(w, 0, WH_HDR_SIZE);
  setHdr(w, WH_MAGIC, WHEEL_MAGIC);
  setHdr(w, WH_CAPACITY, capacity);
  setHdr(w, WH_TIME, now);
  setHdr(w, WH_CUR, now + 1);
  setHdr(w, WH_BUMP, WHEEL_FIRST);
  setHdr(w, WH_IDX_BITS, bits);
  setHdr(w, WH_IDX_MASK, (<u32>1 << bits) - 1);
  let nodes = w + WH_HDR_SIZE;
  setHdr(w, WH_NODES, <u32>nodes);
  memory.fill(nodes, 0, <usize>WHEEL_FIRST * WN_SIZE);
  for (let s: u32 = 1; s <= WHEEL_SLOTS; s++) {
    setNext(nodes, s, s);
    setPrev(nodes, s, s);
  }
  return 1;
}

/** Slot for a timer expiring at `e` when the cursor is at `cur`. */
@inline function slotFor(e: u32, cur: u32): u32 {
  let d = e - cur;
  if (<i32>d < 0) return cur & 255; // already due: next tick processed
  if (d < 256) return e & 255;
  if (d < (1 << 14)) return 256 + ((e >> 8) & 63);
  if (d < (1 << 20)) return 320 + ((e >> 14) & 63);
  if (d < (1 << 26)) return 384 + ((e >> 20) & 63);
  return 448 + ((e >> 26) & 63);
}

@inline function link(w: usize, nodes: usize, n: u32, e: u32, cur: u32): void {
  let s = slotFor(e, cur);
  let sent = s + 1;
  let tail = prevOf(nodes, sent);
  setNext(nodes, n, sent);
  setPrev(nodes, n, tail);
  setNext(nodes, tail, n);
  setPrev(nodes, sent, n);
  setBit(w, s);
}

/** Unlinks a linked node; clears the slot's bit when its list empties. */
@inline function unlink(w: usize, nodes: usize, n: u32): void {
  let p = prevOf(nodes, n);
  let x = nextOf(nodes, n);
  setNext(nodes, p, x);
  setPrev(nodes, x, p);
  if (p == x) clearBit(w, p - 1); // only a sentinel is its own neighbour
}

@inline function release(w: usize, nodes: usize, n: u32): void {
  let a = node(nodes, n);
  store<u32>(a + WN_PREV, 0);
  store<u32>(a + WN_GEN, load<u32>(a + WN_GEN) + 1);
  store<u32>(a + WN_NEXT, hdr(w, WH_FREE));
  setHdr(w, WH_FREE, n);
}

/** Node index of a live handle, or 0. */
@inline function resolve(w: usize, nodes: usize, h: u32): u32 {
  let bits = hdr(w, WH_IDX_BITS);
  let i = h & hdr(w, WH_IDX_MASK);
  if (i < WHEEL_FIRST || i >= hdr(w, WH_BUMP)) return 0;
  let a = node(nodes, i);
  if (load<u32>(a + WN_PREV) == 0) return 0;
  let gmask: u32 = bits >= 32 ? 0 : (<u32>0xFFFFFFFF >> bits);
  if ((load<u32>(a + WN_GEN) & gmask) != (bits >= 32 ? 0 : h >> bits)) return 0;
  return i;
}

@inline function clampDelay(delay: u32): u32 {
  if (delay == 0) return 1;
  return delay > WHEEL_MAX_DELAY ? WHEEL_MAX_DELAY : delay;
}

/** Arms a timer firing `delay` ticks after the wheel's clock (delay clamped to
 *  [1, WHEEL_MAX_DELAY]); `id` is what advance reports. Returns a handle, 0 if full. */
export function wheel_schedule(w: usize, delay: u32, id: u32): u32 {
  let nodes = <usize>hdr(w, WH_NODES);
  let n = hdr(w, WH_FREE);
  if (n != 0) {
    setHdr(w, WH_FREE, nextOf(nodes, n));
  } else {
    n = hdr(w, WH_BUMP);
    if (n >= WHEEL_FIRST + hdr(w, WH_CAPACITY)) {
      setHdr(w, WH_FULL, hdr(w, WH_FULL) + 1);
      return 0;
    }
    setHdr(w, WH_BUMP, n + 1);
  }
  let e = hdr(w, WH_TIME) + clampDelay(delay);
  let a = node(nodes, n);
  store<u32>(a + WN_EXPIRY, e);
  store<u32>(a + WN_ID, id);
  link(w, nodes, n, e, hdr(w, WH_CUR));
  setHdr(w, WH_LIVE, hdr(w, WH_LIVE) + 1);
  setHdr(w, WH_SCHEDULED, hdr(w, WH_SCHEDULED) + 1);
  let bits = hdr(w, WH_IDX_BITS);
  return bits >= 32 ? n : (load<u32>(a + WN_GEN) << bits) | n;
}

// --- what a handle does, written once for both forms (H = u32: the handle, f64: a wide
// handle, see below); each export and its wide form (*_h) instantiate it ---

/** Node index of a live handle of either form, or 0. */
@inline function liveNode<H>(w: usize, nodes: usize, h: H): u32 {
  if (isFloat<H>()) return resolveWide(w, nodes, <f64>h);
  return resolve(w, nodes, <u32>h);
}

@inline function cancelTimer<H>(w: usize, h: H): u32 {
  let nodes = <usize>hdr(w, WH_NODES);
  let n = liveNode<H>(w, nodes, h);
  if (n == 0) return 0;
  unlink(w, nodes, n);
  release(w, nodes, n);
  setHdr(w, WH_LIVE, hdr(w, WH_LIVE) - 1);
  setHdr(w, WH_CANCELLED, hdr(w, WH_CANCELLED) + 1);
  return 1;
}

@inline function rescheduleTimer<H>(w: usize, h: H, delay: u32): u32 {
  let nodes = <usize>hdr(w, WH_NODES);
  let n = liveNode<H>(w, nodes, h);
  if (n == 0) return 0;
  unlink(w, nodes, n);
  let e = hdr(w, WH_TIME) + clampDelay(delay);
  store<u32>(node(nodes, n) + WN_EXPIRY, e);
  link(w, nodes, n, e, hdr(w, WH_CUR));
  return 1;
}

/** The u32 at `field` of a live timer's node, 0 for a stale handle. */
@inline function timerField<H>(w: usize, h: H, field: u32): u32 {
  let nodes = <usize>hdr(w, WH_NODES);
  let n = liveNode<H>(w, nodes, h);
  return n == 0 ? 0 : load<u32>(node(nodes, n) + field);
}

/** Disarms a timer in O(1). Returns 1, or 0 for a stale or foreign handle. */
export function wheel_cancel(w: usize, h: u32): u32 { return cancelTimer<u32>(w, h); }
/** wheel_cancel for a wide handle. */
export function wheel_cancel_h(w: usize, h: f64): u32 { return cancelTimer<f64>(w, h); }

/** Moves a live timer to fire `delay` ticks after the clock, keeping its handle. */
export function wheel_reschedule(w: usize, h: u32, delay: u32): u32 { return rescheduleTimer<u32>(w, h, delay); }
/** wheel_reschedule for a wide handle. */
export function wheel_reschedule_h(w: usize, h: f64, delay: u32): u32 { return rescheduleTimer<f64>(w, h, delay); }

/** 1 if the handle names a live timer. */
export function wheel_active(w: usize, h: u32): u32 {
  return resolve(w, <usize>hdr(w, WH_NODES), h) != 0 ? 1 : 0;
}
/** wheel_active for a wide handle. */
export function wheel_active_h(w: usize, h: f64): u32 {
  return resolveWide(w, <usize>hdr(w, WH_NODES), h) != 0 ? 1 : 0;
}

/** The tick a live timer fires at (meaningless for a stale handle: check wheel_active). */
export function wheel_expiry(w: usize, h: u32): u32 { return timerField<u32>(w, h, WN_EXPIRY); }
/** wheel_expiry for a wide handle (0 when stale). */
export function wheel_expiry_h(w: usize, h: f64): u32 { return timerField<f64>(w, h, WN_EXPIRY); }

/** The id a live timer reports (0 for a stale handle). */
export function wheel_id(w: usize, h: u32): u32 { return timerField<u32>(w, h, WN_ID); }
/** wheel_id for a wide handle (0 when stale). */
export function wheel_id_h(w: usize, h: f64): u32 { return timerField<f64>(w, h, WN_ID); }

export function wheel_now(w: usize): u32 { return hdr(w, WH_TIME); }
export function wheel_count(w: usize): u32 { return hdr(w, WH_LIVE); }

/** Re-slots every timer of upper slot `s` relative to cursor `cur`. */
function cascade(w: usize, nodes: usize, s: u32, cur: u32): void {
  let sent = s + 1;
  let n = nextOf(nodes, sent);
  if (n == sent) return;
  // Detach the whole list first: re-linking may never land in this slot again (the
  // timers are now less than one slot's span away), but it keeps the walk simple.
  setNext(nodes, sent, sent);
  setPrev(nodes, sent, sent);
  clearBit(w, s);
  while (n != sent) {
    let nx = nextOf(nodes, n);
    link(w, nodes, n, load<u32>(node(nodes, n) + WN_EXPIRY), cur);
    n = nx;
  }
}

/** Makes `t` the cursor, cascading upper levels when it starts a 256-tick block. */
function enter(w: usize, nodes: usize, t: u32): void {
  setHdr(w, WH_CUR, t);
  if ((t & 255) != 0) return;
  let i1 = (t >> 8) & 63;
  cascade(w, nodes, 256 + i1, t);
  if (i1 != 0) return;
  let i2 = (t >> 14) & 63;
  cascade(w, nodes, 320 + i2, t);
  if (i2 != 0) return;
  let i3 = (t >> 20) & 63;
  cascade(w, nodes, 384 + i3, t);
  if (i3 != 0) return;
  cascade(w, nodes, 448 + ((t >> 26) & 63), t);
}

/** The next tick after `cur` worth stopping at: an occupied level-0 slot in this block,
 *  or the first later boundary whose cascade can bring timers down. Boundaries whose
 *  upper slot is empty cascade nothing, so they are jumped over. */
function nextStop(w: usize, cur: u32): u32 {
  let c = cur + 1;
  if ((c & 255) != 0) {
    let j = findBit(w, c & 255, 255);
    if (j >= 0) return (c & ~255) | <u32>j;
    c = (c | 255) + 1;
  }
  // Level-0 timers left now belong to the block starting at c.
  if (findBit(w, 0, 255) >= 0) return c;
  let shift: u32 = 8;
  for (let level: u32 = 1; level <= 4; level++) {
    let base = 256 + (level - 1) * 64;
    let span = shift + 6;
    let unit = <u32>1 << shift;
    let cl = (c + unit - 1) & ~(unit - 1); // first boundary of this level at or after c
    if (findBit(w, base, base + 63) < 0) { // nothing at this level: look higher
      c = cl;
      shift = span;
      continue;
    }
    let pos = (cl >> shift) & 63;
    // cl also starts a block of the level above, whose cascade may bring timers down.
    if (pos == 0) return cl;
    let blockBase: u32 = span >= 32 ? 0 : cl & ~((<u32>1 << span) - 1);
    let j = findBit(w, base + pos, base + 63);
    if (j >= 0) return blockBase | ((<u32>j - base) << shift);
    // Occupied slots before pos belong to the next round of the level above.
    return span >= 32 ? 0 : blockBase + (<u32>1 << span);
  }
  return c;
}

/** Advances the clock to `to` (ticks never go back) and writes the ids of timers that
 *  expire at or before it to `out` (u32 each), in expiry order, at most `max`. Returns how
 *  many were written; when that equals `max`, call again with the same `to` for the rest. */
export function wheel_advance(w: usize, to: u32, out: usize, max: u32): u32 {
  let nodes = <usize>hdr(w, WH_NODES);
  let time = hdr(w, WH_TIME);
  if (<i32>(to - time) > 0) { time = to; setHdr(w, WH_TIME, to); }
  let cur = hdr(w, WH_CUR);
  let count: u32 = 0;
  let live = hdr(w, WH_LIVE);
  while (<i32>(time - cur) >= 0) {
    let sent = (cur & 255) + 1;
    let n = nextOf(nodes, sent);
    while (n != sent) {
      if (count >= max) {
        setHdr(w, WH_LIVE, live);
        setHdr(w, WH_EXPIRED, hdr(w, WH_EXPIRED) + count);
        return count;
      }
      let a = node(nodes, n);
      let nx = load<u32>(a + WN_NEXT);
      store<u32>(out + (<usize>count << 2), load<u32>(a + WN_ID));
      count++;
      live--;
      setNext(nodes, sent, nx);
      setPrev(nodes, nx, sent);
      release(w, nodes, n);
      n = nx;
    }
    clearBit(w, cur & 255);
    if (live == 0) {
      setHdr(w, WH_CUR, time + 1);
      cur = time + 1;
      break;
    }
    let stop = nextStop(w, cur);
    // Stop at time + 1 if that comes first; it must still be entered (cascaded).
    if (stop - cur > time + 1 - cur) stop = time + 1;
    enter(w, nodes, stop);
    cur = stop;
  }
  setHdr(w, WH_LIVE, live);
  setHdr(w, WH_EXPIRED, hdr(w, WH_EXPIRED) + count);
  return count;
}

// --- wide handles: f64 = gen * 2^bits + index, an exact integer below 2^53 ---

/** The generation bits a wide handle keeps: all 32 when bits <= 21, else 53 - bits. */
@inline function wideGen(gen: u32, bits: u32): u64 {
  return bits <= 21 ? <u64>gen : <u64>(gen & ((<u32>1 << (53 - bits)) - 1));
}

/** Node index of a live wide handle, or 0. NaN, negatives and values past
 *  2^53 are refused before the (otherwise trapping) float-to-int conversion. */
@inline function resolveWide(w: usize, nodes: usize, h: f64): u32 {
  if (!(h >= 1.0 && h < 9007199254740992.0)) return 0;
  let x = <u64>h;
  let bits = hdr(w, WH_IDX_BITS);
  let i = <u32>(x & <u64>hdr(w, WH_IDX_MASK));
  if (i < WHEEL_FIRST || i >= hdr(w, WH_BUMP)) return 0;
  let a = node(nodes, i);
  if (load<u32>(a + WN_PREV) == 0) return 0;
  if (wideGen(load<u32>(a + WN_GEN), bits) != (x >> bits)) return 0;
  return i;
}

/** wheel_schedule with a wide handle (0 if full). */
export function wheel_schedule_h(w: usize, delay: u32, id: u32): f64 {
  let h = wheel_schedule(w, delay, id);
  if (h == 0) return 0;
  let bits = hdr(w, WH_IDX_BITS);
  let n = h & hdr(w, WH_IDX_MASK);
  let gen = load<u32>(node(<usize>hdr(w, WH_NODES), n) + WN_GEN);
  return <f64>((wideGen(gen, bits) << bits) | <u64>n);
}

/** Bulk schedule: delays[i], ids[i] -> handles[i]; returns how many were armed (stops at the first refusal). */
export function wheel_schedule_burst(w: usize, delays: usize, ids: usize, handles: usize, n: u32): u32 {
  for (let i: u32 = 0; i < n; i++) {
    let off = <usize>i << 2;
    let h = wheel_schedule(w, load<u32>(delays + off), load<u32>(ids + off));
    store<u32>(handles + off, h);
    if (h == 0) return i;
  }
  return n;
}

/** Bulk cancel; returns how many handles were live. */
export function wheel_cancel_burst(w: usize, handles: usize, n: u32): u32 {
  let done: u32 = 0;
  for (let i: u32 = 0; i < n; i++) done += wheel_cancel(w, load<u32>(handles + (<usize>i << 2)));
  return done;
}
