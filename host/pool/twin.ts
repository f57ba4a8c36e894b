// Buffer pool: the host copy of assembly/pool.ts's layout, its pure-TS twin (same
// export names, same memory, same results) and the `Pool` class tools use. See
// assembly/pool.ts for the design (free stack, mbuf records, sk_buff-style window).
import type { Engine } from '../engine/engine.js';
import type { MemoryViews } from '../runtime/memory.js';
import { exportsOf } from '../engine/backend.js';
import { POOL, type PoolExports } from './exports.js';
import { PktError } from '../runtime/errors.js';

export const POOL_HDR_SIZE = 128;
export const POOL_MAGIC = 0;
export const POOL_COUNT = 4;
export const POOL_BUF_SIZE = 8;
export const POOL_HEADROOM = 12;
export const POOL_FREE = 16;
export const POOL_STACK = 20;
export const POOL_META = 24;
export const POOL_DATA = 28;
export const POOL_FLAGS = 32;
export const POOL_STRIDE = 36;
export const POOL_ALLOCS = 40;
export const POOL_FREES = 44;
export const POOL_FAILS = 48;
export const POOL_BAD_FREES = 52;
export const POOL_LAST_BAD = 56;
export const POOL_MIN_FREE = 60;
export const POOL_MAGIC_VALUE = 0x6c6f6f70;
export const PF_POISON = 1;

export const MB_SIZE = 32;
export const MB_BUF = 0;
export const MB_DATA = 4;
export const MB_LEN = 8;
export const MB_REFCNT = 12;
export const MB_POOL = 16;
export const MB_INDEX = 20;
export const MB_CAP = 24;
export const MB_FLAGS = 28;
export const MBF_FREE = 1;

export const POOL_BAD_HANDLE = -1;
export const POOL_DOUBLE_FREE = -2;

const align64 = (n: number): number => (n + 63) & ~63;

/** Pure-TS twin of assembly/pool.ts. Fields are read as u32 words (every field is
 *  4-byte aligned), indexes computed once per call. */
export class PoolTwin implements PoolExports {
  private readonly views: MemoryViews;

  constructor(views: MemoryViews) {
    this.views = views;
  }

  pool_region_size(count: number, bufSize: number): number {
    return (POOL_HDR_SIZE + align64(count * 4) + align64(count * MB_SIZE) + count * align64(bufSize)) >>> 0;
  }

  pool_init(pool: number, count: number, bufSize: number, headroom: number, flags: number): number {
    count >>>= 0; bufSize >>>= 0; headroom >>>= 0;
    if (count === 0 || bufSize === 0 || headroom > bufSize) return 0;
    const w = this.views.refresh().u32;
    const stack = pool + POOL_HDR_SIZE;
    const meta = stack + align64(count * 4);
    const data = meta + align64(count * MB_SIZE);
    const stride = align64(bufSize);
    const h = pool >>> 2;
    w[h + (POOL_COUNT >> 2)] = count;
    w[h + (POOL_BUF_SIZE >> 2)] = bufSize;
    w[h + (POOL_HEADROOM >> 2)] = headroom;
    w[h + (POOL_STACK >> 2)] = stack;
    w[h + (POOL_META >> 2)] = meta;
    w[h + (POOL_DATA >> 2)] = data;
    w[h + (POOL_FLAGS >> 2)] = flags;
    w[h + (POOL_STRIDE >> 2)] = stride;
    w[h + (POOL_ALLOCS >> 2)] = 0;
    w[h + (POOL_FREES >> 2)] = 0;
    w[h + (POOL_FAILS >> 2)] = 0;
    w[h + (POOL_BAD_FREES >> 2)] = 0;
    w[h + (POOL_LAST_BAD >> 2)] = 0;
    for (let i = 0; i < count; i++) {
      const m = meta + i * MB_SIZE;
      const r = m >>> 2;
      w[r + (MB_BUF >> 2)] = data + i * stride;
      w[r + (MB_DATA >> 2)] = headroom;
      w[r + (MB_LEN >> 2)] = 0;
      w[r + (MB_REFCNT >> 2)] = 0;
      w[r + (MB_POOL >> 2)] = pool;
      w[r + (MB_INDEX >> 2)] = i;
      w[r + (MB_CAP >> 2)] = bufSize;
      w[r + (MB_FLAGS >> 2)] = MBF_FREE;
      w[(stack >>> 2) + (count - 1 - i)] = m;
    }
    w[h + (POOL_FREE >> 2)] = count;
    w[h + (POOL_MIN_FREE >> 2)] = count;
    w[h + (POOL_MAGIC >> 2)] = POOL_MAGIC_VALUE;
    return 1;
  }

  pool_alloc(pool: number): number {
    const w = this.views.u32;
    const h = pool >>> 2;
    let free = w[h + (POOL_FREE >> 2)];
    if (free === 0) {
      w[h + (POOL_FAILS >> 2)] = w[h + (POOL_FAILS >> 2)] + 1;
      return 0;
    }
    free--;
    w[h + (POOL_FREE >> 2)] = free;
    if (free < w[h + (POOL_MIN_FREE >> 2)]) w[h + (POOL_MIN_FREE >> 2)] = free;
    const m = w[(w[h + (POOL_STACK >> 2)] >>> 2) + free];
    const r = m >>> 2;
    w[r + (MB_DATA >> 2)] = w[h + (POOL_HEADROOM >> 2)];
    w[r + (MB_LEN >> 2)] = 0;
    w[r + (MB_REFCNT >> 2)] = 1;
    w[r + (MB_FLAGS >> 2)] = 0;
    w[h + (POOL_ALLOCS >> 2)] = w[h + (POOL_ALLOCS >> 2)] + 1;
    return m;
  }

  pool_alloc_bulk(pool: number, out: number, n: number): number {
    const w = this.views.refresh().u32;
    const h = pool >>> 2;
    if (w[h + (POOL_FREE >> 2)] < n >>> 0) {
      w[h + (POOL_FAILS >> 2)] = w[h + (POOL_FAILS >> 2)] + 1;
      return 0;
    }
    for (let i = 0; i < n; i++) w[(out >>> 2) + i] = this.pool_alloc(pool);
    return n >>> 0;
  }

  private badFree(pool: number, m: number, code: number): number {
    const w = this.views.u32;
    const h = pool >>> 2;
    w[h + (POOL_BAD_FREES >> 2)] = w[h + (POOL_BAD_FREES >> 2)] + 1;
    w[h + (POOL_LAST_BAD >> 2)] = m;
    return code;
  }

  pool_free(pool: number, m: number): number {
    let v = this.views;
    if ((m >>> 2) + 8 > v.u32.length) v = v.refresh(); // the memory grew since (another thread)
    const w = v.u32;
    const h = pool >>> 2;
    m >>>= 0;
    const meta = w[h + (POOL_META >> 2)];
    const rel = m - meta;
    if (m < meta || (rel & (MB_SIZE - 1)) !== 0 || rel / MB_SIZE >= w[h + (POOL_COUNT >> 2)]) {
      return this.badFree(pool, m, POOL_BAD_HANDLE);
    }
    const r = m >>> 2;
    let ref = w[r + (MB_REFCNT >> 2)];
    if (ref === 0 || (w[r + (MB_FLAGS >> 2)] & MBF_FREE) !== 0) return this.badFree(pool, m, POOL_DOUBLE_FREE);
    ref--;
    w[r + (MB_REFCNT >> 2)] = ref;
    if (ref !== 0) return ref;
    w[r + (MB_FLAGS >> 2)] = MBF_FREE;
    if ((w[h + (POOL_FLAGS >> 2)] & PF_POISON) !== 0) {
      const buf = w[r + (MB_BUF >> 2)];
      v.u8.fill(0xDB, buf, buf + w[r + (MB_CAP >> 2)]);
    }
    const free = w[h + (POOL_FREE >> 2)];
    w[(w[h + (POOL_STACK >> 2)] >>> 2) + free] = m;
    w[h + (POOL_FREE >> 2)] = free + 1;
    w[h + (POOL_FREES >> 2)] = w[h + (POOL_FREES >> 2)] + 1;
    return 0;
  }

  pool_free_bulk(pool: number, handles: number, n: number): number {
    let bad = 0;
    for (let i = 0; i < n; i++) {
      if (this.pool_free(pool, this.views.u32[(handles >>> 2) + i]) < 0) bad++;
    }
    return bad;
  }

  pool_ref(m: number): number {
    const w = this.views.u32;
    const i = (m >>> 2) + (MB_REFCNT >> 2);
    const ref = w[i];
    if (ref === 0) return 0;
    w[i] = ref + 1;
    return ref + 1;
  }

  pool_refcnt(m: number): number { return this.views.u32[(m >>> 2) + (MB_REFCNT >> 2)]; }
  pool_avail(pool: number): number { return this.views.u32[(pool >>> 2) + (POOL_FREE >> 2)]; }
  pool_in_use(pool: number): number {
    const w = this.views.u32;
    return w[(pool >>> 2) + (POOL_COUNT >> 2)] - w[(pool >>> 2) + (POOL_FREE >> 2)];
  }
  pool_data(m: number): number {
    const w = this.views.u32;
    return (w[(m >>> 2) + (MB_BUF >> 2)] + w[(m >>> 2) + (MB_DATA >> 2)]) >>> 0;
  }
  pool_len(m: number): number { return this.views.u32[(m >>> 2) + (MB_LEN >> 2)]; }
  pool_headroom(m: number): number { return this.views.u32[(m >>> 2) + (MB_DATA >> 2)]; }
  pool_tailroom(m: number): number {
    const w = this.views.u32;
    const r = m >>> 2;
    return (w[r + (MB_CAP >> 2)] - w[r + (MB_DATA >> 2)] - w[r + (MB_LEN >> 2)]) >>> 0;
  }

  pool_reserve(m: number, n: number): number {
    const w = this.views.u32;
    const r = m >>> 2;
    const data = w[r + (MB_DATA >> 2)];
    if (w[r + (MB_LEN >> 2)] !== 0 || n >>> 0 > w[r + (MB_CAP >> 2)] - data) return 0;
    w[r + (MB_DATA >> 2)] = data + n;
    return 1;
  }

  pool_push(m: number, n: number): number {
    const w = this.views.u32;
    const r = m >>> 2;
    let data = w[r + (MB_DATA >> 2)];
    if (n >>> 0 > data) return 0;
    data -= n;
    w[r + (MB_DATA >> 2)] = data;
    w[r + (MB_LEN >> 2)] = w[r + (MB_LEN >> 2)] + n;
    return (w[r + (MB_BUF >> 2)] + data) >>> 0;
  }

  pool_pull(m: number, n: number): number {
    const w = this.views.u32;
    const r = m >>> 2;
    const len = w[r + (MB_LEN >> 2)];
    if (n >>> 0 > len) return 0;
    const data = w[r + (MB_DATA >> 2)] + n;
    w[r + (MB_DATA >> 2)] = data;
    w[r + (MB_LEN >> 2)] = len - n;
    return (w[r + (MB_BUF >> 2)] + data) >>> 0;
  }

  pool_put(m: number, n: number): number {
    const w = this.views.u32;
    const r = m >>> 2;
    const data = w[r + (MB_DATA >> 2)];
    const len = w[r + (MB_LEN >> 2)];
    if (n >>> 0 > w[r + (MB_CAP >> 2)] - data - len) return 0;
    w[r + (MB_LEN >> 2)] = len + n;
    return (w[r + (MB_BUF >> 2)] + data + len) >>> 0;
  }

  pool_trim(m: number, len: number): number {
    const w = this.views.u32;
    const i = (m >>> 2) + (MB_LEN >> 2);
    if (len >>> 0 > w[i]) return 0;
    w[i] = len;
    return 1;
  }
}

export interface PoolOptions {
  /** Buffers in the pool (default 1024). */
  count?: number;
  /** Room per buffer, headroom included (default 2048 + 256). */
  bufSize?: number;
  /** Data offset of a fresh buffer: room for headers pushed in front (default 256). */
  headroom?: number;
  /** Throw on a bad free and poison freed buffers (default: PKTWASM_DEBUG is set). */
  debug?: boolean;
}

export interface PoolStats {
  count: number;
  avail: number;
  inUse: number;
  minAvail: number;
  allocs: number;
  frees: number;
  fails: number;
  badFrees: number;
}

/** A pool in the engine's memory, driven through its backend. Handles are numbers
 *  (mbuf addresses) so they can sit in typed arrays and cross to workers. */
export class Pool {
  readonly engine: Engine;
  readonly core: PoolExports;
  /** Address of the pool region. */
  readonly addr: number;
  readonly count: number;
  readonly bufSize: number;
  readonly headroom: number;
  readonly debug: boolean;

  constructor(engine: Engine, opts: PoolOptions = {}) {
    this.engine = engine;
    this.core = exportsOf(engine, POOL);
    this.count = opts.count ?? 1024;
    this.bufSize = opts.bufSize ?? 2048 + 256;
    this.headroom = opts.headroom ?? 256;
    this.debug = opts.debug ?? process.env.PKTWASM_DEBUG !== undefined;
    for (const [k, v] of [['count', this.count], ['bufSize', this.bufSize], ['headroom', this.headroom]] as const) {
      if (!Number.isInteger(v) || v < 0 || v > 0x3FFF_FFFF) throw new PktError('E_BAD_ARGUMENT', `pool: bad ${k} ${v}`);
    }
    if (this.count === 0 || this.headroom > this.bufSize) {
      throw new PktError('E_BAD_ARGUMENT', `pool: ${this.count} buffers of ${this.bufSize} bytes with headroom ${this.headroom} is not a pool`);
    }
    const size = this.core.pool_region_size(this.count, this.bufSize);
    this.addr = engine.arena.alloc(size);
    this.core.pool_init(this.addr, this.count, this.bufSize, this.headroom, this.debug ? PF_POISON : 0);
  }

  /** A fresh buffer, or a PktError E_CAPACITY when the pool is exhausted. */
  alloc(): number {
    const m = this.core.pool_alloc(this.addr) >>> 0; // WASM returns addresses as i32
    if (m === 0) throw new PktError('E_CAPACITY', `pool: all ${this.count} buffers are in use`);
    return m;
  }

  /** A fresh buffer, or 0 when the pool is exhausted (no throw: for hot loops). */
  tryAlloc(): number {
    return this.core.pool_alloc(this.addr) >>> 0;
  }

  /** Drops one reference; returns the references left. In debug mode a bad free throws. */
  free(m: number): number {
    const r = this.core.pool_free(this.addr, m);
    if (r < 0 && this.debug) {
      const what = r === POOL_DOUBLE_FREE ? 'double free of buffer' : 'free of a handle that is not this pool\'s:';
      throw new PktError('E_BAD_ARGUMENT', `pool: ${what} 0x${(m >>> 0).toString(16)}`);
    }
    return r;
  }

  ref(m: number): number { return this.core.pool_ref(m); }
  refcnt(m: number): number { return this.core.pool_refcnt(m); }
  data(m: number): number { return this.core.pool_data(m) >>> 0; }
  len(m: number): number { return this.core.pool_len(m); }
  headroomOf(m: number): number { return this.core.pool_headroom(m); }
  tailroom(m: number): number { return this.core.pool_tailroom(m); }
  reserve(m: number, n: number): boolean { return this.core.pool_reserve(m, n) !== 0; }
  push(m: number, n: number): number { return this.core.pool_push(m, n) >>> 0; }
  pull(m: number, n: number): number { return this.core.pool_pull(m, n) >>> 0; }
  put(m: number, n: number): number { return this.core.pool_put(m, n) >>> 0; }
  trim(m: number, len: number): boolean { return this.core.pool_trim(m, len) !== 0; }

  /** Appends bytes at the tail; a PktError E_CAPACITY if they do not fit. */
  append(m: number, bytes: Uint8Array): number {
    const p = this.core.pool_put(m, bytes.length) >>> 0;
    if (p === 0 && bytes.length > 0) throw new PktError('E_CAPACITY', `pool: ${bytes.length} bytes do not fit in the buffer's tailroom (${this.tailroom(m)})`);
    this.engine.views.refresh().u8.set(bytes, p);
    return p;
  }

  /** A view (not a copy) of the buffer's data window. */
  bytes(m: number): Uint8Array {
    const p = this.core.pool_data(m) >>> 0;
    return this.engine.views.refresh().u8.subarray(p, p + this.core.pool_len(m));
  }

  get avail(): number { return this.core.pool_avail(this.addr); }
  get inUse(): number { return this.core.pool_in_use(this.addr); }

  stats(): PoolStats {
    const w = this.engine.views.refresh().u32;
    const h = this.addr >>> 2;
    return {
      count: this.count, avail: w[h + (POOL_FREE >> 2)], inUse: this.count - w[h + (POOL_FREE >> 2)],
      minAvail: w[h + (POOL_MIN_FREE >> 2)], allocs: w[h + (POOL_ALLOCS >> 2)], frees: w[h + (POOL_FREES >> 2)],
      fails: w[h + (POOL_FAILS >> 2)], badFrees: w[h + (POOL_BAD_FREES >> 2)],
    };
  }
}
