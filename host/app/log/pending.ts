// What a transaction log keeps while it waits for the other half of a transaction (an HTTP
// request for its response, a ClientHello for its ServerHello): entries under a key (a
// connection), first in first out per key, each on a timer wheel that expires it after
// `timeoutS` of the log's clock, at most `capacity` in all (the oldest goes out to make
// room). Expired and evicted entries go to `onDrop`, which writes them out as unanswered;
// each way out is counted (`expired`, `evicted`, `drained`), for the log's exit summary.
// Every operation is O(1) amortized: no scan of what waits (issue #19).
import type { Engine } from '../../engine/engine.js';
import { TimerWheel } from '../../wheel/timer-wheel.js';

const TICKS_PER_S = 10;

interface Slot<T> { key: string; value: T; handle: number; seq: number }

export class PendingTable<T> {
  private readonly wheel: TimerWheel;
  private readonly byKey = new Map<string, number[]>();
  private readonly slots: Array<Slot<T> | undefined>;
  private readonly free: number[] = [];
  /** [slot, seq] in the order entries were added (oldest first), for eviction; a pair
   *  whose slot now holds another entry (another seq) is stale and skipped. */
  private readonly order: Array<[number, number]> = [];
  private seq = 0;
  private orderHead = 0;
  private readonly timeoutTicks: number;
  private readonly onDrop: (value: T) => void;
  private base = -1;
  /** Entries that waited `timeoutS` in vain (the wheel expired them). */
  expired = 0;
  /** Entries pushed out, oldest first, to make room for a new one at capacity. */
  evicted = 0;
  /** Entries still waiting at the end (drain). */
  drained = 0;
  readonly capacity: number;
  readonly timeoutS: number;

  constructor(engine: Engine, capacity: number, timeoutS: number, onDrop: (value: T) => void) {
    this.wheel = new TimerWheel(engine, { capacity });
    this.slots = new Array<Slot<T> | undefined>(capacity);
    for (let i = capacity - 1; i >= 0; i--) this.free.push(i);
    this.capacity = capacity;
    this.timeoutS = timeoutS;
    this.timeoutTicks = timeoutS * TICKS_PER_S;
    this.onDrop = onDrop;
  }

  /** Entries waiting. */
  get size(): number {
    return this.slots.length - this.free.length;
  }

  add(key: string, value: T): void {
    if (this.free.length === 0) this.evictOldest();
    const slot = this.free.pop()!;
    const seq = ++this.seq;
    this.slots[slot] = { key, value, handle: this.wheel.schedule(this.timeoutTicks, slot), seq };
    const list = this.byKey.get(key);
    if (list === undefined) this.byKey.set(key, [slot]);
    else list.push(slot);
    this.order.push([slot, seq]);
  }

  /** The oldest entry under `key`, left in place. */
  peek(key: string): T | undefined {
    const list = this.byKey.get(key);
    return list === undefined ? undefined : this.slots[list[0]]?.value;
  }

  /** Whether an entry waits under `key`. */
  has(key: string): boolean {
    return this.byKey.has(key);
  }

  /** Takes the oldest entry under `key` out. */
  take(key: string): T | undefined {
    const list = this.byKey.get(key);
    if (list === undefined) return undefined;
    const slot = list[0];
    const s = this.slots[slot]!;
    this.wheel.cancel(s.handle);
    this.release(slot);
    return s.value;
  }

  /** Moves the clock to packet time (sec, nsec); what waited too long goes to onDrop. */
  advance(sec: number, nsec: number): void {
    if (this.base < 0) this.base = sec;
    const tick = (sec - this.base) * TICKS_PER_S + Math.floor(nsec / (1e9 / TICKS_PER_S));
    if (tick <= this.wheel.now) return;
    this.wheel.advance(tick, (slot) => {
      const s = this.slots[slot];
      if (s === undefined) return;
      this.release(slot);
      this.expired++;
      this.onDrop(s.value);
    });
  }

  /** Everything still waiting, oldest first, to onDrop. */
  drain(): void {
    while (this.dropOldest()) this.drained++;
  }

  private evictOldest(): void {
    if (this.dropOldest()) this.evicted++;
  }

  private dropOldest(): boolean {
    while (this.orderHead < this.order.length) {
      const [slot, seq] = this.order[this.orderHead++];
      const s = this.slots[slot];
      if (s === undefined || s.seq !== seq) continue;
      this.wheel.cancel(s.handle);
      this.release(slot);
      this.onDrop(s.value);
      return true;
    }
    return false;
  }

  private release(slot: number): void {
    const s = this.slots[slot]!;
    const list = this.byKey.get(s.key)!;
    list.splice(list.indexOf(slot), 1);
    if (list.length === 0) this.byKey.delete(s.key);
    this.slots[slot] = undefined;
    this.free.push(slot);
    // Keep the order list from growing without bound: compact once most of it is stale.
    if (this.orderHead > 4096 && this.orderHead > this.order.length / 2) {
      this.order.splice(0, this.orderHead);
      this.orderHead = 0;
    }
  }
}

/** The exit summary's words for how a log's pending entries ended without an answer. */
export function pendingSummary<T>(p: PendingTable<T>, what: string): string {
  return `${p.expired} ${what} timed out after ${p.timeoutS} s, ${p.evicted} pushed out at the ${p.capacity} pending limit, ${p.drained} left at the end`;
}

/** What every transaction log does with its PendingTable: the log's clock moves it, the
 *  end of input drains it (each waiting half written as unanswered). The subclass creates
 *  `pending` in its constructor, where its own write() can be the table's onDrop. */
export abstract class PendingLog<T> {
  protected declare pending: PendingTable<T>;

  advance(sec: number, nsec: number): void {
    this.pending.advance(sec, nsec);
  }

  finish(): void {
    this.pending.drain();
  }

  /** Halves still waiting (for tests). */
  get waiting(): number {
    return this.pending.size;
  }
}
