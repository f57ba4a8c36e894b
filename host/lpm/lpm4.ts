// Lpm4: an IPv4 longest-prefix-match table (DIR-24-8, assembly/lpm4.ts; twin in
// ./twin/lpm4.ts) in the engine's shared memory, on the engine's backend.
import type { Engine } from '../engine/engine.js';
import { PktError } from '../runtime/errors.js';
import { ipv4ToString, parseIPv4 } from '../runtime/addr.js';
import { exportsOf } from '../engine/backend.js';
import { LPM4, unprefixed, type Lpm4Exports } from './exports.js';
import { BULK_CHUNK, type LpmOptions } from './lpm-options.js';
import { LpmBase, type LpmFamily } from './lpm-base.js';
import { parsePrefix4 } from './prefix.js';
import * as layout from './lpm-layout.js';
import { LPM_H_GROUPS, LPM_H_NH_VAL, LPM_H_RULES_CAP, LPM_H_TBL24, LPM_H_TBL8 } from './lpm-layout.js';

// The entry bits single lookups test, as module-local consts: V8 reads an imported binding
// through its module cell on every use, and LPM_EXT (2^31) is no small integer, so the
// test in slotOf went through a heap number each lookup (Lpm4.lookupRaw ~45 ns against
// ~11 ns for the same loads written inline, random over 250k prefixes, CPU time at load ~12).
const { LPM_EXT: EXT, LPM_GROUP_MASK: GROUP_MASK } = layout;

const FAMILY: LpmFamily<number> = {
  name: 'lpm4', ip: 'IPv4', maxRules: 1 << 26, maxGroups: 1 << 20, defaultGroups: 4096, parse: parsePrefix4,
};

/** IPv4 longest-prefix match (DIR-24-8) in the engine's shared memory. */
export class Lpm4 extends LpmBase<number> {
  declare readonly core: Lpm4Exports;
  private scratch = 0;
  // Single lookups read the table right here, as the twin's lpm4_lookup does (DIR-24-8:
  // the tbl24 entry, a tbl8 entry when it names a group, the slot's next hop): a call into
  // WASM would cost more than the two or three loads, and, inlined into the caller's loop,
  // the loads of successive lookups overlap their cache misses. One fixed-length view per
  // array, placed by lpm4_init: a shared memory only grows, never moves or detaches what a
  // view already covers, and a view with an explicit length is not length-tracking (a
  // view of the whole growable buffer is, and V8 then reloads the length on every access:
  // more instructions per lookup than the call into WASM it replaces).
  // `declare`: no class-field definition in the emitted JS. A defined field is first set
  // to undefined and then to the view, and V8 only treats a field written once as
  // constant: with two stores every lookup reloaded the view's base and length (26 vs
  // 12 ns per lookup, the same loads in an object whose fields are written once).
  private declare readonly tbl24: Uint32Array;
  private declare readonly tbl8: Uint32Array;
  private declare readonly nhv: Uint32Array;

  constructor(engine: Engine, opts: LpmOptions = {}) {
    const core = exportsOf(engine, LPM4);
    super(engine, unprefixed(core, 'lpm4'), FAMILY, opts);
    this.core = core;
    const u32 = engine.views.refresh().u32;
    const hw = this.table >>> 2;
    const buf = u32.buffer;
    this.tbl24 = new Uint32Array(buf, u32[hw + (LPM_H_TBL24 >>> 2)], 1 << 24);
    this.tbl8 = new Uint32Array(buf, u32[hw + (LPM_H_TBL8 >>> 2)], u32[hw + (LPM_H_GROUPS >>> 2)] * 256);
    this.nhv = new Uint32Array(buf, u32[hw + (LPM_H_NH_VAL >>> 2)], u32[hw + (LPM_H_RULES_CAP >>> 2)] + 2);
  }

  protected arg(addr: number): number { return addr >>> 0; }
  protected text(addr: number): string { return ipv4ToString(addr >>> 0); }
  protected ruleText(ruleAddr: number): string { return ipv4ToString(ruleAddr); }

  /** The next-hop slot of an address (0: no route), read in place. */
  private slotOf(a: number): number {
    const e = this.tbl24[a >>> 8];
    return (e & EXT) === 0 ? e : this.tbl8[((e & GROUP_MASK) << 8) | (a & 255)];
  }

  /** Next hop of the longest matching prefix, or null. */
  lookup(addr: string | number): number | null {
    const a = typeof addr === 'number' ? addr >>> 0 : parseIPv4(addr);
    if (a === null) throw new PktError('E_BAD_ARGUMENT', `lpm4: "${String(addr)}" is not an IPv4 address`);
    // Slot 0 is the miss slot: an address no prefix covers resolves to it, any route to another.
    const slot = this.slotOf(a);
    return slot === 0 ? null : this.nhv[slot];
  }

  /** Next hop for a numeric address, the miss value when nothing matches (no allocation). */
  lookupRaw(addr: number): number {
    return this.nhv[this.slotOf(addr)];
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
}
