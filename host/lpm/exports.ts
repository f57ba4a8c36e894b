// The export surfaces of assembly/lpm4.ts and assembly/lpm6.ts: the WASM functions and
// Lpm4Twin / Lpm6Twin share these signatures over the same shared memory and the same
// region layout (a table built by one backend can be read by the other).
import { exportNames, type Structure } from '../engine/backend.js';
import { Lpm4Twin } from './twin/lpm4.js';
import { Lpm6Twin } from './twin/lpm6.js';

/** What lpm4_* and lpm6_* each export, named without the prefix: the two families have the
 *  same functions with the same signatures (an address is the u32 itself for lpm4, a
 *  pointer to its 16 bytes for lpm6). */
export interface LpmFunctions {
  footprint(rules: number, groups: number): number;
  init(t: number, rules: number, groups: number, miss: number): void;
  add(t: number, addr: number, depth: number, nh: number): number;
  delete(t: number, addr: number, depth: number): number;
  lookup(t: number, addr: number): number;
  match_depth(t: number, addr: number): number;
  lookup_bulk(t: number, addrs: number, n: number, out: number): number;
  rule_count(t: number): number;
  rule_capacity(t: number): number;
  tbl8_used(t: number): number;
  tbl8_capacity(t: number): number;
  nexthop_count(t: number): number;
  bytes(t: number): number;
  rule_high(t: number): number;
  rule_addr(t: number, id: number): number;
  rule_depth(t: number, id: number): number;
  rule_nexthop(t: number, id: number): number;
  find(t: number, addr: number, depth: number): number;
}

/** LpmFunctions under a family's prefix P: `${P}_footprint` ... */
type Prefixed<P extends string> = { [K in keyof LpmFunctions as `${P}_${K}`]: LpmFunctions[K] };

const LPM_FUNCTIONS = [
  'footprint', 'init', 'add', 'delete', 'lookup', 'match_depth', 'lookup_bulk', 'rule_count', 'rule_capacity',
  'tbl8_used', 'tbl8_capacity', 'nexthop_count', 'bytes', 'rule_high', 'rule_addr', 'rule_depth', 'rule_nexthop', 'find',
] as const satisfies readonly (keyof LpmFunctions)[];

/** The export names of family P (exportNames checks them against the surface both ways). */
function prefixedNames<P extends string>(p: P): `${P}_${(typeof LPM_FUNCTIONS)[number]}`[] {
  return LPM_FUNCTIONS.map((f) => `${p}_${f}` as const);
}

/** A family's functions without their prefix, bound to its surface: for what Lpm4 and Lpm6
 *  do alike (lpm-options.ts); their lookups call the prefixed exports directly. */
export function unprefixed<P extends string>(core: Prefixed<P>, p: P): LpmFunctions {
  const named = core as unknown as Record<string, (...args: number[]) => number>;
  const out: Record<string, (...args: number[]) => number> = {};
  for (const f of LPM_FUNCTIONS) out[f] = named[`${p}_${f}`].bind(core);
  return out as unknown as LpmFunctions;
}

/** The lpm4_* export surface shared by the WASM module and Lpm4Twin. */
export type Lpm4Exports = Prefixed<'lpm4'>;
export const LPM4_EXPORTS = exportNames<Lpm4Exports>()(prefixedNames('lpm4'));

/** The IPv4 table, for exportsOf(engine, LPM4). */
export const LPM4: Structure<Lpm4Exports> = {
  name: 'lpm4', exports: LPM4_EXPORTS, twin: (engine) => new Lpm4Twin(engine.views),
};

/** The lpm6_* export surface shared by the WASM module and Lpm6Twin. */
export type Lpm6Exports = Prefixed<'lpm6'>;
export const LPM6_EXPORTS = exportNames<Lpm6Exports>()(prefixedNames('lpm6'));

/** The IPv6 table, for exportsOf(engine, LPM6). */
export const LPM6: Structure<Lpm6Exports> = {
  name: 'lpm6', exports: LPM6_EXPORTS, twin: (engine) => new Lpm6Twin(engine.views),
};
