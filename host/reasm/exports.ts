// The export surface of assembly/reasm.ts: the WASM functions and ReasmTwin share these
// signatures over the same shared memory (region, frame table, descriptors, timestamps by
// address; u32 results come back as i32 on both, callers normalise with >>> 0).
import { exportNames, twinOf, type Structure } from '../engine/backend.js';
import { CHECKSUM } from '../checksum/exports.js';
import { DISSECT } from '../dissect/exports.js';
import { WHEEL } from '../wheel/exports.js';
import { APP } from '../app/exports.js';
import { ReasmTwin } from './twin.js';

export interface ReasmExports {
  reasm_region_size(capacity: number, blocks: number, outBytes: number): number;
  reasm_init(r: number, capacity: number, blocks: number, outBytes: number, wheel: number): number;
  reasm_configure(r: number, timeout4: number, timeout6: number, maxPayload: number): void;
  reasm_batch(r: number, frames: number, descs: number, times: number, count: number, opts: number): number;
  reasm_expire(r: number, sec: number, nsec: number): void;
  reasm_flush(r: number): void;
  reasm_live(r: number): number;
  reasm_blocks_used(r: number): number;
}

export const REASM_EXPORTS = exportNames<ReasmExports>()([
  'reasm_region_size', 'reasm_init', 'reasm_configure', 'reasm_batch', 'reasm_expire', 'reasm_flush',
  'reasm_live', 'reasm_blocks_used',
]);

/** IP reassembly, for exportsOf(engine, REASM). Its twin drives the engine's wheel,
 *  dissect and checksum twins, as the WASM side calls the WASM ones. */
export const REASM: Structure<ReasmExports> = {
  name: 'reasm',
  exports: REASM_EXPORTS,
  twin: (engine) => new ReasmTwin(engine.views, twinOf(engine, WHEEL), twinOf(engine, DISSECT), twinOf(engine, CHECKSUM), twinOf(engine, APP)),
};
