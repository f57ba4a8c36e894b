// Flow-table updates per second with a million live flows: WASM vs the pure-TS twin vs a
// JS Map keyed by a tuple string (the obvious JS approach), all fed the same dissected
// descriptors from one shared memory. Packets pick their flow at random, so nearly every
// lookup misses the caches: what counts is how many misses overlap (the batch hashes a
// chunk first, then touches buckets, then entries, then updates).
import { createEngine, type Engine } from '../host/engine/engine.js';
import { FlowTable } from '../host/flows/flow-table.js';
import type { FrameBatch } from '../host/engine/frame-batch.js';
import { D_DST_PORT, D_IP_DST, D_IP_LEN, D_IP_PROTO, D_IP_SRC, D_SRC_PORT, D_TCP_FLAGS, D_WIRELEN, DESC_SIZE, FRAME_SIZE, TIME_SIZE } from '../host/runtime/layout.js';
import { compare } from './lib/compare.js';
import { sized } from './lib/results.js';

const FLOWS = sized(1_000_000, 16_384);
const CHUNK = 4096;
const SEED = Number(process.env.SEED ?? 11);

function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    return s;
  };
}

/** One frame per flow, in a random order, half of them sent by the B side. */
function buildTraffic(engine: Engine): FrameBatch {
  const r = rng(SEED);
  const batch = engine.createBatch(FLOWS, FLOWS * 64);
  const order = new Uint32Array(FLOWS);
  for (let i = 0; i < FLOWS; i++) order[i] = i;
  for (let i = FLOWS - 1; i > 0; i--) {
    const j = r() % (i + 1);
    const t = order[i]; order[i] = order[j]; order[j] = t;
  }
  const f = new Uint8Array(60);
  const dv = new DataView(f.buffer);
  dv.setUint16(12, 0x0800);
  f[14] = 0x45;
  f[22] = 64;
  for (let k = 0; k < FLOWS; k++) {
    const flow = order[k];
    const tcp = flow % 5 !== 0;
    const client = 0x0a000000 + (flow >>> 4); // 10.x.y.z
    const server = 0xc6336400 + (flow & 15); // 198.51.100.0/28
    const cport = 1024 + (flow % 50000);
    const sport = tcp ? 443 : 53;
    const fromB = (r() & 1) === 1;
    dv.setUint32(26, fromB ? server : client);
    dv.setUint32(30, fromB ? client : server);
    dv.setUint16(34, fromB ? sport : cport);
    dv.setUint16(36, fromB ? cport : sport);
    f[23] = tcp ? 6 : 17;
    const len = tcp ? 60 : 48;
    dv.setUint16(16, len - 14);
    if (tcp) {
      dv.setUint32(38, 1000);
      dv.setUint32(42, 2000);
      f[46] = 0x50;
      f[47] = 0x10; // ACK
    } else {
      dv.setUint16(38, len - 34);
    }
    batch.push(f.subarray(0, len));
  }
  engine.dissect(batch);
  for (let i = 0; i < FLOWS; i++) batch.setTime(i, 1_700_000_000, i);
  return batch;
}

interface MapFlow { framesAB: number; framesBA: number; bytesAB: number; bytesBA: number; flags: number; first: number; last: number }

async function main(): Promise<void> {
  const wasm = createEngine({ backend: 'wasm', initialPages: 16384 });
  // The twin shares the memory, so both read the very same descriptors.
  const twin = createEngine({ backend: 'ts', memory: wasm.memory, module: wasm.module });
  const traffic = buildTraffic(wasm);
  const mk = (e: Engine): FlowTable => new FlowTable(e, { capacity: 1_250_000, timeouts: { tcpEstablished: 86400, udp: 86400 } });
  const tw = mk(wasm);
  const tt = mk(twin);
  // Create every flow once (not timed), so the timed passes update a million live flows.
  tw.update(traffic);
  tt.update(traffic);
  console.log(`flow table: ${tw.live.toLocaleString()} live flows (WASM), ${tt.live.toLocaleString()} (twin); chunks of ${CHUNK} packets of random flows`);

  const map = new Map<string, MapFlow>();
  const views = wasm.views;
  const mapUpdate = (from: number, n: number): void => {
    const u32 = views.u32;
    const u16 = views.u16;
    const u8 = views.u8;
    for (let i = from; i < from + n; i++) {
      const d = traffic.descs + i * DESC_SIZE;
      const src = u32[(d + D_IP_SRC) >>> 2];
      const dst = u32[(d + D_IP_DST) >>> 2];
      const sp = u16[(d + D_SRC_PORT) >>> 1];
      const dp = u16[(d + D_DST_PORT) >>> 1];
      const proto = u8[d + D_IP_PROTO];
      const fwd = src < dst || (src === dst && sp <= dp);
      const key = fwd ? `${proto}|${src}:${sp}|${dst}:${dp}` : `${proto}|${dst}:${dp}|${src}:${sp}`;
      let fl = map.get(key);
      const wire = u32[(d + D_WIRELEN) >>> 2];
      if (fl === undefined) {
        fl = { framesAB: 0, framesBA: 0, bytesAB: 0, bytesBA: 0, flags: 0, first: i, last: i };
        map.set(key, fl);
      }
      if (fwd) { fl.framesAB++; fl.bytesAB += wire; } else { fl.framesBA++; fl.bytesBA += wire; }
      fl.flags |= u16[(d + D_TCP_FLAGS) >>> 1];
      fl.last = i;
      void u16[(d + D_IP_LEN) >>> 1];
    }
  };
  mapUpdate(0, FLOWS);
  console.log(`Map: ${map.size.toLocaleString()} live flows`);

  let cw = 0;
  let ct = 0;
  let cm = 0;
  const step = (c: number): number => (c + 2 * CHUNK > FLOWS ? 0 : c + CHUNK);
  const rows = await compare({ title: 'flow updates with 1M live flows (random flow per packet)', unitsPerCall: CHUNK, throughput: 'M ops/s', target: 20 }, [
    {
      name: 'wasm',
      fn: () => {
        tw.updateRaw(traffic.table + cw * FRAME_SIZE, traffic.descs + cw * DESC_SIZE, traffic.times + cw * TIME_SIZE, CHUNK);
        cw = step(cw);
      },
    },
    {
      name: 'ts twin',
      fn: () => {
        tt.updateRaw(traffic.table + ct * FRAME_SIZE, traffic.descs + ct * DESC_SIZE, traffic.times + ct * TIME_SIZE, CHUNK);
        ct = step(ct);
      },
    },
    { name: 'js Map<string>', fn: () => { mapUpdate(cm, CHUNK); cm = step(cm); } },
  ]);
  void rows;
  const s = tw.stats();
  console.log(`checks: WASM ${s.frames} frames accounted, ${s.created} flows created, ${s.evicted} evicted, ${s.failed} refused; twin live ${tt.live}`);
}

await main();
