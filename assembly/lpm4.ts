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
// Everything is in the host-allocated region; no static data is written.

// Header (u32 fields). Pointers are absolute byte addresses.
const H_TBL24: usize = 0;
const H_TBL24D: usize = 4;
const H_TBL8: usize = 8;
const H_TBL8D: usize = 12;
const H_GROUPS: usize = 16; // tbl8 group capacity
const H_GROUPS_HW: usize = 20; // groups ever handed out (never-used ones start here)
const H_GROUPS_FREE: usize = 24; // u32 stack of freed groups
const H_GROUPS_NFREE: usize = 28;
const H_GROUPS_USED: usize = 32;
const H_RULES_CAP: usize = 36;
const H_RULES: usize = 40;
const H_RULES_HW: usize = 44;
const H_RULES_FREE: usize = 48; // free list head, linked through RULE_ADDR
const H_RULE_ADDR: usize = 52; // u32[cap + 1]
const H_RULE_DEPTH: usize = 56; // u8[cap + 1], depth + 1; 0 = free id
const H_RULE_NH: usize = 60; // u32[cap + 1]
const H_RULE_SLOT: usize = 64; // u32[cap + 1]
const H_RULE_HASH: usize = 68; // u32[mask + 1] of rule ids, 0 = empty
const H_RULE_HMASK: usize = 72;
const H_NH_VAL: usize = 76; // u32[cap + 2]: slot -> next hop; free slots link through it
const H_NH_REF: usize = 80; // u32[cap + 2]: rules using the slot
const H_NH_HASH: usize = 84; // u32[mask + 1] of slots
const H_NH_HMASK: usize = 88;
const H_NH_HW: usize = 92;
const H_NH_FREE: usize = 96;
const H_NH_COUNT: usize = 100;
const H_MAGIC: usize = 104;
const H_BYTES: usize = 108; // footprint, for the host's memory figures
const H_DEPTHS: usize = 128; // u32[33]: rules per depth (skips empty depths on delete)
export const LPM4_HEADER: u32 = 320;
const MAGIC: u32 = 0x6c706d34; // 'lpm4'

const EXT: u32 = 0x80000000;
const GROUP_MASK: u32 = 0x00FFFFFF;
export const LPM4_MAX_GROUPS: u32 = 1 << 20;
export const LPM4_MAX_RULES: u32 = 1 << 26;

// Status codes (shared by lpm6; the host maps them to PktError codes).
export const LPM4_OK: i32 = 0; // a new rule
export const LPM4_UPDATED: i32 = 1; // the rule existed: its next hop was replaced
export const LPM4_E_DEPTH: i32 = -1;
export const LPM4_E_RULES: i32 = -2; // rule capacity exhausted
export const LPM4_E_TBL8: i32 = -3; // tbl8 groups exhausted
export const LPM4_E_NOT_FOUND: i32 = -4;

@inline function hdr(t: usize, off: usize): u32 { return load<u32>(t + off); }
@inline function setHdr(t: usize, off: usize, v: u32): void { store<u32>(t + off, v); }
@inline function align64(n: u64): u64 { return (n + 63) & ~(<u64>63); }
@inline function pow2Above(n: u32): u32 { let m: u32 = 64; while (m < n) m <<= 1; return m; }
@inline function prefixMask(depth: u32): u32 { return depth == 0 ? 0 : 0xFFFFFFFF << (32 - depth); }

// Region layout, computed the same way by footprint (t = 0, no stores) and init.
function carve(t: usize, rules: u32, groups: u32, write: bool): u64 {
  let p: u64 = <u64>t + LPM4_HEADER;
  let hsize = pow2Above(rules * 2 + 2);
  let tbl24 = p; p = align64(p + (<u64>1 << 26));
  let tbl24d = p; p = align64(p + (<u64>1 << 24));
  let tbl8 = p; p = align64(p + <u64>groups * 1024);
  let tbl8d = p; p = align64(p + <u64>groups * 256);
  let gfree = p; p = align64(p + <u64>groups * 4);
  let raddr = p; p = align64(p + (<u64>rules + 1) * 4);
  let rdepth = p; p = align64(p + (<u64>rules + 1));
  let rnh = p; p = align64(p + (<u64>rules + 1) * 4);
  let rslot = p; p = align64(p + (<u64>rules + 1) * 4);
  let rhash = p; p = align64(p + <u64>hsize * 4);
  let nval = p; p = align64(p + (<u64>rules + 2) * 4);
  let nref = p; p = align64(p + (<u64>rules + 2) * 4);
  let nhash = p; p = align64(p + <u64>hsize * 4);
  if (write) {
    setHdr(t, H_TBL24, <u32>tbl24);
    setHdr(t, H_TBL24D, <u32>tbl24d);
    setHdr(t, H_TBL8, <u32>tbl8);
    setHdr(t, H_TBL8D, <u32>tbl8d);
    setHdr(t, H_GROUPS_FREE, <u32>gfree);
    setHdr(t, H_RULE_ADDR, <u32>raddr);
    setHdr(t, H_RULE_DEPTH, <u32>rdepth);
    setHdr(t, H_RULE_NH, <u32>rnh);
    setHdr(t, H_RULE_SLOT, <u32>rslot);
    setHdr(t, H_RULE_HASH, <u32>rhash);
    setHdr(t, H_RULE_HMASK, hsize - 1);
    setHdr(t, H_NH_VAL, <u32>nval);
    setHdr(t, H_NH_REF, <u32>nref);
    setHdr(t, H_NH_HASH, <u32>nhash);
    setHdr(t, H_NH_HMASK, hsize - 1);
  }
  return p - <u64>t;
}

/** Bytes a table with room for `rules` prefixes and `groups` tbl8 groups needs; 0 if it cannot fit in 4 GiB. */
export function lpm4_footprint(rules: u32, groups: u32): u32 {
  if (rules > LPM4_MAX_RULES || groups > LPM4_MAX_GROUPS) return 0;
  let n = carve(0, rules, groups, false);
  return n >= 0xFFFFFFC0 ? 0 : <u32>n;
}

/** Initialises a zeroed region of lpm4_footprint() bytes (64-byte aligned). */
export function lpm4_init(t: usize, rules: u32, groups: u32, miss: u32): void {
  let bytes = carve(t, rules, groups, true);
  setHdr(t, H_GROUPS, groups);
  setHdr(t, H_RULES_CAP, rules);
  setHdr(t, H_NH_HW, 1);
  store<u32>(hdr(t, H_NH_VAL), miss); // slot 0: the miss value
  setHdr(t, H_BYTES, <u32>bytes);
  setHdr(t, H_MAGIC, MAGIC);
}

// ---- next-hop slots: value -> slot, reference counted by rules ----

@inline function nhHash(v: u32, mask: u32): u32 {
  let h = v * 0x9E3779B1;
  return (h ^ (h >>> 15)) & mask;
}

function slotAcquire(t: usize, v: u32): u32 {
  let vals = <usize>hdr(t, H_NH_VAL);
  let refs = <usize>hdr(t, H_NH_REF);
  let tab = <usize>hdr(t, H_NH_HASH);
  let mask = hdr(t, H_NH_HMASK);
  let i = nhHash(v, mask);
  for (;;) {
    let s = load<u32>(tab + (<usize>i << 2));
    if (s == 0) break;
    if (load<u32>(vals + (<usize>s << 2)) == v) {
      store<u32>(refs + (<usize>s << 2), load<u32>(refs + (<usize>s << 2)) + 1);
      return s;
    }
    i = (i + 1) & mask;
  }
  let s = hdr(t, H_NH_FREE);
  if (s != 0) setHdr(t, H_NH_FREE, load<u32>(vals + (<usize>s << 2)));
  else { s = hdr(t, H_NH_HW); setHdr(t, H_NH_HW, s + 1); }
  store<u32>(vals + (<usize>s << 2), v);
  store<u32>(refs + (<usize>s << 2), 1);
  store<u32>(tab + (<usize>i << 2), s);
  setHdr(t, H_NH_COUNT, hdr(t, H_NH_COUNT) + 1);
  return s;
}

function slotRelease(t: usize, s: u32): void {
  let vals = <usize>hdr(t, H_NH_VAL);
  let refs = <usize>hdr(t, H_NH_REF);
  let r = load<u32>(refs + (<usize>s << 2)) - 1;
  store<u32>(refs + (<usize>s << 2), r);
  if (r != 0) return;
  let tab = <usize>hdr(t, H_NH_HASH);
  let mask = hdr(t, H_NH_HMASK);
  let i = nhHash(load<u32>(vals + (<usize>s << 2)), mask);
  while (load<u32>(tab + (<usize>i << 2)) != s) i = (i + 1) & mask;
  // Backward-shift deletion keeps linear probing tombstone-free.
  let j = i;
  for (;;) {
    j = (j + 1) & mask;
    let o = load<u32>(tab + (<usize>j << 2));
    if (o == 0) break;
    let k = nhHash(load<u32>(vals + (<usize>o << 2)), mask);
    if (i <= j ? (i < k && k <= j) : (i < k || k <= j)) continue;
    store<u32>(tab + (<usize>i << 2), o);
    i = j;
  }
  store<u32>(tab + (<usize>i << 2), 0);
  store<u32>(vals + (<usize>s << 2), hdr(t, H_NH_FREE));
  setHdr(t, H_NH_FREE, s);
  setHdr(t, H_NH_COUNT, hdr(t, H_NH_COUNT) - 1);
}

// ---- rules: (prefix, depth) -> id ----

@inline function ruleHash(addr: u32, depth: u32, mask: u32): u32 {
  let h = (addr ^ (depth * 0x85EBCA77)) * 0x9E3779B1;
  return (h ^ (h >>> 16)) & mask;
}

function ruleFind(t: usize, addr: u32, depth: u32): u32 {
  let tab = <usize>hdr(t, H_RULE_HASH);
  let mask = hdr(t, H_RULE_HMASK);
  let ra = <usize>hdr(t, H_RULE_ADDR);
  let rd = <usize>hdr(t, H_RULE_DEPTH);
  let i = ruleHash(addr, depth, mask);
  let id = load<u32>(tab + (<usize>i << 2));
  while (id != 0) {
    if (load<u32>(ra + (<usize>id << 2)) == addr && <u32>load<u8>(rd + <usize>id) == depth + 1) return id;
    i = (i + 1) & mask;
    id = load<u32>(tab + (<usize>i << 2));
  }
  return 0;
}

function ruleInsert(t: usize, addr: u32, depth: u32, nh: u32, slot: u32): u32 {
  let ra = <usize>hdr(t, H_RULE_ADDR);
  let id = hdr(t, H_RULES_FREE);
  if (id != 0) setHdr(t, H_RULES_FREE, load<u32>(ra + (<usize>id << 2)));
  else { id = hdr(t, H_RULES_HW) + 1; setHdr(t, H_RULES_HW, id); }
  store<u32>(ra + (<usize>id << 2), addr);
  store<u8>(<usize>hdr(t, H_RULE_DEPTH) + <usize>id, <u8>(depth + 1));
  store<u32>(<usize>hdr(t, H_RULE_NH) + (<usize>id << 2), nh);
  store<u32>(<usize>hdr(t, H_RULE_SLOT) + (<usize>id << 2), slot);
  let tab = <usize>hdr(t, H_RULE_HASH);
  let mask = hdr(t, H_RULE_HMASK);
  let i = ruleHash(addr, depth, mask);
  while (load<u32>(tab + (<usize>i << 2)) != 0) i = (i + 1) & mask;
  store<u32>(tab + (<usize>i << 2), id);
  setHdr(t, H_RULES, hdr(t, H_RULES) + 1);
  let dc = t + H_DEPTHS + (<usize>depth << 2);
  store<u32>(dc, load<u32>(dc) + 1);
  return id;
}

function ruleRemove(t: usize, id: u32): void {
  let ra = <usize>hdr(t, H_RULE_ADDR);
  let rd = <usize>hdr(t, H_RULE_DEPTH);
  let tab = <usize>hdr(t, H_RULE_HASH);
  let mask = hdr(t, H_RULE_HMASK);
  let depth = <u32>load<u8>(rd + <usize>id) - 1;
  let i = ruleHash(load<u32>(ra + (<usize>id << 2)), depth, mask);
  while (load<u32>(tab + (<usize>i << 2)) != id) i = (i + 1) & mask;
  let j = i;
  for (;;) {
    j = (j + 1) & mask;
    let o = load<u32>(tab + (<usize>j << 2));
    if (o == 0) break;
    let k = ruleHash(load<u32>(ra + (<usize>o << 2)), <u32>load<u8>(rd + <usize>o) - 1, mask);
    if (i <= j ? (i < k && k <= j) : (i < k || k <= j)) continue;
    store<u32>(tab + (<usize>i << 2), o);
    i = j;
  }
  store<u32>(tab + (<usize>i << 2), 0);
  store<u8>(rd + <usize>id, 0);
  store<u32>(ra + (<usize>id << 2), hdr(t, H_RULES_FREE));
  setHdr(t, H_RULES_FREE, id);
  setHdr(t, H_RULES, hdr(t, H_RULES) - 1);
  let dc = t + H_DEPTHS + (<usize>depth << 2);
  store<u32>(dc, load<u32>(dc) - 1);
}

// ---- tbl8 groups ----

@inline function groupsAvailable(t: usize): bool {
  return hdr(t, H_GROUPS_NFREE) != 0 || hdr(t, H_GROUPS_HW) < hdr(t, H_GROUPS);
}

/** Takes a group (caller checked availability) and fills it with one entry and depth. */
function groupAlloc(t: usize, e: u32, d: u32): u32 {
  let g: u32;
  let nf = hdr(t, H_GROUPS_NFREE);
  if (nf != 0) {
    nf--;
    setHdr(t, H_GROUPS_NFREE, nf);
    g = load<u32>(<usize>hdr(t, H_GROUPS_FREE) + (<usize>nf << 2));
  } else {
    g = hdr(t, H_GROUPS_HW);
    setHdr(t, H_GROUPS_HW, g + 1);
  }
  setHdr(t, H_GROUPS_USED, hdr(t, H_GROUPS_USED) + 1);
  let p = <usize>hdr(t, H_TBL8) + (<usize>g << 10);
  let v = i32x4.splat(<i32>e);
  for (let k: usize = 0; k < 1024; k += 16) v128.store(p + k, v);
  memory.fill(<usize>hdr(t, H_TBL8D) + (<usize>g << 8), <u8>d, 256);
  return g;
}

function groupFree(t: usize, g: u32): void {
  let nf = hdr(t, H_GROUPS_NFREE);
  store<u32>(<usize>hdr(t, H_GROUPS_FREE) + (<usize>nf << 2), g);
  setHdr(t, H_GROUPS_NFREE, nf + 1);
  setHdr(t, H_GROUPS_USED, hdr(t, H_GROUPS_USED) - 1);
}

// Writes `slot` into every entry of group g whose depth byte is <= dd (a less specific
// route or none), i.e. where the new prefix is now the longest match.
function groupOverwrite(t: usize, g: u32, from: u32, count: u32, slot: u32, dd: u32): void {
  let e = <usize>hdr(t, H_TBL8) + (<usize>g << 10);
  let d = <usize>hdr(t, H_TBL8D) + (<usize>g << 8);
  for (let j = from; j < from + count; j++) {
    if (<u32>load<u8>(d + <usize>j) <= dd) {
      store<u32>(e + (<usize>j << 2), slot);
      store<u8>(d + <usize>j, <u8>dd);
    }
  }
}

// Rewrites the entries of group g that belong to a deleted rule (depth byte == dd).
function groupReplace(t: usize, g: u32, from: u32, count: u32, dd: u32, slot: u32, pdd: u32): void {
  let e = <usize>hdr(t, H_TBL8) + (<usize>g << 10);
  let d = <usize>hdr(t, H_TBL8D) + (<usize>g << 8);
  for (let j = from; j < from + count; j++) {
    if (<u32>load<u8>(d + <usize>j) == dd) {
      store<u32>(e + (<usize>j << 2), slot);
      store<u8>(d + <usize>j, <u8>pdd);
    }
  }
}

function writeRule(t: usize, addr: u32, depth: u32, slot: u32): void {
  let dd = depth + 1;
  let t24 = <usize>hdr(t, H_TBL24);
  let t24d = <usize>hdr(t, H_TBL24D);
  if (depth <= 24) {
    let start = addr >>> 8;
    let end = start + (<u32>1 << (24 - depth));
    for (let i = start; i < end; i++) {
      let e = load<u32>(t24 + (<usize>i << 2));
      if ((e & EXT) != 0) groupOverwrite(t, e & GROUP_MASK, 0, 256, slot, dd);
      else if (<u32>load<u8>(t24d + <usize>i) <= dd) {
        store<u32>(t24 + (<usize>i << 2), slot);
        store<u8>(t24d + <usize>i, <u8>dd);
      }
    }
  } else {
    let i = addr >>> 8;
    let e = load<u32>(t24 + (<usize>i << 2));
    let g: u32;
    if ((e & EXT) == 0) {
      g = groupAlloc(t, e, <u32>load<u8>(t24d + <usize>i));
      store<u32>(t24 + (<usize>i << 2), EXT | g); // after the group is complete
    } else g = e & GROUP_MASK;
    groupOverwrite(t, g, addr & 255, <u32>1 << (32 - depth), slot, dd);
  }
}

/** Adds 'addr/depth' -> nh, or replaces the next hop of an existing prefix. LPM4_* status. */
export function lpm4_add(t: usize, addr: u32, depth: u32, nh: u32): i32 {
  if (depth > 32) return LPM4_E_DEPTH;
  addr &= prefixMask(depth);
  let id = ruleFind(t, addr, depth);
  if (id != 0) {
    let rn = <usize>hdr(t, H_RULE_NH) + (<usize>id << 2);
    let rs = <usize>hdr(t, H_RULE_SLOT) + (<usize>id << 2);
    if (load<u32>(rn) == nh) return LPM4_UPDATED;
    let old = load<u32>(rs);
    let slot = slotAcquire(t, nh);
    store<u32>(rn, nh);
    store<u32>(rs, slot);
    writeRule(t, addr, depth, slot);
    slotRelease(t, old);
    return LPM4_UPDATED;
  }
  if (hdr(t, H_RULES) >= hdr(t, H_RULES_CAP)) return LPM4_E_RULES;
  if (depth > 24 && (load<u32>(<usize>hdr(t, H_TBL24) + (<usize>(addr >>> 8) << 2)) & EXT) == 0 && !groupsAvailable(t)) {
    return LPM4_E_TBL8;
  }
  let slot = slotAcquire(t, nh);
  ruleInsert(t, addr, depth, nh, slot);
  writeRule(t, addr, depth, slot);
  return LPM4_OK;
}

/** Deletes 'addr/depth'; its addresses fall back to the longest remaining covering prefix. */
export function lpm4_delete(t: usize, addr: u32, depth: u32): i32 {
  if (depth > 32) return LPM4_E_DEPTH;
  addr &= prefixMask(depth);
  let id = ruleFind(t, addr, depth);
  if (id == 0) return LPM4_E_NOT_FOUND;
  let slot = load<u32>(<usize>hdr(t, H_RULE_SLOT) + (<usize>id << 2));
  let pslot: u32 = 0;
  let pdd: u32 = 0;
  for (let d = <i32>depth - 1; d >= 0; d--) {
    if (load<u32>(t + H_DEPTHS + (<usize>d << 2)) == 0) continue;
    let pid = ruleFind(t, addr & prefixMask(<u32>d), <u32>d);
    if (pid != 0) {
      pslot = load<u32>(<usize>hdr(t, H_RULE_SLOT) + (<usize>pid << 2));
      pdd = <u32>d + 1;
      break;
    }
  }
  ruleRemove(t, id);
  let dd = depth + 1;
  let t24 = <usize>hdr(t, H_TBL24);
  let t24d = <usize>hdr(t, H_TBL24D);
  if (depth <= 24) {
    let start = addr >>> 8;
    let end = start + (<u32>1 << (24 - depth));
    for (let i = start; i < end; i++) {
      let e = load<u32>(t24 + (<usize>i << 2));
      if ((e & EXT) != 0) groupReplace(t, e & GROUP_MASK, 0, 256, dd, pslot, pdd);
      else if (<u32>load<u8>(t24d + <usize>i) == dd) {
        store<u32>(t24 + (<usize>i << 2), pslot);
        store<u8>(t24d + <usize>i, <u8>pdd);
      }
    }
  } else {
    let i = addr >>> 8;
    let e = load<u32>(t24 + (<usize>i << 2));
    if ((e & EXT) != 0) {
      let g = e & GROUP_MASK;
      groupReplace(t, g, addr & 255, <u32>1 << (32 - depth), dd, pslot, pdd);
      // No /25../32 left in the group: every entry is the same <= /24 route; fold it back.
      let gd = <usize>hdr(t, H_TBL8D) + (<usize>g << 8);
      let deep = false;
      for (let j: usize = 0; j < 256; j++) {
        if (<u32>load<u8>(gd + j) > 25) { deep = true; break; }
      }
      if (!deep) {
        store<u8>(t24d + <usize>i, load<u8>(gd));
        store<u32>(t24 + (<usize>i << 2), load<u32>(<usize>hdr(t, H_TBL8) + (<usize>g << 10)));
        groupFree(t, g);
      }
    }
  }
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

export function lpm4_rule_count(t: usize): u32 { return hdr(t, H_RULES); }
export function lpm4_rule_capacity(t: usize): u32 { return hdr(t, H_RULES_CAP); }
export function lpm4_tbl8_used(t: usize): u32 { return hdr(t, H_GROUPS_USED); }
export function lpm4_tbl8_capacity(t: usize): u32 { return hdr(t, H_GROUPS); }
export function lpm4_nexthop_count(t: usize): u32 { return hdr(t, H_NH_COUNT); }
export function lpm4_bytes(t: usize): u32 { return hdr(t, H_BYTES); }
/** Highest rule id handed out; ids 1..this may be live (lpm4_rule_depth >= 0). */
export function lpm4_rule_high(t: usize): u32 { return hdr(t, H_RULES_HW); }
export function lpm4_rule_addr(t: usize, id: u32): u32 {
  return id == 0 || id > hdr(t, H_RULES_HW) ? 0 : load<u32>(<usize>hdr(t, H_RULE_ADDR) + (<usize>id << 2));
}
/** Depth of rule id, or -1 if the id is free. */
export function lpm4_rule_depth(t: usize, id: u32): i32 {
  return id == 0 || id > hdr(t, H_RULES_HW) ? -1 : <i32>load<u8>(<usize>hdr(t, H_RULE_DEPTH) + <usize>id) - 1;
}
export function lpm4_rule_nexthop(t: usize, id: u32): u32 {
  return id == 0 || id > hdr(t, H_RULES_HW) ? 0 : load<u32>(<usize>hdr(t, H_RULE_NH) + (<usize>id << 2));
}
/** Id of the exact prefix addr/depth, or 0. */
export function lpm4_find(t: usize, addr: u32, depth: u32): u32 {
  if (depth > 32) return 0;
  return ruleFind(t, addr & prefixMask(depth), depth);
}
