// IP reassembly: IPv4 (RFC 791 §3.2) and IPv6 (RFC 8200 §4.5) fragments of dissected
// batches put back together, with RFC 815's hole descriptors, bounded memory, timeouts on
// a timer wheel (wheel.ts) and the attacks of RFC 1858/3128/5722 counted.
//
// reasm_batch() walks a dissected batch. Each IP fragment whose bytes were captured whole
// is taken (L_FRAG_HELD on its descriptor); the one that completes a datagram instead gets
// L_REASM: the datagram is written, its IP header first, to the region's output area and
// dissected there, and its transport layer bits and fields are copied into the completing
// fragment's descriptor, with D_REASM_PTR/LEN/FRAGS (see assembly/layout.ts). A datagram
// that is a tunnel (GRE, ERSPAN, VXLAN, Geneve, IP-in-IP, MPLS over UDP, GTP-U: issue #15)
// brings its L_TUNNEL and D_TUNNEL ... D_INNER_LEN along, as tshark follows a defragmented
// tunnel: D_TUNNEL_OFF and D_INNER_OFF then count from D_REASM_PTR as the transport's
// offsets do, and for GRE and ERSPAN D_L4_OFF is the GRE header. Nothing else of a
// descriptor changes, so an output that prints the wire (tcpdump's text) is as before.
//
// Policy (each decision counted in the RS_* statistics):
//  - Key: source, destination, identification, and for IPv4 the protocol (RFC 791; RFC
//    8200 keys IPv6 on the addresses and identification only).
//  - A fragment lying wholly inside data already held is a duplicate: dropped, the datagram
//    kept (RFC 5722 as amended by erratum 3089, as Linux does). One that overlaps held data
//    only in part discards the whole datagram (RFC 5722; done for IPv4 as well, as Linux
//    does since 2018); the datagram is then kept without its data until its timeout, so
//    that fragments still to come are dropped too ("and any constituent fragments,
//    including those not yet received").
//  - A last fragment (MF = 0) whose end disagrees with data or another last fragment, a
//    payload over RH_MAX_PAYLOAD or 65,535 bytes (the ping of death), or more than
//    RE_MAX_HOLES holes discard the datagram in the same way.
//  - Fragments other than the last must carry a multiple of 8 bytes (RFC 791, RFC 8200);
//    empty fragments and IPv6 jumbograms with a Fragment header (RFC 2675 §3) are refused.
//  - Tiny first fragments (RFC 1858 §3, RFC 3128, RFC 7112) and TCP fragments at offset 8
//    (RFC 1858 §4) are counted, never acted on.
//  - Timeouts as Linux's defaults (30 s IPv4, 60 s IPv6), from the frames' timestamps,
//    armed when a datagram's first fragment arrives and never moved.
//  - Memory: at most RH_CAPACITY datagrams, payload in 1 KiB blocks of a fixed pool; when
//    either runs out, the oldest datagram is evicted.
//
// All state lives in the region (nothing in static data); WASM globals hold only the
// current fragment's values. host/reasm/twin.ts is the pure-TS twin over the same memory.
import {
  DESC_SIZE, FRAME_SIZE, FRAME_PTR, FRAME_CAPLEN, TIME_SIZE, TIME_SEC, TIME_NSEC,
  D_LAYERS, D_ERRORS, D_L3_OFF, D_L3_HDR_LEN, D_L4_OFF, D_IP_NXT, D_IP_PROTO, D_IP_SRC, D_IP_DST,
  D_FRAG_OFF, D_IP_FLAGS, D_FRAG_ID, D_IP_TOTAL, D_IP6_JUMBO_OFF, D_SRC_PORT, D_ARP_HLEN, D_L4_CKSUM,
  D_ARP_OP, D_SACK_OFF, D_TCP_URG, D_REASM_PTR, D_REASM_LEN, D_REASM_FRAGS, D_TUNNEL, D_INNER_LEN,
  L_IP4, L_IP6, L_TCP, L_UDP, L_ICMP, L_ICMP6, L_FRAG, L_CKSUM_CHECKED, L_REASM, L_FRAG_HELD, L_TUNNEL, T_GRE, T_ERSPAN,
  E_TRUNC_L3, E_TRUNC_L4, E_BAD_IP_VERSION, E_BAD_IP_HDR_LEN, E_BAD_IP_LEN, E_BAD_TCP_OFF,
  E_BAD_UDP_LEN, E_BAD_L4_CKSUM, E_BAD_EXT_HDR, E_CAPLEN_OVER_WIRE, IPF_MF, DF_VERIFY_CKSUM, DF_APP, D_CAPLEN,
  LINKTYPE_IPV4, LINKTYPE_IPV6,
} from "./layout";
import {
  REASM_MAGIC, RH_MAGIC, RH_CAPACITY, RH_BMASK, RH_INDEX, RH_ENTRIES, RH_BLOCKS, RH_BLOCK_COUNT,
  RH_BLOCK_FREE, RH_BLOCK_BUMP, RH_BLOCKS_USED, RH_FREE, RH_BUMP, RH_LIVE, RH_OLDEST, RH_NEWEST,
  RH_WHEEL, RH_TIMEOUT4, RH_TIMEOUT6, RH_MAX_PAYLOAD, RH_OUT, RH_OUT_CAP, RH_OUT_USED, RH_SCRATCH,
  RH_FLAGS, RH_BASE_SEC, RH_NOW, RH_DONE, RH_SIZE, RHF_CLOCK,
  RS_FRAGMENTS, RS_HELD, RS_DONE, RS_TIMEOUTS, RS_EVICTED, RS_OVERLAPS, RS_DUPLICATES,
  RS_INCONSISTENT, RS_TOO_BIG, RS_BAD, RS_CUT, RS_TINY, RS_OFFSET8, RS_HOLES, RS_LATE, RS_OUT_FULL,
  RS_FLUSHED, RS_NO_ROOM,
  RE_NEXT, RE_OLDER, RE_NEWER, RE_TIMER, RE_HASH, RE_ID, RE_VER, RE_PROTO, RE_STATE, RE_HOLES,
  RE_SRC, RE_DST, RE_END, RE_MAXEND, RE_HDR_LEN, RE_FRAGS, RE_HDR_BLOCK, RE_NXT, RE_NXT_OFF,
  RE_HOLE, RE_MAX_HOLES, RE_BLOCK, RE_BLOCK_SLOTS, RE_SIZE, ES_USED, ES_FIRST, ES_LAST, ES_DEAD,
  REASM_BLOCK, REASM_BLOCK_SHIFT, REASM_INF, REASM_MAX_PAYLOAD, REASM_WHEEL_OUT, REASM_TICK_US,
} from "./reasm-layout";
import { wheel_schedule, wheel_cancel, wheel_advance, wheel_now } from "./wheel";
import { dissect_frame } from "./dissect";
import { cksum_ipv4_header } from "./checksum";
import { app_frame } from "./app/app";

const L4_LAYERS: u32 = L_TCP | L_UDP | L_ICMP | L_ICMP6;
const L4_ERRORS: u32 = E_TRUNC_L4 | E_BAD_TCP_OFF | E_BAD_UDP_LEN | E_BAD_L4_CKSUM;
/** Errors after which a fragment's extent is not known from what was captured. */
const CUT_ERRORS: u32 = E_TRUNC_L3 | E_BAD_IP_VERSION | E_BAD_IP_HDR_LEN | E_BAD_IP_LEN | E_BAD_EXT_HDR | E_CAPLEN_OVER_WIRE;

@inline function h32(r: usize, f: i32): u32 { return load<u32>(r + <usize>f); }
@inline function set32(r: usize, f: i32, v: u32): void { store<u32>(r + <usize>f, v); }
@inline function count(r: usize, f: i32): void { store<f64>(r + <usize>f, load<f64>(r + <usize>f) + 1.0); }
@inline function entryAt(r: usize, i: u32): usize { return <usize>h32(r, RH_ENTRIES) + <usize>i * RE_SIZE; }
@inline function blockAt(r: usize, b: u32): usize { return <usize>h32(r, RH_BLOCKS) + (<usize>(b - 1) << REASM_BLOCK_SHIFT); }
@inline function be16(p: usize): u32 { return <u32>bswap<u16>(load<u16>(p)); }
@inline function be32(p: usize): u32 { return bswap<u32>(load<u32>(p)); }
@inline function align64(n: u32): u32 { return (n + 63) & ~63; }
@inline function bucketsFor(capacity: u32): u32 {
  let b: u32 = 1;
  while (b < capacity) b <<= 1;
  return b;
}

/** Bytes a reassembler of `capacity` datagrams, `blocks` payload blocks and an output area
 *  of `outBytes` needs (its timer wheel is a separate region of wheel_region_size(capacity)). */
export function reasm_region_size(capacity: u32, blocks: u32, outBytes: u32): u32 {
  return align64(RH_SIZE) + align64(bucketsFor(capacity) << 2) + align64((capacity + 1) * RE_SIZE) +
    (blocks << REASM_BLOCK_SHIFT) + align64(DESC_SIZE + (REASM_WHEEL_OUT << 2)) + align64(outBytes);
}

/** Sets up an empty reassembler. `wheel` must be a wheel_init'ed region of at least
 *  `capacity` timers, dedicated to it, clock at 0. Returns 1, or 0 on a bad argument. */
export function reasm_init(r: usize, capacity: u32, blocks: u32, outBytes: u32, wheel: usize): u32 {
  if (capacity == 0 || capacity > 0x100000 || blocks == 0 || blocks > 0x400000 || outBytes < 0x10400) return 0;
  memory.fill(r, 0, <usize>RH_SIZE);
  set32(r, RH_MAGIC, REASM_MAGIC);
  set32(r, RH_CAPACITY, capacity);
  let buckets = bucketsFor(capacity);
  set32(r, RH_BMASK, buckets - 1);
  let p = r + <usize>align64(RH_SIZE);
  set32(r, RH_INDEX, <u32>p);
  memory.fill(p, 0, <usize>buckets << 2);
  p += <usize>align64(buckets << 2);
  set32(r, RH_ENTRIES, <u32>p);
  memory.fill(p, 0, <usize>RE_SIZE); // entry 0, nil
  p += <usize>align64((capacity + 1) * RE_SIZE);
  set32(r, RH_BLOCKS, <u32>p);
  set32(r, RH_BLOCK_COUNT, blocks);
  p += <usize>blocks << REASM_BLOCK_SHIFT;
  set32(r, RH_SCRATCH, <u32>p);
  p += <usize>align64(DESC_SIZE + (REASM_WHEEL_OUT << 2));
  set32(r, RH_OUT, <u32>p);
  set32(r, RH_OUT_CAP, outBytes);
  set32(r, RH_BUMP, 1);
  set32(r, RH_WHEEL, <u32>wheel);
  set32(r, RH_TIMEOUT4, 30000);
  set32(r, RH_TIMEOUT6, 60000);
  set32(r, RH_MAX_PAYLOAD, REASM_MAX_PAYLOAD);
  return 1;
}

/** Timeouts in ms (at least 1) and the largest reassembled payload (1..65535). */
export function reasm_configure(r: usize, timeout4: u32, timeout6: u32, maxPayload: u32): void {
  set32(r, RH_TIMEOUT4, timeout4 == 0 ? 1 : (timeout4 > 0x3FFFFFFF ? 0x3FFFFFFF : timeout4));
  set32(r, RH_TIMEOUT6, timeout6 == 0 ? 1 : (timeout6 > 0x3FFFFFFF ? 0x3FFFFFFF : timeout6));
  set32(r, RH_MAX_PAYLOAD, maxPayload == 0 ? 1 : (maxPayload > <u32>REASM_MAX_PAYLOAD ? <u32>REASM_MAX_PAYLOAD : maxPayload));
}

export function reasm_live(r: usize): u32 { return h32(r, RH_LIVE); }
export function reasm_blocks_used(r: usize): u32 { return h32(r, RH_BLOCKS_USED); }

// ---- the key ----

// The current fragment's key: WASM globals (per instance), set by fragKey().
let kVer: u32 = 0;
let kProto: u32 = 0;
let kId: u32 = 0;
let kS0: u32 = 0; let kS1: u32 = 0; let kS2: u32 = 0; let kS3: u32 = 0;
let kD0: u32 = 0; let kD1: u32 = 0; let kD2: u32 = 0; let kD3: u32 = 0;

@inline function mix(h: u32, v: u32): u32 {
  h ^= v * 0xcc9e2d51;
  h = rotl<u32>(h, 13);
  return h * 5 + 0xe6546b64;
}

function keyHash(): u32 {
  let h: u32 = mix(0x9747b28c, kId);
  h = mix(h, (kVer << 8) | kProto);
  h = mix(h, kS0); h = mix(h, kD0);
  if (kVer == 6) {
    h = mix(h, kS1); h = mix(h, kS2); h = mix(h, kS3);
    h = mix(h, kD1); h = mix(h, kD2); h = mix(h, kD3);
  }
  h ^= h >> 16; h *= 0x85ebca6b; h ^= h >> 13; h *= 0xc2b2ae35; h ^= h >> 16;
  return h;
}

@inline function keyIs(e: usize, h: u32): bool {
  return load<u32>(e + RE_HASH) == h && load<u32>(e + RE_ID) == kId &&
    <u32>load<u8>(e + RE_VER) == kVer && <u32>load<u8>(e + RE_PROTO) == kProto &&
    load<u32>(e + RE_SRC) == kS0 && load<u32>(e + RE_SRC, 4) == kS1 && load<u32>(e + RE_SRC, 8) == kS2 && load<u32>(e + RE_SRC, 12) == kS3 &&
    load<u32>(e + RE_DST) == kD0 && load<u32>(e + RE_DST, 4) == kD1 && load<u32>(e + RE_DST, 8) == kD2 && load<u32>(e + RE_DST, 12) == kD3;
}

function lookup(r: usize, h: u32): u32 {
  let i = load<u32>(<usize>h32(r, RH_INDEX) + (<usize>(h & h32(r, RH_BMASK)) << 2));
  while (i != 0) {
    let e = entryAt(r, i);
    if (keyIs(e, h)) return i;
    i = load<u32>(e + RE_NEXT);
  }
  return 0;
}

// ---- entries and blocks ----

function freeBlocks(r: usize, e: usize): void {
  let freeHead = h32(r, RH_BLOCK_FREE);
  let used = h32(r, RH_BLOCKS_USED);
  for (let k: i32 = -1; k < RE_BLOCK_SLOTS; k++) {
    let slot = k < 0 ? e + RE_HDR_BLOCK : e + RE_BLOCK + (<usize>k << 2);
    let b = load<u32>(slot);
    if (b == 0) continue;
    store<u32>(blockAt(r, b), freeHead);
    freeHead = b;
    used--;
    store<u32>(slot, 0);
  }
  set32(r, RH_BLOCK_FREE, freeHead);
  set32(r, RH_BLOCKS_USED, used);
}

/** Frees entry i: out of its bucket chain and the age list, its blocks back to the pool,
 *  its timer cancelled unless it is the one firing. */
function release(r: usize, i: u32, timerFired: bool): void {
  let e = entryAt(r, i);
  freeBlocks(r, e);
  let head = <usize>h32(r, RH_INDEX) + (<usize>(load<u32>(e + RE_HASH) & h32(r, RH_BMASK)) << 2);
  let j = load<u32>(head);
  if (j == i) {
    store<u32>(head, load<u32>(e + RE_NEXT));
  } else {
    while (j != 0) {
      let ej = entryAt(r, j);
      let n = load<u32>(ej + RE_NEXT);
      if (n == i) { store<u32>(ej + RE_NEXT, load<u32>(e + RE_NEXT)); break; }
      j = n;
    }
  }
  let older = load<u32>(e + RE_OLDER);
  let newer = load<u32>(e + RE_NEWER);
  if (older != 0) store<u32>(entryAt(r, older) + RE_NEWER, newer); else set32(r, RH_OLDEST, newer);
  if (newer != 0) store<u32>(entryAt(r, newer) + RE_OLDER, older); else set32(r, RH_NEWEST, older);
  if (!timerFired) wheel_cancel(<usize>h32(r, RH_WHEEL), load<u32>(e + RE_TIMER));
  store<u8>(e + RE_STATE, 0);
  store<u32>(e + RE_NEXT, h32(r, RH_FREE));
  set32(r, RH_FREE, i);
  set32(r, RH_LIVE, h32(r, RH_LIVE) - 1);
}

/** Evicts the oldest entry other than `keep`. Returns 0 when there is none. */
function evictOldest(r: usize, keep: u32): u32 {
  let i = h32(r, RH_OLDEST);
  if (i == keep && i != 0) i = load<u32>(entryAt(r, i) + RE_NEWER);
  if (i == 0) return 0;
  if ((<u32>load<u8>(entryAt(r, i) + RE_STATE) & ES_DEAD) == 0) count(r, RS_EVICTED);
  release(r, i, false);
  return 1;
}

/** A block for entry `keep`, evicting older datagrams if the pool is empty; 0 if none. */
function allocBlock(r: usize, keep: u32): u32 {
  while (true) {
    let b = h32(r, RH_BLOCK_FREE);
    if (b != 0) {
      set32(r, RH_BLOCK_FREE, load<u32>(blockAt(r, b)));
      set32(r, RH_BLOCKS_USED, h32(r, RH_BLOCKS_USED) + 1);
      return b;
    }
    let bump = h32(r, RH_BLOCK_BUMP);
    if (bump < h32(r, RH_BLOCK_COUNT)) {
      set32(r, RH_BLOCK_BUMP, bump + 1);
      set32(r, RH_BLOCKS_USED, h32(r, RH_BLOCKS_USED) + 1);
      return bump + 1;
    }
    if (evictOldest(r, keep) == 0) return 0;
  }
  return 0;
}

/** A new entry for the current key (hash h), evicting the oldest if all are in use. */
function create(r: usize, h: u32): u32 {
  let i = h32(r, RH_FREE);
  if (i != 0) {
    set32(r, RH_FREE, load<u32>(entryAt(r, i) + RE_NEXT));
  } else if (h32(r, RH_BUMP) <= h32(r, RH_CAPACITY)) {
    i = h32(r, RH_BUMP);
    set32(r, RH_BUMP, i + 1);
  } else {
    evictOldest(r, 0);
    i = h32(r, RH_FREE);
    set32(r, RH_FREE, load<u32>(entryAt(r, i) + RE_NEXT));
  }
  let e = entryAt(r, i);
  memory.fill(e, 0, <usize>RE_SIZE);
  store<u32>(e + RE_HASH, h);
  store<u32>(e + RE_ID, kId);
  store<u8>(e + RE_VER, <u8>kVer);
  store<u8>(e + RE_PROTO, <u8>kProto);
  store<u8>(e + RE_STATE, <u8>ES_USED);
  store<u32>(e + RE_SRC, kS0); store<u32>(e + RE_SRC, kS1, 4); store<u32>(e + RE_SRC, kS2, 8); store<u32>(e + RE_SRC, kS3, 12);
  store<u32>(e + RE_DST, kD0); store<u32>(e + RE_DST, kD1, 4); store<u32>(e + RE_DST, kD2, 8); store<u32>(e + RE_DST, kD3, 12);
  store<u8>(e + RE_HOLES, 1);
  store<u32>(e + RE_HOLE, 0);
  store<u32>(e + RE_HOLE, REASM_INF, 4);
  let head = <usize>h32(r, RH_INDEX) + (<usize>(h & h32(r, RH_BMASK)) << 2);
  store<u32>(e + RE_NEXT, load<u32>(head));
  store<u32>(head, i);
  let newest = h32(r, RH_NEWEST);
  store<u32>(e + RE_OLDER, newest);
  if (newest != 0) store<u32>(entryAt(r, newest) + RE_NEWER, i); else set32(r, RH_OLDEST, i);
  set32(r, RH_NEWEST, i);
  set32(r, RH_LIVE, h32(r, RH_LIVE) + 1);
  let timeout = kVer == 4 ? h32(r, RH_TIMEOUT4) : h32(r, RH_TIMEOUT6);
  store<u32>(e + RE_TIMER, wheel_schedule(<usize>h32(r, RH_WHEEL), timeout, i));
  return i;
}

/** Discards a datagram: its data freed, the entry kept (ES_DEAD) until its timeout. */
function discard(r: usize, e: usize, stat: i32): void {
  freeBlocks(r, e);
  store<u8>(e + RE_STATE, <u8>(<u32>load<u8>(e + RE_STATE) | ES_DEAD));
  store<u8>(e + RE_HOLES, 0);
  count(r, stat);
}

// ---- the clock ----

function expireDue(r: usize): void {
  let wheel = <usize>h32(r, RH_WHEEL);
  let now = h32(r, RH_NOW);
  if (wheel_now(wheel) == now) return;
  let out = <usize>h32(r, RH_SCRATCH) + <usize>DESC_SIZE;
  for (;;) {
    let n = wheel_advance(wheel, now, out, REASM_WHEEL_OUT);
    for (let k: u32 = 0; k < n; k++) {
      let i = load<u32>(out + (<usize>k << 2));
      let e = entryAt(r, i);
      if ((<u32>load<u8>(e + RE_STATE) & ES_USED) == 0) continue;
      if ((<u32>load<u8>(e + RE_STATE) & ES_DEAD) == 0) count(r, RS_TIMEOUTS);
      release(r, i, true);
    }
    if (n < <u32>REASM_WHEEL_OUT) return;
  }
}

/** Moves the clock to (sec, nsec) if that is later (ms ticks from the first second seen). */
function clockTo(r: usize, sec: u32, nsec: u32): void {
  if ((h32(r, RH_FLAGS) & RHF_CLOCK) == 0) {
    set32(r, RH_FLAGS, h32(r, RH_FLAGS) | RHF_CLOCK);
    set32(r, RH_BASE_SEC, sec);
  }
  let base = h32(r, RH_BASE_SEC);
  if (<i32>(sec - base) < 0) return;
  let tick = <u32>((<u64>(sec - base) * 1000000 + <u64>(nsec / 1000)) / <u64>REASM_TICK_US);
  if (<i32>(tick - h32(r, RH_NOW)) > 0) set32(r, RH_NOW, tick);
  expireDue(r);
}

/** Advances the clock to (sec, nsec) without a frame (a quiet capture) and expires what is due. */
export function reasm_expire(r: usize, sec: u32, nsec: u32): void {
  clockTo(r, sec, nsec);
}

/** Drops every datagram in progress (end of capture); the incomplete ones are counted. */
export function reasm_flush(r: usize): void {
  for (;;) {
    let i = h32(r, RH_OLDEST);
    if (i == 0) return;
    if ((<u32>load<u8>(entryAt(r, i) + RE_STATE) & ES_DEAD) == 0) count(r, RS_FLUSHED);
    release(r, i, false);
  }
}

// ---- one fragment ----

/** The hole holding `off`, or -1. */
function holeAt(e: usize, off: u32): i32 {
  let n = <i32>load<u8>(e + RE_HOLES);
  for (let k = 0; k < n; k++) {
    let h = e + RE_HOLE + (<usize>k << 3);
    if (load<u32>(h) <= off && off < load<u32>(h, 4)) return k;
  }
  return -1;
}

/** True if [off, end) meets a hole. */
function meetsHole(e: usize, off: u32, end: u32): bool {
  let n = <i32>load<u8>(e + RE_HOLES);
  for (let k = 0; k < n; k++) {
    let h = e + RE_HOLE + (<usize>k << 3);
    if (load<u32>(h) < end && off < load<u32>(h, 4)) return true;
  }
  return false;
}

/** Copies `len` bytes at `src` to payload offset `off`, allocating blocks; false if the
 *  pool cannot hold them. */
function storePayload(r: usize, i: u32, e: usize, src: usize, off: u32, len: u32): bool {
  let pos = off;
  let end = off + len;
  while (pos < end) {
    let slot = e + RE_BLOCK + (<usize>(pos >> REASM_BLOCK_SHIFT) << 2);
    let b = load<u32>(slot);
    if (b == 0) {
      b = allocBlock(r, i);
      if (b == 0) return false;
      store<u32>(slot, b);
    }
    let within = pos & (REASM_BLOCK - 1);
    let n = <u32>REASM_BLOCK - within;
    if (n > end - pos) n = end - pos;
    memory.copy(blockAt(r, b) + within, src + (pos - off), n);
    pos += n;
  }
  return true;
}

/** Writes the complete datagram of entry e to the output area, dissects it there and
 *  reports it on descriptor d. Returns 0 if the area is full. */
function complete(r: usize, e: usize, d: usize, opts: u32): u32 {
  let hdrLen = <u32>load<u16>(e + RE_HDR_LEN);
  let payLen = load<u32>(e + RE_END);
  let total = hdrLen + payLen;
  let used = h32(r, RH_OUT_USED);
  if (used + total > h32(r, RH_OUT_CAP)) return 0;
  let p = <usize>h32(r, RH_OUT) + <usize>used;
  set32(r, RH_OUT_USED, (used + total + 7) & ~7);
  memory.copy(p, blockAt(r, load<u32>(e + RE_HDR_BLOCK)), hdrLen);
  let pos: u32 = 0;
  while (pos < payLen) {
    let n = payLen - pos < <u32>REASM_BLOCK ? payLen - pos : <u32>REASM_BLOCK;
    memory.copy(p + hdrLen + pos, blockAt(r, load<u32>(e + RE_BLOCK + (<usize>(pos >> REASM_BLOCK_SHIFT) << 2))), n);
    pos += n;
  }
  let linktype: u32;
  if (<u32>load<u8>(e + RE_VER) == 4) {
    store<u16>(p + 2, bswap<u16>(<u16>total));
    store<u16>(p + 6, <u16>(load<u16>(p + 6) & bswap<u16>(0xC000))); // MF and offset cleared, DF/RF kept
    store<u16>(p + 10, 0);
    store<u16>(p + 10, bswap<u16>(<u16>cksum_ipv4_header(p)));
    linktype = LINKTYPE_IPV4;
  } else {
    store<u16>(p + 4, bswap<u16>(<u16>(total - 40)));
    store<u8>(p + <usize>load<u16>(e + RE_NXT_OFF), load<u8>(e + RE_NXT));
    linktype = LINKTYPE_IPV6;
  }
  let s = <usize>h32(r, RH_SCRATCH);
  dissect_frame(p, total, total, linktype, s, opts & DF_VERIFY_CKSUM);
  // The transport layer of the datagram replaces whatever this fragment showed of it.
  let sl = load<u32>(s + D_LAYERS);
  store<u32>(d + D_LAYERS, (load<u32>(d + D_LAYERS) & ~(L4_LAYERS | L_FRAG_HELD)) | (sl & (L4_LAYERS | L_CKSUM_CHECKED)) | L_REASM);
  store<u32>(d + D_ERRORS, (load<u32>(d + D_ERRORS) & ~L4_ERRORS) | (load<u32>(s + D_ERRORS) & L4_ERRORS));
  store<u8>(d + D_IP_PROTO, load<u8>(s + D_IP_PROTO));
  memory.copy(d + D_L4_OFF, s + D_L4_OFF, 8); // L4_OFF, L4_HDR_LEN, PAYLOAD_OFF, PAYLOAD_LEN
  memory.copy(d + D_SRC_PORT, s + D_SRC_PORT, <usize>(D_ARP_HLEN - D_SRC_PORT)); // ports .. ICMP code
  memory.copy(d + D_L4_CKSUM, s + D_L4_CKSUM, <usize>(D_ARP_OP - D_L4_CKSUM)); // checksum, UDP length, echo id/seq
  store<u16>(d + D_SACK_OFF, load<u16>(s + D_SACK_OFF));
  store<u16>(d + D_TCP_URG, load<u16>(s + D_TCP_URG));
  if ((sl & L_TUNNEL) != 0) {
    store<u32>(d + D_LAYERS, load<u32>(d + D_LAYERS) | L_TUNNEL);
    memory.copy(d + D_TUNNEL, s + D_TUNNEL, <usize>(D_INNER_LEN + 4 - D_TUNNEL));
    let kind = <u32>load<u8>(s + D_TUNNEL);
    if (kind == T_GRE || kind == T_ERSPAN) store<u16>(d + D_L4_OFF, load<u16>(s + D_L3_HDR_LEN));
  }
  store<u32>(d + D_REASM_PTR, <u32>p);
  store<u32>(d + D_REASM_LEN, total);
  store<u16>(d + D_REASM_FRAGS, load<u16>(e + RE_FRAGS));
  if ((opts & DF_APP) != 0) {
    // The application layer of the datagram, into the record bound to d (app_bind), its
    // offsets counting from p as the transport's do; the decoder's captured end is the
    // datagram's for the call.
    let cap = load<u32>(d + D_CAPLEN);
    store<u32>(d + D_CAPLEN, total);
    app_frame(p, d);
    store<u32>(d + D_CAPLEN, cap);
  }
  return 1;
}

/** Takes the fragment of descriptor d (frame at f, `cap` bytes captured). Returns 1 when
 *  it completed a datagram. */
function fragment(r: usize, f: usize, cap: u32, d: usize, opts: u32): u32 {
  let layers = load<u32>(d + D_LAYERS);
  count(r, RS_FRAGMENTS);
  if ((load<u32>(d + D_ERRORS) & CUT_ERRORS) != 0) { count(r, RS_CUT); return 0; }
  let l3 = <u32>load<u16>(d + D_L3_OFF);
  let ipEnd = l3 + load<u32>(d + D_IP_TOTAL);
  if (ipEnd > cap || ipEnd < l3) { count(r, RS_CUT); return 0; }
  let off = <u32>load<u16>(d + D_FRAG_OFF);
  let mf = (<u32>load<u8>(d + D_IP_FLAGS) & IPF_MF) != 0;
  let data: u32;
  let hdrLen: u32;
  let upper: u32;
  let nxtOff: u32 = 0;
  let limit: u32;
  store<u32>(d + D_LAYERS, layers | L_FRAG_HELD);
  if ((layers & L_IP4) != 0) {
    hdrLen = <u32>load<u16>(d + D_L3_HDR_LEN);
    data = l3 + hdrLen;
    upper = <u32>load<u8>(d + D_IP_NXT);
    kVer = 4;
    kProto = upper;
    kId = load<u32>(d + D_FRAG_ID);
    kS0 = load<u32>(d + D_IP_SRC); kS1 = 0; kS2 = 0; kS3 = 0;
    kD0 = load<u32>(d + D_IP_DST); kD1 = 0; kD2 = 0; kD3 = 0;
    limit = <u32>REASM_MAX_PAYLOAD - hdrLen; // the total length field
  } else {
    if (load<u16>(d + D_IP6_JUMBO_OFF) != 0) { count(r, RS_BAD); return 0; }
    // The unfragmentable part: the headers before the Fragment header (RFC 8200 §4.5).
    let nh = <u32>load<u8>(d + D_IP_NXT);
    let x = l3 + 40;
    nxtOff = 6;
    let n: u32 = 0;
    while (nh != 44) {
      if (n >= 16 || x + 2 > ipEnd) { count(r, RS_BAD); return 0; }
      let xl: u32;
      if (nh == 0 || nh == 43 || nh == 60 || nh == 135 || nh == 139 || nh == 140) xl = (<u32>load<u8>(f + x + 1) + 1) << 3;
      else if (nh == 51) xl = (<u32>load<u8>(f + x + 1) + 2) << 2;
      else { count(r, RS_BAD); return 0; }
      nxtOff = x - l3;
      nh = <u32>load<u8>(f + x);
      x += xl;
      n++;
    }
    if (x + 8 > ipEnd || x - l3 > <u32>REASM_BLOCK) { count(r, RS_BAD); return 0; }
    hdrLen = x - l3;
    data = x + 8;
    upper = <u32>load<u8>(f + x);
    let fw = be16(f + x + 2);
    off = fw & 0xFFF8;
    mf = (fw & 1) != 0;
    kVer = 6;
    kProto = 0;
    kId = be32(f + x + 4);
    let a = f + l3 + 8;
    kS0 = load<u32>(a); kS1 = load<u32>(a, 4); kS2 = load<u32>(a, 8); kS3 = load<u32>(a, 12);
    kD0 = load<u32>(a, 16); kD1 = load<u32>(a, 20); kD2 = load<u32>(a, 24); kD3 = load<u32>(a, 28);
    limit = <u32>REASM_MAX_PAYLOAD + 40 - hdrLen; // the reassembled payload length field
  }
  let len = ipEnd - data;
  let end = off + len;
  // Counted, never acted on (RFC 1858, RFC 3128, RFC 7112).
  if (off == 0 && mf && (((upper == 6) && len < 20) || ((upper == 17 || upper == 1 || upper == 58) && len < 8))) count(r, RS_TINY);
  if (off == 8 && upper == 6) count(r, RS_OFFSET8);
  if (len == 0 || (mf && (len & 7) != 0)) { count(r, RS_BAD); return 0; }
  let h = keyHash();
  let i = lookup(r, h);
  if (i == 0) i = create(r, h);
  let e = entryAt(r, i);
  let state = <u32>load<u8>(e + RE_STATE);
  if ((state & ES_DEAD) != 0) { count(r, RS_LATE); return 0; }
  if (end > limit || end > h32(r, RH_MAX_PAYLOAD)) { discard(r, e, RS_TOO_BIG); return 0; }
  if (!mf) {
    if (((state & ES_LAST) != 0 && load<u32>(e + RE_END) != end) || load<u32>(e + RE_MAXEND) > end) {
      discard(r, e, RS_INCONSISTENT);
      return 0;
    }
  } else if ((state & ES_LAST) != 0 && end > load<u32>(e + RE_END)) {
    discard(r, e, RS_INCONSISTENT);
    return 0;
  }
  let k = holeAt(e, off);
  if (k < 0) {
    if (meetsHole(e, off, end)) { discard(r, e, RS_OVERLAPS); return 0; }
    count(r, RS_DUPLICATES);
    return 0;
  }
  let hp = e + RE_HOLE + (<usize>k << 3);
  let hs = load<u32>(hp);
  let he = load<u32>(hp, 4);
  if (end > he) { discard(r, e, RS_OVERLAPS); return 0; }
  // RFC 815: the hole gives way to what is left of it before and after the fragment (no
  // hole after the last fragment).
  let before = off > hs;
  let after = end < he && mf;
  let holes = <i32>load<u8>(e + RE_HOLES);
  if (before && after) {
    if (holes >= RE_MAX_HOLES) { discard(r, e, RS_HOLES); return 0; }
    store<u32>(hp, off, 4);
    let np = e + RE_HOLE + (<usize>holes << 3);
    store<u32>(np, end);
    store<u32>(np, he, 4);
    holes++;
  } else if (before) {
    store<u32>(hp, off, 4);
  } else if (after) {
    store<u32>(hp, end);
  } else {
    holes--;
    let lp = e + RE_HOLE + (<usize>holes << 3);
    store<u64>(hp, load<u64>(lp));
  }
  store<u8>(e + RE_HOLES, <u8>holes);
  if (!storePayload(r, i, e, f + data, off, len)) { discard(r, e, RS_NO_ROOM); return 0; }
  if (off == 0) {
    let b = allocBlock(r, i);
    if (b == 0) { discard(r, e, RS_NO_ROOM); return 0; }
    store<u32>(e + RE_HDR_BLOCK, b);
    memory.copy(blockAt(r, b), f + l3, hdrLen);
    store<u16>(e + RE_HDR_LEN, <u16>hdrLen);
    store<u8>(e + RE_NXT, <u8>upper);
    store<u16>(e + RE_NXT_OFF, <u16>nxtOff);
    state |= ES_FIRST;
  }
  if (!mf) {
    store<u32>(e + RE_END, end);
    state |= ES_LAST;
  }
  store<u8>(e + RE_STATE, <u8>state);
  if (end > load<u32>(e + RE_MAXEND)) store<u32>(e + RE_MAXEND, end);
  store<u16>(e + RE_FRAGS, load<u16>(e + RE_FRAGS) + 1);
  count(r, RS_HELD);
  if ((state & (ES_FIRST | ES_LAST)) != (ES_FIRST | ES_LAST) || holes != 0) return 0;
  let ok = complete(r, e, d, opts);
  if (ok == 0) count(r, RS_OUT_FULL);
  else count(r, RS_DONE);
  release(r, i, false);
  return ok;
}

/** Reassembles the IP fragments of a dissected batch (frame table, descriptors and
 *  timestamps as FrameBatch lays them out), in frame order. Datagrams completed here are
 *  written to the output area, which this call starts afresh: descriptors of an earlier
 *  batch must not be read through D_REASM_PTR any more. `opts`: DF_VERIFY_CKSUM verifies
 *  the reassembled transport checksum; DF_APP decodes its application layer into the app
 *  record bound to the completing fragment's descriptor (assembly/app/app.ts), replacing
 *  what dissection put there. Returns how many datagrams were completed. */
export function reasm_batch(r: usize, frames: usize, descs: usize, times: usize, n: u32, opts: u32): u32 {
  set32(r, RH_OUT_USED, 0);
  let done: u32 = 0;
  for (let i: u32 = 0; i < n; i++) {
    let d = descs + <usize>i * DESC_SIZE;
    let layers = load<u32>(d + D_LAYERS);
    if ((layers & L_FRAG) == 0 || (layers & (L_IP4 | L_IP6)) == 0) continue;
    let t = times + <usize>i * TIME_SIZE;
    clockTo(r, load<u32>(t + TIME_SEC), load<u32>(t + TIME_NSEC));
    let fe = frames + <usize>i * FRAME_SIZE;
    done += fragment(r, <usize>load<u32>(fe + FRAME_PTR), load<u32>(fe + FRAME_CAPLEN), d, opts);
  }
  if (n > 0) {
    let t = times + <usize>(n - 1) * TIME_SIZE;
    clockTo(r, load<u32>(t + TIME_SEC), load<u32>(t + TIME_NSEC));
  }
  set32(r, RH_DONE, done);
  return done;
}
