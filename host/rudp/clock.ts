// The transport's clock: ONE timer wheel per process (on the WASM engine), 1 ms ticks,
// driven by a Node timer that runs only while timers are pending. Every protocol timer
// (retransmission, delayed ACK, persist, keepalive, time-wait, connect) is a wheel entry
// whose id encodes (owner slot << 3 | kind); the owner registry maps slots back to PCBs.
import { createEngine, type Engine } from '../engine/engine.js';
import { TimerWheel } from '../wheel/timer-wheel.js';

export const T_RTO = 0;
export const T_DELACK = 1;
export const T_PERSIST = 2;
export const T_KEEPALIVE = 3;
export const T_TIMEWAIT = 4;
export const T_CONNECT = 5;
export const TIMER_KINDS = 8;

export interface TimerOwner {
  onTimer(kind: number): void;
}

const WHEEL_CAPACITY = 1 << 18;

export class TransportClock {
  readonly engine: Engine;
  readonly wheel: TimerWheel;
  private readonly base: number;
  private readonly owners: (TimerOwner | undefined)[] = [];
  private readonly freeSlots: number[] = [];
  private driver: NodeJS.Timeout | null = null;
  private readonly tickFn = (): void => this.tick();

  constructor(engine?: Engine) {
    this.engine = engine ?? createEngine({ backend: 'wasm' });
    this.wheel = new TimerWheel(this.engine, { capacity: WHEEL_CAPACITY });
    this.base = performance.now();
  }

  /** Milliseconds since the clock started (fractional). */
  nowMs(): number {
    return performance.now() - this.base;
  }

  register(owner: TimerOwner): number {
    const slot = this.freeSlots.length > 0 ? this.freeSlots.pop()! : this.owners.length;
    this.owners[slot] = owner;
    return slot;
  }

  unregister(slot: number): void {
    if (this.owners[slot] === undefined) return;
    this.owners[slot] = undefined;
    this.freeSlots.push(slot);
  }

  /** Arms (or re-arms, keeping the handle) a timer; returns the handle (0 if the wheel is full). */
  arm(handle: number, slot: number, kind: number, delayMs: number): number {
    const delay = Math.max(1, Math.ceil(delayMs));
    if (handle !== 0 && this.wheel.reschedule(handle, delay)) {
      this.ensureDriver();
      return handle;
    }
    const h = this.wheel.schedule(delay, slot * TIMER_KINDS + kind);
    this.ensureDriver();
    return h;
  }

  disarm(handle: number): number {
    if (handle !== 0) this.wheel.cancel(handle);
    return 0;
  }

  private ensureDriver(): void {
    if (this.driver === null) {
      this.driver = setTimeout(this.tickFn, 1);
      this.driver.unref();
    }
  }

  private tick(): void {
    this.driver = null;
    const to = Math.floor(this.nowMs()) >>> 0;
    this.wheel.advance(to, (id) => {
      const owner = this.owners[Math.floor(id / TIMER_KINDS)];
      if (owner !== undefined) owner.onTimer(id % TIMER_KINDS);
    });
    if (this.wheel.live > 0) this.ensureDriver();
  }
}

let shared: TransportClock | null = null;

/** The process-wide clock (created on first use). */
export function transportClock(): TransportClock {
  if (shared === null) shared = new TransportClock();
  return shared;
}
