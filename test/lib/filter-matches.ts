// Our side of the filter-vs-tcpdump tests: which frames an expression matches, compiled
// for the WASM module and for the TS twin, through one batch of the frames. The tests
// compare both sets with tcpdump's (test/filter-oracle.ts) and with each other.
import * as assert from 'uvu/assert';
import type { Engine } from '../../host/engine/engine.js';
import type { FrameBatch } from '../../host/engine/frame-batch.js';
import { compileFilter, FilterError, type CompiledFilter } from '../../host/filter/index.js';

/** Frame numbers (1-based, as tcpdump counts) each backend matched. */
export interface BackendMatches { wasm: Set<number>; ts: Set<number> }

/**
 * Frames put once into one batch of the engine's memory, for many expressions: a fresh
 * batch per expression costs more than the matching (the engine's arena never frees, so
 * each batch is new memory touched for the first time), and the filter tests run over a
 * hundred expressions on the same frames.
 */
export class MatchFrames {
  private readonly batch: FrameBatch;
  private readonly out: number;

  constructor(private readonly eng: Engine, readonly linktype: number, readonly frames: readonly { data: Uint8Array; wirelen: number }[]) {
    const bytes = frames.reduce((s, f) => s + f.data.length + 16, 0);
    this.batch = eng.createBatch(Math.max(1, frames.length), Math.max(64, bytes));
    for (const f of frames) this.batch.push(f.data, linktype, f.wirelen);
    this.out = eng.arena.alloc(Math.max(1, frames.length));
  }

  /** The frames `expr` matches on each backend, or the FilterError with which we reject it. */
  matches(expr: string, snaplen?: number): BackendMatches | FilterError {
    const { eng, linktype, frames, batch, out } = this;
    let fw: CompiledFilter;
    let ft: CompiledFilter;
    try {
      fw = compileFilter(expr, { linktype, memory: eng.memory, backend: 'wasm', snaplen });
      ft = compileFilter(expr, { linktype, memory: eng.memory, backend: 'ts', snaplen });
    } catch (e) {
      if (e instanceof FilterError) return e;
      throw e;
    }
    const collect = (f: CompiledFilter): Set<number> => {
      const n = f.matchBatch(batch.table, batch.count, out);
      const u8 = eng.views.refresh().u8;
      const s = new Set<number>();
      for (let i = 0; i < frames.length; i++) if (u8[out + i] === 1) s.add(i + 1);
      assert.is(s.size, n, `${expr}: returned count equals the number of 1s written`);
      return s;
    };
    return { wasm: collect(fw), ts: collect(ft) };
  }
}

/** The frames `expr` matches on each backend, or the FilterError with which we reject it
 *  (one expression: MatchFrames for many on the same frames). */
export function matchesOnBothBackends(
  eng: Engine, expr: string, linktype: number, frames: readonly { data: Uint8Array; wirelen: number }[], snaplen?: number,
): BackendMatches | FilterError {
  return new MatchFrames(eng, linktype, frames).matches(expr, snaplen);
}
