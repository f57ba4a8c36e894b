// Twin of assembly/lpm-table.ts: the region header and layout shared by the IPv4 and IPv6
// tables, plus what both twins need around them (memory views, status codes, the figure
// accessors). See the AssemblyScript file for the why.
import type { MemoryViews } from '../../runtime/memory.js';

// Status codes (assembly/lpm4.ts LPM4_*), the same for lpm4 and lpm6.
export const LPM_OK = 0;
export const LPM_UPDATED = 1;
export const LPM_E_DEPTH = -1;
export const LPM_E_RULES = -2;
export const LPM_E_TBL8 = -3;
export const LPM_E_NOT_FOUND = -4;

// Header word indexes (byte offset / 4).
export const H_TBL24 = 0, H_TBL24D = 1, H_TBL8 = 2, H_TBL8D = 3, H_GROUPS = 4, H_GROUPS_HW = 5;
export const H_GROUPS_FREE = 6, H_GROUPS_NFREE = 7, H_GROUPS_USED = 8, H_RULES_CAP = 9, H_RULES = 10;
export const H_RULES_HW = 11, H_RULES_FREE = 12, H_RULE_ADDR = 13, H_RULE_DEPTH = 14, H_RULE_NH = 15;
export const H_RULE_SLOT = 16, H_RULE_HASH = 17, H_RULE_HMASK = 18, H_NH_VAL = 19, H_NH_REF = 20;
export const H_NH_HASH = 21, H_NH_HMASK = 22, H_NH_HW = 23, H_NH_FREE = 24, H_NH_COUNT = 25;
export const H_MAGIC = 26, H_BYTES = 27;

export const EXT = 0x80000000;
export const GROUP_MASK = 0x00FFFFFF;

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

/** What Lpm4Twin and Lpm6Twin share: views kept current, and the header figures. */
export abstract class LpmTwinBase {
  private readonly views: MemoryViews;
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

  protected ruleDepth(t: number, id: number): number {
    const m = this.sync(), h = t >>> 2;
    return id === 0 || id > m[h + H_RULES_HW] ? -1 : this.u8[m[h + H_RULE_DEPTH] + id] - 1;
  }

  protected ruleNexthop(t: number, id: number): number {
    const m = this.sync(), h = t >>> 2;
    return id === 0 || id > m[h + H_RULES_HW] ? 0 : m[(m[h + H_RULE_NH] >>> 2) + id];
  }
}
