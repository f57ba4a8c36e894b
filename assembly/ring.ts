// SPSC frame ring in the shared memory (layout.ts RING_*/SLOT_*). The producer owns
// RING_HEAD, the consumer RING_TAIL; each publishes its own with one atomic store per
// burst. Neither reads the other's counter on every call: each keeps its last reading on
// its own line (RING_TAIL_SEEN beside the head, RING_HEAD_SEEN beside the tail) and goes
// to the other side's line only when that copy says the ring is too full (producer) or
// holds fewer slots than asked for (consumer). A copy can only lag (the counters only
// grow), so it never claims room or frames that are not there; when the two sides keep
// pace, the producer's tail line stops bouncing between the cores. Both counters run
// free (mod 2^32); the slot index is count & mask. ring_count and ring_free_count, which
// callers use to decide to stop or sleep, read the true counters.
import {
  RING_HEAD, RING_TAIL, RING_TAIL_SEEN, RING_HEAD_SEEN, RING_SLOT_COUNT, RING_SLOT_SIZE, RING_SLOTS, RING_MASK, RING_DROPS,
  RING_DROPS_HI, RING_FLAGS, SLOT_HDR_SIZE, SLOT_CAPLEN, SLOT_WIRELEN, SLOT_TS_SEC, SLOT_TS_NSEC,
  SLOT_LINKTYPE, SLOT_IFACE, SLOT_FLAGS, SLOT_DATA, FRAME_PTR, FRAME_CAPLEN, FRAME_WIRELEN,
  FRAME_LINKTYPE, FRAME_IFACE, FRAME_SIZE, TIME_SIZE, TIME_SEC, TIME_NSEC, RF_CLOSED,
} from "./layout";

/** Initialises a ring header at `r` over `count` slots of `size` bytes at `slots`. */
export function ring_init(r: usize, slots: usize, count: u32, size: u32): void {
  memory.fill(r, 0, 256);
  store<u32>(r + RING_SLOT_COUNT, count);
  store<u32>(r + RING_SLOT_SIZE, size);
  store<u32>(r + RING_SLOTS, <u32>slots);
  store<u32>(r + RING_MASK, count - 1);
}

/** Slots the producer may fill now. */
export function ring_free_count(r: usize): u32 {
  let head = atomic.load<u32>(r + RING_HEAD);
  let tail = atomic.load<u32>(r + RING_TAIL);
  return load<u32>(r + RING_SLOT_COUNT) - (head - tail);
}

/** Slots the consumer may read now. */
export function ring_count(r: usize): u32 {
  return atomic.load<u32>(r + RING_HEAD) - atomic.load<u32>(r + RING_TAIL);
}

@inline function addDrops(r: usize, n: u32): void {
  let lo = load<u32>(r + RING_DROPS);
  let nlo = lo + n;
  store<u32>(r + RING_DROPS, nlo);
  if (nlo < lo) store<u32>(r + RING_DROPS_HI, load<u32>(r + RING_DROPS_HI) + 1);
}

/** Producer: the tail as far as it matters for `want` more slots after `head`: the copy
 *  on our line when it leaves room for them, else the consumer's counter (kept as the new copy). */
@inline function tailFor(r: usize, head: u32, want: u32): u32 {
  let tail = load<u32>(r + RING_TAIL_SEEN);
  if (load<u32>(r + RING_SLOT_COUNT) - (head - tail) < want) {
    tail = atomic.load<u32>(r + RING_TAIL);
    store<u32>(r + RING_TAIL_SEEN, tail);
  }
  return tail;
}

/** Consumer: the head as far as it matters for `want` slots after `tail`: our copy when it
 *  already shows them, else the producer's counter (kept as the new copy). */
@inline function headFor(r: usize, tail: u32, want: u32): u32 {
  let head = load<u32>(r + RING_HEAD_SEEN);
  if (head - tail < want) {
    head = atomic.load<u32>(r + RING_HEAD);
    store<u32>(r + RING_HEAD_SEEN, head);
  }
  return head;
}

/** Copies a frame of `cap` bytes into a slot. memory.copy leaves WASM for a runtime call
 *  that costs more than moving a small frame: frames up to 256 bytes go 16 bytes at a time
 *  instead, rounded up to 16 (a slot's room is a multiple of 32, so the copy stays inside
 *  it; the source is read past its end only when that is still inside the memory: at the
 *  largest memory, 4 GiB, the size overflows to 0 and every frame takes memory.copy). */
@inline function copyFrame(dst: usize, src: usize, cap: u32): void {
  if (cap <= 256 && src + 256 <= (<usize>memory.size() << 16)) {
    for (let o: usize = 0; o < <usize>cap; o += 16) v128.store(dst + o, v128.load(src + o));
  } else {
    memory.copy(dst, src, cap);
  }
}

/** Copies up to `count` frames of a frame table (with times, TIME_SIZE each) into free
 *  slots and publishes them with one store; frames that do not fit are dropped and
 *  counted. A frame longer than a slot is cut to the slot (wire length kept).
 *  Returns the number enqueued. */
export function ring_enqueue_frames(r: usize, table: usize, times: usize, count: u32): u32 {
  let head = load<u32>(r + RING_HEAD); // ours: plain load
  let tail = tailFor(r, head, count);
  let slotCount = load<u32>(r + RING_SLOT_COUNT);
  let free = slotCount - (head - tail);
  let n = count < free ? count : free;
  let mask = load<u32>(r + RING_MASK);
  let size = load<u32>(r + RING_SLOT_SIZE);
  let slots = <usize>load<u32>(r + RING_SLOTS);
  let room = size - <u32>SLOT_HDR_SIZE;
  for (let i: u32 = 0; i < n; i++) {
    let e = table + <usize>i * FRAME_SIZE;
    let t = times + <usize>i * TIME_SIZE;
    let s = slots + <usize>((head + i) & mask) * <usize>size;
    let cap = load<u32>(e + FRAME_CAPLEN);
    if (cap > room) cap = room;
    store<u32>(s + SLOT_CAPLEN, cap);
    store<u32>(s + SLOT_WIRELEN, load<u32>(e + FRAME_WIRELEN));
    store<u32>(s + SLOT_TS_SEC, load<u32>(t + TIME_SEC));
    store<u32>(s + SLOT_TS_NSEC, load<u32>(t + TIME_NSEC));
    store<u16>(s + SLOT_LINKTYPE, load<u16>(e + FRAME_LINKTYPE));
    store<u16>(s + SLOT_IFACE, load<u16>(e + FRAME_IFACE));
    store<u32>(s + SLOT_FLAGS, 0);
    copyFrame(s + SLOT_DATA, <usize>load<u32>(e + FRAME_PTR), cap);
  }
  if (n < count) addDrops(r, count - n);
  if (n > 0) atomic.store<u32>(r + RING_HEAD, head + n);
  return n;
}

/** Producer side for callers that fill slots themselves: address of the i-th free slot
 *  after head (0 if not free). Publish with ring_publish. */
export function ring_slot_for_write(r: usize, i: u32): usize {
  let head = load<u32>(r + RING_HEAD);
  let tail = tailFor(r, head, i + 1);
  if (head - tail + i >= load<u32>(r + RING_SLOT_COUNT)) return 0;
  return <usize>load<u32>(r + RING_SLOTS) + <usize>((head + i) & load<u32>(r + RING_MASK)) * <usize>load<u32>(r + RING_SLOT_SIZE);
}

export function ring_publish(r: usize, n: u32): void {
  atomic.store<u32>(r + RING_HEAD, load<u32>(r + RING_HEAD) + n);
}

export function ring_add_drops(r: usize, n: u32): void {
  addDrops(r, n);
}

/** Consumer: describes up to `max` readable slots as a frame table (pointing into the
 *  slots, no copy) plus times; the slots stay owned until ring_release. Returns n. */
export function ring_peek_frames(r: usize, table: usize, times: usize, max: u32): u32 {
  let tail = load<u32>(r + RING_TAIL);
  let head = headFor(r, tail, max);
  let avail = head - tail;
  let n = avail < max ? avail : max;
  let mask = load<u32>(r + RING_MASK);
  let size = load<u32>(r + RING_SLOT_SIZE);
  let slots = <usize>load<u32>(r + RING_SLOTS);
  for (let i: u32 = 0; i < n; i++) {
    let s = slots + <usize>((tail + i) & mask) * <usize>size;
    let e = table + <usize>i * FRAME_SIZE;
    let t = times + <usize>i * TIME_SIZE;
    store<u32>(e + FRAME_PTR, <u32>(s + SLOT_DATA));
    store<u32>(e + FRAME_CAPLEN, load<u32>(s + SLOT_CAPLEN));
    store<u32>(e + FRAME_WIRELEN, load<u32>(s + SLOT_WIRELEN));
    store<u16>(e + FRAME_LINKTYPE, load<u16>(s + SLOT_LINKTYPE));
    store<u16>(e + FRAME_IFACE, load<u16>(s + SLOT_IFACE));
    store<u32>(t + TIME_SEC, load<u32>(s + SLOT_TS_SEC));
    store<u32>(t + TIME_NSEC, load<u32>(s + SLOT_TS_NSEC));
  }
  return n;
}

/** Address of the i-th readable slot after tail (0 if none). */
export function ring_slot_for_read(r: usize, i: u32): usize {
  let tail = load<u32>(r + RING_TAIL);
  if (headFor(r, tail, i + 1) - tail <= i) return 0;
  return <usize>load<u32>(r + RING_SLOTS) + <usize>((tail + i) & load<u32>(r + RING_MASK)) * <usize>load<u32>(r + RING_SLOT_SIZE);
}

/** Consumer: gives `n` slots back to the producer. */
export function ring_release(r: usize, n: u32): void {
  atomic.store<u32>(r + RING_TAIL, load<u32>(r + RING_TAIL) + n);
}

export function ring_close(r: usize): void {
  atomic.or<u32>(r + RING_FLAGS, RF_CLOSED);
}

export function ring_is_closed(r: usize): bool {
  return (atomic.load<u32>(r + RING_FLAGS) & RF_CLOSED) != 0;
}

/** Value ring: `count` u32 values (handles such as pool buffer indices or frame offsets)
 *  from `src`, published with one store; returns how many fit. Values lie packed, 16 to a
 *  cache line, from the start of the slot area, as DPDK's rte_ring moves pointers rather
 *  than the buffers they name: one value per 64-byte slot moved a line between the cores
 *  per value (40 M/s at burst 32 against 190 packed, two threads). A ring made for values
 *  has 4-byte slots (host/ring/value-ring.ts); on a frame ring these use the first
 *  count * 4 bytes of its slots. */
export function ring_enqueue_burst(r: usize, src: usize, count: u32): u32 {
  let head = load<u32>(r + RING_HEAD);
  let tail = tailFor(r, head, count);
  let free = load<u32>(r + RING_SLOT_COUNT) - (head - tail);
  let n = count < free ? count : free;
  if (n == 0) return 0;
  copyValues(r, head, src, n, true);
  atomic.store<u32>(r + RING_HEAD, head + n);
  return n;
}

/** Value ring: moves up to `max` values into `dst` and gives their slots back. Returns n. */
export function ring_dequeue_burst(r: usize, dst: usize, max: u32): u32 {
  let tail = load<u32>(r + RING_TAIL);
  let head = headFor(r, tail, max);
  let avail = head - tail;
  let n = avail < max ? avail : max;
  if (n == 0) return 0;
  copyValues(r, tail, dst, n, false);
  atomic.store<u32>(r + RING_TAIL, tail + n);
  return n;
}

/** Copies n packed values between the ring (from counter `at`) and `mem`, in at most two
 *  runs (the second after the wrap). */
@inline function copyValues(r: usize, at: u32, mem: usize, n: u32, into: bool): void {
  let count = load<u32>(r + RING_SLOT_COUNT);
  let slots = <usize>load<u32>(r + RING_SLOTS);
  let first = at & (count - 1);
  let run = count - first;
  if (run > n) run = n;
  let ring = slots + (<usize>first << 2);
  let bytes = <usize>run << 2;
  // One value (burst 1) is one store: memory.copy's call costs more than the move.
  if (n == 1) {
    if (into) store<u32>(ring, load<u32>(mem)); else store<u32>(mem, load<u32>(ring));
    return;
  }
  if (into) memory.copy(ring, mem, bytes); else memory.copy(mem, ring, bytes);
  if (run < n) {
    let rest = <usize>(n - run) << 2;
    if (into) memory.copy(slots, mem + bytes, rest); else memory.copy(mem + bytes, slots, rest);
  }
}
