// Pure-TS twin of assembly/ring.ts (same exports, same memory; the host class is
// FrameRing in ./frame-ring.ts). Head and tail go through Atomics on an Int32Array view,
// as the WASM side uses atomic.load/store: the same acquire/release pairing. Each side
// reads the other's counter only when its copy on its own line (RING_TAIL_SEEN,
// RING_HEAD_SEEN) says too full or too few, as assembly/ring.ts explains.
import type { MemoryViews } from '../runtime/memory.js';
import type { RingExports } from './exports.js';
import {
  RING_HDR_SIZE, RING_HEAD, RING_TAIL, RING_TAIL_SEEN, RING_HEAD_SEEN, RING_SLOT_COUNT, RING_SLOT_SIZE, RING_SLOTS, RING_MASK, RING_DROPS,
  RING_DROPS_HI, RING_FLAGS, RF_CLOSED, SLOT_HDR_SIZE, SLOT_CAPLEN, SLOT_WIRELEN, SLOT_TS_SEC,
  SLOT_TS_NSEC, SLOT_LINKTYPE, SLOT_IFACE, SLOT_FLAGS, SLOT_DATA, FRAME_SIZE, TIME_SIZE,
  FRAME_W_PTR, FRAME_W_CAPLEN, FRAME_W_WIRELEN, FRAME_H_LINKTYPE, FRAME_H_IFACE, TIME_W_SEC, TIME_W_NSEC,
} from '../runtime/layout.js';

export class RingTwin implements RingExports {
  // `declare`d fields: only the constructor stores them, once (an emitted class field is
  // stored twice, and V8 then no longer treats it as constant in hot loops; host/lpm/lpm4.ts).
  private declare readonly views: MemoryViews;
  constructor(views: MemoryViews) {
    this.views = views;
  }

  private ld(r: number, off: number): number {
    return Atomics.load(this.views.i32, (r + off) >>> 2) >>> 0;
  }

  private st(r: number, off: number, v: number): void {
    Atomics.store(this.views.i32, (r + off) >>> 2, v | 0);
  }

  ring_init(r: number, slots: number, count: number, size: number): void {
    const v = this.views.refresh();
    v.u8.fill(0, r, r + RING_HDR_SIZE);
    v.u32[(r + RING_SLOT_COUNT) >>> 2] = count;
    v.u32[(r + RING_SLOT_SIZE) >>> 2] = size;
    v.u32[(r + RING_SLOTS) >>> 2] = slots;
    v.u32[(r + RING_MASK) >>> 2] = count - 1;
  }

  ring_free_count(r: number): number {
    return (this.views.u32[(r + RING_SLOT_COUNT) >>> 2] - ((this.ld(r, RING_HEAD) - this.ld(r, RING_TAIL)) >>> 0)) >>> 0;
  }

  ring_count(r: number): number {
    return (this.ld(r, RING_HEAD) - this.ld(r, RING_TAIL)) >>> 0;
  }

  // Set by claimWrite/claimRead for the call in progress: our counter and the slot geometry.
  private at = 0;
  private mask = 0;
  private size = 0;
  private slots = 0;

  /** Producer: how many of `count` slots after the head are free, using our copy of the
   *  tail unless it says fewer (then the consumer's counter, kept as the new copy), as
   *  assembly/ring.ts's tailFor. Leaves the head in `at` and the geometry in the fields. */
  private claimWrite(r: number, count: number): number {
    const u32 = this.views.u32;
    const head = u32[(r + RING_HEAD) >>> 2];
    const slotCount = u32[(r + RING_SLOT_COUNT) >>> 2];
    let tail = u32[(r + RING_TAIL_SEEN) >>> 2];
    let free = (slotCount - ((head - tail) >>> 0)) >>> 0;
    if (free < count) {
      tail = this.ld(r, RING_TAIL);
      u32[(r + RING_TAIL_SEEN) >>> 2] = tail;
      free = (slotCount - ((head - tail) >>> 0)) >>> 0;
    }
    this.geometry(r, head);
    return count < free ? count : free;
  }

  /** Consumer: how many of `max` slots after the tail are readable, using our copy of the
   *  head unless it shows fewer (assembly headFor). Leaves the tail in `at`. */
  private claimRead(r: number, max: number): number {
    const u32 = this.views.u32;
    const tail = u32[(r + RING_TAIL) >>> 2];
    let head = u32[(r + RING_HEAD_SEEN) >>> 2];
    if (((head - tail) >>> 0) < max) {
      head = this.ld(r, RING_HEAD);
      u32[(r + RING_HEAD_SEEN) >>> 2] = head;
    }
    this.geometry(r, tail);
    const avail = (head - tail) >>> 0;
    return avail < max ? avail : max;
  }

  private geometry(r: number, at: number): void {
    const u32 = this.views.u32;
    this.at = at;
    this.mask = u32[(r + RING_MASK) >>> 2];
    this.size = u32[(r + RING_SLOT_SIZE) >>> 2];
    this.slots = u32[(r + RING_SLOTS) >>> 2];
  }

  /** Address of the i-th slot after `at`. */
  private slot(i: number): number {
    return this.slots + ((this.at + i) & this.mask) * this.size;
  }

  private addDrops(r: number, n: number): void {
    const u32 = this.views.u32;
    const lo = u32[(r + RING_DROPS) >>> 2];
    const nlo = (lo + n) >>> 0;
    u32[(r + RING_DROPS) >>> 2] = nlo;
    if (nlo < lo) u32[(r + RING_DROPS_HI) >>> 2]++;
  }

  ring_enqueue_frames(r: number, table: number, times: number, count: number): number {
    const v = this.views.refresh();
    const u32 = v.u32;
    const u16 = v.u16;
    const u8 = v.u8;
    const n = this.claimWrite(r, count);
    const head = this.at;
    const room = this.size - SLOT_HDR_SIZE;
    for (let i = 0; i < n; i++) {
      const e = (table + i * FRAME_SIZE) >>> 2;
      const t = (times + i * TIME_SIZE) >>> 2;
      const s = this.slot(i);
      let cap = u32[e + FRAME_W_CAPLEN];
      if (cap > room) cap = room;
      const w = s >>> 2;
      u32[w + (SLOT_CAPLEN >> 2)] = cap;
      u32[w + (SLOT_WIRELEN >> 2)] = u32[e + FRAME_W_WIRELEN];
      u32[w + (SLOT_TS_SEC >> 2)] = u32[t + TIME_W_SEC];
      u32[w + (SLOT_TS_NSEC >> 2)] = u32[t + TIME_W_NSEC];
      u16[(s + SLOT_LINKTYPE) >>> 1] = u16[(e << 1) + FRAME_H_LINKTYPE];
      u16[(s + SLOT_IFACE) >>> 1] = u16[(e << 1) + FRAME_H_IFACE];
      u32[w + (SLOT_FLAGS >> 2)] = 0;
      const src = u32[e + FRAME_W_PTR];
      u8.copyWithin(s + SLOT_DATA, src, src + cap);
    }
    if (n < count) this.addDrops(r, count - n);
    if (n > 0) this.st(r, RING_HEAD, head + n);
    return n;
  }

  ring_slot_for_write(r: number, i: number): number {
    this.views.refresh();
    return this.claimWrite(r, i + 1) > i ? this.slot(i) : 0;
  }

  ring_publish(r: number, n: number): void {
    this.advance(r, RING_HEAD, n);
  }

  /** Moves our own counter (RING_HEAD or RING_TAIL) on by n, a release store. */
  private advance(r: number, own: number, n: number): void {
    this.st(r, own, this.views.u32[(r + own) >>> 2] + n);
  }

  ring_add_drops(r: number, n: number): void {
    this.addDrops(r, n);
  }

  ring_peek_frames(r: number, table: number, times: number, max: number): number {
    const v = this.views.refresh();
    const u32 = v.u32;
    const u16 = v.u16;
    const n = this.claimRead(r, max);
    for (let i = 0; i < n; i++) {
      const s = this.slot(i);
      const w = s >>> 2;
      const e = (table + i * FRAME_SIZE) >>> 2;
      const t = (times + i * TIME_SIZE) >>> 2;
      u32[e + FRAME_W_PTR] = s + SLOT_DATA;
      u32[e + FRAME_W_CAPLEN] = u32[w + (SLOT_CAPLEN >> 2)];
      u32[e + FRAME_W_WIRELEN] = u32[w + (SLOT_WIRELEN >> 2)];
      u16[(e << 1) + FRAME_H_LINKTYPE] = u16[(s + SLOT_LINKTYPE) >>> 1];
      u16[(e << 1) + FRAME_H_IFACE] = u16[(s + SLOT_IFACE) >>> 1];
      u32[t + TIME_W_SEC] = u32[w + (SLOT_TS_SEC >> 2)];
      u32[t + TIME_W_NSEC] = u32[w + (SLOT_TS_NSEC >> 2)];
    }
    return n;
  }

  ring_slot_for_read(r: number, i: number): number {
    this.views.refresh();
    return this.claimRead(r, i + 1) > i ? this.slot(i) : 0;
  }

  ring_release(r: number, n: number): void {
    this.advance(r, RING_TAIL, n);
  }

  ring_close(r: number): void {
    Atomics.or(this.views.i32, (r + RING_FLAGS) >>> 2, RF_CLOSED);
  }

  ring_is_closed(r: number): number {
    return (Atomics.load(this.views.i32, (r + RING_FLAGS) >>> 2) & RF_CLOSED) !== 0 ? 1 : 0;
  }

  ring_enqueue_burst(r: number, src: number, count: number): number {
    const n = this.claimWrite(r, count);
    if (n === 0) return 0;
    this.copyValues(src >>> 2, n, true);
    this.st(r, RING_HEAD, this.at + n);
    return n;
  }

  ring_dequeue_burst(r: number, dst: number, max: number): number {
    const n = this.claimRead(r, max);
    if (n === 0) return 0;
    this.copyValues(dst >>> 2, n, false);
    this.st(r, RING_TAIL, this.at + n);
    return n;
  }

  /** Moves n packed values between the ring (from `at`) and word index `mem`, in at most
   *  two runs, as assembly/ring.ts's copyValues. */
  private copyValues(mem: number, n: number, into: boolean): void {
    const u32 = this.views.u32;
    const first = this.at & this.mask;
    const base = this.slots >>> 2;
    if (n === 1) {
      if (into) u32[base + first] = u32[mem]; else u32[mem] = u32[base + first];
      return;
    }
    const run = Math.min(this.mask + 1 - first, n);
    if (into) {
      u32.copyWithin(base + first, mem, mem + run);
      if (run < n) u32.copyWithin(base, mem + run, mem + n);
    } else {
      u32.copyWithin(mem, base + first, base + first + run);
      if (run < n) u32.copyWithin(mem + run, base, base + n - run);
    }
  }
}
