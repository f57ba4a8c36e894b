// --json's sink: one JSON object per frame and line (./json-format.ts writes it).
import type { MemoryViews } from '../runtime/memory.js';
import type { PacketView } from '../dissect/packet-view.js';
import { TextLikeSink } from './line-sink.js';
import { writeJsonPacket } from './json-format.js';

/** --json: one object per line. */
export class JsonSink extends TextLikeSink {
  constructor(views: MemoryViews, fd: number, ownsFd = false, flushEachBatch = true) {
    super(views, fd, ownsFd, flushEachBatch);
    this.numberByIndex = true;
  }
  protected one(view: PacketView, m: Uint8Array, sec: number, nsec: number, number: number): void {
    writeJsonPacket(this.out, view, m, sec, nsec, number);
  }
}
