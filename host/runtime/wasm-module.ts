// Loads build/pktwasm.wasm once per thread and instantiates it on a given shared memory.
// The compiled WebAssembly.Module can be posted to workers, which then instantiate it
// on the same memory without recompiling. PKTWASM_WASM_DIR names another directory to
// load the .wasm files from (a test points it at an empty one to prove that the 'ts'
// backend never needs them).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PktError } from './errors.js';

/** Which build of the module to load: 'release', or 'debug' (bounds assertions on). */
export type WasmFlavour = 'release' | 'debug';

const moduleCache = new Map<WasmFlavour, WebAssembly.Module>();

export function wasmPath(flavour: WasmFlavour = 'release'): string {
  const name = flavour === 'debug' ? 'pktwasm.debug.wasm' : 'pktwasm.wasm';
  const dir = process.env.PKTWASM_WASM_DIR;
  if (dir !== undefined && dir !== '') return join(dir, name);
  return fileURLToPath(new URL(`../../build/${name}`, import.meta.url));
}

export function compileEngineModule(flavour: WasmFlavour = 'release'): WebAssembly.Module {
  let mod = moduleCache.get(flavour);
  if (mod === undefined) {
    let bytes: Uint8Array<ArrayBuffer>;
    try {
      bytes = new Uint8Array(readFileSync(wasmPath(flavour)));
    } catch {
      const from = process.env.PKTWASM_WASM_DIR ? ' (PKTWASM_WASM_DIR)' : '';
      throw new PktError('E_NOT_FOUND', `engine: ${wasmPath(flavour)}${from} is missing; run "npm run build:wasm", or use the 'ts' backend`);
    }
    mod = new WebAssembly.Module(bytes);
    moduleCache.set(flavour, mod);
  }
  return mod;
}

/** The raw export surface, typed loosely: each room adds its own typed view of it. */
export type WasmExports = Record<string, WebAssembly.ExportValue>;

export function instantiateEngine(memory: WebAssembly.Memory, mod: WebAssembly.Module = compileEngineModule()): WasmExports {
  const instance = new WebAssembly.Instance(mod, {
    env: {
      memory,
      abort: (): never => {
        throw new PktError('E_BAD_ARGUMENT', 'engine: WASM abort');
      },
      seed: (): number => Date.now(),
    },
  });
  return instance.exports as WasmExports;
}
