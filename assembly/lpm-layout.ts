// Longest-prefix-match layout (assembly/lpm-table.ts, lpm4.ts, lpm6.ts): the one hand-written
// source of the constants the host's twins share with the WASM module. host/runtime/
// generate-layout.mjs writes host/lpm/lpm-layout.ts from this file; test/layout.test.ts checks
// it against the globals the WASM module exports under the same names. Only `export const
// NAME: i32|u32 = <integer expression>;`, comments and blank lines: the generator refuses
// anything else.

// Status codes of lpm4_add/lpm6_add and lpm4_delete/lpm6_delete (the host maps them to
// PktError codes).
export const LPM_OK: i32 = 0; // a new rule
export const LPM_UPDATED: i32 = 1; // the rule existed: its next hop was replaced
export const LPM_E_DEPTH: i32 = -1;
export const LPM_E_RULES: i32 = -2; // rule capacity exhausted
export const LPM_E_TBL8: i32 = -3; // tbl8 groups exhausted
export const LPM_E_NOT_FOUND: i32 = -4;

// The region header both families share (u32 fields, byte offsets). Pointers are absolute
// byte addresses.
export const LPM_H_TBL24: u32 = 0;
export const LPM_H_TBL24D: u32 = 4;
export const LPM_H_TBL8: u32 = 8;
export const LPM_H_TBL8D: u32 = 12;
export const LPM_H_GROUPS: u32 = 16; // tbl8 group capacity
export const LPM_H_GROUPS_HW: u32 = 20; // groups ever handed out (never-used ones start here)
export const LPM_H_GROUPS_FREE: u32 = 24; // u32 stack of freed groups
export const LPM_H_GROUPS_NFREE: u32 = 28;
export const LPM_H_GROUPS_USED: u32 = 32;
export const LPM_H_RULES_CAP: u32 = 36;
export const LPM_H_RULES: u32 = 40;
export const LPM_H_RULES_HW: u32 = 44;
export const LPM_H_RULES_FREE: u32 = 48; // free list head, linked through the first word of RULE_ADDR
export const LPM_H_RULE_ADDR: u32 = 52; // prefix per rule id: u32 (lpm4) or 16 bytes (lpm6), [cap + 1]
export const LPM_H_RULE_DEPTH: u32 = 56; // u8[cap + 1], depth + 1; 0 = free id
export const LPM_H_RULE_NH: u32 = 60; // u32[cap + 1]
export const LPM_H_RULE_SLOT: u32 = 64; // u32[cap + 1]
export const LPM_H_RULE_HASH: u32 = 68; // u32[mask + 1] of rule ids, 0 = empty
export const LPM_H_RULE_HMASK: u32 = 72;
export const LPM_H_NH_VAL: u32 = 76; // u32[cap + 2]: slot -> next hop; free slots link through it
export const LPM_H_NH_REF: u32 = 80; // u32[cap + 2]: rules using the slot
export const LPM_H_NH_HASH: u32 = 84; // u32[mask + 1] of slots
export const LPM_H_NH_HMASK: u32 = 88;
export const LPM_H_NH_HW: u32 = 92;
export const LPM_H_NH_FREE: u32 = 96;
export const LPM_H_NH_COUNT: u32 = 100;
export const LPM_H_MAGIC: u32 = 104;
export const LPM_H_BYTES: u32 = 108; // footprint, for the host's memory figures
export const LPM_H_SIZE: u32 = 112; // the shared header's bytes: each family's own fields follow

// An entry is a next-hop slot (bit 31 clear) or LPM_EXT | the index of a tbl8 group.
export const LPM_EXT: u32 = 0x80000000;
export const LPM_GROUP_MASK: u32 = 0x00FFFFFF;

// IPv4 (lpm4.ts): the shared header, then the per-depth rule counts.
export const LPM4_H_DEPTHS: u32 = 128; // u32[33]: rules per depth (skips empty depths on delete)
export const LPM4_HEADER: u32 = 320;
export const LPM4_MAGIC: u32 = 0x6c706d34; // 'lpm4'
export const LPM4_MAX_GROUPS: u32 = 1 << 20;
export const LPM4_MAX_RULES: u32 = 1 << 26;

// IPv6 (lpm6.ts): the shared header, two 16-byte scratch keys (one writer at a time;
// lookups never use them), then the per-depth rule counts.
export const LPM6_H_KEY: u32 = 112; // the masked prefix being added or deleted
export const LPM6_H_KEY2: u32 = 128; // candidate parents on delete
export const LPM6_H_DEPTHS: u32 = 192; // u32[129]
export const LPM6_HEADER: u32 = 768;
export const LPM6_MAGIC: u32 = 0x6c706d36; // 'lpm6'
export const LPM6_MAX_GROUPS: u32 = 1 << 22;
export const LPM6_MAX_RULES: u32 = 1 << 24;
