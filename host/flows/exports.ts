// The export surface of assembly/flows.ts: the WASM functions and FlowsTwin share these
// signatures over the same shared memory (tables, frame tables, descriptors by address).
import { exportNames, twinOf, type Structure } from '../engine/backend.js';
import { WHEEL } from '../wheel/exports.js';
import { FlowsTwin } from './twin.js';

export interface FlowsExports {
  flows_region_size(capacity: number, exportCap: number): number;
  bucketsFor(capacity: number): number;
  flows_init(t: number, capacity: number, exportCap: number, wheel: number, tickUs: number, seed: number): number;
  flows_set_timeout(t: number, cls: number, ticks: number): void;
  flows_set_evict(t: number, on: number): void;
  flows_count(t: number): number;
  flows_export_count(t: number): number;
  flows_export_clear(t: number): void;
  flows_entry(t: number, i: number): number;
  flows_next(t: number, i: number): number;
  flows_update_batch(t: number, frames: number, descs: number, times: number, count: number): number;
  flows_expire(t: number, sec: number, nsec: number): number;
  flows_flush(t: number, reason: number): number;
}

export const FLOWS_EXPORTS = exportNames<FlowsExports>()([
  'flows_region_size', 'bucketsFor', 'flows_init', 'flows_set_timeout', 'flows_set_evict', 'flows_count',
  'flows_export_count', 'flows_export_clear', 'flows_entry', 'flows_next', 'flows_update_batch',
  'flows_expire', 'flows_flush',
]);

/** The flow table, for exportsOf(engine, FLOWS). Its twin drives the engine's wheel twin,
 *  as the WASM flow table drives the WASM wheel. */
export const FLOWS: Structure<FlowsExports> = {
  name: 'flows', exports: FLOWS_EXPORTS, twin: (engine) => new FlowsTwin(engine.views, twinOf(engine, WHEEL)),
};
