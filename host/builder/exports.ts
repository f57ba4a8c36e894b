// The export surface of assembly/builder.ts: the WASM functions and BuildTwin share these
// signatures over the same shared memory (the build spec and pool buffers by address),
// and build byte for byte the same packets.
import { exportNames, twinOf, type Structure } from '../engine/backend.js';
import { CHECKSUM } from '../checksum/exports.js';
import { POOL } from '../pool/exports.js';
import { BuildTwin } from './twin.js';

export interface BuilderExports {
  build_packet(spec: number, m: number): number;
  build_ipv4_fragment(pool: number, m: number, l3off: number, mtu: number, out: number, max: number): number;
  build_ipv6_fragment(pool: number, m: number, l3off: number, mtu: number, id: number, out: number, max: number): number;
}

export const BUILDER_EXPORTS = exportNames<BuilderExports>()(['build_packet', 'build_ipv4_fragment', 'build_ipv6_fragment']);

/** The packet builder, for exportsOf(engine, BUILDER). Its twin works on pool buffers and
 *  checksums through the engine's pool and checksum twins. */
export const BUILDER: Structure<BuilderExports> = {
  name: 'builder', exports: BUILDER_EXPORTS,
  twin: (engine) => new BuildTwin(engine.views, twinOf(engine, POOL), twinOf(engine, CHECKSUM)),
};
