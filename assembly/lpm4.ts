// IPv4 longest-prefix match, DIR-24-8 (Gupta, Lin, McKeown 1998; DPDK lib/lpm).
//
// One region per table, carved by lpm4_init: a 2^24-entry first level indexed by the top
// 24 address bits, and 256-entry tbl8 groups for the /25../32 parts of a /24. An entry is
// a next-hop *slot* (bit 31 clear) or a group index (bit 31 set). Slots intern the 32-bit
// next-hop values: lookups read one tiny slot->value array that stays in cache, entries
// stay 32 bits wide, and any u32 is a valid next hop. Slot 0 holds the table's miss value,
// so a miss costs no branch.
//
// Updates need to know, per entry, how long the prefix that wrote it was: a parallel u8
// "depth" array (depth + 1, 0 = no route) that lookups never touch. Rules (prefix, depth,
// next hop) live in a hash table keyed by (prefix, depth); deleting a prefix rewrites its
// entries with the longest remaining covering rule, as DPDK's delete_depth_small/big do.
//
// Everything is in the host-allocated region; no static data is written. The header,
// next-hop slots, tbl8 group free list and rule table are shared with lpm6.ts (lpm-*.ts);
// this file holds what is IPv4's own: the DIR-24-8 entries and their updates.
import {
  hdr, H_TBL24, H_TBL24D, H_TBL8, H_TBL8D, H_GROUPS, H_GROUPS_HW, H_GROUPS_NFREE, H_RULES, H_RULES_CAP,
  H_RULE_ADDR, H_RULES_HW, H_NH_VAL, EXT, GROUP_MASK, tableFootprint, tableInit,
} from "./lpm-table";
import { slotAcquire, slotRelease } from "./lpm-nexthops";
import { groupAlloc, groupFree } from "./lpm-groups";
import { groupRewrite, tbl24Rewrite } from "./lpm-rewrite";
import { ruleFind as findRule, ruleCovering, ruleDepthByte, ruleInsert, ruleRemove, ruleRetarget, ruleSlot, prefixMask } from "./lpm-rules";
export {
  lpm_rule_count as lpm4_rule_count, lpm_rule_capacity as lpm4_rule_capacity, lpm_tbl8_used as lpm4_tbl8_used,
  lpm_tbl8_capacity as lpm4_tbl8_capacity, lpm_nexthop_count as lpm4_nexthop_count, lpm_bytes as lpm4_bytes,
} from "./lpm-table";
export { lpm_rule_high as lpm4_rule_high, lpm_rule_depth as lpm4_rule_depth, lpm_rule_nexthop as lpm4_rule_nexthop } from "./lpm-rules";

// The header (lpm-table.ts) is followed by the per-depth rule counts; the layout, limits and
// status codes are in lpm-layout.ts (the host's copy is generated from it).
import {
  LPM4_H_DEPTHS as H_DEPTHS, LPM4_HEADER, LPM4_MAGIC as MAGIC, LPM4_MAX_GROUPS, LPM4_MAX_RULES,
  LPM_OK as LPM4_OK, LPM_UPDATED as LPM4_UPDATED, LPM_E_DEPTH as LPM4_E_DEPTH, LPM_E_RULES as LPM4_E_RULES,
  LPM_E_TBL8 as LPM4_E_TBL8, LPM_E_NOT_FOUND as LPM4_E_NOT_FOUND,
} from "./lpm-layout";

/** Bytes a table with room for `rules` prefixes and `groups` tbl8 groups needs; 0 if it cannot fit in 4 GiB. */
export function lpm4_footprint(rules: u32, groups: u32): u32 {
  return tableFootprint(LPM4_HEADER, 4, rules, groups, LPM4_MAX_RULES, LPM4_MAX_GROUPS);
}

/** Initialises a zeroed region of lpm4_footprint() bytes (64-byte aligned). */
export function lpm4_init(t: usize, rules: u32, groups: u32, miss: u32): void {
  tableInit(t, LPM4_HEADER, 4, rules, groups, miss, MAGIC);
}

// ---- rules: keyed by the u32 prefix itself (lpm-rules.ts, wide = false) ----

function ruleFind(t: usize, addr: u32, depth: u32): u32 { return findRule(t, addr, depth, false); }

// ---- tbl8 groups ----

@inline function groupsAvailable(t: usize): bool {
  return hdr(t, H_GROUPS_NFREE) != 0 || hdr(t, H_GROUPS_HW) < hdr(t, H_GROUPS);
}

// Rewrites the entries rule addr/depth decides (lpm-rewrite.ts): on add (exact false) with its own slot,
// giving a /25../32 the group it needs; on delete with the covering rule's, folding a group
// left without any /25../32 back into its tbl24 entry.
function rewriteRule(t: usize, addr: u32, depth: u32, exact: bool, slot: u32, nd: u32): void {
  let dd = depth + 1;
  if (depth <= 24) {
    tbl24Rewrite(t, addr >>> 8, depth, dd, exact, slot, nd, false);
    return;
  }
  let t24 = <usize>hdr(t, H_TBL24);
  let t24d = <usize>hdr(t, H_TBL24D);
  let i = addr >>> 8;
  let e = load<u32>(t24 + (<usize>i << 2));
  let g: u32;
  if ((e & EXT) != 0) g = e & GROUP_MASK;
  else if (exact) return; // cannot happen while the rule existed; stay safe
  else {
    g = groupAlloc(t, e, <u32>load<u8>(t24d + <usize>i));
    store<u32>(t24 + (<usize>i << 2), EXT | g); // after the group is complete
  }
  groupRewrite(t, g, addr & 255, <u32>1 << (32 - depth), dd, exact, slot, nd, false);
  if (!exact) return;
  // No /25../32 left in the group: every entry is the same <= /24 route; fold it back.
  let gd = <usize>hdr(t, H_TBL8D) + (<usize>g << 8);
  for (let j: usize = 0; j < 256; j++) {
    if (<u32>load<u8>(gd + j) > 25) return;
  }
  store<u8>(t24d + <usize>i, load<u8>(gd));
  store<u32>(t24 + (<usize>i << 2), load<u32>(<usize>hdr(t, H_TBL8) + (<usize>g << 10)));
  groupFree(t, g);
}

/** Adds 'addr/depth' -> nh, or replaces the next hop of an existing prefix. LPM_* status (lpm-layout.ts). */
export function lpm4_add(t: usize, addr: u32, depth: u32, nh: u32): i32 {
  if (depth > 32) return LPM4_E_DEPTH;
  addr &= prefixMask(depth);
  let id = ruleFind(t, addr, depth);
  if (id != 0) {
    let old = ruleRetarget(t, id, nh);
    if (old != 0) {
      rewriteRule(t, addr, depth, false, ruleSlot(t, id), depth + 1);
      slotRelease(t, old);
    }
    return LPM4_UPDATED;
  }
  if (hdr(t, H_RULES) >= hdr(t, H_RULES_CAP)) return LPM4_E_RULES;
  if (depth > 24 && (load<u32>(<usize>hdr(t, H_TBL24) + (<usize>(addr >>> 8) << 2)) & EXT) == 0 && !groupsAvailable(t)) {
    return LPM4_E_TBL8;
  }
  let slot = slotAcquire(t, nh);
  ruleInsert(t, addr, depth, nh, slot, H_DEPTHS, false);
  rewriteRule(t, addr, depth, false, slot, depth + 1);
  return LPM4_OK;
}

/** Deletes 'addr/depth'; its addresses fall back to the longest remaining covering prefix. */
export function lpm4_delete(t: usize, addr: u32, depth: u32): i32 {
  if (depth > 32) return LPM4_E_DEPTH;
  addr &= prefixMask(depth);
  let id = ruleFind(t, addr, depth);
  if (id == 0) return LPM4_E_NOT_FOUND;
  let slot = ruleSlot(t, id);
  // The entries fall back to the covering rule; with none, to the miss (slot 0, depth byte 0).
  let pid = ruleCovering(t, addr, depth, H_DEPTHS, 0, false);
  ruleRemove(t, id, H_DEPTHS, false);
  rewriteRule(t, addr, depth, true, pid == 0 ? 0 : ruleSlot(t, pid), pid == 0 ? 0 : ruleDepthByte(t, pid));
  slotRelease(t, slot);
  return LPM4_OK;
}

/** Next hop for addr, or the table's miss value. */
export function lpm4_lookup(t: usize, addr: u32): u32 {
  let e = load<u32>(<usize>load<u32>(t + H_TBL24) + (<usize>(addr >>> 8) << 2));
  if ((e & EXT) != 0) e = load<u32>(<usize>load<u32>(t + H_TBL8) + ((<usize>(e & GROUP_MASK) << 10) | (<usize>(addr & 255) << 2)));
  return load<u32>(<usize>load<u32>(t + H_NH_VAL) + (<usize>e << 2));
}

/** Depth of the longest matching prefix, or -1 when no prefix matches. */
export function lpm4_match_depth(t: usize, addr: u32): i32 {
  let i = addr >>> 8;
  let e = load<u32>(<usize>hdr(t, H_TBL24) + (<usize>i << 2));
  if ((e & EXT) != 0) {
    let j = (<usize>(e & GROUP_MASK) << 8) | <usize>(addr & 255);
    return <i32>load<u8>(<usize>hdr(t, H_TBL8D) + j) - 1;
  }
  return <i32>load<u8>(<usize>hdr(t, H_TBL24D) + <usize>i) - 1;
}

@inline function resolve(t8: usize, e: u32, a: u32): u32 {
  return (e & EXT) != 0 ? load<u32>(t8 + ((<usize>(e & GROUP_MASK) << 10) | (<usize>(a & 255) << 2))) : e;
}

/**
 * Looks up n addresses (u32 array at addrs) into out (u32 array); returns how many hit.
 * Eight lookups are issued before any result is used, so their cache misses overlap; the
 * table offsets of four addresses come from one SIMD shift-and-mask.
 */
export function lpm4_lookup_bulk(t: usize, addrs: usize, n: u32, out: usize): u32 {
  let t24 = <usize>load<u32>(t + H_TBL24);
  let t8 = <usize>load<u32>(t + H_TBL8);
  let nv = <usize>load<u32>(t + H_NH_VAL);
  let offMask = i32x4.splat(0x3FFFFFC); // (a >>> 8) << 2 == (a >>> 6) & 0x3FFFFFC
  let zero = i32x4.splat(0);
  let hitv = i32x4.splat(0);
  let i: usize = 0;
  let end8 = <usize>(n & ~7) << 2;
  for (; i < end8; i += 32) {
    let p = addrs + i;
    let ia = v128.and(i32x4.shr_u(v128.load(p), 6), offMask);
    let ib = v128.and(i32x4.shr_u(v128.load(p, 16), 6), offMask);
    let e0 = load<u32>(t24 + <usize>i32x4.extract_lane(ia, 0));
    let e1 = load<u32>(t24 + <usize>i32x4.extract_lane(ia, 1));
    let e2 = load<u32>(t24 + <usize>i32x4.extract_lane(ia, 2));
    let e3 = load<u32>(t24 + <usize>i32x4.extract_lane(ia, 3));
    let e4 = load<u32>(t24 + <usize>i32x4.extract_lane(ib, 0));
    let e5 = load<u32>(t24 + <usize>i32x4.extract_lane(ib, 1));
    let e6 = load<u32>(t24 + <usize>i32x4.extract_lane(ib, 2));
    let e7 = load<u32>(t24 + <usize>i32x4.extract_lane(ib, 3));
    if (((e0 | e1 | e2 | e3 | e4 | e5 | e6 | e7) & EXT) != 0) {
      e0 = resolve(t8, e0, load<u32>(p, 0)); e1 = resolve(t8, e1, load<u32>(p, 4));
      e2 = resolve(t8, e2, load<u32>(p, 8)); e3 = resolve(t8, e3, load<u32>(p, 12));
      e4 = resolve(t8, e4, load<u32>(p, 16)); e5 = resolve(t8, e5, load<u32>(p, 20));
      e6 = resolve(t8, e6, load<u32>(p, 24)); e7 = resolve(t8, e7, load<u32>(p, 28));
    }
    let q = out + i;
    store<u32>(q, load<u32>(nv + (<usize>e0 << 2)), 0);
    store<u32>(q, load<u32>(nv + (<usize>e1 << 2)), 4);
    store<u32>(q, load<u32>(nv + (<usize>e2 << 2)), 8);
    store<u32>(q, load<u32>(nv + (<usize>e3 << 2)), 12);
    store<u32>(q, load<u32>(nv + (<usize>e4 << 2)), 16);
    store<u32>(q, load<u32>(nv + (<usize>e5 << 2)), 20);
    store<u32>(q, load<u32>(nv + (<usize>e6 << 2)), 24);
    store<u32>(q, load<u32>(nv + (<usize>e7 << 2)), 28);
    // Hits: lanes whose slot is not 0 (ne gives -1 per such lane).
    let ea = i32x4.replace_lane(i32x4.replace_lane(i32x4.replace_lane(i32x4.splat(e0), 1, e1), 2, e2), 3, e3);
    let eb = i32x4.replace_lane(i32x4.replace_lane(i32x4.replace_lane(i32x4.splat(e4), 1, e5), 2, e6), 3, e7);
    hitv = i32x4.sub(hitv, i32x4.add(i32x4.ne(ea, zero), i32x4.ne(eb, zero)));
  }
  let hits = <u32>(i32x4.extract_lane(hitv, 0) + i32x4.extract_lane(hitv, 1) + i32x4.extract_lane(hitv, 2) + i32x4.extract_lane(hitv, 3));
  let end = <usize>n << 2;
  for (; i < end; i += 4) {
    let a = load<u32>(addrs + i);
    let e = resolve(t8, load<u32>(t24 + (<usize>(a >>> 8) << 2)), a);
    store<u32>(out + i, load<u32>(nv + (<usize>e << 2)));
    hits += <u32>(e != 0);
  }
  return hits;
}

// ---- figures and rule enumeration (host: size, memory, listing) ----

export function lpm4_rule_addr(t: usize, id: u32): u32 {
  return id == 0 || id > hdr(t, H_RULES_HW) ? 0 : load<u32>(<usize>hdr(t, H_RULE_ADDR) + (<usize>id << 2));
}
/** Id of the exact prefix addr/depth, or 0. */
export function lpm4_find(t: usize, addr: u32, depth: u32): u32 {
  if (depth > 32) return 0;
  return ruleFind(t, addr & prefixMask(depth), depth);
}
