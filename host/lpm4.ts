// Pure-TS twin of assembly/lpm4.ts: the same exports over the same region layout, so a
// table built by one backend can be read by the other (tests check that). The comments
// on the algorithm live in the AssemblyScript file; here only what is TS-specific.
import type { MemoryViews } from './memory.js';
import type { WasmExports } from './wasm.js';
import { pickExports } from './core.js';

/** The lpm4_* export surface shared by the WASM module and Lpm4Twin. */
export interface Lpm4Core {
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

export const LPM4_EXPORTS = [
  'lpm4_footprint', 'lpm4_init', 'lpm4_add', 'lpm4_delete', 'lpm4_lookup', 'lpm4_match_depth',
  'lpm4_lookup_bulk', 'lpm4_rule_count', 'lpm4_rule_capacity', 'lpm4_tbl8_used', 'lpm4_tbl8_capacity',
  'lpm4_nexthop_count', 'lpm4_bytes', 'lpm4_rule_high', 'lpm4_rule_addr', 'lpm4_rule_depth',
  'lpm4_rule_nexthop', 'lpm4_find',
] as const;

// Status codes (assembly/lpm4.ts LPM4_*), shared by lpm6.
export const LPM_OK = 0;
export const LPM_UPDATED = 1;
export const LPM_E_DEPTH = -1;
export const LPM_E_RULES = -2;
export const LPM_E_TBL8 = -3;
export const LPM_E_NOT_FOUND = -4;

export const LPM4_HEADER = 320;
export const LPM4_MAX_GROUPS = 1 << 20;
export const LPM4_MAX_RULES = 1 << 26;

// Header word indexes (byte offset / 4).
const H_TBL24 = 0, H_TBL24D = 1, H_TBL8 = 2, H_TBL8D = 3, H_GROUPS = 4, H_GROUPS_HW = 5;
const H_GROUPS_FREE = 6, H_GROUPS_NFREE = 7, H_GROUPS_USED = 8, H_RULES_CAP = 9, H_RULES = 10;
const H_RULES_HW = 11, H_RULES_FREE = 12, H_RULE_ADDR = 13, H_RULE_DEPTH = 14, H_RULE_NH = 15;
const H_RULE_SLOT = 16, H_RULE_HASH = 17, H_RULE_HMASK = 18, H_NH_VAL = 19, H_NH_REF = 20;
const H_NH_HASH = 21, H_NH_HMASK = 22, H_NH_HW = 23, H_NH_FREE = 24, H_NH_COUNT = 25;
const H_MAGIC = 26, H_BYTES = 27, H_DEPTHS = 32;
const MAGIC = 0x6c706d34;

const EXT = 0x80000000;
const GROUP_MASK = 0x00FFFFFF;

const align64 = (n: number): number => Math.ceil(n / 64) * 64;
function pow2Above(n: number): number { let m = 64; while (m < n) m *= 2; return m; }
const prefixMask = (depth: number): number => (depth === 0 ? 0 : (0xFFFFFFFF << (32 - depth)) >>> 0);
const nhHash = (v: number, mask: number): number => {
  const h = Math.imul(v, 0x9E3779B1) >>> 0;
  return (h ^ (h >>> 15)) & mask;
};
const ruleHash = (addr: number, depth: number, mask: number): number => {
  const h = Math.imul((addr ^ Math.imul(depth, 0x85EBCA77)) >>> 0, 0x9E3779B1) >>> 0;
  return (h ^ (h >>> 16)) & mask;
};

interface Carved { bytes: number; ptrs: number[] }

function carve(t: number, rules: number, groups: number): Carved {
  let p = t + LPM4_HEADER;
  const hsize = pow2Above(rules * 2 + 2);
  const ptrs: number[] = [];
  const take = (n: number): void => { ptrs.push(p); p = align64(p + n); };
  take(1 << 26); take(1 << 24); take(groups * 1024); take(groups * 256); take(groups * 4);
  take((rules + 1) * 4); take(rules + 1); take((rules + 1) * 4); take((rules + 1) * 4); take(hsize * 4);
  take((rules + 2) * 4); take((rules + 2) * 4); take(hsize * 4);
  ptrs.push(hsize);
  return { bytes: p - t, ptrs };
}

export class Lpm4Twin implements Lpm4Core {
  private readonly views: MemoryViews;
  // Refreshed at each entry point: another thread may have grown the memory.
  private u32: Uint32Array;
  private u8: Uint8Array;

  constructor(views: MemoryViews) {
    this.views = views;
    this.u32 = views.u32;
    this.u8 = views.u8;
  }

  private sync(): Uint32Array {
    const v = this.views.refresh();
    this.u8 = v.u8;
    return (this.u32 = v.u32);
  }

  // Lookups skip refresh() (a memory.buffer access per call costs more than the lookup):
  // the engine's views are refreshed by every arena growth on this thread, so only an
  // address beyond them (memory grown by another thread) needs the slow path.
  private cur(end: number): Uint32Array {
    const v = this.views;
    if (end > v.u8.length) return this.sync();
    this.u8 = v.u8;
    return v.u32;
  }

  lpm4_footprint(rules: number, groups: number): number {
    if (rules > LPM4_MAX_RULES || groups > LPM4_MAX_GROUPS) return 0;
    const n = carve(0, rules, groups).bytes;
    return n >= 0xFFFFFFC0 ? 0 : n;
  }

  lpm4_init(t: number, rules: number, groups: number, miss: number): void {
    const m = this.sync();
    const { bytes, ptrs } = carve(t, rules, groups);
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
    m[h + H_MAGIC] = MAGIC;
  }

  // ---- next-hop slots ----

  private slotAcquire(h: number, v: number): number {
    const m = this.u32;
    const vals = m[h + H_NH_VAL] >>> 2, refs = m[h + H_NH_REF] >>> 2, tab = m[h + H_NH_HASH] >>> 2;
    const mask = m[h + H_NH_HMASK];
    let i = nhHash(v, mask);
    for (;;) {
      const s = m[tab + i];
      if (s === 0) break;
      if (m[vals + s] === v) { m[refs + s]++; return s; }
      i = (i + 1) & mask;
    }
    let s = m[h + H_NH_FREE];
    if (s !== 0) m[h + H_NH_FREE] = m[vals + s];
    else { s = m[h + H_NH_HW]; m[h + H_NH_HW] = s + 1; }
    m[vals + s] = v;
    m[refs + s] = 1;
    m[tab + i] = s;
    m[h + H_NH_COUNT]++;
    return s;
  }

  private slotRelease(h: number, s: number): void {
    const m = this.u32;
    const vals = m[h + H_NH_VAL] >>> 2, refs = m[h + H_NH_REF] >>> 2, tab = m[h + H_NH_HASH] >>> 2;
    const r = m[refs + s] - 1;
    m[refs + s] = r;
    if (r !== 0) return;
    const mask = m[h + H_NH_HMASK];
    let i = nhHash(m[vals + s], mask);
    while (m[tab + i] !== s) i = (i + 1) & mask;
    let j = i;
    for (;;) {
      j = (j + 1) & mask;
      const o = m[tab + j];
      if (o === 0) break;
      const k = nhHash(m[vals + o], mask);
      if (i <= j ? (i < k && k <= j) : (i < k || k <= j)) continue;
      m[tab + i] = o;
      i = j;
    }
    m[tab + i] = 0;
    m[vals + s] = m[h + H_NH_FREE];
    m[h + H_NH_FREE] = s;
    m[h + H_NH_COUNT]--;
  }

  // ---- rules ----

  private ruleFind(h: number, addr: number, depth: number): number {
    const m = this.u32, b = this.u8;
    const tab = m[h + H_RULE_HASH] >>> 2, mask = m[h + H_RULE_HMASK];
    const ra = m[h + H_RULE_ADDR] >>> 2, rd = m[h + H_RULE_DEPTH];
    let i = ruleHash(addr, depth, mask);
    let id = m[tab + i];
    while (id !== 0) {
      if (m[ra + id] === addr && b[rd + id] === depth + 1) return id;
      i = (i + 1) & mask;
      id = m[tab + i];
    }
    return 0;
  }

  private ruleInsert(h: number, addr: number, depth: number, nh: number, slot: number): number {
    const m = this.u32;
    const ra = m[h + H_RULE_ADDR] >>> 2;
    let id = m[h + H_RULES_FREE];
    if (id !== 0) m[h + H_RULES_FREE] = m[ra + id];
    else { id = m[h + H_RULES_HW] + 1; m[h + H_RULES_HW] = id; }
    m[ra + id] = addr;
    this.u8[m[h + H_RULE_DEPTH] + id] = depth + 1;
    m[(m[h + H_RULE_NH] >>> 2) + id] = nh;
    m[(m[h + H_RULE_SLOT] >>> 2) + id] = slot;
    const tab = m[h + H_RULE_HASH] >>> 2, mask = m[h + H_RULE_HMASK];
    let i = ruleHash(addr, depth, mask);
    while (m[tab + i] !== 0) i = (i + 1) & mask;
    m[tab + i] = id;
    m[h + H_RULES]++;
    m[h + H_DEPTHS + depth]++;
    return id;
  }

  private ruleRemove(h: number, id: number): void {
    const m = this.u32, b = this.u8;
    const ra = m[h + H_RULE_ADDR] >>> 2, rd = m[h + H_RULE_DEPTH];
    const tab = m[h + H_RULE_HASH] >>> 2, mask = m[h + H_RULE_HMASK];
    const depth = b[rd + id] - 1;
    let i = ruleHash(m[ra + id], depth, mask);
    while (m[tab + i] !== id) i = (i + 1) & mask;
    let j = i;
    for (;;) {
      j = (j + 1) & mask;
      const o = m[tab + j];
      if (o === 0) break;
      const k = ruleHash(m[ra + o], b[rd + o] - 1, mask);
      if (i <= j ? (i < k && k <= j) : (i < k || k <= j)) continue;
      m[tab + i] = o;
      i = j;
    }
    m[tab + i] = 0;
    b[rd + id] = 0;
    m[ra + id] = m[h + H_RULES_FREE];
    m[h + H_RULES_FREE] = id;
    m[h + H_RULES]--;
    m[h + H_DEPTHS + depth]--;
  }

  // ---- tbl8 groups ----

  private groupAlloc(h: number, e: number, d: number): number {
    const m = this.u32;
    let g: number;
    let nf = m[h + H_GROUPS_NFREE];
    if (nf !== 0) {
      nf--;
      m[h + H_GROUPS_NFREE] = nf;
      g = m[(m[h + H_GROUPS_FREE] >>> 2) + nf];
    } else {
      g = m[h + H_GROUPS_HW];
      m[h + H_GROUPS_HW] = g + 1;
    }
    m[h + H_GROUPS_USED]++;
    const p = (m[h + H_TBL8] >>> 2) + g * 256;
    m.fill(e, p, p + 256);
    const pd = m[h + H_TBL8D] + g * 256;
    this.u8.fill(d, pd, pd + 256);
    return g;
  }

  private groupFree(h: number, g: number): void {
    const m = this.u32;
    const nf = m[h + H_GROUPS_NFREE];
    m[(m[h + H_GROUPS_FREE] >>> 2) + nf] = g;
    m[h + H_GROUPS_NFREE] = nf + 1;
    m[h + H_GROUPS_USED]--;
  }

  private groupOverwrite(h: number, g: number, from: number, count: number, slot: number, dd: number): void {
    const m = this.u32, b = this.u8;
    const e = (m[h + H_TBL8] >>> 2) + g * 256, d = m[h + H_TBL8D] + g * 256;
    for (let j = from; j < from + count; j++) {
      if (b[d + j] <= dd) { m[e + j] = slot; b[d + j] = dd; }
    }
  }

  private groupReplace(h: number, g: number, from: number, count: number, dd: number, slot: number, pdd: number): void {
    const m = this.u32, b = this.u8;
    const e = (m[h + H_TBL8] >>> 2) + g * 256, d = m[h + H_TBL8D] + g * 256;
    for (let j = from; j < from + count; j++) {
      if (b[d + j] === dd) { m[e + j] = slot; b[d + j] = pdd; }
    }
  }

  private writeRule(h: number, addr: number, depth: number, slot: number): void {
    const m = this.u32, b = this.u8;
    const dd = depth + 1;
    const t24 = m[h + H_TBL24] >>> 2, t24d = m[h + H_TBL24D];
    if (depth <= 24) {
      const start = addr >>> 8, end = start + (1 << (24 - depth));
      for (let i = start; i < end; i++) {
        const e = m[t24 + i];
        if (e >= EXT) this.groupOverwrite(h, e & GROUP_MASK, 0, 256, slot, dd);
        else if (b[t24d + i] <= dd) { m[t24 + i] = slot; b[t24d + i] = dd; }
      }
    } else {
      const i = addr >>> 8;
      const e = m[t24 + i];
      let g: number;
      if (e < EXT) {
        g = this.groupAlloc(h, e, b[t24d + i]);
        m[t24 + i] = (EXT | g) >>> 0;
      } else g = e & GROUP_MASK;
      this.groupOverwrite(h, g, addr & 255, 1 << (32 - depth), slot, dd);
    }
  }

  lpm4_add(t: number, addr: number, depth: number, nh: number): number {
    if (depth > 32 || depth < 0) return LPM_E_DEPTH;
    const m = this.sync();
    const h = t >>> 2;
    addr = (addr & prefixMask(depth)) >>> 0;
    nh >>>= 0;
    const id = this.ruleFind(h, addr, depth);
    if (id !== 0) {
      const rn = (m[h + H_RULE_NH] >>> 2) + id, rs = (m[h + H_RULE_SLOT] >>> 2) + id;
      if (m[rn] === nh) return LPM_UPDATED;
      const old = m[rs];
      const slot = this.slotAcquire(h, nh);
      m[rn] = nh;
      m[rs] = slot;
      this.writeRule(h, addr, depth, slot);
      this.slotRelease(h, old);
      return LPM_UPDATED;
    }
    if (m[h + H_RULES] >= m[h + H_RULES_CAP]) return LPM_E_RULES;
    if (depth > 24 && m[(m[h + H_TBL24] >>> 2) + (addr >>> 8)] < EXT
      && m[h + H_GROUPS_NFREE] === 0 && m[h + H_GROUPS_HW] >= m[h + H_GROUPS]) {
      return LPM_E_TBL8;
    }
    const slot = this.slotAcquire(h, nh);
    this.ruleInsert(h, addr, depth, nh, slot);
    this.writeRule(h, addr, depth, slot);
    return LPM_OK;
  }

  lpm4_delete(t: number, addr: number, depth: number): number {
    if (depth > 32 || depth < 0) return LPM_E_DEPTH;
    const m = this.sync(), b = this.u8;
    const h = t >>> 2;
    addr = (addr & prefixMask(depth)) >>> 0;
    const id = this.ruleFind(h, addr, depth);
    if (id === 0) return LPM_E_NOT_FOUND;
    const rslot = m[h + H_RULE_SLOT] >>> 2;
    const slot = m[rslot + id];
    let pslot = 0, pdd = 0;
    for (let d = depth - 1; d >= 0; d--) {
      if (m[h + H_DEPTHS + d] === 0) continue;
      const pid = this.ruleFind(h, (addr & prefixMask(d)) >>> 0, d);
      if (pid !== 0) { pslot = m[rslot + pid]; pdd = d + 1; break; }
    }
    this.ruleRemove(h, id);
    const dd = depth + 1;
    const t24 = m[h + H_TBL24] >>> 2, t24d = m[h + H_TBL24D];
    if (depth <= 24) {
      const start = addr >>> 8, end = start + (1 << (24 - depth));
      for (let i = start; i < end; i++) {
        const e = m[t24 + i];
        if (e >= EXT) this.groupReplace(h, e & GROUP_MASK, 0, 256, dd, pslot, pdd);
        else if (b[t24d + i] === dd) { m[t24 + i] = pslot; b[t24d + i] = pdd; }
      }
    } else {
      const i = addr >>> 8;
      const e = m[t24 + i];
      if (e >= EXT) {
        const g = e & GROUP_MASK;
        this.groupReplace(h, g, addr & 255, 1 << (32 - depth), dd, pslot, pdd);
        const gd = m[h + H_TBL8D] + g * 256;
        let deep = false;
        for (let j = 0; j < 256; j++) if (b[gd + j] > 25) { deep = true; break; }
        if (!deep) {
          b[t24d + i] = b[gd];
          m[t24 + i] = m[(m[h + H_TBL8] >>> 2) + g * 256];
          this.groupFree(h, g);
        }
      }
    }
    this.slotRelease(h, slot);
    return LPM_OK;
  }

  lpm4_lookup(t: number, addr: number): number {
    const m = this.cur(t + LPM4_HEADER);
    const h = t >>> 2;
    let e = m[(m[h + H_TBL24] >>> 2) + (addr >>> 8)];
    if (e >= EXT) e = m[(m[h + H_TBL8] >>> 2) + (e & GROUP_MASK) * 256 + (addr & 255)];
    return m[(m[h + H_NH_VAL] >>> 2) + e];
  }

  lpm4_match_depth(t: number, addr: number): number {
    const m = this.cur(t + LPM4_HEADER);
    const h = t >>> 2;
    const i = addr >>> 8;
    const e = m[(m[h + H_TBL24] >>> 2) + i];
    if (e >= EXT) return this.u8[m[h + H_TBL8D] + (e & GROUP_MASK) * 256 + (addr & 255)] - 1;
    return this.u8[m[h + H_TBL24D] + i] - 1;
  }

  lpm4_lookup_bulk(t: number, addrs: number, n: number, out: number): number {
    const m = this.cur(Math.max(t + LPM4_HEADER, addrs + n * 4, out + n * 4));
    const h = t >>> 2;
    const t24 = m[h + H_TBL24] >>> 2, t8 = m[h + H_TBL8] >>> 2, nv = m[h + H_NH_VAL] >>> 2;
    const a0 = addrs >>> 2, o0 = out >>> 2;
    let hits = 0;
    for (let i = 0; i < n; i++) {
      const a = m[a0 + i];
      let e = m[t24 + (a >>> 8)];
      if (e >= EXT) e = m[t8 + ((e & GROUP_MASK) << 8) + (a & 255)];
      m[o0 + i] = m[nv + e];
      if (e !== 0) hits++;
    }
    return hits;
  }

  lpm4_rule_count(t: number): number { return this.sync()[(t >>> 2) + H_RULES]; }
  lpm4_rule_capacity(t: number): number { return this.sync()[(t >>> 2) + H_RULES_CAP]; }
  lpm4_tbl8_used(t: number): number { return this.sync()[(t >>> 2) + H_GROUPS_USED]; }
  lpm4_tbl8_capacity(t: number): number { return this.sync()[(t >>> 2) + H_GROUPS]; }
  lpm4_nexthop_count(t: number): number { return this.sync()[(t >>> 2) + H_NH_COUNT]; }
  lpm4_bytes(t: number): number { return this.sync()[(t >>> 2) + H_BYTES]; }
  lpm4_rule_high(t: number): number { return this.sync()[(t >>> 2) + H_RULES_HW]; }

  lpm4_rule_addr(t: number, id: number): number {
    const m = this.sync(), h = t >>> 2;
    return id === 0 || id > m[h + H_RULES_HW] ? 0 : m[(m[h + H_RULE_ADDR] >>> 2) + id];
  }

  lpm4_rule_depth(t: number, id: number): number {
    const m = this.sync(), h = t >>> 2;
    return id === 0 || id > m[h + H_RULES_HW] ? -1 : this.u8[m[h + H_RULE_DEPTH] + id] - 1;
  }

  lpm4_rule_nexthop(t: number, id: number): number {
    const m = this.sync(), h = t >>> 2;
    return id === 0 || id > m[h + H_RULES_HW] ? 0 : m[(m[h + H_RULE_NH] >>> 2) + id];
  }

  lpm4_find(t: number, addr: number, depth: number): number {
    if (depth > 32 || depth < 0) return 0;
    this.sync();
    return this.ruleFind(t >>> 2, (addr & prefixMask(depth)) >>> 0, depth);
  }
}

/** The lpm4 surface of a backend: the WASM exports or a twin over the same memory. */
export function lpm4Core(backend: 'wasm' | 'ts', wasm: WasmExports, views: MemoryViews): Lpm4Core {
  if (backend === 'wasm') return pickExports<Lpm4Core>(wasm, LPM4_EXPORTS);
  return bindTwin(new Lpm4Twin(views), LPM4_EXPORTS);
}

/** Binds a twin's methods so they can be called detached, like WASM exports. */
export function bindTwin<T extends object>(twin: T, names: readonly string[]): T {
  const out: Record<string, unknown> = {};
  const rec = twin as unknown as Record<string, (...a: number[]) => number>;
  for (const n of names) out[n] = rec[n].bind(twin);
  return out as T;
}
