// What the sender worker needs from a transport. Counters go straight into the queue's
// shared statistics (the sender is their only writer).
import { templateMessage } from './message.js';
import type { OutMessage } from './message-queue.js';
import { flowTemplates } from './template.js';

export interface TransportOptions {
  host: string;
  port: number;
  family: 0 | 4 | 6;
  domain: number;
  /** Biflow templates (RFC 5103) instead of the uniflow ones. */
  biflow: boolean;
  /** UDP: resend templates after this many seconds (RFC 7011 §8.4)... */
  refreshSec: number;
  /** ... or this many data messages, whichever comes first. */
  refreshMessages: number;
}

/** Messages that carry no flow records, by the counter they go to. */
export type ControlKind = 'options' | 'withdrawal';

export interface Transport {
  /** Messages can be handed over now. */
  readonly up: boolean;
  /** TCP: templates hold for the whole session (and may be withdrawn); UDP: they expire. */
  readonly reliable: boolean;
  /** Changes when a new session starts (a TCP connect): templates must be sent again. */
  readonly session: number;
  start(): void;
  /** Hands one data message over; `sequence` is its header's sequence number. */
  send(m: OutMessage, sequence: number): void;
  /** Hands over a message that is not flow data; `advance` = data records it adds to the
   *  flow domain's sequence (statistics records sent in that domain). */
  sendControl(bytes: Buffer, kind: ControlKind, advance: number): void;
  /** Resolves once completions of handed-over messages have been accounted and the
   *  transport can take more. */
  settle(): Promise<void>;
  /** Resolves when the transport is up, or after `ms`. */
  waitUp(ms: number): Promise<void>;
  /** Resolves when every message handed over so far is accounted (sent or lost), or
   *  after `ms`. */
  quiesce(ms: number): Promise<void>;
  /** Ends the session (bounded by `ms`) after what was handed over. */
  close(ms: number): Promise<void>;
}

/** A template message for the stream position `sequence`, as a Buffer. */
export function templateBuffer(sequence: number, domain: number, biflow = false): Buffer {
  const m = templateMessage(sequence, domain, undefined, flowTemplates(biflow));
  return Buffer.from(m.buffer, m.byteOffset, m.byteLength);
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}

/** Callers of a transport waiting for its next event (a completion, the connection coming
 *  up or going): wake() resolves them all. */
export class Wakeups {
  private waiters: (() => void)[] = [];

  /** Resolves at the next wake(), or after `ms` if given. */
  next(ms?: number): Promise<void> {
    const woken = new Promise<void>((r) => this.waiters.push(r));
    return ms === undefined ? woken : Promise.race([woken, delay(ms)]);
  }

  wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  /** Transport.settle(): with room for more, once this tick's completions (process.nextTick)
   *  have run; else at the next wake(). */
  settle(room: boolean): Promise<void> {
    return room ? new Promise<void>((r) => setImmediate(r)) : this.next();
  }

  /** Transport.waitUp(): now when up, else at the next wake() or after `ms`. */
  async waitUp(up: boolean, ms: number): Promise<void> {
    if (!up) await this.next(ms);
  }
}
