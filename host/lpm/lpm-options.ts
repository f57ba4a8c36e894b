// What Lpm4 and Lpm6 share: their options, their figures and entries, the size checks on
// the options and the errors an add's status turns into.
import { PktError } from '../runtime/errors.js';
import { LPM_E_DEPTH, LPM_E_RULES, LPM_E_TBL8 } from './twin/lpm-table.js';

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

