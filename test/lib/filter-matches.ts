// Our side of the filter-vs-tcpdump tests: which frames an expression matches, compiled
// for the WASM module and for the TS twin, through one batch of the frames. The tests
// compare both sets with tcpdump's (test/filter-oracle.ts) and with each other.
import * as assert from 'uvu/assert';
import type { Engine } from '../../host/engine/engine.js';
import { compileFilter, FilterError, type CompiledFilter } from '../../host/filter/index.js';

/** Frame numbers (1-based, as tcpdump counts) each backend matched. */
export interface BackendMatches { wasm: Set<number>; ts: Set<number> }

/** The frames `expr` matches on each backend, or the FilterError with which we reject it. */
export function matchesOnBothBackends(
  eng: Engine, expr: string, linktype: number, frames: readonly { data: Uint8Array; wirelen: number }[], snaplen?: number,
): BackendMatches | FilterError {
  let fw: CompiledFilter;
  let ft: CompiledFilter;
  try {
    fw = compileFilter(expr, { linktype, memory: eng.memory, backend: 'wasm', snaplen });
    ft = compileFilter(expr, { linktype, memory: eng.memory, backend: 'ts', snaplen });
  } catch (e) {
    if (e instanceof FilterError) return e;
    throw e;
  }
  const bytes = frames.reduce((s, f) => s + f.data.length + 16, 0);
  const batch = eng.createBatch(Math.max(1, frames.length), Math.max(64, bytes));
  for (const f of frames) batch.push(f.data, linktype, f.wirelen);
  const out = eng.arena.alloc(Math.max(1, frames.length));
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
