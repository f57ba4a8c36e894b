// The region header and layout that lpm4.ts and lpm6.ts share. Both carve their region the
// same way (first level, tbl8 groups, rule table, next-hop slots) and differ only in the
// header size (lpm6 keeps scratch keys and 129 depth counters) and in how many bytes a
// rule's prefix takes (4 or 16). Keeping one layout lets the helpers in lpm-nexthops.ts,
// lpm-groups.ts and lpm-rules.ts serve both, and keeps host/lpm-table.ts a single mirror.

// The header offsets (u32 fields) and the entry bits are in lpm-layout.ts, so that the
// host's copy can be generated from it; the WASM module exports them as LPM_*, the lpm
// files use the short names.
import {
  LPM_H_TBL24 as H_TBL24, LPM_H_TBL24D as H_TBL24D, LPM_H_TBL8 as H_TBL8, LPM_H_TBL8D as H_TBL8D,
  LPM_H_GROUPS as H_GROUPS, LPM_H_GROUPS_HW as H_GROUPS_HW, LPM_H_GROUPS_FREE as H_GROUPS_FREE,
  LPM_H_GROUPS_NFREE as H_GROUPS_NFREE, LPM_H_GROUPS_USED as H_GROUPS_USED,
  LPM_H_RULES_CAP as H_RULES_CAP, LPM_H_RULES as H_RULES, LPM_H_RULES_HW as H_RULES_HW,
  LPM_H_RULES_FREE as H_RULES_FREE, LPM_H_RULE_ADDR as H_RULE_ADDR,
  LPM_H_RULE_DEPTH as H_RULE_DEPTH, LPM_H_RULE_NH as H_RULE_NH, LPM_H_RULE_SLOT as H_RULE_SLOT,
  LPM_H_RULE_HASH as H_RULE_HASH, LPM_H_RULE_HMASK as H_RULE_HMASK, LPM_H_NH_VAL as H_NH_VAL,
  LPM_H_NH_REF as H_NH_REF, LPM_H_NH_HASH as H_NH_HASH, LPM_H_NH_HMASK as H_NH_HMASK,
  LPM_H_NH_HW as H_NH_HW, LPM_H_NH_FREE as H_NH_FREE, LPM_H_NH_COUNT as H_NH_COUNT,
  LPM_H_MAGIC as H_MAGIC, LPM_H_BYTES as H_BYTES, LPM_EXT as EXT, LPM_GROUP_MASK as GROUP_MASK,
} from "./lpm-layout";
export {
  H_TBL24, H_TBL24D, H_TBL8, H_TBL8D, H_GROUPS, H_GROUPS_HW, H_GROUPS_FREE, H_GROUPS_NFREE,
  H_GROUPS_USED, H_RULES_CAP, H_RULES, H_RULES_HW, H_RULES_FREE, H_RULE_ADDR, H_RULE_DEPTH,
  H_RULE_NH, H_RULE_SLOT, H_RULE_HASH, H_RULE_HMASK, H_NH_VAL, H_NH_REF, H_NH_HASH, H_NH_HMASK,
  H_NH_HW, H_NH_FREE, H_NH_COUNT, H_MAGIC, H_BYTES, EXT, GROUP_MASK,
};

@inline export function hdr(t: usize, off: usize): u32 { return load<u32>(t + off); }
@inline export function setHdr(t: usize, off: usize, v: u32): void { store<u32>(t + off, v); }
@inline function align64(n: u64): u64 { return (n + 63) & ~(<u64>63); }
@inline function pow2Above(n: u32): u32 { let m: u32 = 64; while (m < n) m <<= 1; return m; }

// Region layout, computed the same way by footprint (t = 0, no stores) and init.
function carve(t: usize, header: u32, addrBytes: u32, rules: u32, groups: u32, write: bool): u64 {
  let p: u64 = <u64>t + header;
  let hsize = pow2Above(rules * 2 + 2);
  let tbl24 = p; p = align64(p + (<u64>1 << 26));
  let tbl24d = p; p = align64(p + (<u64>1 << 24));
  let tbl8 = p; p = align64(p + <u64>groups * 1024);
  let tbl8d = p; p = align64(p + <u64>groups * 256);
  let gfree = p; p = align64(p + <u64>groups * 4);
  let raddr = p; p = align64(p + (<u64>rules + 1) * addrBytes);
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

/** Region bytes for a table of this shape; 0 past the family's limits or 4 GiB. */
export function tableFootprint(header: u32, addrBytes: u32, rules: u32, groups: u32, maxRules: u32, maxGroups: u32): u32 {
  if (rules > maxRules || groups > maxGroups) return 0;
  let n = carve(0, header, addrBytes, rules, groups, false);
  return n >= 0xFFFFFFC0 ? 0 : <u32>n;
}

/** Initialises a zeroed region of tableFootprint() bytes (64-byte aligned). */
export function tableInit(t: usize, header: u32, addrBytes: u32, rules: u32, groups: u32, miss: u32, magic: u32): void {
  let bytes = carve(t, header, addrBytes, rules, groups, true);
  setHdr(t, H_GROUPS, groups);
  setHdr(t, H_RULES_CAP, rules);
  setHdr(t, H_NH_HW, 1);
  store<u32>(hdr(t, H_NH_VAL), miss); // slot 0: the miss value
  setHdr(t, H_BYTES, <u32>bytes);
  setHdr(t, H_MAGIC, magic);
}

// ---- figures (host: size, memory); lpm4.ts and lpm6.ts export them under their prefix ----

export function lpm_rule_count(t: usize): u32 { return hdr(t, H_RULES); }
export function lpm_rule_capacity(t: usize): u32 { return hdr(t, H_RULES_CAP); }
export function lpm_tbl8_used(t: usize): u32 { return hdr(t, H_GROUPS_USED); }
export function lpm_tbl8_capacity(t: usize): u32 { return hdr(t, H_GROUPS); }
export function lpm_nexthop_count(t: usize): u32 { return hdr(t, H_NH_COUNT); }
export function lpm_bytes(t: usize): u32 { return hdr(t, H_BYTES); }
