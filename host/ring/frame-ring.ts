// FrameRing: the host class over one frame ring in the shared memory (assembly/ring.ts,
// twin in ./twin.ts), on whichever backend its engine runs. A single-producer,
// single-consumer ring of fixed-size slots: the capture side fills slots (copying a
// batch in, or in place), the consumer references them as a FrameBatch without copying,
// and either side sleeps on Atomics.wait when there is nothing to do.
import type { MemoryViews } from '../runtime/memory.js';
import type { Engine } from '../engine/engine.js';
import type { FrameBatch } from '../engine/frame-batch.js';
import { exportsOf } from '../engine/backend.js';
import { RING, type RingExports } from './exports.js';
import { PktError } from '../runtime/errors.js';
import {
  RING_HDR_SIZE, RING_HEAD, RING_TAIL, RING_SLOT_COUNT, RING_SLOT_SIZE, RING_DROPS, RING_DROPS_HI, RING_WAITING,
  RING_SPACE_WAITING, SLOT_HDR_SIZE,
} from '../runtime/layout.js';

/** A frame ring: created once (by the consumer's owner), attached by address elsewhere,
 *  each side driving it through its own engine's backend. */
export class FrameRing {
  // `declare`d fields: only the constructor stores them, once (an emitted class field is
  // stored twice, and V8 then no longer treats it as constant in hot loops; host/lpm/lpm4.ts).
  declare readonly engine: Engine;
  declare readonly address: number;
  declare readonly core: RingExports;
  private declare readonly views: MemoryViews;

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

  /** Gives n slots back, waking a producer that sleeps on a full ring (file sources, which
   *  must not drop, wait on RING_TAIL after setting RING_SPACE_WAITING). Atomics.notify
   *  costs ~40 ns even with no one waiting, against ~6 for the flag's load: the consumer
   *  releases once per batch or per frame, so it notifies only a producer that asked. */
  release(n: number): void {
    this.core.ring_release(this.address, n);
    const i32 = this.views.i32;
    if (Atomics.load(i32, (this.address + RING_SPACE_WAITING) >>> 2) !== 0) Atomics.notify(i32, (this.address + RING_TAIL) >>> 2);
  }

  /** Producer: sleeps until the consumer releases a slot or `timeoutMs` passes. */
  waitForSpace(timeoutMs: number): void {
    const i32 = this.views.refresh().i32;
    const tailIdx = (this.address + RING_TAIL) >>> 2;
    const flagIdx = (this.address + RING_SPACE_WAITING) >>> 2;
    const seen = Atomics.load(i32, tailIdx);
    if (this.core.ring_free_count(this.address) !== 0) return;
    Atomics.store(i32, flagIdx, 1);
    // Re-check after raising the flag: a release between the check and the flag did not notify.
    if (Atomics.load(i32, tailIdx) === seen) Atomics.wait(i32, tailIdx, seen, timeoutMs);
    Atomics.store(i32, flagIdx, 0);
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
