// Pool: a buffer pool in the engine's shared memory (assembly/pool.ts, twin in ./twin.ts),
// driven through the engine's backend. Handles are numbers (mbuf addresses), so they can
// sit in typed arrays and cross to workers.
import type { Engine } from '../engine/engine.js';
import { exportsOf } from '../engine/backend.js';
import { PktError } from '../runtime/errors.js';
import { POOL, type PoolExports } from './exports.js';
import {
  PF_POISON, POOL_ALLOCS, POOL_BAD_FREES, POOL_DOUBLE_FREE, POOL_FAILS, POOL_FREE, POOL_FREES, POOL_MIN_FREE,
} from './twin.js';

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
