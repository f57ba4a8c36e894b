// Pure-TS twin of assembly/lpm6.ts: same exports, same region layout, same results. The
// algorithm's comments live in the AssemblyScript file.
import type { MemoryViews } from '../../runtime/memory.js';
import type { Lpm6Exports } from '../exports.js';
import { LpmTwinBase, type TableFigures } from './lpm-table.js';
import * as table from './lpm-table.js';
import * as layout from '../lpm-layout.js';
import { slotAcquire, slotRelease } from './lpm-nexthops.js';
import { groupAlloc, groupFree, groupsFree } from './lpm-groups.js';
import { groupRewrite, tbl24Rewrite } from './lpm-rewrite.js';
import { maskCopy, ruleCovering, ruleDepthByte, ruleFind, ruleInsert, ruleRemove, ruleRetarget, ruleSlot } from './lpm-rules.js';

// Header words as module-local consts: V8 reads an imported binding through its module cell
// on every use (single lookups ran ~20% slower that way); a local const is folded.
const {
  LPM_E_DEPTH, LPM_E_NOT_FOUND, LPM_E_RULES, LPM_E_TBL8, LPM_OK, LPM_UPDATED, H_TBL24, H_TBL24D, H_TBL8,
  H_TBL8D, H_RULES, H_RULES_CAP, H_RULES_HW, H_RULE_ADDR,
  H_NH_VAL, EXT, GROUP_MASK,
} = table;

// The table's own layout and limits, generated from assembly/lpm-layout.ts.
export { LPM6_HEADER, LPM6_MAX_GROUPS, LPM6_MAX_RULES } from '../lpm-layout.js';
const { LPM6_HEADER } = layout;
const H_DEPTHS = layout.LPM6_H_DEPTHS >>> 2; // word index of the per-depth rule counts
const { LPM6_H_KEY: KEY, LPM6_H_KEY2: KEY2 } = layout; // byte offsets of the scratch keys

const levelsFor = (depth: number): number => (depth <= 24 ? 0 : (depth - 24 + 7) >>> 3);

// lpm6_footprint, _init, _rule_count, _rule_capacity, _tbl8_used, _tbl8_capacity,
// _nexthop_count, _bytes, _rule_high, _rule_depth and _rule_nexthop: LpmTwinBase.defineFigures below.
export interface Lpm6Twin extends TableFigures<'lpm6'> {}
export class Lpm6Twin extends LpmTwinBase implements Lpm6Exports {
  // ---- tbl8 groups ----

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

  private writeRule(h: number, k: number, depth: number, slot: number): void {
    const m = this.u32, b = this.u8;
    const dd = depth + 1;
    const i0 = top24(b, k);
    if (depth <= 24) { tbl24Rewrite(m, b, h, i0, depth, dd, false, slot, dd, true); return; }
    const t8 = m[h + H_TBL8] >>> 2, t8d = m[h + H_TBL8D];
    // (ew, dp): word index of the entry on the path and byte address of its depth.
    let ew = (m[h + H_TBL24] >>> 2) + i0, dp = m[h + H_TBL24D] + i0;
    for (let level = 1; level < 14; level++) {
      const e = m[ew];
      let g: number;
      if (e < EXT) {
        g = groupAlloc(m, b, h, e, b[dp]);
        m[ew] = (EXT | g) >>> 0;
      } else g = e & GROUP_MASK;
      const bitsEnd = 24 + level * 8;
      const kb = b[k + 2 + level];
      if (depth <= bitsEnd) {
        groupRewrite(m, b, h, g, kb, 1 << (bitsEnd - depth), dd, false, slot, dd, true);
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
      groupRewrite(m, b, h, g, kb, 1 << (bitsEnd - depth), dd, true, slot, pdd, true);
    } else {
      const ew = (m[h + H_TBL8] >>> 2) + g * 256 + kb;
      const e = m[ew];
      if (e < EXT) return false;
      const g2 = e & GROUP_MASK;
      if (this.replaceLevel(h, g2, level + 1, k, depth, dd, slot, pdd)) {
        b[m[h + H_TBL8D] + g * 256 + kb] = b[m[h + H_TBL8D] + g2 * 256];
        m[ew] = m[(m[h + H_TBL8] >>> 2) + g2 * 256];
        groupFree(m, h, g2);
      }
    }
    return this.collapsible(h, g, level);
  }

  lpm6_add(t: number, addr: number, depth: number, nh: number): number {
    if (depth > 128 || depth < 0) return LPM_E_DEPTH;
    const m = this.sync();
    const h = t >>> 2, k = t + KEY;
    nh >>>= 0;
    maskCopy(this.u8, k, addr, depth);
    const id = ruleFind(m, this.u8, h, k, depth, true);
    if (id !== 0) {
      const old = ruleRetarget(m, h, id, nh);
      if (old !== 0) {
        this.writeRule(h, k, depth, ruleSlot(m, h, id));
        slotRelease(m, h, old);
      }
      return LPM_UPDATED;
    }
    if (m[h + H_RULES] >= m[h + H_RULES_CAP]) return LPM_E_RULES;
    if (this.groupsNeeded(h, k, depth) > groupsFree(m, h)) return LPM_E_TBL8;
    const slot = slotAcquire(m, h, nh);
    ruleInsert(m, this.u8, h, k, depth, nh, slot, H_DEPTHS, true);
    this.writeRule(h, k, depth, slot);
    return LPM_OK;
  }

  lpm6_delete(t: number, addr: number, depth: number): number {
    if (depth > 128 || depth < 0) return LPM_E_DEPTH;
    const m = this.sync(), b = this.u8;
    const h = t >>> 2, k = t + KEY, k2 = t + KEY2;
    maskCopy(b, k, addr, depth);
    const id = ruleFind(m, b, h, k, depth, true);
    if (id === 0) return LPM_E_NOT_FOUND;
    const slot = ruleSlot(m, h, id);
    // The entries fall back to the covering rule; with none, to the miss (slot 0, depth byte 0).
    const pid = ruleCovering(m, b, h, k, depth, H_DEPTHS, k2, true);
    const pslot = pid === 0 ? 0 : ruleSlot(m, h, pid), pdd = pid === 0 ? 0 : ruleDepthByte(m, b, h, pid);
    ruleRemove(m, b, h, id, H_DEPTHS, true);
    const dd = depth + 1;
    const i0 = top24(b, k);
    if (depth <= 24) tbl24Rewrite(m, b, h, i0, depth, dd, true, pslot, pdd, true);
    else {
      const t24 = m[h + H_TBL24] >>> 2, t24d = m[h + H_TBL24D];
      const e = m[t24 + i0];
      if (e >= EXT) {
        const g = e & GROUP_MASK;
        if (this.replaceLevel(h, g, 1, k, depth, dd, pslot, pdd)) {
          b[t24d + i0] = b[m[h + H_TBL8D] + g * 256];
          m[t24 + i0] = m[(m[h + H_TBL8] >>> 2) + g * 256];
          groupFree(m, h, g);
        }
      }
    }
    slotRelease(m, h, slot);
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


  lpm6_rule_addr(t: number, id: number): number {
    const m = this.sync(), h = t >>> 2;
    return id === 0 || id > m[h + H_RULES_HW] ? 0 : m[h + H_RULE_ADDR] + id * 16;
  }


  lpm6_find(t: number, addr: number, depth: number): number {
    if (depth > 128 || depth < 0) return 0;
    const m = this.sync();
    maskCopy(this.u8, t + KEY, addr, depth);
    return ruleFind(m, this.u8, t >>> 2, t + KEY, depth, true);
  }
}

function top24(b: Uint8Array, k: number): number {
  return (b[k] << 16) | (b[k + 1] << 8) | b[k + 2];
}

LpmTwinBase.defineFigures(Lpm6Twin, 'lpm6', {
  header: LPM6_HEADER, addrBytes: 16, maxRules: layout.LPM6_MAX_RULES, maxGroups: layout.LPM6_MAX_GROUPS, magic: layout.LPM6_MAGIC,
});
