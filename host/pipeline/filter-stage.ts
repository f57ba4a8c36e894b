// The sniffer's view of the filter language (host/filter/): compile an expression for
// one link type on the engine's memory, with the same backend as the engine. Loaded on
// first use, so a run without an expression never pays for the compiler.
import type { Engine } from '../engine/engine.js';
import type { BatchFilter } from './stages.js';

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
