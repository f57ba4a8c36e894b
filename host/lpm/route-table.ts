// Host classes over the lpm4_/lpm6_ exports: Lpm4 and Lpm6 (one address family each) and
// RouteTable (both, by prefix text), with loaders for `ip -json route show` output and
// for plain "prefix nexthop" files. The tables live in the engine's shared memory; the
// backend (WASM or the TS twin) is the engine's.
import type { Engine } from '../engine/engine.js';
import { PktError } from '../runtime/errors.js';
import { ipv4ToString, ipv6ToString, parseIPv4, parseIPv6 } from '../runtime/addr.js';
import { exportsOf } from '../engine/backend.js';
import { LPM4, LPM6, type Lpm4Exports, type Lpm6Exports } from './exports.js';
import { LPM_E_DEPTH, LPM_E_NOT_FOUND, LPM_E_RULES, LPM_E_TBL8, LPM_UPDATED } from './twin/lpm-table.js';

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
const BULK_CHUNK = 16384;

export interface ParsedPrefix4 { addr: number; depth: number }
export interface ParsedPrefix6 { addr: Uint8Array; depth: number }

/** '10.0.0.0/8' or '10.1.2.3' (a /32); null when it is not an IPv4 prefix. */
export function parsePrefix4(s: string): ParsedPrefix4 | null {
  const slash = s.indexOf('/');
  const addr = parseIPv4(slash < 0 ? s : s.slice(0, slash));
  if (addr === null) return null;
  const depth = slash < 0 ? 32 : parseLen(s.slice(slash + 1), 32);
  return depth === null ? null : { addr, depth };
}

/** '2001:db8::/32' or a plain address (a /128); null when it is not an IPv6 prefix. */
export function parsePrefix6(s: string): ParsedPrefix6 | null {
  const slash = s.indexOf('/');
  const addr = parseIPv6(slash < 0 ? s : s.slice(0, slash));
  if (addr === null) return null;
  const depth = slash < 0 ? 128 : parseLen(s.slice(slash + 1), 128);
  return depth === null ? null : { addr, depth };
}

function parseLen(s: string, max: number): number | null {
  if (!/^\d{1,3}$/.test(s)) return null;
  const n = Number(s);
  return n <= max ? n : null;
}

function statusError(what: string, st: number, max: number): PktError {
  switch (st) {
    case LPM_E_RULES: return new PktError('E_CAPACITY', `${what}: the table is full (${max} prefixes); create it with a larger maxRules`);
    case LPM_E_TBL8: return new PktError('E_CAPACITY', `${what}: out of tbl8 groups (prefixes longer than /24); create the table with more tbl8Groups`);
    case LPM_E_DEPTH: return new PktError('E_BAD_ARGUMENT', `${what}: bad prefix length`);
    default: return new PktError('E_BAD_ARGUMENT', `${what}: status ${st}`);
  }
}

function checkSize(name: string, v: number, max: number): void {
  if (!Number.isInteger(v) || v < 1 || v > max) throw new PktError('E_BAD_ARGUMENT', `${name} must be an integer in 1..${max}, got ${v}`);
}

/** IPv4 longest-prefix match (DIR-24-8) in the engine's shared memory. */
export class Lpm4 {
  readonly engine: Engine;
  readonly core: Lpm4Exports;
  /** Byte address of the table in the shared memory. */
  readonly table: number;
  readonly miss: number;
  private scratch = 0;

  constructor(engine: Engine, opts: LpmOptions = {}) {
    this.engine = engine;
    this.core = exportsOf(engine, LPM4);
    const rules = opts.maxRules ?? 65536;
    const groups = opts.tbl8Groups ?? 4096;
    checkSize('maxRules', rules, 1 << 26);
    checkSize('tbl8Groups', groups, 1 << 20);
    this.miss = (opts.miss ?? DEFAULT_MISS) >>> 0;
    const bytes = this.core.lpm4_footprint(rules, groups) >>> 0;
    if (bytes === 0) throw new PktError('E_NO_MEMORY', `lpm4: ${rules} rules and ${groups} groups do not fit in 4 GiB`);
    this.table = engine.arena.alloc(bytes);
    this.core.lpm4_init(this.table, rules, groups, this.miss);
  }

  /** Adds a prefix ('10.0.0.0/8'; host bits are ignored) or replaces its next hop. True if it was new. */
  add(prefix: string, nexthop: number): boolean {
    const p = parsePrefix4(prefix);
    if (p === null) throw new PktError('E_BAD_ARGUMENT', `lpm4: "${prefix}" is not an IPv4 prefix`);
    return this.addRaw(p.addr, p.depth, nexthop);
  }

  addRaw(addr: number, depth: number, nexthop: number): boolean {
    const st = this.core.lpm4_add(this.table, addr >>> 0, depth, nexthop >>> 0);
    if (st < 0) throw statusError(`lpm4: adding ${ipv4ToString(addr >>> 0)}/${depth}`, st, this.core.lpm4_rule_capacity(this.table));
    return st !== LPM_UPDATED;
  }

  /** Removes a prefix; false if it was not there. */
  delete(prefix: string): boolean {
    const p = parsePrefix4(prefix);
    if (p === null) throw new PktError('E_BAD_ARGUMENT', `lpm4: "${prefix}" is not an IPv4 prefix`);
    return this.deleteRaw(p.addr, p.depth);
  }

  deleteRaw(addr: number, depth: number): boolean {
    const st = this.core.lpm4_delete(this.table, addr >>> 0, depth);
    if (st === LPM_E_NOT_FOUND) return false;
    if (st < 0) throw statusError('lpm4: delete', st, 0);
    return true;
  }

  /** Next hop of the longest matching prefix, or null. */
  lookup(addr: string | number): number | null {
    const a = typeof addr === 'number' ? addr >>> 0 : parseIPv4(addr);
    if (a === null) throw new PktError('E_BAD_ARGUMENT', `lpm4: "${String(addr)}" is not an IPv4 address`);
    if (this.core.lpm4_match_depth(this.table, a) < 0) return null;
    return this.core.lpm4_lookup(this.table, a) >>> 0;
  }

  /** Next hop for a numeric address, the miss value when nothing matches (no allocation). */
  lookupRaw(addr: number): number {
    return this.core.lpm4_lookup(this.table, addr) >>> 0;
  }

  /** Length of the longest matching prefix, or -1. */
  matchDepth(addr: number): number {
    return this.core.lpm4_match_depth(this.table, addr >>> 0);
  }

  /** Looks up every address; misses get the miss value. Returns the number of hits. */
  lookupBulk(addrs: Uint32Array, out: Uint32Array): number {
    if (out.length < addrs.length) throw new PktError('E_BAD_ARGUMENT', 'lpm4: out is shorter than addrs');
    if (this.scratch === 0) this.scratch = this.engine.arena.alloc(BULK_CHUNK * 8);
    let hits = 0;
    for (let i = 0; i < addrs.length; i += BULK_CHUNK) {
      const n = Math.min(BULK_CHUNK, addrs.length - i);
      const u32 = this.engine.views.refresh().u32;
      const a = this.scratch >>> 2, o = a + BULK_CHUNK;
      u32.set(addrs.subarray(i, i + n), a);
      hits += this.core.lpm4_lookup_bulk(this.table, this.scratch, n, this.scratch + BULK_CHUNK * 4);
      out.set(this.engine.views.refresh().u32.subarray(o, o + n), i);
    }
    return hits;
  }

  /** Bulk lookup on arrays already in the shared memory (byte addresses, 4-byte aligned). */
  lookupBulkAt(addrs: number, n: number, out: number): number {
    return this.core.lpm4_lookup_bulk(this.table, addrs, n, out);
  }

  /** Next hop of the exact prefix, or null. */
  get(prefix: string): number | null {
    const p = parsePrefix4(prefix);
    if (p === null) throw new PktError('E_BAD_ARGUMENT', `lpm4: "${prefix}" is not an IPv4 prefix`);
    const id = this.core.lpm4_find(this.table, p.addr, p.depth);
    return id === 0 ? null : this.core.lpm4_rule_nexthop(this.table, id) >>> 0;
  }

  get size(): number { return this.core.lpm4_rule_count(this.table); }

  figures(): LpmFigures {
    const c = this.core, t = this.table;
    return {
      rules: c.lpm4_rule_count(t), maxRules: c.lpm4_rule_capacity(t), tbl8Used: c.lpm4_tbl8_used(t),
      tbl8Groups: c.lpm4_tbl8_capacity(t), nextHops: c.lpm4_nexthop_count(t), bytes: c.lpm4_bytes(t) >>> 0,
    };
  }

  *entries(): IterableIterator<RouteEntry> {
    const c = this.core, t = this.table;
    const high = c.lpm4_rule_high(t);
    for (let id = 1; id <= high; id++) {
      const d = c.lpm4_rule_depth(t, id);
      if (d >= 0) yield { prefix: `${ipv4ToString(c.lpm4_rule_addr(t, id) >>> 0)}/${d}`, nexthop: c.lpm4_rule_nexthop(t, id) >>> 0 };
    }
  }
}

/** IPv6 longest-prefix match (24-bit first stride, then 8-bit strides) in the shared memory. */
export class Lpm6 {
  readonly engine: Engine;
  readonly core: Lpm6Exports;
  readonly table: number;
  readonly miss: number;
  /** 16-byte key scratch, then the bulk chunk: addresses (16 B each) and results (4 B each). */
  private readonly key: number;
  private bulk = 0;

  constructor(engine: Engine, opts: LpmOptions = {}) {
    this.engine = engine;
    this.core = exportsOf(engine, LPM6);
    const rules = opts.maxRules ?? 65536;
    const groups = opts.tbl8Groups ?? 16384;
    checkSize('maxRules', rules, 1 << 24);
    checkSize('tbl8Groups', groups, 1 << 22);
    this.miss = (opts.miss ?? DEFAULT_MISS) >>> 0;
    const bytes = this.core.lpm6_footprint(rules, groups) >>> 0;
    if (bytes === 0) throw new PktError('E_NO_MEMORY', `lpm6: ${rules} rules and ${groups} groups do not fit in 4 GiB`);
    this.table = engine.arena.alloc(bytes);
    this.key = engine.arena.alloc(64);
    this.core.lpm6_init(this.table, rules, groups, this.miss);
  }

  private putKey(addr: Uint8Array): number {
    this.engine.views.refresh().u8.set(addr.subarray(0, 16), this.key);
    return this.key;
  }

  add(prefix: string, nexthop: number): boolean {
    const p = parsePrefix6(prefix);
    if (p === null) throw new PktError('E_BAD_ARGUMENT', `lpm6: "${prefix}" is not an IPv6 prefix`);
    return this.addRaw(p.addr, p.depth, nexthop);
  }

  addRaw(addr: Uint8Array, depth: number, nexthop: number): boolean {
    const st = this.core.lpm6_add(this.table, this.putKey(addr), depth, nexthop >>> 0);
    if (st < 0) throw statusError(`lpm6: adding ${ipv6ToString(addr, 0)}/${depth}`, st, this.core.lpm6_rule_capacity(this.table));
    return st !== LPM_UPDATED;
  }

  delete(prefix: string): boolean {
    const p = parsePrefix6(prefix);
    if (p === null) throw new PktError('E_BAD_ARGUMENT', `lpm6: "${prefix}" is not an IPv6 prefix`);
    return this.deleteRaw(p.addr, p.depth);
  }

  deleteRaw(addr: Uint8Array, depth: number): boolean {
    const st = this.core.lpm6_delete(this.table, this.putKey(addr), depth);
    if (st === LPM_E_NOT_FOUND) return false;
    if (st < 0) throw statusError('lpm6: delete', st, 0);
    return true;
  }

  lookup(addr: string | Uint8Array): number | null {
    const a = typeof addr === 'string' ? parseIPv6(addr) : addr;
    if (a === null || a.length < 16) throw new PktError('E_BAD_ARGUMENT', `lpm6: "${String(addr)}" is not an IPv6 address`);
    const k = this.putKey(a);
    if (this.core.lpm6_match_depth(this.table, k) < 0) return null;
    return this.core.lpm6_lookup(this.table, k) >>> 0;
  }

  /** Lookup of 16 bytes already in the shared memory (a frame's address): the miss value when nothing matches. */
  lookupAt(addr: number): number {
    return this.core.lpm6_lookup(this.table, addr) >>> 0;
  }

  matchDepthAt(addr: number): number {
    return this.core.lpm6_match_depth(this.table, addr);
  }

  /** addrs: n addresses of 16 bytes each; out: n results. Returns the hits. */
  lookupBulk(addrs: Uint8Array, out: Uint32Array): number {
    const n = addrs.length >>> 4;
    if (out.length < n) throw new PktError('E_BAD_ARGUMENT', 'lpm6: out is shorter than addrs');
    if (this.bulk === 0) this.bulk = this.engine.arena.alloc(BULK_CHUNK * 20);
    let hits = 0;
    for (let i = 0; i < n; i += BULK_CHUNK) {
      const c = Math.min(BULK_CHUNK, n - i);
      this.engine.views.refresh().u8.set(addrs.subarray(i * 16, (i + c) * 16), this.bulk);
      const o = this.bulk + BULK_CHUNK * 16;
      hits += this.core.lpm6_lookup_bulk(this.table, this.bulk, c, o);
      out.set(this.engine.views.refresh().u32.subarray(o >>> 2, (o >>> 2) + c), i);
    }
    return hits;
  }

  lookupBulkAt(addrs: number, n: number, out: number): number {
    return this.core.lpm6_lookup_bulk(this.table, addrs, n, out);
  }

  get(prefix: string): number | null {
    const p = parsePrefix6(prefix);
    if (p === null) throw new PktError('E_BAD_ARGUMENT', `lpm6: "${prefix}" is not an IPv6 prefix`);
    const id = this.core.lpm6_find(this.table, this.putKey(p.addr), p.depth);
    return id === 0 ? null : this.core.lpm6_rule_nexthop(this.table, id) >>> 0;
  }

  get size(): number { return this.core.lpm6_rule_count(this.table); }

  figures(): LpmFigures {
    const c = this.core, t = this.table;
    return {
      rules: c.lpm6_rule_count(t), maxRules: c.lpm6_rule_capacity(t), tbl8Used: c.lpm6_tbl8_used(t),
      tbl8Groups: c.lpm6_tbl8_capacity(t), nextHops: c.lpm6_nexthop_count(t), bytes: c.lpm6_bytes(t) >>> 0,
    };
  }

  *entries(): IterableIterator<RouteEntry> {
    const c = this.core, t = this.table;
    const high = c.lpm6_rule_high(t);
    for (let id = 1; id <= high; id++) {
      const d = c.lpm6_rule_depth(t, id);
      if (d >= 0) {
        const p = c.lpm6_rule_addr(t, id) >>> 0;
        yield { prefix: `${ipv6ToString(this.engine.views.refresh().u8, p)}/${d}`, nexthop: c.lpm6_rule_nexthop(t, id) >>> 0 };
      }
    }
  }
}

export interface RouteTableOptions {
  v4?: LpmOptions;
  v6?: LpmOptions;
}

/** One kernel-route JSON object as `ip -json route show` prints it (the fields we read). */
export interface IpRouteJson {
  dst: string;
  type?: string;
  gateway?: string;
  dev?: string;
  metric?: number;
  table?: string;
  nexthops?: unknown[];
}

export interface IpJsonLoadOptions {
  /** Address family of the dump ('default' is ambiguous otherwise); guessed from the prefixes if absent. */
  family?: 4 | 6;
  /** Next hop for a route, or null to skip it. Default: interned "type gateway dev" labels, 0, 1, 2 ... */
  nexthop?: (route: IpRouteJson) => number | null;
}

export interface LoadResult {
  /** Routes added. */
  routes: number;
  /** The labels behind interned next-hop numbers (index = next hop), when the default mapping was used. */
  labels: string[];
}

/** "type gateway dev" — what tells two kernel routes' forwarding apart. */
export function routeLabel(r: IpRouteJson): string {
  return `${r.type ?? 'unicast'} ${r.gateway ?? '-'} ${r.dev ?? '-'}`;
}

/** Lines of a prefix file: "prefix rest...", '#' comments and blank lines skipped. */
export function* prefixLines(text: string): IterableIterator<{ prefix: string; rest: string; line: number }> {
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const s = lines[i].replace(/#.*/, '').trim();
    if (s === '') continue;
    const m = /^(\S+)\s*(.*)$/.exec(s);
    if (m !== null) yield { prefix: m[1], rest: m[2], line: i + 1 };
  }
}

/** IPv4 and IPv6 prefixes in one table, each family created on first use. */
export class RouteTable {
  readonly engine: Engine;
  private readonly opts: RouteTableOptions;
  private t4: Lpm4 | null = null;
  private t6: Lpm6 | null = null;

  constructor(engine: Engine, opts: RouteTableOptions = {}) {
    this.engine = engine;
    this.opts = opts;
  }

  get v4(): Lpm4 { return (this.t4 ??= new Lpm4(this.engine, this.opts.v4)); }
  get v6(): Lpm6 { return (this.t6 ??= new Lpm6(this.engine, this.opts.v6)); }

  add(prefix: string, nexthop: number): boolean {
    return prefix.includes(':') ? this.v6.add(prefix, nexthop) : this.v4.add(prefix, nexthop);
  }

  delete(prefix: string): boolean {
    if (prefix.includes(':')) return this.t6 === null ? false : this.t6.delete(prefix);
    return this.t4 === null ? false : this.t4.delete(prefix);
  }

  lookup(addr: string): number | null {
    if (addr.includes(':')) {
      if (parseIPv6(addr) === null) throw new PktError('E_BAD_ARGUMENT', `route table: "${addr}" is not an address`);
      return this.t6 === null ? null : this.t6.lookup(addr);
    }
    if (parseIPv4(addr) === null) throw new PktError('E_BAD_ARGUMENT', `route table: "${addr}" is not an address`);
    return this.t4 === null ? null : this.t4.lookup(addr);
  }

  get size(): number { return (this.t4?.size ?? 0) + (this.t6?.size ?? 0); }

  figures(): { v4: LpmFigures | null; v6: LpmFigures | null } {
    return { v4: this.t4?.figures() ?? null, v6: this.t6?.figures() ?? null };
  }

  *entries(): IterableIterator<RouteEntry> {
    if (this.t4 !== null) yield* this.t4.entries();
    if (this.t6 !== null) yield* this.t6.entries();
  }

  /**
   * Loads `ip [-6] -json route show` output. Of several routes for one prefix, the lowest
   * metric wins, as in the kernel's FIB. Multipath routes take their first next hop.
   */
  loadIpJson(json: string | readonly IpRouteJson[], opts: IpJsonLoadOptions = {}): LoadResult {
    let routes: IpRouteJson[];
    try {
      routes = (typeof json === 'string' ? JSON.parse(json) : json) as IpRouteJson[];
    } catch (e) {
      throw new PktError('E_BAD_ARGUMENT', `route table: ip -json output does not parse: ${(e as Error).message}`);
    }
    if (!Array.isArray(routes)) throw new PktError('E_BAD_ARGUMENT', 'route table: ip -json output is not an array');
    const labels: string[] = [];
    const labelIds = new Map<string, number>();
    const nexthopOf = opts.nexthop ?? ((r: IpRouteJson): number => {
      const l = routeLabel(r);
      let id = labelIds.get(l);
      if (id === undefined) { id = labels.length; labels.push(l); labelIds.set(l, id); }
      return id;
    });
    const family = opts.family ?? (routes.some((r) => typeof r.dst === 'string' && r.dst.includes(':')) ? 6 : 4);
    const best = new Map<string, { metric: number; route: IpRouteJson }>();
    for (const r of routes) {
      if (typeof r?.dst !== 'string') throw new PktError('E_BAD_ARGUMENT', 'route table: a route without "dst"');
      let dst = r.dst === 'default' ? (family === 6 ? '::/0' : '0.0.0.0/0') : r.dst;
      if (!dst.includes('/')) dst += family === 6 || dst.includes(':') ? '/128' : '/32';
      const metric = typeof r.metric === 'number' ? r.metric : 0;
      const prev = best.get(dst);
      if (prev === undefined || metric < prev.metric) best.set(dst, { metric, route: { ...r, dst } });
    }
    let n = 0;
    for (const [dst, { route }] of best) {
      const first = route.gateway === undefined ? firstHop(route.nexthops) : undefined;
      const nh = nexthopOf(first === undefined ? route : { ...route, ...first });
      if (nh === null) continue;
      this.add(dst, nh);
      n++;
    }
    return { routes: n, labels };
  }

  /**
   * Loads "prefix nexthop" lines. The next hop is an unsigned integer (decimal or 0x..)
   * or an IPv4 address, taken as its 32-bit value.
   */
  loadText(text: string): LoadResult {
    let n = 0;
    for (const { prefix, rest, line } of prefixLines(text)) {
      const tok = rest.split(/\s+/)[0] ?? '';
      let nh: number | null = null;
      if (/^(0x[0-9a-fA-F]{1,8}|\d{1,10})$/.test(tok) && Number(tok) <= 0xFFFFFFFF) nh = Number(tok);
      else nh = parseIPv4(tok);
      if (nh === null) throw new PktError('E_BAD_ARGUMENT', `route file line ${line}: next hop "${tok}" is not a number or an IPv4 address`);
      if (parsePrefix4(prefix) === null && parsePrefix6(prefix) === null) {
        throw new PktError('E_BAD_ARGUMENT', `route file line ${line}: "${prefix}" is not a prefix`);
      }
      this.add(prefix, nh);
      n++;
    }
    return { routes: n, labels: [] };
  }
}

function firstHop(nexthops: unknown[] | undefined): { gateway?: string; dev?: string } | undefined {
  if (!Array.isArray(nexthops) || nexthops.length === 0) return undefined;
  const h = nexthops[0] as { gateway?: unknown; dev?: unknown };
  const out: { gateway?: string; dev?: string } = {};
  if (typeof h.gateway === 'string') out.gateway = h.gateway;
  if (typeof h.dev === 'string') out.dev = h.dev;
  return out;
}
