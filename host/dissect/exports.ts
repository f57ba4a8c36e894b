// The export surface of assembly/dissect.ts: the WASM functions and DissectTwin share
// these signatures over the same shared memory (frame table and descriptors by address).
import { exportNames, twinOf, type Structure } from '../engine/backend.js';
import { CHECKSUM } from '../checksum/exports.js';
import { DissectTwin } from './twin.js';

export interface DissectExports {
  dissect_frame(frame: number, caplen: number, wirelen: number, linktype: number, desc: number, opts: number): void;
  dissect_batch(table: number, count: number, out: number, opts: number): number;
}

export const DISSECT_EXPORTS = exportNames<DissectExports>()(['dissect_frame', 'dissect_batch']);

/** The dissector, for exportsOf(engine, DISSECT); its twin verifies checksums with the
 *  engine's checksum twin. */
export const DISSECT: Structure<DissectExports> = {
  name: 'dissect', exports: DISSECT_EXPORTS, twin: (engine) => new DissectTwin(engine.views, twinOf(engine, CHECKSUM)),
};
