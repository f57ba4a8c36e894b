// Timer-wheel layout (assembly/wheel.ts): the one hand-written source of the constants the
// host's twin and TimerWheel class share with the WASM module. host/runtime/generate-layout.mjs
// writes host/wheel/wheel-layout.ts from this file; test/layout.test.ts checks it against the
// globals the WASM module exports under the same names. Only `export const NAME: i32|u32 =
// <integer expression>;`, comments and blank lines: the generator refuses anything else.

// Header (u32 fields, byte offsets).
export const WHEEL_MAGIC: u32 = 0x6c656877; // 'whel'
export const WH_MAGIC: u32 = 0;
export const WH_CAPACITY: u32 = 4; // timer nodes (excluding sentinels)
export const WH_CUR: u32 = 8; // next tick to process; its cascade is already done
export const WH_TIME: u32 = 12; // the caller's clock: target of the last advance
export const WH_LIVE: u32 = 16; // timers scheduled and neither fired nor cancelled
export const WH_FREE: u32 = 20; // free-list head (node index, 0 = empty)
export const WH_BUMP: u32 = 24; // first never-used node index
export const WH_IDX_BITS: u32 = 28; // handle = gen << IDX_BITS | index
export const WH_IDX_MASK: u32 = 32;
export const WH_NODES: u32 = 36; // byte address of node 0
export const WH_SCHEDULED: u32 = 40; // lifetime counters (mod 2^32)
export const WH_CANCELLED: u32 = 44;
export const WH_EXPIRED: u32 = 48;
export const WH_FULL: u32 = 52; // schedules refused because the pool was empty
export const WH_BITMAP: u32 = 64; // 512 bits: slot s occupied
export const WH_HDR_SIZE: u32 = 128;

// Node: 20 bytes.
export const WN_SIZE: u32 = 20;
export const WN_NEXT: u32 = 0;
export const WN_PREV: u32 = 4; // 0 = not linked (free)
export const WN_EXPIRY: u32 = 8;
export const WN_ID: u32 = 12;
export const WN_GEN: u32 = 16;

// Slots: level 0 = 0..255 (tick & 255), level L>=1 = 256 + (L-1)*64 + ((tick >> (8+6(L-1))) & 63).
// Node index 0 is nil; node s+1 is the sentinel of slot s; timers start at WHEEL_FIRST.
export const WHEEL_SLOTS: u32 = 512;
export const WHEEL_FIRST: u32 = WHEEL_SLOTS + 1;
export const WHEEL_MAX_DELAY: u32 = 0x3FFFFFFF;
// Largest pool: keeps at least 6 generation bits in a handle.
export const WHEEL_MAX_CAPACITY: u32 = (1 << 26) - 514;
// Largest pool whose wide handles carry the whole u32 generation (IDX_BITS <= 21).
export const WHEEL_MAX_WIDE_CAPACITY: u32 = (1 << 21) - 514;
