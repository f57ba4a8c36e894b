// Buffer pool (DPDK's rte_mempool + rte_mbuf, Linux's sk_buff) in one host-allocated
// region of the shared memory: a header, a stack of free handles, one 32-byte mbuf
// record per buffer, then the buffers themselves (each 64-byte aligned).
//
// A handle is the address of the buffer's mbuf record. alloc/free pop/push the free
// stack: O(1), no search. The data window [MB_DATA, MB_DATA+MB_LEN) moves inside the
// buffer with reserve/push/pull/put, so headers are prepended in place without copies.
// Reference counts let stages share a buffer: free only returns it when the last
// reference goes. A free of a buffer already free (or of a handle that is not one of
// this pool's) is never acted upon: it is counted, remembered in POOL_LAST_BAD and
// reported by the return value; the host throws on it in debug mode.
//
// A pool has one owner thread at a time (DESIGN.md): no atomics on the hot path.

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

export const POOL_BAD_HANDLE: i32 = -1; // pool_free: not one of this pool's buffers
export const POOL_DOUBLE_FREE: i32 = -2; // pool_free: the buffer is already free

@inline function align64(n: u32): u32 { return (n + 63) & ~63; }
@inline function hdr(pool: usize, off: i32): u32 { return load<u32>(pool + <usize>off); }
@inline function setHdr(pool: usize, off: i32, v: u32): void { store<u32>(pool + <usize>off, v); }
@inline function mb(m: usize, off: i32): u32 { return load<u32>(m + <usize>off); }
@inline function setMb(m: usize, off: i32, v: u32): void { store<u32>(m + <usize>off, v); }

/** Bytes a pool of `count` buffers of `bufSize` bytes needs (header, stack, mbufs, rooms). */
export function pool_region_size(count: u32, bufSize: u32): u32 {
  return <u32>POOL_HDR_SIZE + align64(count << 2) + align64(count * <u32>MB_SIZE) + count * align64(bufSize);
}

/** Lays out a pool in a zeroed region of pool_region_size() bytes. Returns 1, or 0 when
 *  the arguments cannot make a pool (no buffers, headroom beyond the room). */
export function pool_init(pool: usize, count: u32, bufSize: u32, headroom: u32, flags: u32): u32 {
  if (count == 0 || bufSize == 0 || headroom > bufSize) return 0;
  let stack = pool + <usize>POOL_HDR_SIZE;
  let meta = stack + <usize>align64(count << 2);
  let data = meta + <usize>align64(count * <u32>MB_SIZE);
  let stride = align64(bufSize);
  setHdr(pool, POOL_COUNT, count);
  setHdr(pool, POOL_BUF_SIZE, bufSize);
  setHdr(pool, POOL_HEADROOM, headroom);
  setHdr(pool, POOL_STACK, <u32>stack);
  setHdr(pool, POOL_META, <u32>meta);
  setHdr(pool, POOL_DATA, <u32>data);
  setHdr(pool, POOL_FLAGS, flags);
  setHdr(pool, POOL_STRIDE, stride);
  setHdr(pool, POOL_ALLOCS, 0);
  setHdr(pool, POOL_FREES, 0);
  setHdr(pool, POOL_FAILS, 0);
  setHdr(pool, POOL_BAD_FREES, 0);
  setHdr(pool, POOL_LAST_BAD, 0);
  // Buffer 0 on top of the stack: a fresh pool hands out buffers in address order.
  for (let i: u32 = 0; i < count; i++) {
    let m = meta + <usize>i * <usize>MB_SIZE;
    setMb(m, MB_BUF, <u32>(data + <usize>i * <usize>stride));
    setMb(m, MB_DATA, headroom);
    setMb(m, MB_LEN, 0);
    setMb(m, MB_REFCNT, 0);
    setMb(m, MB_POOL, <u32>pool);
    setMb(m, MB_INDEX, i);
    setMb(m, MB_CAP, bufSize);
    setMb(m, MB_FLAGS, MBF_FREE);
    store<u32>(stack + (<usize>(count - 1 - i) << 2), <u32>m);
  }
  setHdr(pool, POOL_FREE, count);
  setHdr(pool, POOL_MIN_FREE, count);
  setHdr(pool, POOL_MAGIC, POOL_MAGIC_VALUE);
  return 1;
}

/** A buffer with one reference, its data window empty at the pool's headroom; 0 when
 *  the pool is exhausted (counted in POOL_FAILS). */
export function pool_alloc(pool: usize): u32 {
  let free = hdr(pool, POOL_FREE);
  if (free == 0) {
    setHdr(pool, POOL_FAILS, hdr(pool, POOL_FAILS) + 1);
    return 0;
  }
  free--;
  setHdr(pool, POOL_FREE, free);
  if (free < hdr(pool, POOL_MIN_FREE)) setHdr(pool, POOL_MIN_FREE, free);
  let m = <usize>load<u32>(<usize>hdr(pool, POOL_STACK) + (<usize>free << 2));
  setMb(m, MB_DATA, hdr(pool, POOL_HEADROOM));
  setMb(m, MB_LEN, 0);
  setMb(m, MB_REFCNT, 1);
  setMb(m, MB_FLAGS, 0);
  setHdr(pool, POOL_ALLOCS, hdr(pool, POOL_ALLOCS) + 1);
  return <u32>m;
}

/** All `n` buffers into the u32 array at `out`, or none (returns n or 0), as DPDK's bulk get. */
export function pool_alloc_bulk(pool: usize, out: usize, n: u32): u32 {
  if (hdr(pool, POOL_FREE) < n) {
    setHdr(pool, POOL_FAILS, hdr(pool, POOL_FAILS) + 1);
    return 0;
  }
  for (let i: u32 = 0; i < n; i++) store<u32>(out + (<usize>i << 2), pool_alloc(pool));
  return n;
}

/** Whether `m` names one of this pool's mbuf records. */
@inline function owned(pool: usize, m: usize): bool {
  let meta = <usize>hdr(pool, POOL_META);
  if (m < meta) return false;
  let rel = m - meta;
  return (rel & (<usize>MB_SIZE - 1)) == 0 && (rel >> 5) < <usize>hdr(pool, POOL_COUNT);
}

@inline function badFree(pool: usize, m: usize, code: i32): i32 {
  setHdr(pool, POOL_BAD_FREES, hdr(pool, POOL_BAD_FREES) + 1);
  setHdr(pool, POOL_LAST_BAD, <u32>m);
  return code;
}

/** Drops one reference; the last one returns the buffer to the pool. Returns the
 *  references left (0: returned), or POOL_BAD_HANDLE / POOL_DOUBLE_FREE, acting on nothing. */
export function pool_free(pool: usize, m: usize): i32 {
  if (!owned(pool, m)) return badFree(pool, m, POOL_BAD_HANDLE);
  let ref = mb(m, MB_REFCNT);
  if (ref == 0 || (mb(m, MB_FLAGS) & MBF_FREE) != 0) return badFree(pool, m, POOL_DOUBLE_FREE);
  ref--;
  setMb(m, MB_REFCNT, ref);
  if (ref != 0) return <i32>ref;
  setMb(m, MB_FLAGS, MBF_FREE);
  if ((hdr(pool, POOL_FLAGS) & PF_POISON) != 0) memory.fill(<usize>mb(m, MB_BUF), 0xDB, <usize>mb(m, MB_CAP));
  let free = hdr(pool, POOL_FREE);
  store<u32>(<usize>hdr(pool, POOL_STACK) + (<usize>free << 2), <u32>m);
  setHdr(pool, POOL_FREE, free + 1);
  setHdr(pool, POOL_FREES, hdr(pool, POOL_FREES) + 1);
  return 0;
}

/** pool_free on each of `n` handles at `handles`; returns how many were bad. */
export function pool_free_bulk(pool: usize, handles: usize, n: u32): u32 {
  let bad: u32 = 0;
  for (let i: u32 = 0; i < n; i++) {
    if (pool_free(pool, <usize>load<u32>(handles + (<usize>i << 2))) < 0) bad++;
  }
  return bad;
}

/** Adds a reference (another stage now holds the buffer). Returns the new count, or 0
 *  when the buffer is free (taking a reference to a free buffer would resurrect it). */
export function pool_ref(m: usize): u32 {
  let ref = mb(m, MB_REFCNT);
  if (ref == 0) return 0;
  setMb(m, MB_REFCNT, ref + 1);
  return ref + 1;
}

export function pool_refcnt(m: usize): u32 { return mb(m, MB_REFCNT); }
export function pool_avail(pool: usize): u32 { return hdr(pool, POOL_FREE); }
export function pool_in_use(pool: usize): u32 { return hdr(pool, POOL_COUNT) - hdr(pool, POOL_FREE); }

/** Address of the first data byte. */
export function pool_data(m: usize): u32 { return mb(m, MB_BUF) + mb(m, MB_DATA); }
export function pool_len(m: usize): u32 { return mb(m, MB_LEN); }
export function pool_headroom(m: usize): u32 { return mb(m, MB_DATA); }
export function pool_tailroom(m: usize): u32 { return mb(m, MB_CAP) - mb(m, MB_DATA) - mb(m, MB_LEN); }

/** skb_reserve: moves an empty data window `n` bytes further in (more headroom). 1 or 0. */
export function pool_reserve(m: usize, n: u32): u32 {
  let data = mb(m, MB_DATA);
  if (mb(m, MB_LEN) != 0 || n > mb(m, MB_CAP) - data) return 0;
  setMb(m, MB_DATA, data + n);
  return 1;
}

/** skb_push: prepends `n` bytes; returns the new data address, or 0 without enough headroom. */
export function pool_push(m: usize, n: u32): u32 {
  let data = mb(m, MB_DATA);
  if (n > data) return 0;
  data -= n;
  setMb(m, MB_DATA, data);
  setMb(m, MB_LEN, mb(m, MB_LEN) + n);
  return mb(m, MB_BUF) + data;
}

/** skb_pull: strips `n` bytes from the front; returns the new data address, or 0 when
 *  fewer than `n` bytes are there. */
export function pool_pull(m: usize, n: u32): u32 {
  let len = mb(m, MB_LEN);
  if (n > len) return 0;
  let data = mb(m, MB_DATA) + n;
  setMb(m, MB_DATA, data);
  setMb(m, MB_LEN, len - n);
  return mb(m, MB_BUF) + data;
}

/** skb_put: appends `n` bytes; returns the address of the added area, or 0 without
 *  enough tailroom. */
export function pool_put(m: usize, n: u32): u32 {
  let data = mb(m, MB_DATA);
  let len = mb(m, MB_LEN);
  if (n > mb(m, MB_CAP) - data - len) return 0;
  setMb(m, MB_LEN, len + n);
  return mb(m, MB_BUF) + data + len;
}

/** skb_trim: shortens the data to `len` bytes (never lengthens). 1 or 0. */
export function pool_trim(m: usize, len: u32): u32 {
  if (len > mb(m, MB_LEN)) return 0;
  setMb(m, MB_LEN, len);
  return 1;
}
