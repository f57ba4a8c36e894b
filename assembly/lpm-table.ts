// The region header and layout that lpm4.ts and lpm6.ts share. Both carve their region the
// same way (first level, tbl8 groups, rule table, next-hop slots) and differ only in the
// header size (lpm6 keeps scratch keys and 129 depth counters) and in how many bytes a
// rule's prefix takes (4 or 16). Keeping one layout lets the helpers in lpm-nexthops.ts,
// lpm-groups.ts and lpm-rules.ts serve both, and keeps host/lpm-table.ts a single mirror.

// Header (u32 fields). Pointers are absolute byte addresses.
export const H_TBL24: usize = 0;
export const H_TBL24D: usize = 4;
export const H_TBL8: usize = 8;
export const H_TBL8D: usize = 12;
export const H_GROUPS: usize = 16; // tbl8 group capacity
export const H_GROUPS_HW: usize = 20; // groups ever handed out (never-used ones start here)
export const H_GROUPS_FREE: usize = 24; // u32 stack of freed groups
export const H_GROUPS_NFREE: usize = 28;
export const H_GROUPS_USED: usize = 32;
export const H_RULES_CAP: usize = 36;
export const H_RULES: usize = 40;
export const H_RULES_HW: usize = 44;
export const H_RULES_FREE: usize = 48; // free list head, linked through the first word of RULE_ADDR
export const H_RULE_ADDR: usize = 52; // prefix per rule id: u32 (lpm4) or 16 bytes (lpm6), [cap + 1]
export const H_RULE_DEPTH: usize = 56; // u8[cap + 1], depth + 1; 0 = free id
export const H_RULE_NH: usize = 60; // u32[cap + 1]
export const H_RULE_SLOT: usize = 64; // u32[cap + 1]
export const H_RULE_HASH: usize = 68; // u32[mask + 1] of rule ids, 0 = empty
export const H_RULE_HMASK: usize = 72;
export const H_NH_VAL: usize = 76; // u32[cap + 2]: slot -> next hop; free slots link through it
export const H_NH_REF: usize = 80; // u32[cap + 2]: rules using the slot
export const H_NH_HASH: usize = 84; // u32[mask + 1] of slots
export const H_NH_HMASK: usize = 88;
export const H_NH_HW: usize = 92;
export const H_NH_FREE: usize = 96;
export const H_NH_COUNT: usize = 100;
export const H_MAGIC: usize = 104;
export const H_BYTES: usize = 108; // footprint, for the host's memory figures

// An entry is a next-hop slot (bit 31 clear) or EXT | the index of a tbl8 group.
export const EXT: u32 = 0x80000000;
export const GROUP_MASK: u32 = 0x00FFFFFF;

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
