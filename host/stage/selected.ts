// The one packing of kept frames. Stages that aggregate (flows, prefixes, the IPFIX
// exporter) must see only the frames the filter kept: this copies the kept frames'
// table entries, descriptors and times of a dissected batch into a scratch batch, one
// pass per batch and nothing per packet beyond the copy. Descriptors hold offsets
// relative to their frame, so the copies stay valid and nothing is dissected again.
import type { Engine } from '../engine/engine.js';
import type { FrameBatch } from '../engine/frame-batch.js';
import { DESC_SIZE, FRAME_SIZE, TIME_SIZE } from '../runtime/layout.js';
import type { BatchInfo } from './batch-stage.js';

export class SelectedFrames {
  private readonly engine: Engine;
  private scratch: FrameBatch | null = null;

  constructor(engine: Engine) {
    this.engine = engine;
  }

  /** The batch itself when nothing was filtered out, else the kept frames of the (already
   *  dissected) batch packed into a scratch batch, valid until the next call. */
  of(batch: FrameBatch, select: number, info: BatchInfo): FrameBatch {
    if (!info.filtered) return batch;
    if (this.scratch === null || this.scratch.capacity < batch.count) this.scratch = this.engine.createBatch(batch.capacity, 64);
    const s = this.scratch;
    const u8 = this.engine.views.refresh().u8;
    let k = 0;
    for (let i = 0; i < batch.count; i++) {
      if (u8[select + i] === 0) continue;
      u8.copyWithin(s.table + k * FRAME_SIZE, batch.table + i * FRAME_SIZE, batch.table + (i + 1) * FRAME_SIZE);
      u8.copyWithin(s.descs + k * DESC_SIZE, batch.descs + i * DESC_SIZE, batch.descs + (i + 1) * DESC_SIZE);
      u8.copyWithin(s.times + k * TIME_SIZE, batch.times + i * TIME_SIZE, batch.times + (i + 1) * TIME_SIZE);
      k++;
    }
    s.count = k;
    return s;
  }
}
