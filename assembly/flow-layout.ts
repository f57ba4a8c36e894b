// Flow-table layout (assembly/flows.ts): the one hand-written source of the constants the
// host's twin and FlowTable class share with the WASM module. host/runtime/generate-layout.mjs
// writes host/flows/flow-layout.ts from this file; test/layout.test.ts checks it against the
// globals the WASM module exports under the same names. Only `export const NAME: i32|u32 =
// <integer expression>;`, comments and blank lines: the generator refuses anything else.

// ---- header (byte offsets) ----
export const FLOWS_MAGIC: u32 = 0x776f6c66; // 'flow'
export const FT_MAGIC: u32 = 0;
export const FT_CAPACITY: u32 = 4;
export const FT_BUCKETS: u32 = 8;
export const FT_BMASK: u32 = 12;
export const FT_INDEX: u32 = 16; // address of bucket 0
export const FT_ENTRIES: u32 = 20; // address of entry 0 (index 0 is nil, never used)
export const FT_WHEEL: u32 = 24; // address of the wheel region
export const FT_EXPORT: u32 = 28; // address of the export buffer (records of FE_SIZE)
export const FT_EXPORT_CAP: u32 = 32;
export const FT_EXPORT_COUNT: u32 = 36; // records waiting for the host
export const FT_FREE: u32 = 40; // free entry list (linked through FE_LAST_TICK)
export const FT_BUMP: u32 = 44; // first never-used entry index
export const FT_LIVE: u32 = 48;
export const FT_TICK_US: u32 = 52; // microseconds per wheel tick
export const FT_BASE_SEC: u32 = 56; // tick 0 is this second (the first frame's)
export const FT_NOW_TICK: u32 = 60;
export const FT_NOW_SEC: u32 = 64; // latest timestamp seen
export const FT_NOW_NSEC: u32 = 68;
export const FT_FIRST_SEC: u32 = 72; // first frame seen (tshark's "relative start" origin)
export const FT_FIRST_NSEC: u32 = 76;
export const FT_FLAGS: u32 = 80;
export const FT_EVICT: u32 = 84; // 1: a full table evicts the stalest flow near the new one; 0: refuse
export const FT_SCAN: u32 = 88; // flows_flush resume cursor
export const FT_SCRATCH: u32 = 92; // address of the scratch area
export const FT_TIMEOUTS: u32 = 96; // u32 ticks per timeout class (TC_*)
export const FT_ST_FRAMES: u32 = 136; // f64 statistics from here on
export const FT_ST_SKIPPED: u32 = 144; // frames without an IP layer
export const FT_ST_CREATED: u32 = 152;
export const FT_ST_IDLE: u32 = 160; // flows ended by their idle timeout
export const FT_ST_EVICTED: u32 = 168; // flows pushed out to make room
export const FT_ST_FAILED: u32 = 176; // new flows refused: no room and no eviction
export const FT_ST_ACTIVE: u32 = 184; // active-timeout reports
export const FT_ST_REUSED: u32 = 192; // TCP flows ended by a new SYN on the same tuple
export const FT_ST_FLUSHED: u32 = 200;
export const FT_TICK_SEC: u32 = 208; // the clock tick covers [TICK_SEC.TICK_NSEC0, TICK_SEC.TICK_NSEC1)
export const FT_TICK_NSEC0: u32 = 212;
export const FT_TICK_NSEC1: u32 = 216;
export const FT_SEED: u32 = 220; // u32 key of the flow hash (hashKey), random per table unless given: keys chosen offline cannot collide on purpose
export const FT_ST_RST_IGNORED: u32 = 224; // f64 RSTs ignored as outside the window (RFC 5961 section 3)
export const FT_AGE_SHIFT: u32 = 232; // u32 a slot's age stamp counts units of 1 << this many ticks (FB_STAMP_*)
export const FT_SWEEP: u32 = 236; // u32 next bucket a full table whose new flow's window is empty takes a victim from
export const FT_HDR_SIZE: u32 = 256;

export const TF_CLOCK: u32 = 1; // the clock has started (base second set)
export const TF_DRAIN: u32 = 2; // a wheel advance stopped early: more timers are due

// Timeout classes (index into FT_TIMEOUTS).
export const TC_TCP_OPENING: u32 = 0;
export const TC_TCP_ESTABLISHED: u32 = 1;
export const TC_TCP_CLOSING: u32 = 2;
export const TC_TCP_TIME_WAIT: u32 = 3;
export const TC_TCP_CLOSED: u32 = 4;
export const TC_UDP: u32 = 5;
export const TC_ICMP: u32 = 6;
export const TC_OTHER: u32 = 7;
export const TC_ACTIVE: u32 = 8; // 0 = no active timeout
export const TC_COUNT: u32 = 9;

// Scratch: chunk hashes, chunk candidates, wheel output.
export const FT_CHUNK: u32 = 32;
export const FT_WHEEL_OUT: u32 = 256;
export const FT_SC_HASH: u32 = 0; // u32 hash per frame of the chunk (FT_CHUNK of them)
export const FT_SC_CAND: u32 = FT_SC_HASH + FT_CHUNK * 4; // FT_CHUNK x u32 address of the index slot pass 3 found for each frame (0: none)
export const FT_SC_SINK: u32 = FT_SC_CAND + FT_CHUNK * 4; // u32 XOR of the touching passes' loads, stored so they are not optimised away
export const FT_SC_OUT: u32 = FT_SC_SINK + 64; // u32 wheel output: up to FT_WHEEL_OUT expired handles
export const FT_SCRATCH_SIZE: u32 = FT_SC_OUT + FT_WHEEL_OUT * 4;

// Buckets: sig[7] u32, overflow u32, idx[7] u32, eviction hand u32.
// An idx word is the entry index (26 bits: the capacity limit) with what eviction needs
// above it, so that choosing a victim reads the probe window's buckets and no entry
// (issue #19): the stamp of the flow's last packet (FT_NOW_TICK >> FT_AGE_SHIFT, 5 bits)
// and a weak bit (no packet from B yet: a scan, a flood, a query not yet answered).
export const FB_SIZE: u32 = 64;
export const FB_SLOTS: u32 = 7;
export const FB_OVERFLOW: u32 = 28;
export const FB_IDX: u32 = 32;
export const FB_HAND: u32 = 60; // u32 of the home bucket: where its window's next victim search starts (0..27)
export const FB_IDX_MASK: u32 = 0x3FFFFFF;
export const FB_STAMP_SHIFT: u32 = 26;
export const FB_STAMP_MASK: u32 = 31;
export const FB_WEAK: u32 = 0x80000000;
export const FT_PROBE: u32 = 4;

// ---- entry (protocol control block), FE_SIZE bytes ----
// Three cache lines (entries are 64-byte aligned). An update of an established flow reads
// and writes the first two only: the key, flags, states, timer, the active-timeout tick and
// the TCP windows in the first; times, counters and next sequence numbers in the second.
// The third holds what only handshakes, ends, anomalies and records read.
export const FE_SIZE: u32 = 192;
export const FE_LAST_TICK: u32 = 0; // u32 clock tick of the last packet (free list link when free)
export const FE_PROTO: u32 = 4; // u8
export const FE_IPVER: u32 = 5; // u8 4 or 6
export const FE_FLAGS: u32 = 6; // u16 EF_*
export const FE_TIMER: u32 = 8; // u32 wheel handle
export const FE_DEADLINE: u32 = 12; // u32 tick the timer fires at
export const FE_ADDR_A: u32 = 16; // 16 bytes, network order (IPv4: first 4, rest zero)
export const FE_ADDR_B: u32 = 32;
export const FE_PORT_A: u32 = 48; // u16 (ICMP echo: identifier; other ICMP: 0 / type<<8|code)
export const FE_PORT_B: u32 = 50;
export const FE_STATE_A: u32 = 52; // u8 TS_* (TCP only)
export const FE_STATE_B: u32 = 53;
export const FE_TCPFL_A: u32 = 54; // u8 OR of TCP flags sent by A
export const FE_TCPFL_B: u32 = 55;
export const FE_REPORT_TICK: u32 = 56; // u32 tick the flow started or was last reported (active timeout)
export const FE_WIN_A: u32 = 60; // u16 last window field A sent on a non-SYN segment (EF_WIN_A)
export const FE_WIN_B: u32 = 62;
export const FE_LAST_SEC: u32 = 64;
export const FE_LAST_NSEC: u32 = 68;
export const FE_FRAMES_AB: u32 = 72; // u32
export const FE_FRAMES_BA: u32 = 76;
export const FE_BYTES_AB: u32 = 80; // f64 frame (wire) lengths, as tshark's conv counts
export const FE_BYTES_BA: u32 = 88;
export const FE_IPBYTES_AB: u32 = 96; // f64 IP total lengths (IPFIX octetDeltaCount)
export const FE_IPBYTES_BA: u32 = 104;
export const FE_NEXT_A: u32 = 112; // u32 next sequence number expected from A
export const FE_NEXT_B: u32 = 116;
export const FE_RETRANS_A: u32 = 120; // u16 segments from A carrying only already-seen sequence space
export const FE_RETRANS_B: u32 = 122;
export const FE_OOO_A: u32 = 124; // u16 segments from A beyond a gap (an earlier one late or lost)
export const FE_OOO_B: u32 = 126;
export const FE_ISN_A: u32 = 128;
export const FE_ISN_B: u32 = 132;
export const FE_FIN_A: u32 = 136; // sequence number of A's FIN
export const FE_FIN_B: u32 = 140;
export const FE_HIST_A: u32 = 144; // u32 last 8 states of A, 4 bits each, newest in the low nibble
export const FE_HIST_B: u32 = 148;
export const FE_END: u32 = 152; // u8 flowEndReason (IPFIX IE 136) of an exported record
export const FE_ICMP_TYPE: u32 = 153; // u8 type of the flow's first ICMP message
export const FE_ICMP_CODE: u32 = 154; // u8
export const FE_VLAN: u32 = 156; // u16 outer VLAN id of the first frame
export const FE_IFACE: u32 = 158; // u16 interface of the first frame
export const FE_FIRST_SEC: u32 = 160; // first packet of this record (after an active-timeout report, of the interval)
export const FE_START_SEC: u32 = 164; // original start, kept across active-timeout reports
export const FE_START_NSEC: u32 = 168;
export const FE_REPORTS: u32 = 172; // u32 active-timeout records emitted so far
export const FE_INDEX: u32 = 176; // u32 the entry's own index (records carry it)
export const FE_FIRST_NSEC: u32 = 180;
export const FE_RST_IGNORED: u32 = 184; // u16 RSTs ignored as outside the receiver's window (saturates)
export const FE_WSCALE: u32 = 155; // u8 window scale of each end's SYN + 1 (A low nibble, B high; 0 = none)

export const EF_USED: u32 = 1;
export const EF_ISN_A: u32 = 2;
export const EF_ISN_B: u32 = 4;
export const EF_FIN_A: u32 = 8;
export const EF_FIN_B: u32 = 16;
export const EF_SEQ_A: u32 = 32;
export const EF_SEQ_B: u32 = 64;
export const EF_NOPORTS: u32 = 128; // transport header not available (non-first fragment, truncated)
export const EF_PASSIVE_A: u32 = 256; // A took the passive (LISTEN) role
export const EF_PASSIVE_B: u32 = 512;
export const EF_REPORTED: u32 = 1024; // an active-timeout record went out; the next packet restarts FIRST
export const EF_PICKUP: u32 = 2048; // TCP flow picked up mid-stream (no handshake seen)
export const EF_WIN_A: u32 = 4096; // FE_WIN_A holds a window A advertised
export const EF_WIN_B: u32 = 8192;
export const EF_REPLIED: u32 = 16384; // a packet from B was seen (clears the slot's FB_WEAK)

// TCP states (RFC 9293 section 3.3.2); 0 = not TCP.
export const TS_NONE: u32 = 0;
export const TS_CLOSED: u32 = 1;
export const TS_LISTEN: u32 = 2;
export const TS_SYN_SENT: u32 = 3;
export const TS_SYN_RECEIVED: u32 = 4;
export const TS_ESTABLISHED: u32 = 5;
export const TS_FIN_WAIT_1: u32 = 6;
export const TS_FIN_WAIT_2: u32 = 7;
export const TS_CLOSING: u32 = 8;
export const TS_TIME_WAIT: u32 = 9;
export const TS_CLOSE_WAIT: u32 = 10;
export const TS_LAST_ACK: u32 = 11;

// flowEndReason values (RFC 7012 / IANA IE 136).
export const END_IDLE: u32 = 1;
export const END_ACTIVE: u32 = 2;
export const END_EOF: u32 = 3; // end of flow detected (FIN/RST, port reuse)
export const END_FORCED: u32 = 4;
export const END_RESOURCES: u32 = 5;
