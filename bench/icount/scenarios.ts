// The scenarios bench/icount/run.ts counts: each sets up once and returns one iteration.
// Small tables and buffers: callgrind runs node about 50x slower.
import { createEngine, type Engine } from '../../host/engine/engine.js';
import { Lpm4 } from '../../host/lpm/lpm4.js';
import { Lpm6 } from '../../host/lpm/lpm6.js';
import { FlowTable } from '../../host/flows/flow-table.js';
import { FrameRing } from '../../host/ring/frame-ring.js';
import { DESC_SIZE, FRAME_SIZE, TIME_SIZE } from '../../host/runtime/layout.js';

export interface Scenario {
  what: string;
  /** Builds the input; returns one iteration (its result is xored into a sink). */
  setup: () => Promise<(i: number) => number> | ((i: number) => number);
  /** Iterations to count (N; the default of run.ts otherwise): fewer for heavy ones. */
  iterations?: number;
  /** Units one iteration processes (lookups in a bulk call ...): the count is also shown per unit. */
  units?: number;
}

function xorshift(seed: number): () => number {
  let s = seed;
  return () => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return s; };
}

/** A 5k-prefix IPv6 table with the lengths of bench/lpm.bench.ts's mix (mostly /32../48, a
 *  few /56 and /64), and 1,024 destinations inside its prefixes, in the engine's memory. */
function lpm6Bulk(backend: 'wasm' | 'ts'): Scenario {
  return {
    what: `Lpm6 lookup_bulk of 1,024 destinations, 5k-prefix table (${backend})`,
    iterations: 2_000,
    units: 1024,
    setup: () => {
      const e = createEngine({ backend });
      const lpm = new Lpm6(e, { maxRules: 8192, tbl8Groups: 65536 });
      const next = xorshift(777);
      const depths = [32, 32, 36, 40, 44, 48, 48, 48, 48, 48, 29, 46, 56, 64];
      const prefixes: Uint8Array[] = [];
      for (let i = 0; i < 5000; i++) {
        const a = new Uint8Array(16);
        for (let j = 0; j < 16; j++) a[j] = next() & 255;
        a[0] = 0x20; a[1] = 0x01 + (next() & 3);
        lpm.addRaw(a, depths[i % depths.length], i & 1023);
        prefixes.push(a);
      }
      const n = 1024;
      const addrs = e.arena.alloc(n * 16), out = e.arena.alloc(n * 4);
      const u8 = e.views.refresh().u8;
      for (let i = 0; i < n; i++) {
        const pfx = prefixes[next() % prefixes.length];
        for (let j = 0; j < 16; j++) u8[addrs + i * 16 + j] = j < 8 ? pfx[j] : next() & 255;
      }
      return () => lpm.lookupBulkAt(addrs, n, out);
    },
  };
}

function filled(engine: Engine, size: number): number {
  const p = engine.arena.alloc(size);
  const m = engine.views.refresh().u8;
  for (let i = 0; i < size; i++) m[p + i] = (i * 31 + 7) & 255;
  return p;
}

function checksumCore(backend: 'wasm' | 'ts', size: number): Scenario {
  return {
    what: `core.cksum_compute(ptr, ${size}) on the ${backend} backend`,
    setup: () => {
      const e = createEngine({ backend });
      const p = filled(e, size);
      const f = e.core.cksum_compute;
      return () => f(p, size);
    },
  };
}

/** A deterministic table of `n` prefixes, a few of them longer than /24 (tbl8 groups). */
function lpm4Table(engine: Engine, n: number): { lpm: Lpm4; addrs: Uint32Array } {
  const lpm = new Lpm4(engine, { maxRules: n * 2, tbl8Groups: 1024 });
  let s = 12345;
  const next = (): number => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return s; };
  for (let i = 0; i < n; i++) {
    const a = next();
    const d = i % 50 === 0 ? 28 : 16 + (i % 9);
    lpm.addRaw(a, d, i & 4095);
  }
  const addrs = new Uint32Array(4096);
  for (let i = 0; i < addrs.length; i++) addrs[i] = next();
  return { lpm, addrs };
}

/** FlowTable updates of established flows, 4,096 live (cache-resident: what pass 4 of
 *  flows_update_batch costs by itself), 256 frames per call, as bench/flows.bench.ts builds
 *  them: 80% TCP ACKs, 20% UDP, either direction. */
function flowsUpdate(backend: 'wasm' | 'ts'): Scenario {
  return {
    what: `FlowTable.updateRaw of 256 frames of established flows, 4,096 live (${backend})`,
    iterations: 2_000,
    units: 256,
    setup: () => {
      const e = createEngine({ backend });
      const FLOWS = 4096;
      const next = xorshift(4242);
      const batch = e.createBatch(FLOWS, FLOWS * 64);
      const f = new Uint8Array(60);
      const dv = new DataView(f.buffer);
      dv.setUint16(12, 0x0800); f[14] = 0x45; f[22] = 64;
      for (let flow = 0; flow < FLOWS; flow++) {
        const tcp = flow % 5 !== 0;
        const client = 0x0a000000 + (flow >>> 4), server = 0xc6336400 + (flow & 15);
        const cport = 1024 + (flow % 50000), sport = tcp ? 443 : 53;
        const fromB = (next() & 1) === 1;
        dv.setUint32(26, fromB ? server : client); dv.setUint32(30, fromB ? client : server);
        dv.setUint16(34, fromB ? sport : cport); dv.setUint16(36, fromB ? cport : sport);
        f[23] = tcp ? 6 : 17;
        const len = tcp ? 60 : 48;
        dv.setUint16(16, len - 14);
        if (tcp) { dv.setUint32(38, 1000); dv.setUint32(42, 2000); f[46] = 0x50; f[47] = 0x10; } else dv.setUint16(38, len - 34);
        batch.push(f.subarray(0, len));
      }
      e.dissect(batch);
      for (let i = 0; i < FLOWS; i++) batch.setTime(i, 1_700_000_000, i);
      const ft = new FlowTable(e, { capacity: 8192, timeouts: { tcpEstablished: 86400, udp: 86400 } });
      ft.update(batch);
      const CH = 256;
      return (i) => {
        const c = (i * CH) % FLOWS;
        ft.updateRaw(batch.table + c * FRAME_SIZE, batch.descs + c * DESC_SIZE, batch.times + c * TIME_SIZE, CH);
        return c;
      };
    },
  };
}

/** One burst of `burst` u32 slots into a frame ring and out again, on one thread: what the
 *  calls and the counter bookkeeping cost (callgrind cannot see the cache lines that move
 *  between two cores, which is what the cached counters save). */
function ringBurst(burst: number): Scenario {
  return {
    what: `ring_enqueue_burst + ring_dequeue_burst of ${burst} slot(s), one thread (wasm)`,
    units: burst,
    setup: () => {
      const e = createEngine({ backend: 'wasm' });
      const ring = FrameRing.create(e, 1024, 32);
      const core = ring.core, r = ring.address;
      const src = filled(e, burst * 4), dst = e.arena.alloc(burst * 4);
      return () => core.ring_enqueue_burst(r, src, burst) ^ core.ring_dequeue_burst(r, dst, burst);
    },
  };
}

/** The same round through the public API: FrameRing.enqueue of a FrameBatch of `burst`
 *  4-byte frames, then peek into another batch and release (which notifies a producer only
 *  if one waits). */
function frameRingBurst(burst: number): Scenario {
  return {
    what: `FrameRing.enqueue + peek + release of ${burst} frame(s) of 4 bytes, one thread (wasm)`,
    units: burst,
    setup: () => {
      const e = createEngine({ backend: 'wasm' });
      const ring = FrameRing.create(e, 1024, 32);
      const src = filled(e, burst * 4);
      const batch = e.createBatch(burst, 16), out = e.createBatch(burst, 16);
      for (let i = 0; i < burst; i++) batch.pushRef(src + i * 4, 4);
      return () => {
        const n = ring.enqueue(batch);
        const k = ring.peek(out);
        ring.release(k);
        return n ^ k;
      };
    },
  };
}

export const SCENARIOS: Record<string, Scenario> = {
  'ring-burst1-wasm': ringBurst(1),
  'ring-burst32-wasm': ringBurst(32),
  'ring-framering-burst1': frameRingBurst(1),
  'ring-framering-burst32': frameRingBurst(32),
  'flows-update-wasm': flowsUpdate('wasm'),
  'call-floor-wasm': {
    what: 'core.cksum_add(i, 1): what a JS->WASM call and the driver loop cost by themselves',
    setup: () => {
      const f = createEngine({ backend: 'wasm' }).core.cksum_add;
      return (i) => f(i, 1);
    },
  },
  'cksum64-wasm': checksumCore('wasm', 64),
  'cksum64-ts': checksumCore('ts', 64),
  'cksum1500-wasm': checksumCore('wasm', 1500),
  'cksum64-batch-wasm': {
    what: 'core.cksum_batch of 1,000 64-byte buffers (8 distinct, cache-resident) per call (wasm)',
    iterations: 20_000,
    units: 1000,
    setup: () => {
      const e = createEngine({ backend: 'wasm' });
      const base = filled(e, 8 * 64);
      const batch = e.createBatch(1000, 16);
      for (let i = 0; i < 1000; i++) batch.pushRef(base + (i % 8) * 64, 64);
      const out = e.arena.alloc(2000);
      const f = e.core.cksum_batch;
      return () => { f(batch.table, 1000, out); return 0; };
    },
  },
  'cksum64-engine.checksum': {
    what: 'engine.checksum(64-byte Uint8Array) on wasm (the public API: copy + call)',
    setup: () => {
      const e = createEngine({ backend: 'wasm' });
      const b = new Uint8Array(64);
      for (let i = 0; i < 64; i++) b[i] = (i * 31 + 7) & 255;
      return () => e.checksum(b);
    },
  },
  'cksum64-engine.checksum-view': {
    what: 'engine.checksum(64-byte view of the engine memory) on wasm (summed in place)',
    setup: () => {
      const e = createEngine({ backend: 'wasm' });
      const p = filled(e, 64);
      const v = e.views.refresh().u8.subarray(p, p + 64);
      return () => e.checksum(v);
    },
  },
  'lpm6-bulk-wasm': lpm6Bulk('wasm'),
  'lpm4-core-single': {
    what: 'core.lpm4_lookup(table, addr), 10k-prefix table, 4096 addresses cycled (wasm)',
    setup: () => {
      const { lpm, addrs } = lpm4Table(createEngine({ backend: 'wasm' }), 10_000);
      const f = lpm.core.lpm4_lookup, t = lpm.table;
      return (i) => f(t, addrs[i & 4095]);
    },
  },
  'lpm4-lookupRaw': {
    what: 'Lpm4.lookupRaw(addr), the same table and addresses (wasm engine)',
    setup: () => {
      const { lpm, addrs } = lpm4Table(createEngine({ backend: 'wasm' }), 10_000);
      return (i) => lpm.lookupRaw(addrs[i & 4095]);
    },
  },
  'lpm4-lookup': {
    what: 'Lpm4.lookup(addr) (number | null), the same table and addresses (wasm engine)',
    setup: () => {
      const { lpm, addrs } = lpm4Table(createEngine({ backend: 'wasm' }), 10_000);
      return (i) => lpm.lookup(addrs[i & 4095]) ?? 0;
    },
  },
};
