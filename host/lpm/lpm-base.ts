// LpmBase: what Lpm4 and Lpm6 do alike, over their family's exports without the prefix
// (exports.ts: unprefixed): carving the table, adding, deleting and reading prefixes, the
// figures and the listing. Each family keeps its lookups (the hot path) to itself, on its
// own prefixed exports.
import type { Engine } from '../engine/engine.js';
import { PktError } from '../runtime/errors.js';
import type { LpmFunctions } from './exports.js';
import { LPM_E_NOT_FOUND, LPM_UPDATED } from './twin/lpm-table.js';
import { checkSize, DEFAULT_MISS, statusError, type LpmFigures, type LpmOptions, type RouteEntry } from './lpm-options.js';

/** What sets a family apart here: its name in messages, its limits, its prefix text. */
export interface LpmFamily<A> {
  name: 'lpm4' | 'lpm6';
  /** 'IPv4' or 'IPv6' (in "is not an IPv4 prefix"). */
  ip: string;
  maxRules: number;
  maxGroups: number;
  defaultGroups: number;
  parse(prefix: string): { addr: A; depth: number } | null;
}

export abstract class LpmBase<A> {
  // `declare`d fields: only the constructor stores them, once (an emitted class field is
  // stored twice, and V8 then no longer treats it as constant in hot loops; lpm4.ts).
  declare readonly engine: Engine;
  /** Byte address of the table in the shared memory. */
  declare readonly table: number;
  declare readonly miss: number;
  private declare readonly fns: LpmFunctions;
  private declare readonly family: LpmFamily<A>;

  constructor(engine: Engine, fns: LpmFunctions, family: LpmFamily<A>, opts: LpmOptions) {
    this.engine = engine;
    this.fns = fns;
    this.family = family;
    const rules = opts.maxRules ?? 65536;
    const groups = opts.tbl8Groups ?? family.defaultGroups;
    checkSize('maxRules', rules, family.maxRules);
    checkSize('tbl8Groups', groups, family.maxGroups);
    this.miss = (opts.miss ?? DEFAULT_MISS) >>> 0;
    const bytes = fns.footprint(rules, groups) >>> 0;
    if (bytes === 0) throw new PktError('E_NO_MEMORY', `${family.name}: ${rules} rules and ${groups} groups do not fit in 4 GiB`);
    this.table = engine.arena.alloc(bytes);
    fns.init(this.table, rules, groups, this.miss);
  }

  /** The address as the exports take it: the u32 itself (lpm4), or where its 16 bytes were put (lpm6). */
  protected abstract arg(addr: A): number;
  /** The address in messages. */
  protected abstract text(addr: A): string;
  /** A rule's prefix address as rule_addr gives it, in the listing. */
  protected abstract ruleText(ruleAddr: number): string;

  private parse(prefix: string): { addr: A; depth: number } {
    const p = this.family.parse(prefix);
    if (p === null) throw new PktError('E_BAD_ARGUMENT', `${this.family.name}: "${prefix}" is not an ${this.family.ip} prefix`);
    return p;
  }

  /** Adds a prefix ('10.0.0.0/8', '2001:db8::/32'; host bits are ignored) or replaces its next hop. True if it was new. */
  add(prefix: string, nexthop: number): boolean {
    const p = this.parse(prefix);
    return this.addRaw(p.addr, p.depth, nexthop);
  }

  addRaw(addr: A, depth: number, nexthop: number): boolean {
    const st = this.fns.add(this.table, this.arg(addr), depth, nexthop >>> 0);
    if (st < 0) throw statusError(`${this.family.name}: adding ${this.text(addr)}/${depth}`, st, this.fns.rule_capacity(this.table));
    return st !== LPM_UPDATED;
  }

  /** Removes a prefix; false if it was not there. */
  delete(prefix: string): boolean {
    const p = this.parse(prefix);
    return this.deleteRaw(p.addr, p.depth);
  }

  deleteRaw(addr: A, depth: number): boolean {
    const st = this.fns.delete(this.table, this.arg(addr), depth);
    if (st === LPM_E_NOT_FOUND) return false;
    if (st < 0) throw statusError(`${this.family.name}: delete`, st, 0);
    return true;
  }

  /** Next hop of the exact prefix, or null. */
  get(prefix: string): number | null {
    const p = this.parse(prefix);
    const id = this.fns.find(this.table, this.arg(p.addr), p.depth);
    return id === 0 ? null : this.fns.rule_nexthop(this.table, id) >>> 0;
  }

  get size(): number { return this.fns.rule_count(this.table); }

  figures(): LpmFigures {
    const f = this.fns, t = this.table;
    return {
      rules: f.rule_count(t), maxRules: f.rule_capacity(t), tbl8Used: f.tbl8_used(t),
      tbl8Groups: f.tbl8_capacity(t), nextHops: f.nexthop_count(t), bytes: f.bytes(t) >>> 0,
    };
  }

  *entries(): IterableIterator<RouteEntry> {
    const f = this.fns, t = this.table;
    const high = f.rule_high(t);
    for (let id = 1; id <= high; id++) {
      const d = f.rule_depth(t, id);
      if (d >= 0) yield { prefix: `${this.ruleText(f.rule_addr(t, id) >>> 0)}/${d}`, nexthop: f.rule_nexthop(t, id) >>> 0 };
    }
  }
}
