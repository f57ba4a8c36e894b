// FrameRing: the host class over one frame ring in the shared memory (assembly/ring.ts,
// twin in ./twin.ts), on whichever backend its engine runs. A single-producer,
// single-consumer ring of fixed-size slots: the capture side fills slots (copying a
// batch in, or in place), the consumer references them as a FrameBatch without copying,
// and either side sleeps on Atomics.wait when there is nothing to do (./spsc-ring.ts).
import type { Engine } from '../engine/engine.js';
import type { FrameBatch } from '../engine/frame-batch.js';
import { SpscRing } from './spsc-ring.js';
import { RING_HDR_SIZE, RING_SLOT_COUNT, RING_SLOT_SIZE, SLOT_HDR_SIZE } from '../runtime/layout.js';

/** A frame ring: created once (by the consumer's owner), attached by address elsewhere,
 *  each side driving it through its own engine's backend. */
export class FrameRing extends SpscRing {
  /** A new ring of `slotCount` slots (a power of two) holding frames of up to `slotSize` bytes. */
  static create(engine: Engine, slotCount: number, slotSize: number): FrameRing {
    SpscRing.checkCount(slotCount);
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

  /** Consumer: references up to `max` readable slots from `batch` (no copy). */
  peek(batch: FrameBatch, max = batch.capacity): number {
    const n = this.core.ring_peek_frames(this.address, batch.table, batch.times, Math.min(max, batch.capacity));
    batch.count = n;
    return n;
  }

  /** Consumer: gives n slots back, waking a producer asleep on a full ring. */
  release(n: number): void {
    this.core.ring_release(this.address, n);
    this.spaceMade();
  }
}
