// What the text and JSON sinks share: a Buffer over the shared memory and the per-batch
// loop that sets a PacketView per kept frame and hands it to the sink's line writer.
// Apart from sink.ts so that each line sink loads only its own formatter (json-sink.ts
// does not bring the text printers, nor TextSink the JSON writers).
import type { FrameBatch } from '../engine/frame-batch.js';
import type { MemoryViews } from '../runtime/memory.js';
import type { PacketView } from '../dissect/packet-view.js';
import type { PacketSink } from './sink.js';
import { DESC_SIZE, FRAME_SIZE, FRAME_W_PTR, TIME_SIZE, TIME_W_NSEC, TIME_W_SEC } from '../runtime/layout.js';
import { TextBuffer } from './text/buffer.js';
import { APP_SIZE } from '../app/app-layout.js';

/** A Buffer over the whole shared memory, rebuilt after growth: frame bytes are copied
 *  from it with Buffer.copy, so no view object is made per packet. */
export class MemoryBytes {
  readonly views: MemoryViews;
  private buf: Buffer | null = null;
  constructor(views: MemoryViews) { this.views = views; }
  get(): Buffer {
    const v = this.views.refresh();
    if (this.buf === null || this.buf.byteLength !== v.u8.byteLength) this.buf = Buffer.from(v.u8.buffer, 0, v.u8.byteLength);
    return this.buf;
  }
}

export abstract class TextLikeSink implements PacketSink {
  packets = 0;
  protected readonly out: TextBuffer;
  protected readonly mem: MemoryBytes;
  protected readonly flushEachBatch: boolean;

  constructor(views: MemoryViews, fd: number, ownsFd: boolean, flushEachBatch: boolean) {
    this.out = new TextBuffer(fd, undefined, ownsFd);
    this.mem = new MemoryBytes(views);
    this.flushEachBatch = flushEachBatch;
  }

  protected abstract one(view: PacketView, m: Uint8Array, sec: number, nsec: number, number: number): void;
  /** true: frame i of a batch is number firstNumber + i whether or not earlier frames were
   *  kept (tshark's frame.number counts every frame read); false: kept frames are numbered
   *  consecutively (tcpdump's -# counts the packets it prints). */
  protected numberByIndex = false;

  writeBatch(batch: FrameBatch, view: PacketView, firstNumber: number, keep?: Uint8Array | null): number {
    // One refresh of the memory views per batch; the frame table and times are then read
    // directly (FrameBatch's getters refresh on every call, which costs more than a line).
    const m = this.mem.get();
    const u32 = this.mem.views.u32;
    let n = 0;
    for (let i = 0; i < batch.count; i++) {
      if (keep && keep[i] === 0) continue;
      const t = (batch.times + i * TIME_SIZE) >>> 2;
      view.desc = batch.descs + i * DESC_SIZE;
      view.frame = u32[((batch.table + i * FRAME_SIZE) >>> 2) + FRAME_W_PTR];
      view.app = batch.apps === 0 ? 0 : batch.apps + i * APP_SIZE;
      this.one(view, m, u32[t + TIME_W_SEC], u32[t + TIME_W_NSEC], firstNumber + (this.numberByIndex ? i : n));
      n++;
    }
    this.packets += n;
    if (this.flushEachBatch) this.out.flush();
    return n;
  }

  flush(): void { this.out.flush(); }
  close(): void { this.out.close(); }
}

