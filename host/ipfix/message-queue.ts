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
export const S_SENT_MSGS = 4; // sender: handed to the kernel
export const S_SENT_RECS = 5; // sender
export const S_LOST_MSGS = 6; // sender: refused, failed, or rejected by the collector's host
export const S_LOST_RECS = 7; // sender
export const S_TEMPLATE_MSGS = 8; // sender
export const S_CONNECTS = 9; // sender: sessions opened (TCP connects, UDP socket setups)
export const S_SEND_ERRORS = 10; // sender: send calls that failed
const STAT_WORDS = 16;

const STATS_OFF = CTRL_WORDS * 4;
const SLOTS_OFF = STATS_OFF + STAT_WORDS * 8;
/** Slot header: u32 length, u32 records. */
const SLOT_HDR = 8;

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
   */
  push(msg: Uint8Array, records: number, waitMs: number): boolean {
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
        this.stats[S_DROPPED_MSGS]++;
        this.stats[S_DROPPED_RECS] += records;
        return false;
      }
    }
    const off = SLOTS_OFF + (head & (this.slots - 1)) * this.slotSize;
    this.dv.setUint32(off, msg.length, true);
    this.dv.setUint32(off + 4, records, true);
    this.u8.set(msg, off + SLOT_HDR);
    this.stats[S_QUEUED_MSGS]++;
    this.stats[S_QUEUED_RECS] += records;
    Atomics.store(ctrl, Q_HEAD, (head + 1) | 0);
    Atomics.notify(ctrl, Q_HEAD);
    return true;
  }

  /** Sender: the message at position `pos` (a copy, so the slot can be reused at once). */
  copyAt(pos: number): { bytes: Buffer; records: number } {
    const off = SLOTS_OFF + (pos & (this.slots - 1)) * this.slotSize;
    const len = this.dv.getUint32(off, true);
    const records = this.dv.getUint32(off + 4, true);
    return { bytes: Buffer.from(this.u8.subarray(off + SLOT_HDR, off + SLOT_HDR + len)), records };
  }

  /** Sender: releases `n` taken slots. */
  release(n: number): void {
    Atomics.add(this.ctrl, Q_TAIL, n);
    Atomics.notify(this.ctrl, Q_TAIL);
  }
}
