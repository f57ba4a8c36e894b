// Lpm6: an IPv6 longest-prefix-match table (a 24-bit first stride, then 8-bit strides,
// assembly/lpm6.ts; twin in ./twin/lpm6.ts) in the engine's shared memory, on the
// engine's backend.
import type { Engine } from '../engine/engine.js';
import { PktError } from '../runtime/errors.js';
import { ipv6ToString, parseIPv6 } from '../runtime/addr.js';
import { exportsOf } from '../engine/backend.js';
import { LPM6, unprefixed, type Lpm6Exports } from './exports.js';
import { BULK_CHUNK, type LpmOptions } from './lpm-options.js';
import { LpmBase, type LpmFamily } from './lpm-base.js';
import { parsePrefix6 } from './prefix.js';

const FAMILY: LpmFamily<Uint8Array> = {
  name: 'lpm6', ip: 'IPv6', maxRules: 1 << 24, maxGroups: 1 << 22, defaultGroups: 16384, parse: parsePrefix6,
};

/** IPv6 longest-prefix match (24-bit first stride, then 8-bit strides) in the shared memory. */
export class Lpm6 extends LpmBase<Uint8Array> {
  // `declare`d fields: only the constructor stores them, once (an emitted class field is
  // stored twice, and V8 then no longer treats it as constant in hot loops; host/lpm/lpm4.ts).
  declare readonly core: Lpm6Exports;
  /** 16-byte key scratch, then the bulk chunk: addresses (16 B each) and results (4 B each). */
  private declare readonly key: number;
  private bulk = 0;

  constructor(engine: Engine, opts: LpmOptions = {}) {
    const core = exportsOf(engine, LPM6);
    super(engine, unprefixed(core, 'lpm6'), FAMILY, opts);
    this.core = core;
    this.key = engine.arena.alloc(64);
  }

  protected arg(addr: Uint8Array): number { return this.putKey(addr); }
  protected text(addr: Uint8Array): string { return ipv6ToString(addr, 0); }
  protected ruleText(ruleAddr: number): string { return ipv6ToString(this.engine.views.refresh().u8, ruleAddr); }

  private putKey(addr: Uint8Array): number {
    this.engine.views.refresh().u8.set(addr.subarray(0, 16), this.key);
    return this.key;
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
}
