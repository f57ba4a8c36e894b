// Pure-TS twin of assembly/ring.ts (same exports, same memory; the host class is
// FrameRing in ./frame-ring.ts). Head and tail go through Atomics on an Int32Array view,
// as the WASM side uses atomic.load/store: the same acquire/release pairing.
import type { MemoryViews } from '../runtime/memory.js';
import type { RingExports } from './exports.js';
import {
  RING_HDR_SIZE, RING_HEAD, RING_TAIL, RING_SLOT_COUNT, RING_SLOT_SIZE, RING_SLOTS, RING_MASK, RING_DROPS,
  RING_DROPS_HI, RING_FLAGS, RF_CLOSED, SLOT_HDR_SIZE, SLOT_CAPLEN, SLOT_WIRELEN, SLOT_TS_SEC,
  SLOT_TS_NSEC, SLOT_LINKTYPE, SLOT_IFACE, SLOT_FLAGS, SLOT_DATA, FRAME_SIZE, TIME_SIZE,
  FRAME_W_PTR, FRAME_W_CAPLEN, FRAME_W_WIRELEN, FRAME_H_LINKTYPE, FRAME_H_IFACE, TIME_W_SEC, TIME_W_NSEC,
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
