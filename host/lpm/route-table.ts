// RouteTable: IPv4 and IPv6 prefixes in one table (an Lpm4 and an Lpm6, each made on first
// use, in the engine's shared memory), with loaders for `ip -json route show` output and
// for plain "prefix nexthop" files.
import type { Engine } from '../engine/engine.js';
import { PktError } from '../runtime/errors.js';
import { parseIPv4, parseIPv6 } from '../runtime/addr.js';
import { Lpm4 } from './lpm4.js';
import { Lpm6 } from './lpm6.js';
import type { LpmFigures, LpmOptions, RouteEntry } from './lpm-options.js';
import { parsePrefix4, parsePrefix6, prefixLines } from './prefix.js';

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
