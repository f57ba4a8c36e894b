// Twin of assembly/lpm-table.ts: the region header and layout shared by the IPv4 and IPv6
// tables, plus what both twins need around them (memory views, status codes, the figure
// accessors). See the AssemblyScript file for the why.
import type { MemoryViews } from '../../runtime/memory.js';
import * as L from '../lpm-layout.js';

// Status codes, the same for lpm4 and lpm6 (generated from assembly/lpm-layout.ts).
export { LPM_OK, LPM_UPDATED, LPM_E_DEPTH, LPM_E_RULES, LPM_E_TBL8, LPM_E_NOT_FOUND } from '../lpm-layout.js';

// Header word indexes: the layout's byte offsets / 4 (the twins read the header as u32 words).
export const H_TBL24 = L.LPM_H_TBL24 >>> 2;
export const H_TBL24D = L.LPM_H_TBL24D >>> 2;
export const H_TBL8 = L.LPM_H_TBL8 >>> 2;
export const H_TBL8D = L.LPM_H_TBL8D >>> 2;
export const H_GROUPS = L.LPM_H_GROUPS >>> 2;
export const H_GROUPS_HW = L.LPM_H_GROUPS_HW >>> 2;
export const H_GROUPS_FREE = L.LPM_H_GROUPS_FREE >>> 2;
export const H_GROUPS_NFREE = L.LPM_H_GROUPS_NFREE >>> 2;
export const H_GROUPS_USED = L.LPM_H_GROUPS_USED >>> 2;
export const H_RULES_CAP = L.LPM_H_RULES_CAP >>> 2;
export const H_RULES = L.LPM_H_RULES >>> 2;
export const H_RULES_HW = L.LPM_H_RULES_HW >>> 2;
export const H_RULES_FREE = L.LPM_H_RULES_FREE >>> 2;
export const H_RULE_ADDR = L.LPM_H_RULE_ADDR >>> 2;
export const H_RULE_DEPTH = L.LPM_H_RULE_DEPTH >>> 2;
export const H_RULE_NH = L.LPM_H_RULE_NH >>> 2;
export const H_RULE_SLOT = L.LPM_H_RULE_SLOT >>> 2;
export const H_RULE_HASH = L.LPM_H_RULE_HASH >>> 2;
export const H_RULE_HMASK = L.LPM_H_RULE_HMASK >>> 2;
export const H_NH_VAL = L.LPM_H_NH_VAL >>> 2;
export const H_NH_REF = L.LPM_H_NH_REF >>> 2;
export const H_NH_HASH = L.LPM_H_NH_HASH >>> 2;
export const H_NH_HMASK = L.LPM_H_NH_HMASK >>> 2;
export const H_NH_HW = L.LPM_H_NH_HW >>> 2;
export const H_NH_FREE = L.LPM_H_NH_FREE >>> 2;
export const H_NH_COUNT = L.LPM_H_NH_COUNT >>> 2;
export const H_MAGIC = L.LPM_H_MAGIC >>> 2;
export const H_BYTES = L.LPM_H_BYTES >>> 2;

// An entry is a next-hop slot (bit 31 clear) or EXT | the index of a tbl8 group.
export const EXT = L.LPM_EXT;
export const GROUP_MASK = L.LPM_GROUP_MASK;

const align64 = (n: number): number => Math.ceil(n / 64) * 64;
function pow2Above(n: number): number { let m = 64; while (m < n) m *= 2; return m; }

interface Carved { bytes: number; ptrs: number[] }

function carve(t: number, header: number, addrBytes: number, rules: number, groups: number): Carved {
  let p = t + header;
  const hsize = pow2Above(rules * 2 + 2);
  const ptrs: number[] = [];
  const take = (n: number): void => { ptrs.push(p); p = align64(p + n); };
  take(1 << 26); take(1 << 24); take(groups * 1024); take(groups * 256); take(groups * 4);
  take((rules + 1) * addrBytes); take(rules + 1); take((rules + 1) * 4); take((rules + 1) * 4); take(hsize * 4);
  take((rules + 2) * 4); take((rules + 2) * 4); take(hsize * 4);
  ptrs.push(hsize);
  return { bytes: p - t, ptrs };
}

/** Region bytes for a table of this shape; 0 past the family's limits or 4 GiB. */
export function tableFootprint(header: number, addrBytes: number, rules: number, groups: number, maxRules: number, maxGroups: number): number {
  if (rules > maxRules || groups > maxGroups) return 0;
  const n = carve(0, header, addrBytes, rules, groups).bytes;
  return n >= 0xFFFFFFC0 ? 0 : n;
}

/** Initialises a zeroed region of tableFootprint() bytes (64-byte aligned). */
export function tableInit(m: Uint32Array, t: number, header: number, addrBytes: number, rules: number, groups: number, miss: number, magic: number): void {
  const { bytes, ptrs } = carve(t, header, addrBytes, rules, groups);
  const h = t >>> 2;
  const [tbl24, tbl24d, tbl8, tbl8d, gfree, raddr, rdepth, rnh, rslot, rhash, nval, nref, nhash, hsize] = ptrs;
  m[h + H_TBL24] = tbl24; m[h + H_TBL24D] = tbl24d; m[h + H_TBL8] = tbl8; m[h + H_TBL8D] = tbl8d;
  m[h + H_GROUPS_FREE] = gfree; m[h + H_RULE_ADDR] = raddr; m[h + H_RULE_DEPTH] = rdepth;
  m[h + H_RULE_NH] = rnh; m[h + H_RULE_SLOT] = rslot; m[h + H_RULE_HASH] = rhash;
  m[h + H_RULE_HMASK] = hsize - 1; m[h + H_NH_VAL] = nval; m[h + H_NH_REF] = nref;
  m[h + H_NH_HASH] = nhash; m[h + H_NH_HMASK] = hsize - 1;
  m[h + H_GROUPS] = groups; m[h + H_RULES_CAP] = rules; m[h + H_NH_HW] = 1;
  m[nval >>> 2] = miss;
  m[h + H_BYTES] = bytes;
  m[h + H_MAGIC] = magic;
}

/** What sets the IPv4 and IPv6 tables apart in their region: the header's size, a rule's
 *  prefix bytes, the limits, the magic word. */
export interface TableFamily { header: number; addrBytes: number; maxRules: number; maxGroups: number; magic: number }

// The header words the twins' <prefix>_<name>(t) exports read (LpmTwinBase.defineFigures).
const FIGURE_WORDS = {
  rule_count: H_RULES, rule_capacity: H_RULES_CAP, tbl8_used: H_GROUPS_USED, tbl8_capacity: H_GROUPS,
  nexthop_count: H_NH_COUNT, bytes: H_BYTES, rule_high: H_RULES_HW,
} as const;

/** The exports LpmTwinBase.defineFigures gives a twin whose exports are named `${P}_...`. */
export type TableFigures<P extends string> =
  { [K in keyof typeof FIGURE_WORDS as `${P}_${K}`]: (t: number) => number } &
  { [K in 'rule_depth' | 'rule_nexthop' as `${P}_${K}`]: (t: number, id: number) => number } &
  { [K in 'footprint' as `${P}_${K}`]: (rules: number, groups: number) => number } &
  { [K in 'init' as `${P}_${K}`]: (t: number, rules: number, groups: number, miss: number) => void };

/** What Lpm4Twin and Lpm6Twin share: views kept current, and the header figures. */
export abstract class LpmTwinBase {
  // `declare`d fields: only the constructor stores them, once (an emitted class field is
  // stored twice, and V8 then no longer treats it as constant in hot loops; host/lpm/lpm4.ts).
  private declare readonly views: MemoryViews;
  // Refreshed at each entry point: another thread may have grown the memory.
  protected u32: Uint32Array;
  protected u8: Uint8Array;

  constructor(views: MemoryViews) {
    this.views = views;
    this.u32 = views.u32;
    this.u8 = views.u8;
  }

  protected sync(): Uint32Array {
    const v = this.views.refresh();
    this.u8 = v.u8;
    return (this.u32 = v.u32);
  }

  // Lookups skip refresh() (a memory.buffer access per call costs more than the lookup):
  // the engine's views are refreshed by every arena growth on this thread, so only an
  // address beyond them (memory grown by another thread) needs the slow path.
  protected cur(end: number): Uint32Array {
    const v = this.views;
    if (end > v.u8.length) return this.sync();
    this.u8 = v.u8;
    return v.u32;
  }

  /** Header word i of table t (rule_count, tbl8_used ...). */
  protected word(t: number, i: number): number { return this.sync()[(t >>> 2) + i]; }

  /** Gives a twin class what both twins export alike under their prefix (lpm4_footprint,
   *  lpm4_init, lpm4_rule_count, lpm6_rule_count ...), as assembly/lpm4.ts and lpm6.ts
   *  call or re-export lpm-table.ts's and lpm-rules.ts's under theirs; the class declares
   *  them by merging TableFigures<prefix> into its interface. */
  static defineFigures(cls: abstract new (views: MemoryViews) => LpmTwinBase, prefix: string, f: TableFamily): void {
    const methods: Record<string, (this: LpmTwinBase, ...args: number[]) => number | void> = {
      footprint(rules, groups) { return tableFootprint(f.header, f.addrBytes, rules, groups, f.maxRules, f.maxGroups); },
      init(t, rules, groups, miss) { tableInit(this.sync(), t, f.header, f.addrBytes, rules, groups, miss, f.magic); },
      rule_depth(t, id) { return this.ruleDepth(t, id); },
      rule_nexthop(t, id) { return this.ruleNexthop(t, id); },
    };
    for (const [name, i] of Object.entries(FIGURE_WORDS)) methods[name] = function (t) { return this.word(t, i); };
    for (const [name, value] of Object.entries(methods)) {
      Object.defineProperty(cls.prototype, `${prefix}_${name}`, { value, writable: true, configurable: true });
    }
  }

  protected ruleDepth(t: number, id: number): number {
    const m = this.sync(), h = t >>> 2;
    return id === 0 || id > m[h + H_RULES_HW] ? -1 : this.u8[m[h + H_RULE_DEPTH] + id] - 1;
  }

  protected ruleNexthop(t: number, id: number): number {
    const m = this.sync(), h = t >>> 2;
    return id === 0 || id > m[h + H_RULES_HW] ? 0 : m[(m[h + H_RULE_NH] >>> 2) + id];
  }
}
