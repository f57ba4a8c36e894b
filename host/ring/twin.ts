// Pure-TS twin of assembly/ring.ts (same exports, same memory), and FrameRing, the host
// class over either backend. Head and tail go through Atomics on an Int32Array view, as
// the WASM side uses atomic.load/store: the same acquire/release pairing.
import type { MemoryViews } from '../runtime/memory.js';
import type { Engine } from '../engine/engine.js';
import type { FrameBatch } from '../engine/frame-batch.js';
import { exportsOf } from '../engine/backend.js';
import { RING, type RingExports } from './exports.js';
import { PktError } from '../runtime/errors.js';
import {
  RING_HDR_SIZE, RING_HEAD, RING_TAIL, RING_SLOT_COUNT, RING_SLOT_SIZE, RING_SLOTS, RING_MASK, RING_DROPS,
  RING_DROPS_HI, RING_FLAGS, RING_WAITING, RF_CLOSED, SLOT_HDR_SIZE, SLOT_CAPLEN, SLOT_WIRELEN, SLOT_TS_SEC,
  SLOT_TS_NSEC, SLOT_LINKTYPE, SLOT_IFACE, SLOT_FLAGS, SLOT_DATA, FRAME_SIZE, TIME_SIZE,
} from '../runtime/layout.js';

export class RingTwin implements RingExports {
  private readonly views: MemoryViews;
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
    const head = u32[(r + RING_HEAD) >>> 2];
    const tail = this.ld(r, RING_TAIL);
    const free = (u32[(r + RING_SLOT_COUNT) >>> 2] - ((head - tail) >>> 0)) >>> 0;
    const n = count < free ? count : free;
    const mask = u32[(r + RING_MASK) >>> 2];
    const size = u32[(r + RING_SLOT_SIZE) >>> 2];
    const slots = u32[(r + RING_SLOTS) >>> 2];
    const room = size - SLOT_HDR_SIZE;
    for (let i = 0; i < n; i++) {
      const e = (table + i * FRAME_SIZE) >>> 2;
      const t = (times + i * TIME_SIZE) >>> 2;
      const s = slots + ((head + i) & mask) * size;
      let cap = u32[e + 1];
      if (cap > room) cap = room;
      const w = s >>> 2;
      u32[w + (SLOT_CAPLEN >> 2)] = cap;
      u32[w + (SLOT_WIRELEN >> 2)] = u32[e + 2];
      u32[w + (SLOT_TS_SEC >> 2)] = u32[t];
      u32[w + (SLOT_TS_NSEC >> 2)] = u32[t + 1];
      u16[(s + SLOT_LINKTYPE) >>> 1] = u16[(e << 1) + 6];
      u16[(s + SLOT_IFACE) >>> 1] = u16[(e << 1) + 7];
      u32[w + (SLOT_FLAGS >> 2)] = 0;
      const src = u32[e];
      u8.copyWithin(s + SLOT_DATA, src, src + cap);
    }
    if (n < count) this.addDrops(r, count - n);
    if (n > 0) this.st(r, RING_HEAD, head + n);
    return n;
  }

  ring_slot_for_write(r: number, i: number): number {
    const u32 = this.views.refresh().u32;
    const head = u32[(r + RING_HEAD) >>> 2];
    const tail = this.ld(r, RING_TAIL);
    if (((head - tail) >>> 0) + i >= u32[(r + RING_SLOT_COUNT) >>> 2]) return 0;
    return u32[(r + RING_SLOTS) >>> 2] + ((head + i) & u32[(r + RING_MASK) >>> 2]) * u32[(r + RING_SLOT_SIZE) >>> 2];
  }

  ring_publish(r: number, n: number): void {
    this.st(r, RING_HEAD, this.views.u32[(r + RING_HEAD) >>> 2] + n);
  }

  ring_add_drops(r: number, n: number): void {
    this.addDrops(r, n);
  }

  ring_peek_frames(r: number, table: number, times: number, max: number): number {
    const v = this.views.refresh();
    const u32 = v.u32;
    const u16 = v.u16;
    const tail = u32[(r + RING_TAIL) >>> 2];
    const head = this.ld(r, RING_HEAD);
    const avail = (head - tail) >>> 0;
    const n = avail < max ? avail : max;
    const mask = u32[(r + RING_MASK) >>> 2];
    const size = u32[(r + RING_SLOT_SIZE) >>> 2];
    const slots = u32[(r + RING_SLOTS) >>> 2];
    for (let i = 0; i < n; i++) {
      const s = slots + ((tail + i) & mask) * size;
      const w = s >>> 2;
      const e = (table + i * FRAME_SIZE) >>> 2;
      const t = (times + i * TIME_SIZE) >>> 2;
      u32[e] = s + SLOT_DATA;
      u32[e + 1] = u32[w + (SLOT_CAPLEN >> 2)];
      u32[e + 2] = u32[w + (SLOT_WIRELEN >> 2)];
      u16[(e << 1) + 6] = u16[(s + SLOT_LINKTYPE) >>> 1];
      u16[(e << 1) + 7] = u16[(s + SLOT_IFACE) >>> 1];
      u32[t] = u32[w + (SLOT_TS_SEC >> 2)];
      u32[t + 1] = u32[w + (SLOT_TS_NSEC >> 2)];
    }
    return n;
  }

  ring_slot_for_read(r: number, i: number): number {
    const u32 = this.views.refresh().u32;
    const tail = u32[(r + RING_TAIL) >>> 2];
    if (((this.ld(r, RING_HEAD) - tail) >>> 0) <= i) return 0;
    return u32[(r + RING_SLOTS) >>> 2] + ((tail + i) & u32[(r + RING_MASK) >>> 2]) * u32[(r + RING_SLOT_SIZE) >>> 2];
  }

  ring_release(r: number, n: number): void {
    this.st(r, RING_TAIL, this.views.u32[(r + RING_TAIL) >>> 2] + n);
  }

  ring_close(r: number): void {
    Atomics.or(this.views.i32, (r + RING_FLAGS) >>> 2, RF_CLOSED);
  }

  ring_is_closed(r: number): number {
    return (Atomics.load(this.views.i32, (r + RING_FLAGS) >>> 2) & RF_CLOSED) !== 0 ? 1 : 0;
  }

  ring_enqueue_burst(r: number, src: number, count: number): number {
    const u32 = this.views.u32;
    const head = u32[(r + RING_HEAD) >>> 2];
    const tail = this.ld(r, RING_TAIL);
    const free = (u32[(r + RING_SLOT_COUNT) >>> 2] - ((head - tail) >>> 0)) >>> 0;
    const n = count < free ? count : free;
    const mask = u32[(r + RING_MASK) >>> 2];
    const size = u32[(r + RING_SLOT_SIZE) >>> 2];
    const slots = u32[(r + RING_SLOTS) >>> 2];
    for (let i = 0; i < n; i++) u32[(slots + ((head + i) & mask) * size + SLOT_DATA) >>> 2] = u32[(src >>> 2) + i];
    if (n > 0) this.st(r, RING_HEAD, head + n);
    return n;
  }

  ring_dequeue_burst(r: number, dst: number, max: number): number {
    const u32 = this.views.u32;
    const tail = u32[(r + RING_TAIL) >>> 2];
    const head = this.ld(r, RING_HEAD);
    const avail = (head - tail) >>> 0;
    const n = avail < max ? avail : max;
    const mask = u32[(r + RING_MASK) >>> 2];
    const size = u32[(r + RING_SLOT_SIZE) >>> 2];
    const slots = u32[(r + RING_SLOTS) >>> 2];
    for (let i = 0; i < n; i++) u32[(dst >>> 2) + i] = u32[(slots + ((tail + i) & mask) * size + SLOT_DATA) >>> 2];
    if (n > 0) this.st(r, RING_TAIL, tail + n);
    return n;
  }
}

/** A frame ring: created once (by the consumer's owner), attached by address elsewhere,
 *  each side driving it through its own engine's backend. */
export class FrameRing {
  readonly engine: Engine;
  readonly address: number;
  readonly core: RingExports;
  private readonly views: MemoryViews;

  private constructor(engine: Engine, address: number) {
    this.engine = engine;
    this.address = address;
    this.core = exportsOf(engine, RING);
    this.views = engine.views;
  }

  /** A new ring of `slotCount` slots (a power of two) holding frames of up to `slotSize` bytes. */
  static create(engine: Engine, slotCount: number, slotSize: number): FrameRing {
    if (slotCount < 2 || (slotCount & (slotCount - 1)) !== 0) throw new PktError('E_BAD_ARGUMENT', `ring: slot count ${slotCount} is not a power of two`);
    const size = Math.ceil((slotSize + SLOT_HDR_SIZE) / 64) * 64;
    const r = engine.arena.alloc(RING_HDR_SIZE);
    const slots = engine.arena.alloc(slotCount * size);
    const ring = new FrameRing(engine, r);
    ring.core.ring_init(r, slots, slotCount, size);
    return ring;
  }

  /** The ring another thread created at `address` in this engine's memory. */
  static attach(engine: Engine, address: number): FrameRing {
    return new FrameRing(engine, address);
  }

  get slotCount(): number { return this.views.refresh().u32[(this.address + RING_SLOT_COUNT) >>> 2]; }
  get slotSize(): number { return this.views.refresh().u32[(this.address + RING_SLOT_SIZE) >>> 2]; }
  /** Largest frame a slot holds without cutting it. */
  get slotPayload(): number { return this.slotSize - SLOT_HDR_SIZE; }

  /** Frames dropped because the ring was full (a 64-bit count). */
  get drops(): number {
    const u32 = this.views.refresh().u32;
    return u32[(this.address + RING_DROPS) >>> 2] + u32[(this.address + RING_DROPS_HI) >>> 2] * 4294967296;
  }

  /** Producer: copies the batch's frames (and times) in; returns how many fit. Wakes a sleeping consumer. */
  enqueue(batch: FrameBatch): number {
    const n = this.core.ring_enqueue_frames(this.address, batch.table, batch.times, batch.count);
    if (n > 0) this.wake();
    return n;
  }

  /** Producer: publishes n slots filled in place (ring_slot_for_write), waking the consumer. */
  publish(n: number): void {
    this.core.ring_publish(this.address, n);
    this.wake();
  }

  /** Wakes the consumer if it sleeps; cheap when it does not. */
  wake(): void {
    const i32 = this.views.i32;
    if (Atomics.load(i32, (this.address + RING_WAITING) >>> 2) !== 0) Atomics.notify(i32, (this.address + RING_HEAD) >>> 2);
  }

  close(): void {
    this.core.ring_close(this.address);
    const i32 = this.views.refresh().i32;
    Atomics.notify(i32, (this.address + RING_HEAD) >>> 2);
  }

  get closed(): boolean {
    return this.core.ring_is_closed(this.address) !== 0;
  }

  /** Consumer: references up to `max` readable slots from `batch` (no copy). */
  peek(batch: FrameBatch, max = batch.capacity): number {
    const n = this.core.ring_peek_frames(this.address, batch.table, batch.times, Math.min(max, batch.capacity));
    batch.count = n;
    return n;
  }

  /** Gives n slots back and wakes a producer sleeping on a full ring (file sources,
   *  which must not drop, wait on RING_TAIL). */
  release(n: number): void {
    this.core.ring_release(this.address, n);
    Atomics.notify(this.views.i32, (this.address + RING_TAIL) >>> 2);
  }

  /** Producer: sleeps until the consumer releases a slot or `timeoutMs` passes. */
  waitForSpace(timeoutMs: number): void {
    const i32 = this.views.refresh().i32;
    const tailIdx = (this.address + RING_TAIL) >>> 2;
    const seen = Atomics.load(i32, tailIdx);
    if (this.core.ring_free_count(this.address) === 0) Atomics.wait(i32, tailIdx, seen, timeoutMs);
  }

  /** Consumer: sleeps until the producer publishes or closes, or `timeoutMs` passes.
   *  Must run off the main thread (Atomics.wait). */
  waitForData(timeoutMs: number): void {
    const i32 = this.views.refresh().i32;
    const headIdx = (this.address + RING_HEAD) >>> 2;
    const waitIdx = (this.address + RING_WAITING) >>> 2;
    const seen = Atomics.load(i32, headIdx);
    if ((seen >>> 0) !== (Atomics.load(i32, (this.address + RING_TAIL) >>> 2) >>> 0) || this.closed) return;
    Atomics.store(i32, waitIdx, 1);
    // Re-check after announcing ourselves: a publish between the check and the flag
    // would otherwise go unnoticed until the timeout.
    if (Atomics.load(i32, headIdx) === seen && !this.closed) Atomics.wait(i32, headIdx, seen, timeoutMs);
    Atomics.store(i32, waitIdx, 0);
  }
}
