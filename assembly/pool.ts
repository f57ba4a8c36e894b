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

// The layout (header, mbuf record, results) is in pool-layout.ts, so that the host's copy
// can be generated from it; it is exported from here (assembly/builder.ts takes MB_* from
// this file, assembly/index.ts exports it to the host).
import {
  POOL_HDR_SIZE, POOL_MAGIC, POOL_COUNT, POOL_BUF_SIZE, POOL_HEADROOM, POOL_FREE, POOL_STACK,
  POOL_META, POOL_DATA, POOL_FLAGS, POOL_STRIDE, POOL_ALLOCS, POOL_FREES, POOL_FAILS,
  POOL_BAD_FREES, POOL_LAST_BAD, POOL_MIN_FREE, POOL_MAGIC_VALUE, PF_POISON, MB_SIZE, MB_BUF,
  MB_DATA, MB_LEN, MB_REFCNT, MB_POOL, MB_INDEX, MB_CAP, MB_FLAGS, MBF_FREE, POOL_BAD_HANDLE,
  POOL_DOUBLE_FREE,
} from "./pool-layout";
export * from "./pool-layout";

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
