// What the sender worker needs from a transport. Counters go straight into the queue's
// shared statistics (the sender is their only writer).
import { templateMessage } from './message.js';

export interface TransportOptions {
  host: string;
  port: number;
  family: 0 | 4 | 6;
  domain: number;
  /** UDP: resend templates after this many seconds (RFC 7011 §8.4)... */
  refreshSec: number;
  /** ... or this many data messages, whichever comes first. */
  refreshMessages: number;
}

export interface Transport {
  /** Messages can be handed over now. */
  readonly up: boolean;
  start(): void;
  /** Hands one data message over; `sequence` is its header's sequence number. */
  send(bytes: Buffer, records: number, sequence: number): void;
  /** Resolves once completions of handed-over messages have been accounted and the
   *  transport can take more. */
  settle(): Promise<void>;
  /** Resolves when the transport is up, or after `ms`. */
  waitUp(ms: number): Promise<void>;
  /** Ends the session (bounded by `ms`). */
  close(ms: number): Promise<void>;
}

/** A template message for the stream position `sequence`, as a Buffer. */
export function templateBuffer(sequence: number, domain: number): Buffer {
  const m = templateMessage(sequence, domain);
  return Buffer.from(m.buffer, m.byteOffset, m.byteLength);
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}
