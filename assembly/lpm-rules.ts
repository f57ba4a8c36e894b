// The rule table, shared by lpm4.ts and lpm6.ts: (prefix, depth) -> rule id in a linear-
// probing hash table, ids recycled through a free list, a per-depth rule count (so deletes
// skip depths with no rules). Only the key differs: lpm4 keys a rule by its u32 prefix and
// stores it as a u32; lpm6 by the 16 bytes at a pointer and stores all 16. `wide` says which.
// The functions are @inline and every caller passes `wide` as a constant, so each family
// compiles to its own straight-line code, as when they were written twice.
import { hdr, setHdr, H_RULES, H_RULES_HW, H_RULES_FREE, H_RULE_ADDR, H_RULE_DEPTH, H_RULE_NH, H_RULE_SLOT, H_RULE_HASH, H_RULE_HMASK } from "./lpm-table";
import { slotAcquire } from "./lpm-nexthops";

/** The lpm4 key of depth `depth`: the prefix's top bits. */
@inline export function prefixMask(depth: u32): u32 { return depth == 0 ? 0 : 0xFFFFFFFF << (32 - depth); }

/** The lpm6 key: copies the first `depth` bits of the address at src to dst, zeroing the rest. */
export function maskCopy(dst: usize, src: usize, depth: u32): void {
  for (let b: u32 = 0; b < 16; b++) {
    let bits = <i32>depth - <i32>(b << 3);
    let v = <u32>load<u8>(src + <usize>b);
    if (bits <= 0) v = 0;
    else if (bits < 8) v &= (0xFF << (8 - bits)) & 0xFF;
    store<u8>(dst + <usize>b, <u8>v);
  }
}

@inline function hash4(addr: u32, depth: u32, mask: u32): u32 {
  let h = (addr ^ (depth * 0x85EBCA77)) * 0x9E3779B1;
  return (h ^ (h >>> 16)) & mask;
}

@inline function hash16(k: usize, depth: u32, mask: u32): u32 {
  let h = (load<u32>(k) ^ (depth * 0x85EBCA77)) * 0x9E3779B1;
  h = (h ^ load<u32>(k, 4)) * 0x85EBCA77;
  h = (h ^ load<u32>(k, 8)) * 0xC2B2AE3D;
  h = (h ^ load<u32>(k, 12)) * 0x9E3779B1;
  return (h ^ (h >>> 16)) & mask;
}

@inline function keyEq16(a: usize, b: usize): bool {
  return load<u32>(a) == load<u32>(b) && load<u32>(a, 4) == load<u32>(b, 4)
    && load<u32>(a, 8) == load<u32>(b, 8) && load<u32>(a, 12) == load<u32>(b, 12);
}

// Where rule id's prefix is stored (its first word links free ids).
@inline function keyAt(ra: usize, id: u32, wide: bool): usize { return ra + (<usize>id << (wide ? 4 : 2)); }

// key: the prefix itself (lpm4) or a pointer to its 16 bytes (lpm6).
@inline function keyHash(key: usize, depth: u32, mask: u32, wide: bool): u32 {
  return wide ? hash16(key, depth, mask) : hash4(<u32>key, depth, mask);
}

@inline function storedHash(ra: usize, id: u32, depth: u32, mask: u32, wide: bool): u32 {
  return wide ? hash16(keyAt(ra, id, true), depth, mask) : hash4(load<u32>(keyAt(ra, id, false)), depth, mask);
}

/** Id of the rule key/depth (key as in keyHash), or 0. */
@inline export function ruleFind(t: usize, key: usize, depth: u32, wide: bool): u32 {
  let tab = <usize>hdr(t, H_RULE_HASH);
  let mask = hdr(t, H_RULE_HMASK);
  let ra = <usize>hdr(t, H_RULE_ADDR);
  let rd = <usize>hdr(t, H_RULE_DEPTH);
  let i = keyHash(key, depth, mask, wide);
  let id = load<u32>(tab + (<usize>i << 2));
  while (id != 0) {
    // Each family tests first what tells rules apart soonest, as it did when written twice.
    if (wide
      ? <u32>load<u8>(rd + <usize>id) == depth + 1 && keyEq16(keyAt(ra, id, true), key)
      : load<u32>(keyAt(ra, id, false)) == <u32>key && <u32>load<u8>(rd + <usize>id) == depth + 1) return id;
    i = (i + 1) & mask;
    id = load<u32>(tab + (<usize>i << 2));
  }
  return 0;
}

/** Adds a rule (the caller checked capacity and that it is new); depths: the family's H_DEPTHS. */
@inline export function ruleInsert(t: usize, key: usize, depth: u32, nh: u32, slot: u32, depths: usize, wide: bool): u32 {
  let ra = <usize>hdr(t, H_RULE_ADDR);
  let id = hdr(t, H_RULES_FREE);
  if (id != 0) setHdr(t, H_RULES_FREE, load<u32>(keyAt(ra, id, wide)));
  else { id = hdr(t, H_RULES_HW) + 1; setHdr(t, H_RULES_HW, id); }
  if (wide) memory.copy(keyAt(ra, id, true), key, 16);
  else store<u32>(keyAt(ra, id, false), <u32>key);
  store<u8>(<usize>hdr(t, H_RULE_DEPTH) + <usize>id, <u8>(depth + 1));
  store<u32>(<usize>hdr(t, H_RULE_NH) + (<usize>id << 2), nh);
  store<u32>(<usize>hdr(t, H_RULE_SLOT) + (<usize>id << 2), slot);
  let tab = <usize>hdr(t, H_RULE_HASH);
  let mask = hdr(t, H_RULE_HMASK);
  let i = keyHash(key, depth, mask, wide);
  while (load<u32>(tab + (<usize>i << 2)) != 0) i = (i + 1) & mask;
  store<u32>(tab + (<usize>i << 2), id);
  setHdr(t, H_RULES, hdr(t, H_RULES) + 1);
  let dc = t + depths + (<usize>depth << 2);
  store<u32>(dc, load<u32>(dc) + 1);
  return id;
}

/** The next-hop slot rule id holds. */
@inline export function ruleSlot(t: usize, id: u32): u32 {
  return load<u32>(<usize>hdr(t, H_RULE_SLOT) + (<usize>id << 2));
}

/** Rule id's depth byte (depth + 1). */
@inline export function ruleDepthByte(t: usize, id: u32): u32 {
  return <u32>load<u8>(<usize>hdr(t, H_RULE_DEPTH) + <usize>id);
}

/**
 * Gives rule id next hop nh (and nh's slot) and returns the slot it held, or 0 when nh
 * already was its next hop. The caller rewrites the rule's entries with ruleSlot(t, id)
 * and only then releases the old slot: until then the entries still name it.
 */
export function ruleRetarget(t: usize, id: u32, nh: u32): u32 {
  let rn = <usize>hdr(t, H_RULE_NH) + (<usize>id << 2);
  if (load<u32>(rn) == nh) return 0;
  let rs = <usize>hdr(t, H_RULE_SLOT) + (<usize>id << 2);
  let old = load<u32>(rs);
  let slot = slotAcquire(t, nh);
  store<u32>(rn, nh);
  store<u32>(rs, slot);
  return old;
}

/**
 * Id of the longest rule shorter than depth that covers key (key as in keyHash), or 0:
 * where a deleted rule's entries fall back to. Only depths that hold rules are probed;
 * lpm6 masks the key into `scratch`.
 */
@inline export function ruleCovering(t: usize, key: usize, depth: u32, depths: usize, scratch: usize, wide: bool): u32 {
  for (let d = <i32>depth - 1; d >= 0; d--) {
    if (load<u32>(t + depths + (<usize>d << 2)) == 0) continue;
    let id: u32;
    if (wide) {
      maskCopy(scratch, key, <u32>d);
      id = ruleFind(t, scratch, <u32>d, true);
    } else id = ruleFind(t, <usize>(<u32>key & prefixMask(<u32>d)), <u32>d, false);
    if (id != 0) return id;
  }
  return 0;
}

/** Removes rule id from the table and frees the id. */
@inline export function ruleRemove(t: usize, id: u32, depths: usize, wide: bool): void {
  let ra = <usize>hdr(t, H_RULE_ADDR);
  let rd = <usize>hdr(t, H_RULE_DEPTH);
  let tab = <usize>hdr(t, H_RULE_HASH);
  let mask = hdr(t, H_RULE_HMASK);
  let depth = <u32>load<u8>(rd + <usize>id) - 1;
  let i = storedHash(ra, id, depth, mask, wide);
  while (load<u32>(tab + (<usize>i << 2)) != id) i = (i + 1) & mask;
  // Backward-shift deletion keeps linear probing tombstone-free.
  let j = i;
  for (;;) {
    j = (j + 1) & mask;
    let o = load<u32>(tab + (<usize>j << 2));
    if (o == 0) break;
    let k = storedHash(ra, o, <u32>load<u8>(rd + <usize>o) - 1, mask, wide);
    if (i <= j ? (i < k && k <= j) : (i < k || k <= j)) continue;
    store<u32>(tab + (<usize>i << 2), o);
    i = j;
  }
  store<u32>(tab + (<usize>i << 2), 0);
  store<u8>(rd + <usize>id, 0);
  if (wide) memory.fill(keyAt(ra, id, true), 0, 16);
  store<u32>(keyAt(ra, id, wide), hdr(t, H_RULES_FREE));
  setHdr(t, H_RULES_FREE, id);
  setHdr(t, H_RULES, hdr(t, H_RULES) - 1);
  let dc = t + depths + (<usize>depth << 2);
  store<u32>(dc, load<u32>(dc) - 1);
}

// ---- rule enumeration (host: listing); lpm4.ts and lpm6.ts export them under their prefix ----

/** Highest rule id handed out; ids 1..this may be live (rule_depth >= 0). */
export function lpm_rule_high(t: usize): u32 { return hdr(t, H_RULES_HW); }
/** Depth of rule id, or -1 if the id is free. */
export function lpm_rule_depth(t: usize, id: u32): i32 {
  return id == 0 || id > hdr(t, H_RULES_HW) ? -1 : <i32>load<u8>(<usize>hdr(t, H_RULE_DEPTH) + <usize>id) - 1;
}
export function lpm_rule_nexthop(t: usize, id: u32): u32 {
  return id == 0 || id > hdr(t, H_RULES_HW) ? 0 : load<u32>(<usize>hdr(t, H_RULE_NH) + (<usize>id << 2));
}
