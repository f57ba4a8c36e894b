// Pure-TS twin of assembly/lpm6.ts: same exports, same region layout, same results. The
// algorithm's comments live in the AssemblyScript file.
import type { MemoryViews } from './memory.js';
import type { WasmExports } from './wasm.js';
import { pickExports } from './core.js';
import { bindTwin, LPM_E_DEPTH, LPM_E_NOT_FOUND, LPM_E_RULES, LPM_E_TBL8, LPM_OK, LPM_UPDATED } from './lpm4.js';

/** The lpm6_* export surface shared by the WASM module and Lpm6Twin. Addresses are pointers to 16 bytes. */
export interface Lpm6Core {
  lpm6_footprint(rules: number, groups: number): number;
  lpm6_init(t: number, rules: number, groups: number, miss: number): void;
  lpm6_add(t: number, addr: number, depth: number, nh: number): number;
  lpm6_delete(t: number, addr: number, depth: number): number;
  lpm6_lookup(t: number, addr: number): number;
  lpm6_match_depth(t: number, addr: number): number;
  lpm6_lookup_bulk(t: number, addrs: number, n: number, out: number): number;
  lpm6_rule_count(t: number): number;
  lpm6_rule_capacity(t: number): number;
  lpm6_tbl8_used(t: number): number;
  lpm6_tbl8_capacity(t: number): number;
  lpm6_nexthop_count(t: number): number;
  lpm6_bytes(t: number): number;
  lpm6_rule_high(t: number): number;
  lpm6_rule_addr(t: number, id: number): number;
  lpm6_rule_depth(t: number, id: number): number;
  lpm6_rule_nexthop(t: number, id: number): number;
  lpm6_find(t: number, addr: number, depth: number): number;
}

export const LPM6_EXPORTS = [
  'lpm6_footprint', 'lpm6_init', 'lpm6_add', 'lpm6_delete', 'lpm6_lookup', 'lpm6_match_depth',
  'lpm6_lookup_bulk', 'lpm6_rule_count', 'lpm6_rule_capacity', 'lpm6_tbl8_used', 'lpm6_tbl8_capacity',
  'lpm6_nexthop_count', 'lpm6_bytes', 'lpm6_rule_high', 'lpm6_rule_addr', 'lpm6_rule_depth',
  'lpm6_rule_nexthop', 'lpm6_find',
] as const;

export const LPM6_HEADER = 768;
export const LPM6_MAX_GROUPS = 1 << 22;
export const LPM6_MAX_RULES = 1 << 24;

const H_TBL24 = 0, H_TBL24D = 1, H_TBL8 = 2, H_TBL8D = 3, H_GROUPS = 4, H_GROUPS_HW = 5;
const H_GROUPS_FREE = 6, H_GROUPS_NFREE = 7, H_GROUPS_USED = 8, H_RULES_CAP = 9, H_RULES = 10;
const H_RULES_HW = 11, H_RULES_FREE = 12, H_RULE_ADDR = 13, H_RULE_DEPTH = 14, H_RULE_NH = 15;
const H_RULE_SLOT = 16, H_RULE_HASH = 17, H_RULE_HMASK = 18, H_NH_VAL = 19, H_NH_REF = 20;
const H_NH_HASH = 21, H_NH_HMASK = 22, H_NH_HW = 23, H_NH_FREE = 24, H_NH_COUNT = 25;
const H_MAGIC = 26, H_BYTES = 27, H_DEPTHS = 48;
const KEY = 112, KEY2 = 128; // byte offsets of the scratch keys
const MAGIC = 0x6c706d36;

const EXT = 0x80000000;
const GROUP_MASK = 0x00FFFFFF;

const align64 = (n: number): number => Math.ceil(n / 64) * 64;
function pow2Above(n: number): number { let m = 64; while (m < n) m *= 2; return m; }
const levelsFor = (depth: number): number => (depth <= 24 ? 0 : (depth - 24 + 7) >>> 3);

function carve(t: number, rules: number, groups: number): { bytes: number; ptrs: number[] } {
  let p = t + LPM6_HEADER;
  const hsize = pow2Above(rules * 2 + 2);
  const ptrs: number[] = [];
  const take = (n: number): void => { ptrs.push(p); p = align64(p + n); };
  take(1 << 26); take(1 << 24); take(groups * 1024); take(groups * 256); take(groups * 4);
  take((rules + 1) * 16); take(rules + 1); take((rules + 1) * 4); take((rules + 1) * 4); take(hsize * 4);
  take((rules + 2) * 4); take((rules + 2) * 4); take(hsize * 4);
  ptrs.push(hsize);
  return { bytes: p - t, ptrs };
}

export class Lpm6Twin implements Lpm6Core {
  private readonly views: MemoryViews;
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

  lpm6_footprint(rules: number, groups: number): number {
    if (rules > LPM6_MAX_RULES || groups > LPM6_MAX_GROUPS) return 0;
    const n = carve(0, rules, groups).bytes;
    return n >= 0xFFFFFFC0 ? 0 : n;
  }

  lpm6_init(t: number, rules: number, groups: number, miss: number): void {
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
    let s = m[tab + i];
    while (s !== 0) {
      if (m[vals + s] === v) { m[refs + s]++; return s; }
      i = (i + 1) & mask;
      s = m[tab + i];
    }
    s = m[h + H_NH_FREE];
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

  private maskCopy(dst: number, src: number, depth: number): void {
    const b = this.u8;
    for (let i = 0; i < 16; i++) {
      const bits = depth - i * 8;
      let v = b[src + i];
      if (bits <= 0) v = 0;
      else if (bits < 8) v &= (0xFF << (8 - bits)) & 0xFF;
      b[dst + i] = v;
    }
  }

  /** k is 4-byte aligned (the scratch keys and rule prefixes are). */
  private ruleHash(k: number, depth: number, mask: number): number {
    const m = this.u32, w = k >>> 2;
    let h = Math.imul((m[w] ^ Math.imul(depth, 0x85EBCA77)) >>> 0, 0x9E3779B1);
    h = Math.imul(h ^ m[w + 1], 0x85EBCA77);
    h = Math.imul(h ^ m[w + 2], 0xC2B2AE3D);
    h = Math.imul(h ^ m[w + 3], 0x9E3779B1) >>> 0;
    return (h ^ (h >>> 16)) & mask;
  }

  private ruleFind(h: number, k: number, depth: number): number {
    const m = this.u32, b = this.u8;
    const tab = m[h + H_RULE_HASH] >>> 2, mask = m[h + H_RULE_HMASK];
    const ra = m[h + H_RULE_ADDR] >>> 2, rd = m[h + H_RULE_DEPTH];
    const w = k >>> 2;
    let i = this.ruleHash(k, depth, mask);
    let id = m[tab + i];
    while (id !== 0) {
      const r = ra + id * 4;
      if (b[rd + id] === depth + 1 && m[r] === m[w] && m[r + 1] === m[w + 1] && m[r + 2] === m[w + 2] && m[r + 3] === m[w + 3]) return id;
      i = (i + 1) & mask;
      id = m[tab + i];
    }
    return 0;
  }

  private ruleInsert(h: number, k: number, depth: number, nh: number, slot: number): number {
    const m = this.u32;
    const ra = m[h + H_RULE_ADDR];
    let id = m[h + H_RULES_FREE];
    if (id !== 0) m[h + H_RULES_FREE] = m[(ra >>> 2) + id * 4];
    else { id = m[h + H_RULES_HW] + 1; m[h + H_RULES_HW] = id; }
    this.u8.copyWithin(ra + id * 16, k, k + 16);
    this.u8[m[h + H_RULE_DEPTH] + id] = depth + 1;
    m[(m[h + H_RULE_NH] >>> 2) + id] = nh;
    m[(m[h + H_RULE_SLOT] >>> 2) + id] = slot;
    const tab = m[h + H_RULE_HASH] >>> 2, mask = m[h + H_RULE_HMASK];
    let i = this.ruleHash(k, depth, mask);
    while (m[tab + i] !== 0) i = (i + 1) & mask;
    m[tab + i] = id;
    m[h + H_RULES]++;
    m[h + H_DEPTHS + depth]++;
    return id;
  }

  private ruleRemove(h: number, id: number): void {
    const m = this.u32, b = this.u8;
    const ra = m[h + H_RULE_ADDR], rd = m[h + H_RULE_DEPTH];
    const tab = m[h + H_RULE_HASH] >>> 2, mask = m[h + H_RULE_HMASK];
    const depth = b[rd + id] - 1;
    let i = this.ruleHash(ra + id * 16, depth, mask);
    while (m[tab + i] !== id) i = (i + 1) & mask;
    let j = i;
    for (;;) {
      j = (j + 1) & mask;
      const o = m[tab + j];
      if (o === 0) break;
      const k = this.ruleHash(ra + o * 16, b[rd + o] - 1, mask);
      if (i <= j ? (i < k && k <= j) : (i < k || k <= j)) continue;
      m[tab + i] = o;
      i = j;
    }
    m[tab + i] = 0;
    b[rd + id] = 0;
    b.fill(0, ra + id * 16, ra + id * 16 + 16);
    m[(ra >>> 2) + id * 4] = m[h + H_RULES_FREE];
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

  private groupsNeeded(h: number, k: number, depth: number): number {
    const levels = levelsFor(depth);
    if (levels === 0) return 0;
    const m = this.u32, b = this.u8;
    let e = m[(m[h + H_TBL24] >>> 2) + top24(b, k)];
    const t8 = m[h + H_TBL8] >>> 2;
    for (let level = 1; level <= levels; level++) {
      if (e < EXT) return levels - level + 1;
      if (level === levels) break;
      e = m[t8 + (e & GROUP_MASK) * 256 + b[k + 2 + level]];
    }
    return 0;
  }

  private subtreeOverwrite(h: number, g: number, from: number, count: number, slot: number, dd: number): void {
    const m = this.u32, b = this.u8;
    const e = (m[h + H_TBL8] >>> 2) + g * 256, d = m[h + H_TBL8D] + g * 256;
    for (let j = from; j < from + count; j++) {
      const x = m[e + j];
      if (x >= EXT) this.subtreeOverwrite(h, x & GROUP_MASK, 0, 256, slot, dd);
      else if (b[d + j] <= dd) { m[e + j] = slot; b[d + j] = dd; }
    }
  }

  private subtreeReplace(h: number, g: number, from: number, count: number, dd: number, slot: number, pdd: number): void {
    const m = this.u32, b = this.u8;
    const e = (m[h + H_TBL8] >>> 2) + g * 256, d = m[h + H_TBL8D] + g * 256;
    for (let j = from; j < from + count; j++) {
      const x = m[e + j];
      if (x >= EXT) this.subtreeReplace(h, x & GROUP_MASK, 0, 256, dd, slot, pdd);
      else if (b[d + j] === dd) { m[e + j] = slot; b[d + j] = pdd; }
    }
  }

  private writeRule(h: number, k: number, depth: number, slot: number): void {
    const m = this.u32, b = this.u8;
    const dd = depth + 1;
    const t24 = m[h + H_TBL24] >>> 2, t24d = m[h + H_TBL24D], t8 = m[h + H_TBL8] >>> 2, t8d = m[h + H_TBL8D];
    const i0 = top24(b, k);
    if (depth <= 24) {
      const end = i0 + (1 << (24 - depth));
      for (let i = i0; i < end; i++) {
        const e = m[t24 + i];
        if (e >= EXT) this.subtreeOverwrite(h, e & GROUP_MASK, 0, 256, slot, dd);
        else if (b[t24d + i] <= dd) { m[t24 + i] = slot; b[t24d + i] = dd; }
      }
      return;
    }
    // (ew, dp): word index of the entry on the path and byte address of its depth.
    let ew = t24 + i0, dp = t24d + i0;
    for (let level = 1; level < 14; level++) {
      const e = m[ew];
      let g: number;
      if (e < EXT) {
        g = this.groupAlloc(h, e, b[dp]);
        m[ew] = (EXT | g) >>> 0;
      } else g = e & GROUP_MASK;
      const bitsEnd = 24 + level * 8;
      const kb = b[k + 2 + level];
      if (depth <= bitsEnd) {
        this.subtreeOverwrite(h, g, kb, 1 << (bitsEnd - depth), slot, dd);
        return;
      }
      ew = t8 + g * 256 + kb;
      dp = t8d + g * 256 + kb;
    }
  }

  private collapsible(h: number, g: number, level: number): boolean {
    const m = this.u32, b = this.u8;
    const e = (m[h + H_TBL8] >>> 2) + g * 256, d = m[h + H_TBL8D] + g * 256;
    const limit = 17 + level * 8;
    for (let j = 0; j < 256; j++) if (m[e + j] >= EXT || b[d + j] > limit) return false;
    return true;
  }

  private replaceLevel(h: number, g: number, level: number, k: number, depth: number, dd: number, slot: number, pdd: number): boolean {
    const m = this.u32, b = this.u8;
    const bitsEnd = 24 + level * 8;
    const kb = b[k + 2 + level];
    if (depth <= bitsEnd) {
      this.subtreeReplace(h, g, kb, 1 << (bitsEnd - depth), dd, slot, pdd);
    } else {
      const ew = (m[h + H_TBL8] >>> 2) + g * 256 + kb;
      const e = m[ew];
      if (e < EXT) return false;
      const g2 = e & GROUP_MASK;
      if (this.replaceLevel(h, g2, level + 1, k, depth, dd, slot, pdd)) {
        b[m[h + H_TBL8D] + g * 256 + kb] = b[m[h + H_TBL8D] + g2 * 256];
        m[ew] = m[(m[h + H_TBL8] >>> 2) + g2 * 256];
        this.groupFree(h, g2);
      }
    }
    return this.collapsible(h, g, level);
  }

  lpm6_add(t: number, addr: number, depth: number, nh: number): number {
    if (depth > 128 || depth < 0) return LPM_E_DEPTH;
    const m = this.sync();
    const h = t >>> 2, k = t + KEY;
    nh >>>= 0;
    this.maskCopy(k, addr, depth);
    const id = this.ruleFind(h, k, depth);
    if (id !== 0) {
      const rn = (m[h + H_RULE_NH] >>> 2) + id, rs = (m[h + H_RULE_SLOT] >>> 2) + id;
      if (m[rn] === nh) return LPM_UPDATED;
      const old = m[rs];
      const slot = this.slotAcquire(h, nh);
      m[rn] = nh;
      m[rs] = slot;
      this.writeRule(h, k, depth, slot);
      this.slotRelease(h, old);
      return LPM_UPDATED;
    }
    if (m[h + H_RULES] >= m[h + H_RULES_CAP]) return LPM_E_RULES;
    const free = m[h + H_GROUPS_NFREE] + (m[h + H_GROUPS] - m[h + H_GROUPS_HW]);
    if (this.groupsNeeded(h, k, depth) > free) return LPM_E_TBL8;
    const slot = this.slotAcquire(h, nh);
    this.ruleInsert(h, k, depth, nh, slot);
    this.writeRule(h, k, depth, slot);
    return LPM_OK;
  }

  lpm6_delete(t: number, addr: number, depth: number): number {
    if (depth > 128 || depth < 0) return LPM_E_DEPTH;
    const m = this.sync(), b = this.u8;
    const h = t >>> 2, k = t + KEY, k2 = t + KEY2;
    this.maskCopy(k, addr, depth);
    const id = this.ruleFind(h, k, depth);
    if (id === 0) return LPM_E_NOT_FOUND;
    const rslot = m[h + H_RULE_SLOT] >>> 2;
    const slot = m[rslot + id];
    let pslot = 0, pdd = 0;
    for (let d = depth - 1; d >= 0; d--) {
      if (m[h + H_DEPTHS + d] === 0) continue;
      this.maskCopy(k2, k, d);
      const pid = this.ruleFind(h, k2, d);
      if (pid !== 0) { pslot = m[rslot + pid]; pdd = d + 1; break; }
    }
    this.ruleRemove(h, id);
    const dd = depth + 1;
    const t24 = m[h + H_TBL24] >>> 2, t24d = m[h + H_TBL24D];
    const i0 = top24(b, k);
    if (depth <= 24) {
      const end = i0 + (1 << (24 - depth));
      for (let i = i0; i < end; i++) {
        const e = m[t24 + i];
        if (e >= EXT) this.subtreeReplace(h, e & GROUP_MASK, 0, 256, dd, pslot, pdd);
        else if (b[t24d + i] === dd) { m[t24 + i] = pslot; b[t24d + i] = pdd; }
      }
    } else {
      const e = m[t24 + i0];
      if (e >= EXT) {
        const g = e & GROUP_MASK;
        if (this.replaceLevel(h, g, 1, k, depth, dd, pslot, pdd)) {
          b[t24d + i0] = b[m[h + H_TBL8D] + g * 256];
          m[t24 + i0] = m[(m[h + H_TBL8] >>> 2) + g * 256];
          this.groupFree(h, g);
        }
      }
    }
    this.slotRelease(h, slot);
    return LPM_OK;
  }

  lpm6_lookup(t: number, addr: number): number {
    const m = this.cur(Math.max(t + LPM6_HEADER, addr + 16)), b = this.u8;
    const h = t >>> 2;
    let e = m[(m[h + H_TBL24] >>> 2) + ((b[addr] << 16) | (b[addr + 1] << 8) | b[addr + 2])];
    const t8 = m[h + H_TBL8] >>> 2;
    let i = 3;
    while (e >= EXT) {
      if (i > 15) return m[m[h + H_NH_VAL] >>> 2];
      e = m[t8 + ((e & GROUP_MASK) << 8) + b[addr + i]];
      i++;
    }
    return m[(m[h + H_NH_VAL] >>> 2) + e];
  }

  lpm6_match_depth(t: number, addr: number): number {
    const m = this.cur(Math.max(t + LPM6_HEADER, addr + 16)), b = this.u8;
    const h = t >>> 2;
    const i0 = (b[addr] << 16) | (b[addr + 1] << 8) | b[addr + 2];
    let e = m[(m[h + H_TBL24] >>> 2) + i0];
    if (e < EXT) return b[m[h + H_TBL24D] + i0] - 1;
    const t8 = m[h + H_TBL8] >>> 2, t8d = m[h + H_TBL8D];
    for (let i = 3; i < 16; i++) {
      const j = (e & GROUP_MASK) * 256 + b[addr + i];
      e = m[t8 + j];
      if (e < EXT) return b[t8d + j] - 1;
    }
    return -1;
  }

  lpm6_lookup_bulk(t: number, addrs: number, n: number, out: number): number {
    const m = this.cur(Math.max(t + LPM6_HEADER, addrs + n * 16, out + n * 4)), b = this.u8;
    const h = t >>> 2;
    const t24 = m[h + H_TBL24] >>> 2, t8 = m[h + H_TBL8] >>> 2, nv = m[h + H_NH_VAL] >>> 2;
    const o0 = out >>> 2;
    let hits = 0;
    for (let i = 0, p = addrs; i < n; i++, p += 16) {
      let e = m[t24 + ((b[p] << 16) | (b[p + 1] << 8) | b[p + 2])];
      let j = 3;
      while (e >= EXT && j < 16) { e = m[t8 + ((e & GROUP_MASK) << 8) + b[p + j]]; j++; }
      if (e >= EXT) e = 0;
      m[o0 + i] = m[nv + e];
      if (e !== 0) hits++;
    }
    return hits;
  }

  lpm6_rule_count(t: number): number { return this.sync()[(t >>> 2) + H_RULES]; }
  lpm6_rule_capacity(t: number): number { return this.sync()[(t >>> 2) + H_RULES_CAP]; }
  lpm6_tbl8_used(t: number): number { return this.sync()[(t >>> 2) + H_GROUPS_USED]; }
  lpm6_tbl8_capacity(t: number): number { return this.sync()[(t >>> 2) + H_GROUPS]; }
  lpm6_nexthop_count(t: number): number { return this.sync()[(t >>> 2) + H_NH_COUNT]; }
  lpm6_bytes(t: number): number { return this.sync()[(t >>> 2) + H_BYTES]; }
  lpm6_rule_high(t: number): number { return this.sync()[(t >>> 2) + H_RULES_HW]; }

  lpm6_rule_addr(t: number, id: number): number {
    const m = this.sync(), h = t >>> 2;
    return id === 0 || id > m[h + H_RULES_HW] ? 0 : m[h + H_RULE_ADDR] + id * 16;
  }

  lpm6_rule_depth(t: number, id: number): number {
    const m = this.sync(), h = t >>> 2;
    return id === 0 || id > m[h + H_RULES_HW] ? -1 : this.u8[m[h + H_RULE_DEPTH] + id] - 1;
  }

  lpm6_rule_nexthop(t: number, id: number): number {
    const m = this.sync(), h = t >>> 2;
    return id === 0 || id > m[h + H_RULES_HW] ? 0 : m[(m[h + H_RULE_NH] >>> 2) + id];
  }

  lpm6_find(t: number, addr: number, depth: number): number {
    if (depth > 128 || depth < 0) return 0;
    this.sync();
    this.maskCopy(t + KEY, addr, depth);
    return this.ruleFind(t >>> 2, t + KEY, depth);
  }
}

function nhHash(v: number, mask: number): number {
  const h = Math.imul(v, 0x9E3779B1) >>> 0;
  return (h ^ (h >>> 15)) & mask;
}

function top24(b: Uint8Array, k: number): number {
  return (b[k] << 16) | (b[k + 1] << 8) | b[k + 2];
}

/** The lpm6 surface of a backend: the WASM exports or a twin over the same memory. */
export function lpm6Core(backend: 'wasm' | 'ts', wasm: WasmExports, views: MemoryViews): Lpm6Core {
  if (backend === 'wasm') return pickExports<Lpm6Core>(wasm, LPM6_EXPORTS);
  return bindTwin(new Lpm6Twin(views), LPM6_EXPORTS);
}
