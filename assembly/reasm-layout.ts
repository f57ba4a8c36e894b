// IP reassembly (assembly/reasm.ts, host/reasm/): the one hand-written source of the
// reassembler's region layout. host/runtime/generate-layout.mjs writes
// host/reasm/reasm-layout.ts from this file; test/layout.test.ts compares each constant
// with the WASM module's export of the same name. Only `export const NAME: i32|u32 =
// <integer expression>;`, comments and blank lines.
//
// Region: header (RH_*) | statistics (RS_*, f64) | bucket heads | entries | blocks |
// scratch | output area. Every part is fixed at reasm_init: memory is bounded by
// construction (capacity entries, the block pool, the output area).

export const REASM_MAGIC: u32 = 0x6d736572; // 'resm'

// ---- header (u32 fields) ----
export const RH_MAGIC: i32 = 0;
export const RH_CAPACITY: i32 = 4; // datagrams in progress at most (entries)
export const RH_BMASK: i32 = 8; // bucket count - 1 (a power of two >= capacity)
export const RH_INDEX: i32 = 12; // address of the bucket heads (u32 entry index, 0 = empty)
export const RH_ENTRIES: i32 = 16; // address of entry 0 (index 0 is nil, never used)
export const RH_BLOCKS: i32 = 20; // address of block 0 (blocks are named by index + 1)
export const RH_BLOCK_COUNT: i32 = 24; // blocks in the pool (the total memory cap / REASM_BLOCK)
export const RH_BLOCK_FREE: i32 = 28; // free-list head (block index + 1, 0 = empty)
export const RH_BLOCK_BUMP: i32 = 32; // first never-used block index
export const RH_BLOCKS_USED: i32 = 36; // blocks held by datagrams in progress
export const RH_FREE: i32 = 40; // entry free-list head (0 = empty)
export const RH_BUMP: i32 = 44; // first never-used entry index
export const RH_LIVE: i32 = 48; // entries in use (discarded datagrams included until their timeout)
export const RH_OLDEST: i32 = 52; // entry index: oldest of the age list (the next to evict)
export const RH_NEWEST: i32 = 56; // entry index: newest of the age list
export const RH_WHEEL: i32 = 60; // address of the reassembler's own timer wheel region
export const RH_TIMEOUT4: i32 = 64; // ticks (ms) an IPv4 datagram may take (Linux ipfrag_time: 30 s)
export const RH_TIMEOUT6: i32 = 68; // ticks (ms) an IPv6 datagram may take (Linux ip6frag_time: 60 s)
export const RH_MAX_PAYLOAD: i32 = 72; // largest reassembled payload accepted (fragmentable part, <= 65535)
export const RH_OUT: i32 = 76; // address of the output area (reassembled datagrams of the current batch)
export const RH_OUT_CAP: i32 = 80; // its size in bytes
export const RH_OUT_USED: i32 = 84; // bytes used by the current batch
export const RH_SCRATCH: i32 = 88; // address of the scratch area (a descriptor, then wheel output ids)
export const RH_FLAGS: i32 = 92; // RHF_* bits
export const RH_BASE_SEC: i32 = 96; // the clock's origin (seconds of the first fragment)
export const RH_NOW: i32 = 100; // the clock, in ticks (ms) since RH_BASE_SEC
export const RH_DONE: i32 = 104; // datagrams completed by the last reasm_batch
export const RH_HDR_SIZE: i32 = 128;
export const RHF_CLOCK: u32 = 1; // the clock has been set

// ---- statistics (f64 counters, lifetime) ----
export const RS_FRAGMENTS: i32 = 128; // IP fragments examined
export const RS_HELD: i32 = 136; // fragments taken into a datagram
export const RS_DONE: i32 = 144; // datagrams reassembled
export const RS_TIMEOUTS: i32 = 152; // datagrams incomplete at their timeout
export const RS_EVICTED: i32 = 160; // datagrams in progress evicted to make room (entries or memory)
export const RS_OVERLAPS: i32 = 168; // datagrams discarded: a fragment overlapped data held (RFC 5722)
export const RS_DUPLICATES: i32 = 176; // fragments dropped: wholly inside data already held
export const RS_INCONSISTENT: i32 = 184; // datagrams discarded: the last fragment's end conflicts with other fragments
export const RS_TOO_BIG: i32 = 192; // datagrams discarded: over RH_MAX_PAYLOAD or 65,535 (RFC 791, RFC 8200 4.5)
export const RS_BAD: i32 = 200; // fragments refused: empty, not a multiple of 8 before the last, jumbo (RFC 2675), headers too long
export const RS_CUT: i32 = 208; // fragments not reassembled: not wholly captured, or lengths the frame does not hold
export const RS_TINY: i32 = 216; // first fragments too short for the transport header (RFC 1858, 3128, 7112): counted only
export const RS_OFFSET8: i32 = 224; // TCP fragments at offset 8 (RFC 1858 overlapping-fragment attack): counted only
export const RS_HOLES: i32 = 232; // datagrams discarded: more than RE_MAX_HOLES holes
export const RS_LATE: i32 = 240; // fragments dropped: their datagram was discarded (RFC 5722: and those not yet received)
export const RS_OUT_FULL: i32 = 248; // datagrams complete but not reported: the batch's output area was full
export const RS_FLUSHED: i32 = 256; // datagrams incomplete when flushed (end of capture)
export const RS_NO_ROOM: i32 = 264; // datagrams discarded: the block pool could not hold them even alone
export const RH_SIZE: i32 = 320; // header + statistics

// ---- entry: one datagram in progress, RE_SIZE bytes ----
export const RE_NEXT: i32 = 0; // u32 next entry of the bucket's chain (free list: next free)
export const RE_OLDER: i32 = 4; // u32 age list neighbours
export const RE_NEWER: i32 = 8; // u32
export const RE_TIMER: i32 = 12; // u32 wheel handle
export const RE_HASH: i32 = 16; // u32 key hash
export const RE_ID: i32 = 20; // u32 identification (IPv4 16 bits, IPv6 32)
export const RE_VER: i32 = 24; // u8 4 or 6
export const RE_PROTO: i32 = 25; // u8 IPv4 protocol (part of the key); 0 for IPv6, whose key has none
export const RE_STATE: i32 = 26; // u8 ES_* bits
export const RE_HOLES: i32 = 27; // u8 holes in the list
export const RE_SRC: i32 = 28; // 16 bytes (IPv4: the address as a number in the first word)
export const RE_DST: i32 = 44; // 16 bytes
export const RE_END: i32 = 60; // u32 payload length, once the last fragment (MF = 0) is in
export const RE_MAXEND: i32 = 64; // u32 highest end of the data held
export const RE_HDR_LEN: i32 = 68; // u16 IPv4 header / IPv6 unfragmentable part stored from the first fragment
export const RE_FRAGS: i32 = 70; // u16 fragments taken
export const RE_HDR_BLOCK: i32 = 72; // u32 block (index + 1) holding that header, 0 before the first fragment
export const RE_NXT: i32 = 76; // u8 IPv6: the Next Header of the first fragment's Fragment header
export const RE_NXT_OFF: i32 = 78; // u16 IPv6: where the byte naming the Fragment header is, in the unfragmentable part
// Hole descriptors (RFC 815): [start, end) pairs of u32, end REASM_INF while the last
// fragment is missing. Kept in the entry rather than in the holes themselves, since a
// hole's bytes have no block until data lands there.
export const RE_HOLE: i32 = 80;
export const RE_MAX_HOLES: i32 = 32;
export const RE_BLOCK: i32 = 336; // u32[RE_BLOCK_SLOTS]: the block (index + 1) holding payload bytes [k * 1024, k * 1024 + 1024)
export const RE_BLOCK_SLOTS: i32 = 64;
export const RE_SIZE: i32 = 640;
export const ES_USED: u32 = 1;
export const ES_FIRST: u32 = 2; // the fragment at offset 0 is in (header stored)
export const ES_LAST: u32 = 4; // the fragment with MF = 0 is in (RE_END known)
export const ES_DEAD: u32 = 8; // discarded: kept (without data) until its timeout, dropping late fragments

// ---- the block pool and the rest ----
export const REASM_BLOCK: i32 = 1024; // bytes per block
export const REASM_BLOCK_SHIFT: i32 = 10;
export const REASM_INF: u32 = 0xFFFFFFFF; // a hole's end before the last fragment is in
export const REASM_MAX_PAYLOAD: i32 = 65535; // RFC 791 total length, RFC 8200 4.5 payload length
export const REASM_WHEEL_OUT: i32 = 64; // expired ids taken from the wheel per call
export const REASM_TICK_US: i32 = 1000; // a clock tick is 1 ms
