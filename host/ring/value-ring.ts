// ValueRing: a ring of u32 values between two threads (assembly/ring.ts's value functions,
// twin in ./twin.ts): handles rather than the data they name, as DPDK's rte_ring moves
// mbuf pointers. Values lie packed, 16 to a cache line, so a burst of 32 moves two lines
// between the cores, where a FrameRing moves at least one line per frame.
import type { Engine } from '../engine/engine.js';
import { SpscRing } from './spsc-ring.js';
import { RING_HDR_SIZE, RING_SLOT_COUNT } from '../runtime/layout.js';

/** A ring of u32 values in the shared memory: created once, attached by address elsewhere. */
export class ValueRing extends SpscRing {
  /** A new ring of `slotCount` values (a power of two). */
  static create(engine: Engine, slotCount: number): ValueRing {
    SpscRing.checkCount(slotCount);
    const r = engine.arena.alloc(RING_HDR_SIZE);
    const values = engine.arena.alloc(slotCount * 4);
    const ring = new ValueRing(engine, r);
    ring.core.ring_init(r, values, slotCount, 4);
    return ring;
  }

  /** The ring another thread created at `address` in this engine's memory. */
  static attach(engine: Engine, address: number): ValueRing {
    return new ValueRing(engine, address);
  }

  get slotCount(): number { return this.views.refresh().u32[(this.address + RING_SLOT_COUNT) >>> 2]; }

  /** Producer: `count` values from byte address `src` of the shared memory, published at
   *  once; returns how many fit (the rest are the caller's to retry or drop). Wakes a
   *  sleeping consumer. */
  push(src: number, count: number): number {
    const n = this.core.ring_enqueue_burst(this.address, src, count);
    if (n > 0) this.wake();
    return n;
  }

  /** Consumer: up to `max` values into byte address `dst`, their slots given back at once
   *  (a producer asleep on a full ring is woken). Returns how many. */
  pop(dst: number, max: number): number {
    const n = this.core.ring_dequeue_burst(this.address, dst, max);
    if (n > 0) this.spaceMade();
    return n;
  }
}
