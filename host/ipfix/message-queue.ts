// A bounded single-producer/single-consumer queue of encoded messages in one
// SharedArrayBuffer, between the thread that encodes records (the sniffer's consumer, or
// the library caller) and the sender worker that owns the socket. Fixed slots of one
// message each: memory is bounded by construction, whatever the collector does. A full
// queue makes the producer wait a bounded time, then drop the message and count it.
import { PktError } from '../runtime/errors.js';

// Int32 control words (Atomics).
export const Q_HEAD = 0; // messages written (producer)
export const Q_TAIL = 1; // messages taken (sender)
export const Q_CLOSED = 2; // producer: no more messages; drain and stop
export const Q_DONE = 3; // sender: everything taken is sent or counted lost
export const Q_STATE = 4; // sender: TS_* transport state
export const Q_CLOSE_MS = 5; // producer: how long the sender may still try after close
const CTRL_WORDS = 16;

export const TS_STARTING = 0;
export const TS_UP = 1;
export const TS_DOWN = 2;

// Float64 counters, each with a single writer (named after it).
export const S_QUEUED_MSGS = 0; // producer
export const S_QUEUED_RECS = 1; // producer
export const S_DROPPED_MSGS = 2; // producer: queue full, or never taken before the close deadline
export const S_DROPPED_RECS = 3; // producer
export const S_SENT_MSGS = 4; // sender: data messages handed to the kernel
export const S_SENT_RECS = 5; // sender
export const S_LOST_MSGS = 6; // sender: refused, failed, or rejected by the collector's host
export const S_LOST_RECS = 7; // sender
export const S_TEMPLATE_MSGS = 8; // sender
export const S_CONNECTS = 9; // sender: sessions opened (TCP connects, UDP socket setups)
export const S_SEND_ERRORS = 10; // sender: send calls that failed
export const S_OPTION_MSGS = 11; // sender: statistics (options) messages handed over
export const S_WITHDRAWAL_MSGS = 12; // sender: template withdrawal messages handed over
export const S_EXPORTED_BYTES = 13; // sender: octets of every message handed over (all kinds)
export const S_SENT_PKTS = 14; // sender: packets the sent flow records account for
export const S_SENT_OCTS = 15; // sender: and their IP octets
export const S_LOST_PKTS = 16; // sender
export const S_LOST_OCTS = 17; // sender
export const S_LOST_FIRST_MS = 18; // sender: wall-clock time of the first loss (0: none)
export const S_LOST_LAST_MS = 19; // sender: and of the last
export const S_DROPPED_PKTS = 20; // producer
export const S_DROPPED_OCTS = 21; // producer
export const S_DROPPED_FIRST_MS = 22; // producer
export const S_DROPPED_LAST_MS = 23; // producer
const STAT_WORDS = 32;

const STATS_OFF = CTRL_WORDS * 4;
const SLOTS_OFF = STATS_OFF + STAT_WORDS * 8;
/** Slot header: u32 length, u32 records, f64 packets, f64 octets (of the records). */
const SLOT_HDR = 24;

/** A data message as the sender handles it, with what its records account for. */
export interface OutMessage {
  bytes: Buffer;
  records: number;
  packets: number;
  octets: number;
}

export interface QueueShape {
  slots: number;
  maxMessage: number;
}

export class MessageQueue {
  readonly sab: SharedArrayBuffer;
  readonly ctrl: Int32Array;
  readonly stats: Float64Array;
  readonly slots: number;
  readonly slotSize: number;
  private readonly u8: Uint8Array;
  private readonly dv: DataView;

  constructor(sab: SharedArrayBuffer, shape: QueueShape) {
    this.sab = sab;
    this.slots = shape.slots;
    this.slotSize = (SLOT_HDR + shape.maxMessage + 7) & ~7;
    this.ctrl = new Int32Array(sab, 0, CTRL_WORDS);
    this.stats = new Float64Array(sab, STATS_OFF, STAT_WORDS);
    this.u8 = new Uint8Array(sab);
    this.dv = new DataView(sab);
  }

  static create(shape: QueueShape): MessageQueue {
    // A power of two, so that positions index slots across the 32-bit counter wrap.
    if (!Number.isInteger(shape.slots) || shape.slots < 2 || shape.slots > 1 << 16 || (shape.slots & (shape.slots - 1)) !== 0) {
      throw new PktError('E_BAD_ARGUMENT', `ipfix: queue slots must be a power of two in 2..65536, got ${shape.slots}`);
    }
    const slotSize = (SLOT_HDR + shape.maxMessage + 7) & ~7;
    return new MessageQueue(new SharedArrayBuffer(SLOTS_OFF + shape.slots * slotSize), shape);
  }

  /** Messages written and not yet taken. */
  get depth(): number {
    return (Atomics.load(this.ctrl, Q_HEAD) - Atomics.load(this.ctrl, Q_TAIL)) | 0;
  }

  /**
   * Producer: copies `msg` into the next slot. When the queue is full, waits up to
   * `waitMs` for the sender; then drops the message (counted) and returns false.
   * `packets` and `octets` are what its records account for.
   */
  push(msg: Uint8Array, records: number, waitMs: number, packets = 0, octets = 0): boolean {
    const ctrl = this.ctrl;
    const head = ctrl[Q_HEAD];
    let tail = Atomics.load(ctrl, Q_TAIL);
    if (((head - tail) | 0) >= this.slots) {
      const deadline = Date.now() + waitMs;
      for (let left = waitMs; ((head - tail) | 0) >= this.slots && left > 0; left = deadline - Date.now()) {
        Atomics.wait(ctrl, Q_TAIL, tail, left);
        tail = Atomics.load(ctrl, Q_TAIL);
      }
      if (((head - tail) | 0) >= this.slots) {
        const st = this.stats;
        st[S_DROPPED_MSGS]++;
        st[S_DROPPED_RECS] += records;
        st[S_DROPPED_PKTS] += packets;
        st[S_DROPPED_OCTS] += octets;
        const now = Date.now();
        if (st[S_DROPPED_FIRST_MS] === 0) st[S_DROPPED_FIRST_MS] = now;
        st[S_DROPPED_LAST_MS] = now;
        return false;
      }
    }
    const off = SLOTS_OFF + (head & (this.slots - 1)) * this.slotSize;
    this.dv.setUint32(off, msg.length, true);
    this.dv.setUint32(off + 4, records, true);
    this.dv.setFloat64(off + 8, packets, true);
    this.dv.setFloat64(off + 16, octets, true);
    this.u8.set(msg, off + SLOT_HDR);
    this.stats[S_QUEUED_MSGS]++;
    this.stats[S_QUEUED_RECS] += records;
    Atomics.store(ctrl, Q_HEAD, (head + 1) | 0);
    Atomics.notify(ctrl, Q_HEAD);
    return true;
  }

  /** Sender: the message at position `pos` (a copy, so the slot can be reused at once). */
  copyAt(pos: number): OutMessage {
    const off = SLOTS_OFF + (pos & (this.slots - 1)) * this.slotSize;
    const len = this.dv.getUint32(off, true);
    return {
      bytes: Buffer.from(this.u8.subarray(off + SLOT_HDR, off + SLOT_HDR + len)),
      records: this.dv.getUint32(off + 4, true),
      packets: this.dv.getFloat64(off + 8, true),
      octets: this.dv.getFloat64(off + 16, true),
    };
  }

  /** Sender: releases `n` taken slots. */
  release(n: number): void {
    Atomics.add(this.ctrl, Q_TAIL, n);
    Atomics.notify(this.ctrl, Q_TAIL);
  }
}

// The sender's accounting of data messages (it is the only writer of these counters).

export function countSent(st: Float64Array, m: OutMessage): void {
  st[S_SENT_MSGS]++; st[S_SENT_RECS] += m.records; st[S_SENT_PKTS] += m.packets; st[S_SENT_OCTS] += m.octets;
  st[S_EXPORTED_BYTES] += m.bytes.length;
}

/** A message counted sent turned out lost (the collector's host refused it). */
export function uncountSent(st: Float64Array, m: OutMessage): void {
  st[S_SENT_MSGS]--; st[S_SENT_RECS] -= m.records; st[S_SENT_PKTS] -= m.packets; st[S_SENT_OCTS] -= m.octets;
  st[S_EXPORTED_BYTES] -= m.bytes.length;
}

export function countLost(st: Float64Array, msgs: number, records: number, packets: number, octets: number): void {
  if (msgs <= 0 && records <= 0) return;
  st[S_LOST_MSGS] += Math.max(0, msgs); st[S_LOST_RECS] += Math.max(0, records);
  st[S_LOST_PKTS] += Math.max(0, packets); st[S_LOST_OCTS] += Math.max(0, octets);
  const now = Date.now();
  if (st[S_LOST_FIRST_MS] === 0) st[S_LOST_FIRST_MS] = now;
  st[S_LOST_LAST_MS] = now;
}

export function countLostMessage(st: Float64Array, m: OutMessage): void {
  countLost(st, 1, m.records, m.packets, m.octets);
}

/** A message that carries no flow records (templates, statistics, withdrawal) was handed over. */
export function countControl(st: Float64Array, index: number, bytes: number): void {
  st[index]++;
  st[S_EXPORTED_BYTES] += bytes;
}
