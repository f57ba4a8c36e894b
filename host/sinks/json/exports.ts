// The export surface of assembly/json/lines.ts: json_lines(), --json's batch line writer.
// The WASM function and JsonLinesTwin (./twin.ts, the TS writer over the same state region)
// share its signature over the same shared memory.
import { exportNames, type Structure } from '../../engine/backend.js';
import { JsonLinesTwin } from './twin.js';

export interface JsonLinesExports {
  /** Appends the lines of frames `from` .. `count - 1` of a batch (descriptors, frame table,
   *  times, app records or 0; `keep` a byte per frame or 0 for all), frame i numbered
   *  `firstNumber + i`, to the output of state region `st` (./json-layout.ts); returns the
   *  index it stopped at (`count` when done), the reason in JL_STOP. */
  json_lines(st: number, descs: number, table: number, times: number, apps: number, keep: number, from: number, count: number, firstNumber: number): number;
}

export const JSON_LINES_EXPORTS = exportNames<JsonLinesExports>()(['json_lines']);

export const JSON_LINES: Structure<JsonLinesExports> = {
  name: 'json', exports: JSON_LINES_EXPORTS, twin: (engine) => new JsonLinesTwin(engine),
};
