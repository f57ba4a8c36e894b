// Buffer-pool layout (assembly/pool.ts): the one hand-written source of the constants the
// host's twin and Pool class share with the WASM module. host/runtime/generate-layout.mjs
// writes host/pool/pool-layout.ts from this file; test/layout.test.ts checks it against the
// globals the WASM module exports under the same names. Only `export const NAME: i32|u32 =
// <integer expression>;`, comments and blank lines: the generator refuses anything else.

// Header (u32 fields, byte offsets).
export const POOL_HDR_SIZE: i32 = 128;
export const POOL_MAGIC: i32 = 0; // u32 POOL_MAGIC_VALUE once initialised
export const POOL_COUNT: i32 = 4; // u32 buffers
export const POOL_BUF_SIZE: i32 = 8; // u32 bytes of room per buffer (headroom included)
export const POOL_HEADROOM: i32 = 12; // u32 data offset of a fresh buffer
export const POOL_FREE: i32 = 16; // u32 free-stack depth = buffers available
export const POOL_STACK: i32 = 20; // u32 address of the free stack (u32 handles)
export const POOL_META: i32 = 24; // u32 address of mbuf 0
export const POOL_DATA: i32 = 28; // u32 address of buffer 0's room
export const POOL_FLAGS: i32 = 32; // u32 PF_* bits
export const POOL_STRIDE: i32 = 36; // u32 bytes between two buffers' rooms
export const POOL_ALLOCS: i32 = 40; // u32 successful allocations (wraps)
export const POOL_FREES: i32 = 44; // u32 buffers returned to the stack (wraps)
export const POOL_FAILS: i32 = 48; // u32 allocations refused: pool exhausted
export const POOL_BAD_FREES: i32 = 52; // u32 double frees and foreign handles
export const POOL_LAST_BAD: i32 = 56; // u32 the handle of the last bad free
export const POOL_MIN_FREE: i32 = 60; // u32 low-water mark of POOL_FREE

export const POOL_MAGIC_VALUE: u32 = 0x6c6f6f70; // 'pool'
export const PF_POISON: u32 = 1; // fill freed buffers with 0xDB (debug: catches use after free)

// mbuf record: one per buffer.
export const MB_SIZE: i32 = 32;
export const MB_BUF: i32 = 0; // u32 address of the buffer's room
export const MB_DATA: i32 = 4; // u32 offset of the first data byte in the room
export const MB_LEN: i32 = 8; // u32 data bytes
export const MB_REFCNT: i32 = 12; // u32 references; 0 while free
export const MB_POOL: i32 = 16; // u32 owning pool
export const MB_INDEX: i32 = 20; // u32 buffer number
export const MB_CAP: i32 = 24; // u32 room size (= POOL_BUF_SIZE, kept here so mbuf ops need no pool)
export const MB_FLAGS: i32 = 28; // u32 MBF_* bits
export const MBF_FREE: u32 = 1;

// pool_free results.
export const POOL_BAD_HANDLE: i32 = -1; // pool_free: not one of this pool's buffers
export const POOL_DOUBLE_FREE: i32 = -2; // pool_free: the buffer is already free
