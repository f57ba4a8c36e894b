// Buffer pool: the pure-TS twin of assembly/pool.ts (same exports, same memory, same
// results; the `Pool` class tools use is in ./pool.ts). See
// assembly/pool.ts for the design (free stack, mbuf records, sk_buff-style window).
import type { MemoryViews } from '../runtime/memory.js';
import type { PoolExports } from './exports.js';
import * as layout from './pool-layout.js';

// The layout is generated from assembly/pool-layout.ts. Module-local consts: V8 reads an
// imported binding through its module cell on every use; a local const is folded.
const {
  POOL_HDR_SIZE, POOL_MAGIC, POOL_COUNT, POOL_BUF_SIZE, POOL_HEADROOM, POOL_FREE, POOL_STACK,
  POOL_META, POOL_DATA, POOL_FLAGS, POOL_STRIDE, POOL_ALLOCS, POOL_FREES, POOL_FAILS,
  POOL_BAD_FREES, POOL_LAST_BAD, POOL_MIN_FREE, POOL_MAGIC_VALUE, PF_POISON, MB_SIZE, MB_BUF,
  MB_DATA, MB_LEN, MB_REFCNT, MB_POOL, MB_INDEX, MB_CAP, MB_FLAGS, MBF_FREE, POOL_BAD_HANDLE,
  POOL_DOUBLE_FREE,
} = layout;

// Exported from here too, where the pool's users and tests have always found it.
export * from './pool-layout.js';

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
