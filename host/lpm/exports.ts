// The export surfaces of assembly/lpm4.ts and assembly/lpm6.ts: the WASM functions and
// Lpm4Twin / Lpm6Twin share these signatures over the same shared memory and the same
// region layout (a table built by one backend can be read by the other).
import { exportNames, type Structure } from '../engine/backend.js';
import { Lpm4Twin } from './twin/lpm4.js';
import { Lpm6Twin } from './twin/lpm6.js';

/** The lpm4_* export surface shared by the WASM module and Lpm4Twin. */
export interface Lpm4Exports {
  lpm4_footprint(rules: number, groups: number): number;
  lpm4_init(t: number, rules: number, groups: number, miss: number): void;
  lpm4_add(t: number, addr: number, depth: number, nh: number): number;
  lpm4_delete(t: number, addr: number, depth: number): number;
  lpm4_lookup(t: number, addr: number): number;
  lpm4_match_depth(t: number, addr: number): number;
  lpm4_lookup_bulk(t: number, addrs: number, n: number, out: number): number;
  lpm4_rule_count(t: number): number;
  lpm4_rule_capacity(t: number): number;
  lpm4_tbl8_used(t: number): number;
  lpm4_tbl8_capacity(t: number): number;
  lpm4_nexthop_count(t: number): number;
  lpm4_bytes(t: number): number;
  lpm4_rule_high(t: number): number;
  lpm4_rule_addr(t: number, id: number): number;
  lpm4_rule_depth(t: number, id: number): number;
  lpm4_rule_nexthop(t: number, id: number): number;
  lpm4_find(t: number, addr: number, depth: number): number;
}

export const LPM4_EXPORTS = exportNames<Lpm4Exports>()([
  'lpm4_footprint', 'lpm4_init', 'lpm4_add', 'lpm4_delete', 'lpm4_lookup', 'lpm4_match_depth',
  'lpm4_lookup_bulk', 'lpm4_rule_count', 'lpm4_rule_capacity', 'lpm4_tbl8_used', 'lpm4_tbl8_capacity',
  'lpm4_nexthop_count', 'lpm4_bytes', 'lpm4_rule_high', 'lpm4_rule_addr', 'lpm4_rule_depth',
  'lpm4_rule_nexthop', 'lpm4_find',
]);

/** The IPv4 table, for exportsOf(engine, LPM4). */
export const LPM4: Structure<Lpm4Exports> = {
  name: 'lpm4', exports: LPM4_EXPORTS, twin: (engine) => new Lpm4Twin(engine.views),
};

/** The lpm6_* export surface shared by the WASM module and Lpm6Twin. Addresses are pointers to 16 bytes. */
export interface Lpm6Exports {
  lpm6_footprint(rules: number, groups: number): number;
  lpm6_init(t: number, rules: number, groups: number, miss: number): void;
  lpm6_add(t: number, addr: number, depth: number, nh: number): number;
  lpm6_delete(t: number, addr: number, depth: number): number;
  lpm6_lookup(t: number, addr: number): number;
  lpm6_match_depth(t: number, addr: number): number;
  lpm6_lookup_bulk(t: number, addrs: number, n: number, out: number): number;
  lpm6_rule_count(t: number): number;
  lpm6_rule_capacity(t: number): number;
  lpm6_tbl8_used(t: number): number;
  lpm6_tbl8_capacity(t: number): number;
  lpm6_nexthop_count(t: number): number;
  lpm6_bytes(t: number): number;
  lpm6_rule_high(t: number): number;
  lpm6_rule_addr(t: number, id: number): number;
  lpm6_rule_depth(t: number, id: number): number;
  lpm6_rule_nexthop(t: number, id: number): number;
  lpm6_find(t: number, addr: number, depth: number): number;
}

export const LPM6_EXPORTS = exportNames<Lpm6Exports>()([
  'lpm6_footprint', 'lpm6_init', 'lpm6_add', 'lpm6_delete', 'lpm6_lookup', 'lpm6_match_depth',
  'lpm6_lookup_bulk', 'lpm6_rule_count', 'lpm6_rule_capacity', 'lpm6_tbl8_used', 'lpm6_tbl8_capacity',
  'lpm6_nexthop_count', 'lpm6_bytes', 'lpm6_rule_high', 'lpm6_rule_addr', 'lpm6_rule_depth',
  'lpm6_rule_nexthop', 'lpm6_find',
]);

/** The IPv6 table, for exportsOf(engine, LPM6). */
export const LPM6: Structure<Lpm6Exports> = {
  name: 'lpm6', exports: LPM6_EXPORTS, twin: (engine) => new Lpm6Twin(engine.views),
};
