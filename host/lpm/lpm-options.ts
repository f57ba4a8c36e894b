// What Lpm4 and Lpm6 share: their options, their figures and entries, the size checks on
// the options, the carving of a table and the errors an add's status turns into.
import type { Engine } from '../engine/engine.js';
import { PktError } from '../runtime/errors.js';
import type { LpmFunctions } from './exports.js';
import { LPM_E_DEPTH, LPM_E_NOT_FOUND, LPM_E_RULES, LPM_E_TBL8 } from './twin/lpm-table.js';

export interface LpmOptions {
  /** Prefixes the table can hold (default 65,536). */
  maxRules?: number;
  /** tbl8 groups (256 entries each) for the parts of prefixes longer than /24. */
  tbl8Groups?: number;
  /** What lookups return when no prefix matches (default 0xFFFFFFFF). */
  miss?: number;
}

export interface LpmFigures {
  rules: number;
  maxRules: number;
  tbl8Used: number;
  tbl8Groups: number;
  nextHops: number;
  /** Bytes of shared memory the table occupies. */
  bytes: number;
}

export interface RouteEntry {
  prefix: string;
  nexthop: number;
}

export const DEFAULT_MISS = 0xFFFFFFFF;
/** Addresses per bulk lookup call (the scratch area holds this many and their results). */
export const BULK_CHUNK = 16384;

/** The error for a negative lpm*_add status. */
export function statusError(what: string, st: number, max: number): PktError {
  switch (st) {
    case LPM_E_RULES: return new PktError('E_CAPACITY', `${what}: the table is full (${max} prefixes); create it with a larger maxRules`);
    case LPM_E_TBL8: return new PktError('E_CAPACITY', `${what}: out of tbl8 groups (prefixes longer than /24); create the table with more tbl8Groups`);
    case LPM_E_DEPTH: return new PktError('E_BAD_ARGUMENT', `${what}: bad prefix length`);
    default: return new PktError('E_BAD_ARGUMENT', `${what}: status ${st}`);
  }
}

/** Checks a size option: an integer in 1..max. */
export function checkSize(name: string, v: number, max: number): void {
  if (!Number.isInteger(v) || v < 1 || v > max) throw new PktError('E_BAD_ARGUMENT', `${name} must be an integer in 1..${max}, got ${v}`);
}

/** A family's limits on the options and its default tbl8 group count. */
export interface LpmLimits { maxRules: number; maxGroups: number; defaultGroups: number }

/** Carves and initialises a table for the options in the engine's arena; its address. */
export function createTable(engine: Engine, fns: LpmFunctions, name: string, opts: LpmOptions, limits: LpmLimits, miss: number): number {
  const rules = opts.maxRules ?? 65536;
  const groups = opts.tbl8Groups ?? limits.defaultGroups;
  checkSize('maxRules', rules, limits.maxRules);
  checkSize('tbl8Groups', groups, limits.maxGroups);
  const bytes = fns.footprint(rules, groups) >>> 0;
  if (bytes === 0) throw new PktError('E_NO_MEMORY', `${name}: ${rules} rules and ${groups} groups do not fit in 4 GiB`);
  const table = engine.arena.alloc(bytes);
  fns.init(table, rules, groups, miss);
  return table;
}

/** An lpm*_delete status as deleteRaw returns it: false when the prefix was not there. */
export function deleted(name: string, st: number): boolean {
  if (st === LPM_E_NOT_FOUND) return false;
  if (st < 0) throw statusError(`${name}: delete`, st, 0);
  return true;
}

export function tableFigures(fns: LpmFunctions, t: number): LpmFigures {
  return {
    rules: fns.rule_count(t), maxRules: fns.rule_capacity(t), tbl8Used: fns.tbl8_used(t),
    tbl8Groups: fns.tbl8_capacity(t), nextHops: fns.nexthop_count(t), bytes: fns.bytes(t) >>> 0,
  };
}

/** The live rules of table t; prefixText renders rule_addr's answer (the u32 prefix, or where its 16 bytes are). */
export function* tableEntries(fns: LpmFunctions, t: number, prefixText: (ruleAddr: number) => string): IterableIterator<RouteEntry> {
  const high = fns.rule_high(t);
  for (let id = 1; id <= high; id++) {
    const d = fns.rule_depth(t, id);
    if (d >= 0) yield { prefix: `${prefixText(fns.rule_addr(t, id) >>> 0)}/${d}`, nexthop: fns.rule_nexthop(t, id) >>> 0 };
  }
}
