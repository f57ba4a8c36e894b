// Stages that aggregate (flows, prefixes) must see only the frames the filter kept. This
// copies the selected frame-table entries and times of a batch into a scratch batch and
// dissects it there: one pass per batch, nothing per packet beyond the copy.
import type { Engine } from '../engine/engine.js';
import type { FrameBatch } from '../engine/frame-batch.js';
import { FRAME_SIZE, TIME_SIZE } from '../runtime/layout.js';
import type { BatchInfo } from './stages.js';

export class SelectedFrames {
  private readonly engine: Engine;
  private scratch: FrameBatch | null = null;

  constructor(engine: Engine) {
    this.engine = engine;
  }

  /** The batch itself when nothing was filtered out, else a dissected copy of the kept frames. */
  of(batch: FrameBatch, select: number, info: BatchInfo): FrameBatch {
    if (!info.filtered) return batch;
    if (this.scratch === null || this.scratch.capacity < batch.capacity) this.scratch = this.engine.createBatch(batch.capacity, 64);
    const s = this.scratch;
    const v = this.engine.views.refresh();
    const u32 = v.u32;
    const u8 = v.u8;
    let k = 0;
    for (let i = 0; i < batch.count; i++) {
      if (u8[select + i] === 0) continue;
      const src = (batch.table + i * FRAME_SIZE) >>> 2;
      const dst = (s.table + k * FRAME_SIZE) >>> 2;
      u32[dst] = u32[src]; u32[dst + 1] = u32[src + 1]; u32[dst + 2] = u32[src + 2]; u32[dst + 3] = u32[src + 3];
      const ts = (batch.times + i * TIME_SIZE) >>> 2;
      const td = (s.times + k * TIME_SIZE) >>> 2;
      u32[td] = u32[ts]; u32[td + 1] = u32[ts + 1];
      k++;
    }
    s.count = k;
    this.engine.dissect(s);
    return s;
  }
}
