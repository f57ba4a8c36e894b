// Child of test/ts-without-wasm.test.ts, run with PKTWASM_WASM_DIR pointing at an empty
// directory: the scenario on a 'ts' engine, then what asking for WASM does. Prints one
// JSON object on stdout.
import { createEngine } from '../../host/engine/engine.js';
import { exportsOf } from '../../host/engine/backend.js';
import { RING } from '../../host/ring/exports.js';
import { runScenario } from './backend-scenario.js';

interface Failure { code: string | null; message: string; lines: number }

function failure(fn: () => unknown): Failure | null {
  try {
    fn();
    return null;
  } catch (e) {
    const err = e as { code?: string; message?: string };
    const message = String(err.message ?? e);
    return { code: err.code ?? null, message, lines: message.split('\n').length };
  }
}

const engine = createEngine({ backend: 'ts' });
const summary = runScenario(engine, process.argv.slice(2));
const result = {
  summary,
  // The 'ts' engine never loaded a module.
  moduleAfterScenario: engine.module === undefined ? 'none' : 'loaded',
  wasmEngine: failure(() => createEngine({ backend: 'wasm' })),
  explicitWasm: failure(() => exportsOf(engine, RING, 'wasm')),
  rawWasm: failure(() => engine.wasm),
};
process.stdout.write(JSON.stringify(result) + '\n');
