// SpscRing: what every ring in the shared memory has, whatever its slots hold
// (assembly/ring.ts, twin in ./twin.ts): one producer and one consumer, each on its own
// engine's backend; counters that run free; drops; closing; and the sleeps on
// Atomics.wait that a producer takes on a full ring and a consumer on an empty one.
// FrameRing (slots of frames) and ValueRing (packed u32 values) add how slots are filled.
import type { MemoryViews } from '../runtime/memory.js';
import type { Engine } from '../engine/engine.js';
import { exportsOf } from '../engine/backend.js';
import { RING, type RingExports } from './exports.js';
import { PktError } from '../runtime/errors.js';
import { RING_HEAD, RING_TAIL, RING_DROPS, RING_DROPS_HI, RING_WAITING, RING_SPACE_WAITING } from '../runtime/layout.js';

export class SpscRing {
  // `declare`d fields: only the constructor stores them, once (an emitted class field is
  // stored twice, and V8 then no longer treats it as constant in hot loops; host/lpm/lpm4.ts).
  declare readonly engine: Engine;
  declare readonly address: number;
  declare readonly core: RingExports;
  protected declare readonly views: MemoryViews;

  protected constructor(engine: Engine, address: number) {
    this.engine = engine;
    this.address = address;
    this.core = exportsOf(engine, RING);
    this.views = engine.views;
  }

  /** Throws unless `slotCount` is a power of two of at least 2. */
  protected static checkCount(slotCount: number): void {
    if (slotCount < 2 || (slotCount & (slotCount - 1)) !== 0) throw new PktError('E_BAD_ARGUMENT', `ring: slot count ${slotCount} is not a power of two`);
  }

  /** Items dropped because the ring was full (a 64-bit count). */
  get drops(): number {
    const u32 = this.views.refresh().u32;
    return u32[(this.address + RING_DROPS) >>> 2] + u32[(this.address + RING_DROPS_HI) >>> 2] * 4294967296;
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

  /** After the consumer gave slots back: wakes a producer that sleeps on a full ring (file
   *  sources, which must not drop, wait on RING_TAIL after setting RING_SPACE_WAITING).
   *  Atomics.notify costs ~40 ns even with no one waiting, against ~6 for the flag's
   *  load: the consumer releases once per batch or per frame, so it notifies only a
   *  producer that asked. */
  protected spaceMade(): void {
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
