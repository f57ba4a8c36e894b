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
import { WasmJsonLines, JL_DECLINED } from './json/wasm-lines.js';
import { DESC_SIZE, FRAME_SIZE, FRAME_W_PTR, TIME_SIZE, TIME_W_NSEC, TIME_W_SEC } from '../runtime/layout.js';
import { APP_SIZE } from '../app/app-layout.js';

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
    let i = 0;
    for (;;) {
      const r = w.lines(batch, keepAt, i, firstNumber);
      const len = w.length;
      if (len > 0) this.out.copyFrom(this.mem.get(), w.out, len);
      if (r.next >= batch.count) break;
      i = r.next;
      if (r.stop === JL_DECLINED) {
        const u32 = this.mem.views.u32;
        const t = (batch.times + i * TIME_SIZE) >>> 2;
        view.desc = batch.descs + i * DESC_SIZE;
        view.frame = u32[((batch.table + i * FRAME_SIZE) >>> 2) + FRAME_W_PTR];
        view.app = batch.apps === 0 ? 0 : batch.apps + i * APP_SIZE;
        writeJsonPacket(this.out, view, this.mem.get(), u32[t + TIME_W_SEC], u32[t + TIME_W_NSEC], firstNumber + i);
        i++;
      }
    }
    let n = batch.count;
    if (keep) { n = 0; for (let k = 0; k < batch.count; k++) if (keep[k] !== 0) n++; }
    this.packets += n;
    if (this.flushEachBatch) this.out.flush();
    return n;
  }
}
