// IPv6 longest-prefix match: multi-level stride tables as in DPDK lib/lpm6 — a 2^24-entry
// first level for the top 24 bits, then 256-entry tbl8 groups, one level per further
// address byte (up to 13 levels for a /128). An entry is a next-hop slot (bit 31 clear)
// or the index of the group for the next byte (bit 31 set).
//
// Same machinery as lpm4.ts (see there for the why), shared through lpm-*.ts: interned
// next-hop slots with the miss value in slot 0, a u8 depth array beside each table for
// updates only, rules in a hash table keyed by (prefix, depth), deletes falling back to
// the longest remaining covering rule. A group whose entries all come from prefixes no longer than the bits
// above it is folded back into its parent entry on delete.
//
// Addresses are 16 bytes in network order at a pointer. The header holds two 16-byte
// scratch keys for masking (the table has one writer at a time; lookups never use them).

import {
  hdr, H_TBL24, H_TBL24D, H_TBL8, H_TBL8D, H_RULES, H_RULES_CAP, H_RULE_ADDR,
  H_RULES_HW, H_NH_VAL, EXT, GROUP_MASK, tableFootprint, tableInit,
} from "./lpm-table";
import { slotAcquire, slotRelease } from "./lpm-nexthops";
import { groupAlloc, groupFree, groupsFree } from "./lpm-groups";
import { groupRewrite, tbl24Rewrite } from "./lpm-rewrite";
import { ruleFind as findRule, ruleCovering, ruleDepthByte, ruleInsert, ruleRemove, ruleRetarget, ruleSlot, maskCopy } from "./lpm-rules";
export {
  lpm_rule_count as lpm6_rule_count, lpm_rule_capacity as lpm6_rule_capacity, lpm_tbl8_used as lpm6_tbl8_used,
  lpm_tbl8_capacity as lpm6_tbl8_capacity, lpm_nexthop_count as lpm6_nexthop_count, lpm_bytes as lpm6_bytes,
} from "./lpm-table";
export { lpm_rule_high as lpm6_rule_high, lpm_rule_depth as lpm6_rule_depth, lpm_rule_nexthop as lpm6_rule_nexthop } from "./lpm-rules";

// The header (lpm-table.ts) is followed by the scratch keys and the per-depth rule counts;
// the layout, limits and status codes are in lpm-layout.ts (the host's copy is generated
// from it).
import {
  LPM6_H_KEY as H_KEY, LPM6_H_KEY2 as H_KEY2, LPM6_H_DEPTHS as H_DEPTHS, LPM6_HEADER, LPM6_MAGIC as MAGIC,
  LPM6_MAX_GROUPS, LPM6_MAX_RULES, LPM_OK as OK, LPM_UPDATED as UPDATED, LPM_E_DEPTH as E_DEPTH,
  LPM_E_RULES as E_RULES, LPM_E_TBL8 as E_TBL8, LPM_E_NOT_FOUND as E_NOT_FOUND,
} from "./lpm-layout";

@inline function keyByte(k: usize, b: u32): u32 { return <u32>load<u8>(k + <usize>b); }
@inline function top24(k: usize): u32 { return bswap<u32>(load<u32>(k)) >>> 8; }

/** Bytes a table with room for `rules` prefixes and `groups` tbl8 groups needs; 0 if too large. */
export function lpm6_footprint(rules: u32, groups: u32): u32 {
  return tableFootprint(LPM6_HEADER, 16, rules, groups, LPM6_MAX_RULES, LPM6_MAX_GROUPS);
}

/** Initialises a zeroed region of lpm6_footprint() bytes (64-byte aligned). */
export function lpm6_init(t: usize, rules: u32, groups: u32, miss: u32): void {
  tableInit(t, LPM6_HEADER, 16, rules, groups, miss, MAGIC);
}

// ---- rules: keyed by the 16 bytes at a pointer (lpm-rules.ts, wide = true) ----

function ruleFind(t: usize, k: usize, depth: u32): u32 { return findRule(t, k, depth, true); }

// ---- tbl8 groups ----

/** Group levels below the first table that a prefix of this depth spans. */
@inline function levelsFor(depth: u32): u32 { return depth <= 24 ? 0 : (depth - 24 + 7) >>> 3; }

// New groups an add of key/depth would need (existing groups on its path are reused).
function groupsNeeded(t: usize, k: usize, depth: u32): u32 {
  let levels = levelsFor(depth);
  if (levels == 0) return 0;
  let e = load<u32>(<usize>hdr(t, H_TBL24) + (<usize>top24(k) << 2));
  let t8 = <usize>hdr(t, H_TBL8);
  for (let level: u32 = 1; level <= levels; level++) {
    if ((e & EXT) == 0) return levels - level + 1;
    if (level == levels) break;
    e = load<u32>(t8 + ((<usize>(e & GROUP_MASK) << 10) | (<usize>keyByte(k, 2 + level) << 2)));
  }
  return 0;
}

function writeRule(t: usize, k: usize, depth: u32, slot: u32): void {
  let dd = depth + 1;
  if (depth <= 24) {
    tbl24Rewrite(t, top24(k), depth, dd, false, slot, dd, true);
    return;
  }
  let t8 = <usize>hdr(t, H_TBL8);
  let t8d = <usize>hdr(t, H_TBL8D);
  let i0 = top24(k);
  let ep = <usize>hdr(t, H_TBL24) + (<usize>i0 << 2);
  let dp = <usize>hdr(t, H_TBL24D) + <usize>i0;
  for (let level: u32 = 1; level < 14; level++) {
    let e = load<u32>(ep);
    let g: u32;
    if ((e & EXT) == 0) {
      g = groupAlloc(t, e, <u32>load<u8>(dp));
      store<u32>(ep, EXT | g);
    } else g = e & GROUP_MASK;
    let bitsEnd: u32 = 24 + (level << 3);
    let b = keyByte(k, 2 + level);
    if (depth <= bitsEnd) {
      groupRewrite(t, g, b, <u32>1 << (bitsEnd - depth), dd, false, slot, dd, true);
      return;
    }
    ep = t8 + ((<usize>g << 10) | (<usize>b << 2));
    dp = t8d + ((<usize>g << 8) | <usize>b);
  }
}

// True when group g (at `level`) holds only routes no longer than the bits above it: then
// all its entries are one and the same, and the parent entry can hold it instead.
function collapsible(t: usize, g: u32, level: u32): bool {
  let e = <usize>hdr(t, H_TBL8) + (<usize>g << 10);
  let d = <usize>hdr(t, H_TBL8D) + (<usize>g << 8);
  let limit: u32 = 17 + (level << 3);
  for (let j: usize = 0; j < 256; j++) {
    if ((load<u32>(e + (j << 2)) & EXT) != 0 || <u32>load<u8>(d + j) > limit) return false;
  }
  return true;
}

function replaceLevel(t: usize, g: u32, level: u32, k: usize, depth: u32, dd: u32, slot: u32, pdd: u32): bool {
  let bitsEnd: u32 = 24 + (level << 3);
  let b = keyByte(k, 2 + level);
  if (depth <= bitsEnd) {
    groupRewrite(t, g, b, <u32>1 << (bitsEnd - depth), dd, true, slot, pdd, true);
  } else {
    let ep = <usize>hdr(t, H_TBL8) + ((<usize>g << 10) | (<usize>b << 2));
    let e = load<u32>(ep);
    if ((e & EXT) == 0) return false; // cannot happen while the rule existed; stay safe
    let g2 = e & GROUP_MASK;
    if (replaceLevel(t, g2, level + 1, k, depth, dd, slot, pdd)) {
      let dp = <usize>hdr(t, H_TBL8D) + ((<usize>g << 8) | <usize>b);
      store<u8>(dp, load<u8>(<usize>hdr(t, H_TBL8D) + (<usize>g2 << 8)));
      store<u32>(ep, load<u32>(<usize>hdr(t, H_TBL8) + (<usize>g2 << 10)));
      groupFree(t, g2);
    }
  }
  return collapsible(t, g, level);
}

/** Adds the prefix at addr (16 bytes)/depth -> nh, or replaces its next hop. LPM_* status (lpm-layout.ts). */
export function lpm6_add(t: usize, addr: usize, depth: u32, nh: u32): i32 {
  if (depth > 128) return E_DEPTH;
  let k = t + H_KEY;
  maskCopy(k, addr, depth);
  let id = ruleFind(t, k, depth);
  if (id != 0) {
    let old = ruleRetarget(t, id, nh);
    if (old != 0) {
      writeRule(t, k, depth, ruleSlot(t, id));
      slotRelease(t, old);
    }
    return UPDATED;
  }
  if (hdr(t, H_RULES) >= hdr(t, H_RULES_CAP)) return E_RULES;
  if (groupsNeeded(t, k, depth) > groupsFree(t)) return E_TBL8;
  let slot = slotAcquire(t, nh);
  ruleInsert(t, k, depth, nh, slot, H_DEPTHS, true);
  writeRule(t, k, depth, slot);
  return OK;
}

/** Deletes the prefix at addr/depth; its addresses fall back to the longest covering prefix left. */
export function lpm6_delete(t: usize, addr: usize, depth: u32): i32 {
  if (depth > 128) return E_DEPTH;
  let k = t + H_KEY;
  let k2 = t + H_KEY2;
  maskCopy(k, addr, depth);
  let id = ruleFind(t, k, depth);
  if (id == 0) return E_NOT_FOUND;
  let slot = ruleSlot(t, id);
  // The entries fall back to the covering rule; with none, to the miss (slot 0, depth byte 0).
  let pid = ruleCovering(t, k, depth, H_DEPTHS, k2, true);
  let pslot = pid == 0 ? 0 : ruleSlot(t, pid);
  let pdd = pid == 0 ? 0 : ruleDepthByte(t, pid);
  ruleRemove(t, id, H_DEPTHS, true);
  let dd = depth + 1;
  if (depth <= 24) tbl24Rewrite(t, top24(k), depth, dd, true, pslot, pdd, true);
  else {
    let t24 = <usize>hdr(t, H_TBL24);
    let t24d = <usize>hdr(t, H_TBL24D);
    let i0 = top24(k);
    let e = load<u32>(t24 + (<usize>i0 << 2));
    if ((e & EXT) != 0) {
      let g = e & GROUP_MASK;
      if (replaceLevel(t, g, 1, k, depth, dd, pslot, pdd)) {
        store<u8>(t24d + <usize>i0, load<u8>(<usize>hdr(t, H_TBL8D) + (<usize>g << 8)));
        store<u32>(t24 + (<usize>i0 << 2), load<u32>(<usize>hdr(t, H_TBL8) + (<usize>g << 10)));
        groupFree(t, g);
      }
    }
  }
  slotRelease(t, slot);
  return OK;
}

/** Next hop for the address at addr (16 bytes, network order), or the table's miss value. */
export function lpm6_lookup(t: usize, addr: usize): u32 {
  let e = load<u32>(<usize>load<u32>(t + H_TBL24) + (<usize>top24(addr) << 2));
  let t8 = <usize>load<u32>(t + H_TBL8);
  let b: u32 = 3;
  while ((e & EXT) != 0) {
    if (b > 15) return load<u32>(<usize>load<u32>(t + H_NH_VAL)); // a corrupt table: miss
    e = load<u32>(t8 + ((<usize>(e & GROUP_MASK) << 10) | (<usize>keyByte(addr, b) << 2)));
    b++;
  }
  return load<u32>(<usize>load<u32>(t + H_NH_VAL) + (<usize>e << 2));
}

/** Depth of the longest matching prefix, or -1. */
export function lpm6_match_depth(t: usize, addr: usize): i32 {
  let i = top24(addr);
  let e = load<u32>(<usize>hdr(t, H_TBL24) + (<usize>i << 2));
  if ((e & EXT) == 0) return <i32>load<u8>(<usize>hdr(t, H_TBL24D) + <usize>i) - 1;
  let t8 = <usize>hdr(t, H_TBL8);
  let t8d = <usize>hdr(t, H_TBL8D);
  for (let b: u32 = 3; b < 16; b++) {
    let j = (<usize>(e & GROUP_MASK) << 8) | <usize>keyByte(addr, b);
    e = load<u32>(t8 + (j << 2));
    if ((e & EXT) == 0) return <i32>load<u8>(t8d + j) - 1;
  }
  return -1;
}

// Lanes walked in lockstep by the bulk lookup; their state lives in `out` until the end.
const LANES: u32 = 32;

/**
 * Looks up n addresses (16 bytes each, contiguous at addrs) into out (u32 each); returns
 * the hits. 32 lookups advance one level at a time together, so up to 32 cache misses are
 * in flight at each level. How many are really in flight is bounded by the instructions
 * between them (the core's reorder window fills while the oldest miss waits), so the
 * level step is as short as it can be: branch-free over every lane (a finished lane
 * re-reads its own entry in `out`, in L1, and keeps it), the group index shifted into
 * place without masking (the shift drops EXT, bit 31, and group indexes stay below
 * 2^22), for the bytes 3, 4 and 5 where a /48, the most common length, ends; a lane
 * still in a group after that (/49../128) walks on alone.
 */
export function lpm6_lookup_bulk(t: usize, addrs: usize, n: u32, out: usize): u32 {
  let t24 = <usize>load<u32>(t + H_TBL24);
  let t8 = <usize>load<u32>(t + H_TBL8);
  let nv = <usize>load<u32>(t + H_NH_VAL);
  let hits: u32 = 0;
  for (let base: u32 = 0; base < n; base += LANES) {
    let cnt = n - base < LANES ? n - base : LANES;
    let o = out + (<usize>base << 2);
    let p = addrs + (<usize>base << 4);
    let any: u32 = 0;
    let end = o + (<usize>cnt << 2);
    for (let ok = o, pk = p; ok < end; ok += 4, pk += 16) {
      let e = load<u32>(t24 + (<usize>top24(pk) << 2));
      store<u32>(ok, e);
      any |= e;
    }
    for (let b: u32 = 3; b < 6 && (any & EXT) != 0; b++) {
      any = 0;
      let pk = p + <usize>b;
      for (let ok = o; ok < end; ok += 4) {
        let x = load<u32>(ok);
        let next = t8 + (<usize>(x << 10) | (<usize>load<u8>(pk) << 2));
        let e = load<u32>(select<usize>(next, ok, <i32>x < 0));
        store<u32>(ok, e);
        any |= e;
        pk += 16;
      }
    }
    if ((any & EXT) != 0) {
      for (let k: u32 = 0; k < cnt; k++) {
        let x = load<u32>(o + (<usize>k << 2));
        for (let b: u32 = 6; b < 16 && (x & EXT) != 0; b++) {
          x = load<u32>(t8 + ((<usize>(x & GROUP_MASK) << 10) | (<usize>keyByte(p + (<usize>k << 4), b) << 2)));
        }
        store<u32>(o + (<usize>k << 2), x);
      }
    }
    for (let ok = o; ok < end; ok += 4) {
      let x = load<u32>(ok);
      x = select<u32>(0, x, (x & EXT) != 0); // a corrupt table could leave EXT after 13 levels
      store<u32>(ok, load<u32>(nv + (<usize>x << 2)));
      hits += <u32>(x != 0);
    }
  }
  return hits;
}

/** Address of rule id's 16-byte prefix, or 0 when the id was never used. */
export function lpm6_rule_addr(t: usize, id: u32): u32 {
  return id == 0 || id > hdr(t, H_RULES_HW) ? 0 : hdr(t, H_RULE_ADDR) + (id << 4);
}
/** Id of the exact prefix addr/depth, or 0. */
export function lpm6_find(t: usize, addr: usize, depth: u32): u32 {
  if (depth > 128) return 0;
  let k = t + H_KEY;
  maskCopy(k, addr, depth);
  return ruleFind(t, k, depth);
}
