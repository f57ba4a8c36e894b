// The export surface the engine's two backends share. The WASM instance and the pure-TS
// twin both implement these signatures over the same shared memory, with pointers as
// byte addresses; booleans come back as 0/1 as WASM returns them.
import type { WasmExports } from '../runtime/wasm-module.js';

export interface ChecksumCore {
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

export interface DissectCore {
  dissect_frame(frame: number, caplen: number, wirelen: number, linktype: number, desc: number, opts: number): void;
  dissect_batch(table: number, count: number, out: number, opts: number): number;
}

export type EngineCore = ChecksumCore & DissectCore;

export const CHECKSUM_EXPORTS = [
  'cksum_partial', 'cksum_add', 'cksum_compute', 'cksum_ipv4_header', 'cksum_ipv4_verify',
  'cksum_pseudo_ipv4', 'cksum_pseudo_ipv6', 'cksum_l4_ipv4', 'cksum_l4_ipv6',
  'cksum_l4_verify_ipv4', 'cksum_l4_verify_ipv6', 'cksum_update16', 'cksum_update32', 'cksum_batch',
] as const;

export const DISSECT_EXPORTS = ['dissect_frame', 'dissect_batch'] as const;

/** Picks named functions out of a WASM instance, failing loudly if one is missing. */
export function pickExports<T>(exports: WasmExports, names: readonly string[]): T {
  const out: Record<string, unknown> = {};
  for (const n of names) {
    const f = exports[n];
    if (typeof f !== 'function') throw new Error(`engine: WASM export ${n} is missing (stale build?)`);
    out[n] = f;
  }
  return out as T;
}
