// Pure-TS twin of assembly/lpm4.ts: the same exports over the same region layout, so a
// table built by one backend can be read by the other (tests check that). The comments
// on the algorithm live in the AssemblyScript file; here only what is TS-specific.
import type { MemoryViews } from '../../runtime/memory.js';
import type { Lpm4Exports } from '../exports.js';
import { LpmTwinBase, type TableFigures } from './lpm-table.js';
import * as table from './lpm-table.js';
import * as layout from '../lpm-layout.js';
import { slotAcquire, slotRelease } from './lpm-nexthops.js';
import { groupAlloc, groupFree } from './lpm-groups.js';
import { groupRewrite, tbl24Rewrite } from './lpm-rewrite.js';
import { prefixMask, ruleCovering, ruleDepthByte, ruleFind, ruleInsert, ruleRemove, ruleRetarget, ruleSlot } from './lpm-rules.js';

// Header words as module-local consts: V8 reads an imported binding through its module cell
// on every use (single lookups ran ~20% slower that way); a local const is folded.
const {
  LPM_E_DEPTH, LPM_E_NOT_FOUND, LPM_E_RULES, LPM_E_TBL8, LPM_OK, LPM_UPDATED, H_TBL24, H_TBL24D, H_TBL8,
  H_TBL8D, H_GROUPS, H_GROUPS_HW, H_GROUPS_NFREE, H_RULES, H_RULES_CAP,
  H_RULES_HW, H_RULE_ADDR, H_NH_VAL, EXT, GROUP_MASK,
} = table;

// The table's own layout and limits, generated from assembly/lpm-layout.ts.
export { LPM4_HEADER, LPM4_MAX_GROUPS, LPM4_MAX_RULES } from '../lpm-layout.js';
const { LPM4_HEADER } = layout;
const H_DEPTHS = layout.LPM4_H_DEPTHS >>> 2; // word index of the per-depth rule counts

// lpm4_footprint, _init, _rule_count, _rule_capacity, _tbl8_used, _tbl8_capacity,
// _nexthop_count, _bytes, _rule_high, _rule_depth and _rule_nexthop: LpmTwinBase.defineFigures below.
export interface Lpm4Twin extends TableFigures<'lpm4'> {}
export class Lpm4Twin extends LpmTwinBase implements Lpm4Exports {
  // Rewrites the entries rule addr/depth decides (lpm-rewrite.ts): on add (exact false)
  // with its own slot, giving a /25../32 its group; on delete with the covering rule's,
  // folding a group left without any /25../32 back into its tbl24 entry.
  private rewriteRule(h: number, addr: number, depth: number, exact: boolean, slot: number, nd: number): void {
    const m = this.u32, b = this.u8;
    const dd = depth + 1;
    if (depth <= 24) { tbl24Rewrite(m, b, h, addr >>> 8, depth, dd, exact, slot, nd, false); return; }
    const t24 = m[h + H_TBL24] >>> 2, t24d = m[h + H_TBL24D];
    const i = addr >>> 8;
    const e = m[t24 + i];
    let g: number;
    if (e >= EXT) g = e & GROUP_MASK;
    else if (exact) return; // cannot happen while the rule existed
    else {
      g = groupAlloc(m, b, h, e, b[t24d + i]);
      m[t24 + i] = (EXT | g) >>> 0;
    }
    groupRewrite(m, b, h, g, addr & 255, 1 << (32 - depth), dd, exact, slot, nd, false);
    if (!exact) return;
    const gd = m[h + H_TBL8D] + g * 256;
    for (let j = 0; j < 256; j++) if (b[gd + j] > 25) return;
    b[t24d + i] = b[gd];
    m[t24 + i] = m[(m[h + H_TBL8] >>> 2) + g * 256];
    groupFree(m, h, g);
  }

  lpm4_add(t: number, addr: number, depth: number, nh: number): number {
    if (depth > 32 || depth < 0) return LPM_E_DEPTH;
    const m = this.sync();
    const h = t >>> 2;
    addr = (addr & prefixMask(depth)) >>> 0;
    nh >>>= 0;
    const id = ruleFind(m, this.u8, h, addr, depth, false);
    if (id !== 0) {
      const old = ruleRetarget(m, h, id, nh);
      if (old !== 0) {
        this.rewriteRule(h, addr, depth, false, ruleSlot(m, h, id), depth + 1);
        slotRelease(m, h, old);
      }
      return LPM_UPDATED;
    }
    if (m[h + H_RULES] >= m[h + H_RULES_CAP]) return LPM_E_RULES;
    if (depth > 24 && m[(m[h + H_TBL24] >>> 2) + (addr >>> 8)] < EXT
      && m[h + H_GROUPS_NFREE] === 0 && m[h + H_GROUPS_HW] >= m[h + H_GROUPS]) {
      return LPM_E_TBL8;
    }
    const slot = slotAcquire(m, h, nh);
    ruleInsert(m, this.u8, h, addr, depth, nh, slot, H_DEPTHS, false);
    this.rewriteRule(h, addr, depth, false, slot, depth + 1);
    return LPM_OK;
  }

  lpm4_delete(t: number, addr: number, depth: number): number {
    if (depth > 32 || depth < 0) return LPM_E_DEPTH;
    const m = this.sync(), b = this.u8;
    const h = t >>> 2;
    addr = (addr & prefixMask(depth)) >>> 0;
    const id = ruleFind(m, this.u8, h, addr, depth, false);
    if (id === 0) return LPM_E_NOT_FOUND;
    const slot = ruleSlot(m, h, id);
    // The entries fall back to the covering rule; with none, to the miss (slot 0, depth byte 0).
    const pid = ruleCovering(m, b, h, addr, depth, H_DEPTHS, 0, false);
    ruleRemove(m, b, h, id, H_DEPTHS, false);
    this.rewriteRule(h, addr, depth, true, pid === 0 ? 0 : ruleSlot(m, h, pid), pid === 0 ? 0 : ruleDepthByte(m, b, h, pid));
    slotRelease(m, h, slot);
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


  lpm4_rule_addr(t: number, id: number): number {
    const m = this.sync(), h = t >>> 2;
    return id === 0 || id > m[h + H_RULES_HW] ? 0 : m[(m[h + H_RULE_ADDR] >>> 2) + id];
  }


  lpm4_find(t: number, addr: number, depth: number): number {
    if (depth > 32 || depth < 0) return 0;
    return ruleFind(this.sync(), this.u8, t >>> 2, (addr & prefixMask(depth)) >>> 0, depth, false);
  }
}

LpmTwinBase.defineFigures(Lpm4Twin, 'lpm4', {
  header: LPM4_HEADER, addrBytes: 4, maxRules: layout.LPM4_MAX_RULES, maxGroups: layout.LPM4_MAX_GROUPS, magic: layout.LPM4_MAGIC,
});
