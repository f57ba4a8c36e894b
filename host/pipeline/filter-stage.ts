// The pipeline's view of the filter language (host/filter/): one expression compiled per
// link type on the engine's memory, with the same backend as the engine, and kept for
// the run. Loaded on first use, so a run without an expression never pays for the
// compiler.
import type { Engine } from '../engine/engine.js';
import type { BatchFilter } from '../stage/batch-stage.js';

type CompileFilter = (expr: string, opts: { linktype: number; memory: WebAssembly.Memory; backend: 'wasm' | 'ts' }) => BatchFilter;
let compile: CompileFilter | null = null;

export async function loadFilterCompiler(): Promise<void> {
  if (compile === null) {
    const mod = (await import('../filter/index.js')) as { compileFilter: CompileFilter };
    compile = mod.compileFilter;
  }
}

export function compileBatchFilter(engine: Engine, expr: string, linktype: number): BatchFilter {
  if (compile === null) throw new Error('filter compiler not loaded (call loadFilterCompiler first)');
  return compile(expr, { linktype, memory: engine.memory, backend: engine.backend });
}

/** One expression, compiled once per link type it meets (a pcapng file may hold several). */
export class BatchFilters {
  private readonly engine: Engine;
  private readonly expr: string;
  private readonly byLinktype = new Map<number, BatchFilter>();

  /** `expr` '' filters nothing. The compiler must be loaded (loadFilterCompiler) first. */
  constructor(engine: Engine, expr: string) {
    this.engine = engine;
    this.expr = expr;
  }

  /** The compiled filter for `linktype`, or null when there is no expression. */
  for(linktype: number): BatchFilter | null {
    if (this.expr === '') return null;
    let f = this.byLinktype.get(linktype);
    if (f === undefined) {
      f = compileBatchFilter(this.engine, this.expr, linktype);
      this.byLinktype.set(linktype, f);
    }
    return f;
  }
}
