// --json's sink: one JSON object per frame and line. On a 'wasm' engine the lines are
// written by the WASM module (./json/wasm-lines.ts) and the frames it declines by the TS
// writer (./json-format.ts), its twin; on a 'ts' engine, or without an engine, by the TS
// writer alone.
import type { MemoryViews } from '../runtime/memory.js';
import type { PacketView } from '../dissect/packet-view.js';
import type { Engine } from '../engine/engine.js';
import type { FrameBatch } from '../engine/frame-batch.js';
import { TextLikeSink } from './line-sink.js';
import { writeJsonPacket } from './json-format.js';
import { WasmJsonLines } from './json/wasm-lines.js';

/** --json: one object per line. */
export class JsonSink extends TextLikeSink {
  private readonly wasmLines: WasmJsonLines | null;

  /** `engine`: the engine whose batches this sink writes; on the 'wasm' backend its module
   *  writes the lines. */
  constructor(views: MemoryViews, fd: number, ownsFd = false, flushEachBatch = true, engine?: Engine) {
    super(views, fd, ownsFd, flushEachBatch);
    this.numberByIndex = true;
    this.wasmLines = engine !== undefined && engine.backend === 'wasm' && engine.views === views ? new WasmJsonLines(engine) : null;
  }

  protected one(view: PacketView, m: Uint8Array, sec: number, nsec: number, number: number): void {
    writeJsonPacket(this.out, view, m, sec, nsec, number);
  }

  override writeBatch(batch: FrameBatch, view: PacketView, firstNumber: number, keep?: Uint8Array | null): number {
    const w = this.wasmLines;
    // The module takes `keep` by address: only a mask in the shared memory (a stage's).
    const m = this.mem.get();
    const keepAt = keep ? (keep.buffer === m.buffer ? keep.byteOffset : -1) : 0;
    if (w === null || keepAt < 0 || firstNumber + batch.count > 0xFFFFFFFF) return super.writeBatch(batch, view, firstNumber, keep);
    w.writeBatch(batch, view, m, keepAt, firstNumber, this.out);
    let n = batch.count;
    if (keep) { n = 0; for (let k = 0; k < batch.count; k++) if (keep[k] !== 0) n++; }
    this.packets += n;
    if (this.flushEachBatch) this.flush();
    return n;
  }

  override flush(): void {
    if (this.wasmLines !== null) this.wasmLines.drain(this.mem.get(), this.out);
    this.out.flush();
  }

  override close(): void {
    this.flush();
    this.out.close();
  }
}
