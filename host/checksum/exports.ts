// The export surface of assembly/checksum.ts: the WASM functions and ChecksumTwin share
// these signatures over the same shared memory (pointers are byte addresses; booleans
// come back as 0/1, as WASM returns them).
import { exportNames, type Structure } from '../engine/backend.js';
import { ChecksumTwin } from './twin.js';

export interface ChecksumExports {
  cksum_partial(ptr: number, len: number, initial: number): number;
  cksum_add(a: number, b: number): number;
  cksum_compute(ptr: number, len: number): number;
  cksum_ipv4_header(ip: number): number;
  cksum_ipv4_verify(ip: number): number;
  cksum_pseudo_ipv4(ip: number, proto: number, l4len: number): number;
  cksum_pseudo_ipv6(ip6: number, nxt: number, l4len: number): number;
  cksum_l4_ipv4(ip: number, l4: number, l4len: number, proto: number): number;
  cksum_l4_ipv6(ip6: number, l4: number, l4len: number, nxt: number): number;
  cksum_l4_verify_ipv4(ip: number, l4: number, l4len: number, proto: number): number;
  cksum_l4_verify_ipv6(ip6: number, l4: number, l4len: number, nxt: number): number;
  cksum_update16(cksum: number, oldVal: number, newVal: number): number;
  cksum_update32(cksum: number, oldVal: number, newVal: number): number;
  cksum_batch(table: number, count: number, out: number): void;
}

export const CHECKSUM_EXPORTS = exportNames<ChecksumExports>()([
  'cksum_partial', 'cksum_add', 'cksum_compute', 'cksum_ipv4_header', 'cksum_ipv4_verify',
  'cksum_pseudo_ipv4', 'cksum_pseudo_ipv6', 'cksum_l4_ipv4', 'cksum_l4_ipv6',
  'cksum_l4_verify_ipv4', 'cksum_l4_verify_ipv6', 'cksum_update16', 'cksum_update32', 'cksum_batch',
]);

/** The checksum structure, for exportsOf(engine, CHECKSUM). */
export const CHECKSUM: Structure<ChecksumExports> = {
  name: 'checksum', exports: CHECKSUM_EXPORTS, twin: (engine) => new ChecksumTwin(engine.views),
};
