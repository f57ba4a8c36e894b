// TimerWheel: the host class over one wheel region, on whichever backend the Engine
// runs (WASM exports or the pure-TS twin; both share the memory and the layout).
// Hot callers (the flow table, the reliable transport) may use `core` + `region`
// directly; this class adds argument checks, an output buffer and readable stats.
import type { Engine } from '../engine/engine.js';
import { exportsOf } from '../engine/backend.js';
import { PktError } from '../runtime/errors.js';
import { WHEEL, type WheelExports } from './exports.js';
import { WHEEL_MAX_WIDE_CAPACITY, WHEEL_MAX_DELAY, WH_CANCELLED, WH_CAPACITY, WH_EXPIRED, WH_FULL, WH_SCHEDULED } from './twin.js';

export interface TimerWheelOptions {
  /** Timers that can be live at once (the node pool). */
  capacity: number;
  /** The clock's starting tick (u32). */
  now?: number;
  /** Expired ids returned per internal advance step (output buffer size). */
  burst?: number;
}

export interface WheelStats {
  capacity: number;
  live: number;
  now: number;
  scheduled: number;
  cancelled: number;
  expired: number;
  /** schedule() calls refused because the pool was full. */
  full: number;
}

/** TimerWheel's largest capacity: its handles (wide, see assembly/wheel.ts) then carry the
 *  node's whole u32 generation, so a stale handle matches again only after 2^32 reuses. */
export const WHEEL_MAX_CAPACITY = WHEEL_MAX_WIDE_CAPACITY;
export { WHEEL_MAX_DELAY };

/** A hierarchical timer wheel in the shared memory: O(1) schedule, cancel and reschedule,
 *  time moved by advance() in ticks of the caller's unit. */
export class TimerWheel {
  readonly engine: Engine;
  readonly core: WheelExports;
  /** Byte address of the wheel's region. */
  readonly region: number;
  readonly capacity: number;
  /** Address and length (u32 ids) of the advance output buffer. */
  readonly out: number;
  readonly burst: number;

  constructor(engine: Engine, opts: TimerWheelOptions) {
    const cap = opts.capacity;
    if (!Number.isInteger(cap) || cap < 1 || cap > WHEEL_MAX_CAPACITY) {
      throw new PktError('E_BAD_ARGUMENT', `timer wheel: capacity must be 1..${WHEEL_MAX_CAPACITY}, got ${cap}`);
    }
    const now = opts.now ?? 0;
    if (!Number.isInteger(now) || now < 0 || now > 0xFFFFFFFF) {
      throw new PktError('E_BAD_ARGUMENT', `timer wheel: now must be a u32 tick, got ${now}`);
    }
    this.engine = engine;
    this.core = exportsOf(engine, WHEEL);
    this.capacity = cap;
    this.region = engine.arena.alloc(this.core.wheel_region_size(cap));
    this.burst = opts.burst ?? 4096;
    this.out = engine.arena.alloc(this.burst * 4);
    this.core.wheel_init(this.region, cap, now);
  }

  /** Arms a timer `delay` ticks from now (clamped to 1..WHEEL_MAX_DELAY). Returns its
   *  handle (an integer below 2^53), or 0 when `capacity` timers are already live. */
  schedule(delay: number, id: number): number {
    return this.core.wheel_schedule_h(this.region, delay, id);
  }

  /** Disarms a timer; false if the handle is stale (fired, cancelled, or never issued). */
  cancel(handle: number): boolean {
    return this.core.wheel_cancel_h(this.region, handle) === 1;
  }

  /** Moves a live timer to `delay` ticks from now, keeping its handle. */
  reschedule(handle: number, delay: number): boolean {
    return this.core.wheel_reschedule_h(this.region, handle, delay) === 1;
  }

  active(handle: number): boolean {
    return this.core.wheel_active_h(this.region, handle) === 1;
  }

  /** The tick a live timer fires at, or -1 for a stale handle. */
  expiry(handle: number): number {
    return this.active(handle) ? this.core.wheel_expiry_h(this.region, handle) >>> 0 : -1;
  }

  get now(): number {
    return this.core.wheel_now(this.region) >>> 0;
  }

  get live(): number {
    return this.core.wheel_count(this.region);
  }

  /** Advances the clock to `to` (u32, never backwards) and calls `onExpire` for every timer
   *  that fires, in expiry order. Returns how many fired. */
  advance(to: number, onExpire: (id: number) => void): number {
    const { core, region, out, burst } = this;
    let total = 0;
    for (;;) {
      const n = core.wheel_advance(region, to >>> 0, out, burst);
      if (n > 0) {
        const u32 = this.engine.views.refresh().u32;
        const o = out >>> 2;
        for (let i = 0; i < n; i++) onExpire(u32[o + i]);
      }
      total += n;
      if (n < burst) return total;
    }
  }

  /** Advances and collects the expired ids (allocates: for tests and tools). */
  advanceCollect(to: number): number[] {
    const ids: number[] = [];
    this.advance(to, (id) => { ids.push(id); });
    return ids;
  }

  stats(): WheelStats {
    const u32 = this.engine.views.refresh().u32;
    const h = this.region >>> 2;
    return {
      capacity: u32[h + (WH_CAPACITY >>> 2)],
      live: this.live,
      now: this.now,
      scheduled: u32[h + (WH_SCHEDULED >>> 2)],
      cancelled: u32[h + (WH_CANCELLED >>> 2)],
      expired: u32[h + (WH_EXPIRED >>> 2)],
      full: u32[h + (WH_FULL >>> 2)],
    };
  }
}
