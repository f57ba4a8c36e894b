// The export surface of assembly/pool.ts: the WASM functions and PoolTwin share these
// signatures over the same shared memory (pools and mbufs by address).
import { exportNames, type Structure } from '../engine/backend.js';
import { PoolTwin } from './twin.js';

export interface PoolExports {
  pool_region_size(count: number, bufSize: number): number;
  pool_init(pool: number, count: number, bufSize: number, headroom: number, flags: number): number;
  pool_alloc(pool: number): number;
  pool_alloc_bulk(pool: number, out: number, n: number): number;
  pool_free(pool: number, m: number): number;
  pool_free_bulk(pool: number, handles: number, n: number): number;
  pool_ref(m: number): number;
  pool_refcnt(m: number): number;
  pool_avail(pool: number): number;
  pool_in_use(pool: number): number;
  pool_data(m: number): number;
  pool_len(m: number): number;
  pool_headroom(m: number): number;
  pool_tailroom(m: number): number;
  pool_reserve(m: number, n: number): number;
  pool_push(m: number, n: number): number;
  pool_pull(m: number, n: number): number;
  pool_put(m: number, n: number): number;
  pool_trim(m: number, len: number): number;
}

export const POOL_EXPORTS = exportNames<PoolExports>()([
  'pool_region_size', 'pool_init', 'pool_alloc', 'pool_alloc_bulk', 'pool_free', 'pool_free_bulk',
  'pool_ref', 'pool_refcnt', 'pool_avail', 'pool_in_use', 'pool_data', 'pool_len', 'pool_headroom',
  'pool_tailroom', 'pool_reserve', 'pool_push', 'pool_pull', 'pool_put', 'pool_trim',
]);

/** The buffer pool, for exportsOf(engine, POOL). */
export const POOL: Structure<PoolExports> = {
  name: 'pool', exports: POOL_EXPORTS, twin: (engine) => new PoolTwin(engine.views),
};
