// The one backend switch. Each structure of the engine (checksum, dissect, ring, pcap,
// pool, wheel, flows, reasm, lpm4, lpm6, builder) has one export surface, declared in its
// folder's exports.ts, and two implementations over the same shared memory: the WASM
// module's functions and a pure-TS twin. exportsOf(engine, STRUCTURE) hands out the one
// the engine's backend names, made once per engine. The WASM instance is only created
// when something asks for WASM exports, so a 'ts' engine runs without build/pktwasm.wasm.
import type { Engine } from './engine.js';
import type { WasmExports } from '../runtime/wasm-module.js';
import { PktError } from '../runtime/errors.js';

/** Which implementation runs the engine: 'wasm' (the WebAssembly module) or 'ts' (its
 *  pure-TypeScript twin, same memory layout, needs no .wasm). */
export type Backend = 'wasm' | 'ts';

/** One structure of the engine: its export names and how to make its twin. */
export interface Structure<T extends object> {
  /** The structure's name in messages: 'ring', 'lpm4' ... (after assembly/<name>.ts). */
  readonly name: string;
  /** Every export of the surface T (made with exportNames<T>(), which checks that):
   *  what the switch picks from the WASM instance. */
  readonly exports: readonly string[];
  /** Makes the twin on the engine's memory. Twins it calls come from twinOf(engine, ...),
   *  so one engine has one twin per structure, as it has one WASM instance. */
  readonly twin: (engine: Engine) => T;
}

/** Names in `names` that T lacks, or T's members that `names` lacks: a compile error then. */
type Complete<T, N extends readonly string[]> = [Exclude<keyof T, N[number]>] extends [never] ? N : { missing: Exclude<keyof T, N[number]> };

/**
 * The export list of a surface, checked against its interface at compile time in both
 * directions: `exportNames<RingExports>()([...])` fails to compile if a name is not a
 * member of RingExports or a member is not named.
 */
export function exportNames<T extends object>() {
  return <const N extends readonly (keyof T & string)[]>(names: N & Complete<T, N>): N => names;
}

// Keyed by engine, then by structure (each structure is one module-level object).
type Cache = WeakMap<Engine, Map<unknown, object>>;
const wasmSides: Cache = new WeakMap();
const twinSides: Cache = new WeakMap();
const twins: Cache = new WeakMap();

function cached<T extends object>(cache: Cache, engine: Engine, s: Structure<T>, make: () => T): T {
  let m = cache.get(engine);
  if (m === undefined) {
    m = new Map();
    cache.set(engine, m);
  }
  let v = m.get(s) as T | undefined;
  if (v === undefined) {
    v = make();
    m.set(s, v);
  }
  return v;
}

/**
 * The structure's exports on the engine's backend (or on `backend`, for callers that
 * compare the two over one memory): the WASM instance's functions, or the twin's methods
 * bound to it, so both can be called alike, detached or not. Made once per engine. Asking
 * a 'ts' engine for WASM exports instantiates the module then (a PktError E_NOT_FOUND if
 * the .wasm file is missing).
 */
export function exportsOf<T extends object>(engine: Engine, s: Structure<T>, backend: Backend = engine.backend): T {
  if (backend === 'wasm') return cached(wasmSides, engine, s, () => pickExports<T>(engine.wasm, s.exports, s.name));
  if (backend === 'ts') return cached(twinSides, engine, s, () => bindExports(twinOf(engine, s), s.exports));
  throw new PktError('E_BAD_ARGUMENT', `engine: unknown backend "${String(backend)}" (wasm or ts)`);
}

/** The engine's twin of a structure itself (unbound), made once per engine: for twins
 *  that call another twin directly (dissect -> checksum, flows -> wheel, builder -> pool). */
export function twinOf<T extends object>(engine: Engine, s: Structure<T>): T {
  return cached(twins, engine, s, () => s.twin(engine));
}

/** Picks named functions out of a WASM instance, failing loudly if one is missing. */
export function pickExports<T extends object>(exports: WasmExports, names: readonly string[], what: string): T {
  const out: Record<string, unknown> = {};
  for (const n of names) {
    const f = exports[n];
    if (typeof f !== 'function') throw new PktError('E_NOT_FOUND', `${what}: WASM export ${n} is missing (stale build? run "npm run build:wasm")`);
    out[n] = f;
  }
  return Object.freeze(out) as T;
}

/** The twin's methods as own functions bound to it: the shape of a WASM exports object. */
function bindExports<T extends object>(twin: T, names: readonly string[]): T {
  const out: Record<string, unknown> = {};
  for (const n of names) {
    const f = (twin as Record<string, unknown>)[n];
    if (typeof f !== 'function') throw new PktError('E_NOT_FOUND', `twin ${twin.constructor.name} has no method ${n}`);
    out[n] = (f as (...a: number[]) => number).bind(twin);
  }
  return Object.freeze(out) as T;
}
