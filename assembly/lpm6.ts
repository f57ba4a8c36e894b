// IPv6 longest-prefix match: multi-level stride tables as in DPDK lib/lpm6 — a 2^24-entry
// first level for the top 24 bits, then 256-entry tbl8 groups, one level per further
// address byte (up to 13 levels for a /128). An entry is a next-hop slot (bit 31 clear)
// or the index of the group for the next byte (bit 31 set).
//
// Same machinery as lpm4.ts (see there for the why): interned next-hop slots with the
// miss value in slot 0, a u8 depth array beside each table for updates only, rules in a
// hash table keyed by (prefix, depth), deletes falling back to the longest remaining
// covering rule. A group whose entries all come from prefixes no longer than the bits
// above it is folded back into its parent entry on delete.
//
// Addresses are 16 bytes in network order at a pointer. The header holds two 16-byte
// scratch keys for masking (the table has one writer at a time; lookups never use them).

const H_TBL24: usize = 0;
const H_TBL24D: usize = 4;
const H_TBL8: usize = 8;
const H_TBL8D: usize = 12;
const H_GROUPS: usize = 16;
const H_GROUPS_HW: usize = 20;
const H_GROUPS_FREE: usize = 24;
const H_GROUPS_NFREE: usize = 28;
const H_GROUPS_USED: usize = 32;
const H_RULES_CAP: usize = 36;
const H_RULES: usize = 40;
const H_RULES_HW: usize = 44;
const H_RULES_FREE: usize = 48; // free list, linked through the first word of RULE_ADDR
const H_RULE_ADDR: usize = 52; // 16 bytes per rule id
const H_RULE_DEPTH: usize = 56; // u8, depth + 1; 0 = free id
const H_RULE_NH: usize = 60;
const H_RULE_SLOT: usize = 64;
const H_RULE_HASH: usize = 68;
const H_RULE_HMASK: usize = 72;
const H_NH_VAL: usize = 76;
const H_NH_REF: usize = 80;
const H_NH_HASH: usize = 84;
const H_NH_HMASK: usize = 88;
const H_NH_HW: usize = 92;
const H_NH_FREE: usize = 96;
const H_NH_COUNT: usize = 100;
const H_MAGIC: usize = 104;
const H_BYTES: usize = 108;
const H_KEY: usize = 112; // 16-byte scratch: the masked prefix being added or deleted
const H_KEY2: usize = 128; // 16-byte scratch: candidate parents on delete
const H_DEPTHS: usize = 192; // u32[129]
export const LPM6_HEADER: u32 = 768;
const MAGIC: u32 = 0x6c706d36; // 'lpm6'

const EXT: u32 = 0x80000000;
const GROUP_MASK: u32 = 0x00FFFFFF;
export const LPM6_MAX_GROUPS: u32 = 1 << 22;
export const LPM6_MAX_RULES: u32 = 1 << 24;

// Status codes: the same values as LPM4_*.
const OK: i32 = 0;
const UPDATED: i32 = 1;
const E_DEPTH: i32 = -1;
const E_RULES: i32 = -2;
const E_TBL8: i32 = -3;
const E_NOT_FOUND: i32 = -4;

@inline function hdr(t: usize, off: usize): u32 { return load<u32>(t + off); }
@inline function setHdr(t: usize, off: usize, v: u32): void { store<u32>(t + off, v); }
@inline function align64(n: u64): u64 { return (n + 63) & ~(<u64>63); }
@inline function pow2Above(n: u32): u32 { let m: u32 = 64; while (m < n) m <<= 1; return m; }
@inline function keyByte(k: usize, b: u32): u32 { return <u32>load<u8>(k + <usize>b); }
@inline function top24(k: usize): u32 { return bswap<u32>(load<u32>(k)) >>> 8; }

function carve(t: usize, rules: u32, groups: u32, write: bool): u64 {
  let p: u64 = <u64>t + LPM6_HEADER;
  let hsize = pow2Above(rules * 2 + 2);
  let tbl24 = p; p = align64(p + (<u64>1 << 26));
  let tbl24d = p; p = align64(p + (<u64>1 << 24));
  let tbl8 = p; p = align64(p + <u64>groups * 1024);
  let tbl8d = p; p = align64(p + <u64>groups * 256);
  let gfree = p; p = align64(p + <u64>groups * 4);
  let raddr = p; p = align64(p + (<u64>rules + 1) * 16);
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

/** Bytes a table with room for `rules` prefixes and `groups` tbl8 groups needs; 0 if too large. */
export function lpm6_footprint(rules: u32, groups: u32): u32 {
  if (rules > LPM6_MAX_RULES || groups > LPM6_MAX_GROUPS) return 0;
  let n = carve(0, rules, groups, false);
  return n >= 0xFFFFFFC0 ? 0 : <u32>n;
}

/** Initialises a zeroed region of lpm6_footprint() bytes (64-byte aligned). */
export function lpm6_init(t: usize, rules: u32, groups: u32, miss: u32): void {
  let bytes = carve(t, rules, groups, true);
  setHdr(t, H_GROUPS, groups);
  setHdr(t, H_RULES_CAP, rules);
  setHdr(t, H_NH_HW, 1);
  store<u32>(hdr(t, H_NH_VAL), miss);
  setHdr(t, H_BYTES, <u32>bytes);
  setHdr(t, H_MAGIC, MAGIC);
}

// ---- next-hop slots (as lpm4.ts) ----

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
  let s = load<u32>(tab + (<usize>i << 2));
  while (s != 0) {
    if (load<u32>(vals + (<usize>s << 2)) == v) {
      store<u32>(refs + (<usize>s << 2), load<u32>(refs + (<usize>s << 2)) + 1);
      return s;
    }
    i = (i + 1) & mask;
    s = load<u32>(tab + (<usize>i << 2));
  }
  s = hdr(t, H_NH_FREE);
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

// ---- rules: (16-byte prefix, depth) -> id ----

/** Copies the first `depth` bits of the address at src to dst, zeroing the rest. */
function maskCopy(dst: usize, src: usize, depth: u32): void {
  for (let b: u32 = 0; b < 16; b++) {
    let bits = <i32>depth - <i32>(b << 3);
    let v = keyByte(src, b);
    if (bits <= 0) v = 0;
    else if (bits < 8) v &= (0xFF << (8 - bits)) & 0xFF;
    store<u8>(dst + <usize>b, <u8>v);
  }
}

@inline function ruleHash(k: usize, depth: u32, mask: u32): u32 {
  let h = (load<u32>(k) ^ (depth * 0x85EBCA77)) * 0x9E3779B1;
  h = (h ^ load<u32>(k, 4)) * 0x85EBCA77;
  h = (h ^ load<u32>(k, 8)) * 0xC2B2AE3D;
  h = (h ^ load<u32>(k, 12)) * 0x9E3779B1;
  return (h ^ (h >>> 16)) & mask;
}

@inline function keyEq(a: usize, b: usize): bool {
  return load<u32>(a) == load<u32>(b) && load<u32>(a, 4) == load<u32>(b, 4)
    && load<u32>(a, 8) == load<u32>(b, 8) && load<u32>(a, 12) == load<u32>(b, 12);
}

function ruleFind(t: usize, k: usize, depth: u32): u32 {
  let tab = <usize>hdr(t, H_RULE_HASH);
  let mask = hdr(t, H_RULE_HMASK);
  let ra = <usize>hdr(t, H_RULE_ADDR);
  let rd = <usize>hdr(t, H_RULE_DEPTH);
  let i = ruleHash(k, depth, mask);
  let id = load<u32>(tab + (<usize>i << 2));
  while (id != 0) {
    if (<u32>load<u8>(rd + <usize>id) == depth + 1 && keyEq(ra + (<usize>id << 4), k)) return id;
    i = (i + 1) & mask;
    id = load<u32>(tab + (<usize>i << 2));
  }
  return 0;
}

function ruleInsert(t: usize, k: usize, depth: u32, nh: u32, slot: u32): u32 {
  let ra = <usize>hdr(t, H_RULE_ADDR);
  let id = hdr(t, H_RULES_FREE);
  if (id != 0) setHdr(t, H_RULES_FREE, load<u32>(ra + (<usize>id << 4)));
  else { id = hdr(t, H_RULES_HW) + 1; setHdr(t, H_RULES_HW, id); }
  memory.copy(ra + (<usize>id << 4), k, 16);
  store<u8>(<usize>hdr(t, H_RULE_DEPTH) + <usize>id, <u8>(depth + 1));
  store<u32>(<usize>hdr(t, H_RULE_NH) + (<usize>id << 2), nh);
  store<u32>(<usize>hdr(t, H_RULE_SLOT) + (<usize>id << 2), slot);
  let tab = <usize>hdr(t, H_RULE_HASH);
  let mask = hdr(t, H_RULE_HMASK);
  let i = ruleHash(k, depth, mask);
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
  let i = ruleHash(ra + (<usize>id << 4), depth, mask);
  while (load<u32>(tab + (<usize>i << 2)) != id) i = (i + 1) & mask;
  let j = i;
  for (;;) {
    j = (j + 1) & mask;
    let o = load<u32>(tab + (<usize>j << 2));
    if (o == 0) break;
    let k = ruleHash(ra + (<usize>o << 4), <u32>load<u8>(rd + <usize>o) - 1, mask);
    if (i <= j ? (i < k && k <= j) : (i < k || k <= j)) continue;
    store<u32>(tab + (<usize>i << 2), o);
    i = j;
  }
  store<u32>(tab + (<usize>i << 2), 0);
  store<u8>(rd + <usize>id, 0);
  memory.fill(ra + (<usize>id << 4), 0, 16);
  store<u32>(ra + (<usize>id << 4), hdr(t, H_RULES_FREE));
  setHdr(t, H_RULES_FREE, id);
  setHdr(t, H_RULES, hdr(t, H_RULES) - 1);
  let dc = t + H_DEPTHS + (<usize>depth << 2);
  store<u32>(dc, load<u32>(dc) - 1);
}

// ---- tbl8 groups ----

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

// Sets slot where the entry's route is no longer than dd, descending into deeper groups.
function subtreeOverwrite(t: usize, g: u32, from: u32, count: u32, slot: u32, dd: u32): void {
  let e = <usize>hdr(t, H_TBL8) + (<usize>g << 10);
  let d = <usize>hdr(t, H_TBL8D) + (<usize>g << 8);
  for (let j = from; j < from + count; j++) {
    let x = load<u32>(e + (<usize>j << 2));
    if ((x & EXT) != 0) subtreeOverwrite(t, x & GROUP_MASK, 0, 256, slot, dd);
    else if (<u32>load<u8>(d + <usize>j) <= dd) {
      store<u32>(e + (<usize>j << 2), slot);
      store<u8>(d + <usize>j, <u8>dd);
    }
  }
}

// Rewrites entries written by a deleted rule (depth byte == dd), descending into deeper groups.
function subtreeReplace(t: usize, g: u32, from: u32, count: u32, dd: u32, slot: u32, pdd: u32): void {
  let e = <usize>hdr(t, H_TBL8) + (<usize>g << 10);
  let d = <usize>hdr(t, H_TBL8D) + (<usize>g << 8);
  for (let j = from; j < from + count; j++) {
    let x = load<u32>(e + (<usize>j << 2));
    if ((x & EXT) != 0) subtreeReplace(t, x & GROUP_MASK, 0, 256, dd, slot, pdd);
    else if (<u32>load<u8>(d + <usize>j) == dd) {
      store<u32>(e + (<usize>j << 2), slot);
      store<u8>(d + <usize>j, <u8>pdd);
    }
  }
}

function writeRule(t: usize, k: usize, depth: u32, slot: u32): void {
  let dd = depth + 1;
  let t24 = <usize>hdr(t, H_TBL24);
  let t24d = <usize>hdr(t, H_TBL24D);
  let t8 = <usize>hdr(t, H_TBL8);
  let t8d = <usize>hdr(t, H_TBL8D);
  let i0 = top24(k);
  if (depth <= 24) {
    let end = i0 + (<u32>1 << (24 - depth));
    for (let i = i0; i < end; i++) {
      let e = load<u32>(t24 + (<usize>i << 2));
      if ((e & EXT) != 0) subtreeOverwrite(t, e & GROUP_MASK, 0, 256, slot, dd);
      else if (<u32>load<u8>(t24d + <usize>i) <= dd) {
        store<u32>(t24 + (<usize>i << 2), slot);
        store<u8>(t24d + <usize>i, <u8>dd);
      }
    }
    return;
  }
  let ep = t24 + (<usize>i0 << 2);
  let dp = t24d + <usize>i0;
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
      subtreeOverwrite(t, g, b, <u32>1 << (bitsEnd - depth), slot, dd);
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
    subtreeReplace(t, g, b, <u32>1 << (bitsEnd - depth), dd, slot, pdd);
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

/** Adds the prefix at addr (16 bytes)/depth -> nh, or replaces its next hop. LPM4_* status. */
export function lpm6_add(t: usize, addr: usize, depth: u32, nh: u32): i32 {
  if (depth > 128) return E_DEPTH;
  let k = t + H_KEY;
  maskCopy(k, addr, depth);
  let id = ruleFind(t, k, depth);
  if (id != 0) {
    let rn = <usize>hdr(t, H_RULE_NH) + (<usize>id << 2);
    let rs = <usize>hdr(t, H_RULE_SLOT) + (<usize>id << 2);
    if (load<u32>(rn) == nh) return UPDATED;
    let old = load<u32>(rs);
    let slot = slotAcquire(t, nh);
    store<u32>(rn, nh);
    store<u32>(rs, slot);
    writeRule(t, k, depth, slot);
    slotRelease(t, old);
    return UPDATED;
  }
  if (hdr(t, H_RULES) >= hdr(t, H_RULES_CAP)) return E_RULES;
  let free = hdr(t, H_GROUPS_NFREE) + (hdr(t, H_GROUPS) - hdr(t, H_GROUPS_HW));
  if (groupsNeeded(t, k, depth) > free) return E_TBL8;
  let slot = slotAcquire(t, nh);
  ruleInsert(t, k, depth, nh, slot);
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
  let slot = load<u32>(<usize>hdr(t, H_RULE_SLOT) + (<usize>id << 2));
  let pslot: u32 = 0;
  let pdd: u32 = 0;
  for (let d = <i32>depth - 1; d >= 0; d--) {
    if (load<u32>(t + H_DEPTHS + (<usize>d << 2)) == 0) continue;
    maskCopy(k2, k, <u32>d);
    let pid = ruleFind(t, k2, <u32>d);
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
  let i0 = top24(k);
  if (depth <= 24) {
    let end = i0 + (<u32>1 << (24 - depth));
    for (let i = i0; i < end; i++) {
      let e = load<u32>(t24 + (<usize>i << 2));
      if ((e & EXT) != 0) subtreeReplace(t, e & GROUP_MASK, 0, 256, dd, pslot, pdd);
      else if (<u32>load<u8>(t24d + <usize>i) == dd) {
        store<u32>(t24 + (<usize>i << 2), pslot);
        store<u8>(t24d + <usize>i, <u8>pdd);
      }
    }
  } else {
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
 * in flight at each level. The level step is branch-free (a finished lane re-reads a
 * harmless entry and keeps its value): lanes end at different depths, and mispredicted
 * branches would drain the misses we want overlapped.
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
    for (let k: u32 = 0; k < cnt; k++) {
      let e = load<u32>(t24 + (<usize>top24(p + (<usize>k << 4)) << 2));
      store<u32>(o + (<usize>k << 2), e);
      any |= e;
    }
    let b: u32 = 3;
    while ((any & EXT) != 0 && b < 16) {
      any = 0;
      for (let k: u32 = 0; k < cnt; k++) {
        let x = load<u32>(o + (<usize>k << 2));
        let ext = (x & EXT) != 0;
        let idx = select<usize>((<usize>(x & GROUP_MASK) << 10) | (<usize>keyByte(p + (<usize>k << 4), b) << 2), 0, ext);
        let e = select<u32>(load<u32>(t8 + idx), x, ext);
        store<u32>(o + (<usize>k << 2), e);
        any |= e;
      }
      b++;
    }
    for (let k: u32 = 0; k < cnt; k++) {
      let x = load<u32>(o + (<usize>k << 2));
      x = select<u32>(0, x, (x & EXT) != 0); // a corrupt table could leave EXT after 13 levels
      store<u32>(o + (<usize>k << 2), load<u32>(nv + (<usize>x << 2)));
      hits += <u32>(x != 0);
    }
  }
  return hits;
}

export function lpm6_rule_count(t: usize): u32 { return hdr(t, H_RULES); }
export function lpm6_rule_capacity(t: usize): u32 { return hdr(t, H_RULES_CAP); }
export function lpm6_tbl8_used(t: usize): u32 { return hdr(t, H_GROUPS_USED); }
export function lpm6_tbl8_capacity(t: usize): u32 { return hdr(t, H_GROUPS); }
export function lpm6_nexthop_count(t: usize): u32 { return hdr(t, H_NH_COUNT); }
export function lpm6_bytes(t: usize): u32 { return hdr(t, H_BYTES); }
export function lpm6_rule_high(t: usize): u32 { return hdr(t, H_RULES_HW); }
/** Address of rule id's 16-byte prefix, or 0 when the id was never used. */
export function lpm6_rule_addr(t: usize, id: u32): u32 {
  return id == 0 || id > hdr(t, H_RULES_HW) ? 0 : hdr(t, H_RULE_ADDR) + (id << 4);
}
export function lpm6_rule_depth(t: usize, id: u32): i32 {
  return id == 0 || id > hdr(t, H_RULES_HW) ? -1 : <i32>load<u8>(<usize>hdr(t, H_RULE_DEPTH) + <usize>id) - 1;
}
export function lpm6_rule_nexthop(t: usize, id: u32): u32 {
  return id == 0 || id > hdr(t, H_RULES_HW) ? 0 : load<u32>(<usize>hdr(t, H_RULE_NH) + (<usize>id << 2));
}
/** Id of the exact prefix addr/depth, or 0. */
export function lpm6_find(t: usize, addr: usize, depth: u32): u32 {
  if (depth > 128) return 0;
  let k = t + H_KEY;
  maskCopy(k, addr, depth);
  return ruleFind(t, k, depth);
}
