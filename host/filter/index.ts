// compileFilter(): a tcpdump/pcap-filter expression, compiled once for one link type, then
// run over frames in the shared memory. The 'wasm' backend generates a WebAssembly module
// for the expression (importing the engine's memory); the 'ts' backend is its pure-TS twin
// over the same program and the same memory. Both give libpcap's answers on raw bytes.
import { PktError } from '../runtime/errors.js';
import { MemoryViews } from '../runtime/memory.js';
import { FilterError } from './error.js';
import { CodeGen } from './gencode.js';
import { parseFilter } from './parser.js';
import { optimize, REJECT, type Program } from './cfg.js';
import { TsFilter } from './ts-eval.js';
import { emitFilterModule } from './wasm-codegen.js';

export type FilterBackend = 'wasm' | 'ts';

/** Options of compileFilter(): the link type and memory the filter will run on. */
export interface FilterOptions {
  /** LINKTYPE_* of the frames the filter will see. */
  linktype: number;
  /** Clamp caplen to this (libpcap clamps records longer than the file's snapshot length). */
  snaplen?: number;
  backend?: FilterBackend;
  /** The engine's shared memory (frames and frame tables live there). */
  memory: WebAssembly.Memory;
  /** Netmask for `ip broadcast`; tcpdump -r uses 0. */
  netmask?: number;
}

/** A compiled filter expression, run on single frames or a whole frame table at once. */
export interface CompiledFilter {
  readonly expression: string;
  readonly linktype: number;
  readonly backend: FilterBackend;
  /** The program both backends run (for inspection and tests). */
  readonly program: Program;
  /** Filters count frames of the table at tablePtr: out[i] = 1 if frame i matches, else 0.
   *  Frames whose linktype differs from the filter's never match. Returns the match count. */
  matchBatch(tablePtr: number, count: number, outPtr: number): number;
  /** One frame at ptr. */
  match(ptr: number, caplen: number, wirelen: number): boolean;
}

interface WasmFilterExports {
  match(ptr: number, caplen: number, wirelen: number): number;
  match_batch(table: number, count: number, out: number): number;
}

/** Parses and compiles to the program; throws FilterError (E_FILTER_SYNTAX) on any rejection. */
export function compileProgram(expression: string, linktype: number, netmask = 0): Program {
  const ast = parseFilter(expression);
  const gen = new CodeGen({ linktype, netmask });
  const pred = gen.generate(ast);
  const prog = optimize(pred, gen.registers, gen.noOptimize);
  if (prog.entry === REJECT) throw new FilterError(0, 'expression rejects all packets');
  return prog;
}

/** Compiles a tcpdump (pcap-filter) expression for one link type; throws FilterError
 *  (code E_FILTER_SYNTAX, with the character position) when the expression is rejected. */
export function compileFilter(expression: string, opts: FilterOptions): CompiledFilter {
  if (typeof expression !== 'string') throw new PktError('E_BAD_ARGUMENT', 'filter: expression must be a string');
  if (!(opts.memory instanceof WebAssembly.Memory)) {
    throw new PktError('E_BAD_ARGUMENT', 'filter: opts.memory must be the engine\'s WebAssembly.Memory');
  }
  const linktype = opts.linktype & 0xffff;
  const backend = opts.backend ?? 'wasm';
  if (backend !== 'wasm' && backend !== 'ts') {
    throw new PktError('E_BAD_ARGUMENT', `filter: unknown backend "${String(backend)}" (wasm or ts)`);
  }
  const snaplen = opts.snaplen !== undefined && opts.snaplen > 0 ? Math.min(opts.snaplen, 0xFFFF_FFFF) : 0xFFFF_FFFF;
  const program = compileProgram(expression, linktype, opts.netmask ?? 0);
  const base = { expression, linktype, backend, program };
  if (backend === 'ts') {
    const tw = new TsFilter(new MemoryViews(opts.memory), program, linktype, snaplen);
    return {
      ...base,
      matchBatch: (t, c, o) => tw.matchBatch(t, c, o),
      match: (p, c, w) => tw.match(p, c, w),
    };
  }
  const bytes = emitFilterModule(program, linktype, snaplen);
  const mod = new WebAssembly.Module(bytes);
  const inst = new WebAssembly.Instance(mod, { env: { memory: opts.memory } });
  const ex = inst.exports as unknown as WasmFilterExports;
  const mb = ex.match_batch;
  const m1 = ex.match;
  return {
    ...base,
    matchBatch: (t, c, o) => mb(t, c, o),
    match: (p, c, w) => m1(p, c, w) !== 0,
  };
}

export { FilterError } from './error.js';
export { parseFilter } from './parser.js';
export { programToString } from './cfg.js';
export { SUPPORTED_LINKTYPES } from './linktypes.js';
