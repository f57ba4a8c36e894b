// The small shared block through which the sniffer's capture side (main thread) and its
// consumer worker talk without messages: a stop flag and the consumer's running counters
// (read by --stats and the progress bar on the main thread while the worker writes them).
import type { MemoryViews } from '../runtime/memory.js';

export const CTL_BYTES = 256;
const STOP = 0; // i32 index: 1 = stop now (SIGINT), 2 = -c count reached (worker sets)
const F_SEEN = 4; // f64 indexes from here (byte offset 32 / 8)
const F_MATCHED = 5;
const F_BYTES = 6;
const F_MALFORMED = 7;

export interface ConsumerCounters { seen: number; matched: number; bytes: number; malformed: number }

export class Control {
  readonly address: number;
  private readonly views: MemoryViews;
  constructor(views: MemoryViews, address: number) {
    this.views = views;
    this.address = address;
  }

  requestStop(reason: 1 | 2): void {
    Atomics.store(this.views.refresh().i32, (this.address >>> 2) + STOP, reason);
  }

  stopReason(): number {
    return Atomics.load(this.views.i32, (this.address >>> 2) + STOP);
  }

  private f(i: number): number {
    return this.views.refresh().f64[(this.address >>> 3) + i];
  }

  publish(c: ConsumerCounters): void {
    const f64 = this.views.refresh().f64;
    const b = this.address >>> 3;
    f64[b + F_SEEN] = c.seen;
    f64[b + F_MATCHED] = c.matched;
    f64[b + F_BYTES] = c.bytes;
    f64[b + F_MALFORMED] = c.malformed;
  }

  read(): ConsumerCounters {
    return { seen: this.f(F_SEEN), matched: this.f(F_MATCHED), bytes: this.f(F_BYTES), malformed: this.f(F_MALFORMED) };
  }
}
