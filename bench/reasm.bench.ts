// IP reassembly under a fragment flood: 10 M random fragments (IPv4 and IPv6, random
// sources, identifications, offsets, lengths and MF bits: almost none completes, so every
// one costs a lookup, an entry or a block, and the caps force evictions) through the
// reassembler, WASM and twin on the same batches. Prints fragments per second and the
// memory it held: the arena must not grow, the bytes held never pass the cap, and the
// process's RSS stays flat. Then the 1 M-train fuzz of test/lib/reasm-fuzz.ts (WASM = twin
// at bench scale; the test suite runs 100 k).
//   REASM_BENCH_FRAGMENTS (default 10,000,000), REASM_BENCH_TRAINS (default 1,000,000).
import { createEngine, type Engine } from '../host/engine/engine.js';
import type { FrameBatch } from '../host/engine/frame-batch.js';
import { Reassembler } from '../host/reasm/reassembler.js';
import { LINKTYPE_ETHERNET, TIME_WORDS, TIME_W_SEC, TIME_W_NSEC } from '../host/runtime/layout.js';
import { compare } from './lib/compare.js';
import { fuzzReassembly } from '../test/lib/reasm-fuzz.js';
import { sized } from './lib/results.js';

const FRAGMENTS = Number(process.env.REASM_BENCH_FRAGMENTS ?? sized(10_000_000, 20_000));
const TRAINS = Number(process.env.REASM_BENCH_TRAINS ?? sized(1_000_000, 2_000));
const SEED = Number(process.env.SEED ?? 7);
const BATCH = 1024;
/** Distinct batches cycled through: 64 Ki fragments before an identification repeats,
 *  long after the datagram it named was evicted (1,024 may be in progress). */
const DISTINCT = 64;
const CAPS = { maxDatagrams: 1024, maxBytes: 4 << 20 };

function xorshift(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return s; };
}

/** DISTINCT dissected batches of random fragments in `engine`'s memory. */
function floodBatches(engine: Engine): FrameBatch[] {
  const rnd = xorshift(SEED);
  const frame = new Uint8Array(1600);
  const dv = new DataView(frame.buffer);
  const out: FrameBatch[] = [];
  for (let b = 0; b < DISTINCT; b++) {
    const batch = engine.createBatch(BATCH, BATCH * 1560);
    for (let i = 0; i < BATCH; i++) {
      const v6 = rnd() % 5 === 0;
      const len = 8 * (1 + (rnd() % 185));
      const off = 8 * (rnd() % 1024);
      const more = rnd() % 10 !== 0;
      const hl = v6 ? 48 : 20;
      const x = rnd();
      frame.fill(0, 0, 14 + hl);
      dv.setUint16(12, v6 ? 0x86dd : 0x0800);
      if (v6) {
        frame[14] = 0x60; dv.setUint16(18, 8 + len); frame[20] = 44; frame[21] = 64;
        dv.setUint32(34, x); frame[54] = 17; dv.setUint16(56, off | (more ? 1 : 0)); dv.setUint32(58, rnd());
      } else {
        frame[14] = 0x45; dv.setUint16(16, 20 + len); dv.setUint16(18, rnd() & 0xFFFF);
        dv.setUint16(20, (more ? 0x2000 : 0) | (off >>> 3)); frame[22] = 64; frame[23] = 17; dv.setUint32(26, x); dv.setUint32(30, 0xC6336407);
      }
      batch.push(frame.subarray(0, 14 + hl + len), LINKTYPE_ETHERNET);
      // 20 µs apart: 64 Ki fragments span 1.3 s of capture time, 10 M span 200 s (timeouts fire).
      const t = (b * BATCH + i) * 20;
      batch.setTime(i, 1_700_000_000 + Math.floor(t / 1e6), (t % 1e6) * 1000);
    }
    engine.dissect(batch);
    out.push(batch);
  }
  return out;
}

interface Flood { name: string; ns: number; fps: number; arenaGrowth: number; rssMiB: [number, number]; maxHeld: number; stats: ReturnType<Reassembler['stats']> }

/** Pushes `total` fragments through a reassembler, the DISTINCT batches in turn, their
 *  timestamps shifted forward each round so the clock keeps moving. */
function flood(name: string, engine: Engine, batches: FrameBatch[], total: number): Flood {
  const re = new Reassembler(engine, CAPS);
  const arena0 = engine.arena.used;
  global.gc?.();
  const rss0 = process.memoryUsage().rss;
  let maxHeld = 0;
  let done = 0;
  let round = 0;
  let ns = 0;
  while (done < total) {
    for (const b of batches) {
      if (done >= total) break;
      if (round > 0) {
        // Move the batch's times on by one round (1.31 s), outside the timed part.
        const u32 = engine.views.refresh().u32;
        for (let i = 0; i < b.count; i++) {
          const w = (b.times >>> 2) + i * TIME_WORDS;
          const nsec = u32[w + TIME_W_NSEC] + 310_720_000;
          u32[w + TIME_W_SEC] += 1 + Math.floor(nsec / 1e9);
          u32[w + TIME_W_NSEC] = nsec % 1e9;
        }
      }
      const t0 = process.hrtime.bigint();
      re.process(b);
      ns += Number(process.hrtime.bigint() - t0);
      done += b.count;
      if ((done & 0xFFFF) < BATCH) maxHeld = Math.max(maxHeld, re.stats().bytesHeld);
    }
    round++;
  }
  maxHeld = Math.max(maxHeld, re.stats().bytesHeld);
  const rss1 = process.memoryUsage().rss;
  return {
    name, ns, fps: (done / ns) * 1e9, arenaGrowth: engine.arena.used - arena0,
    rssMiB: [rss0 / 2 ** 20, rss1 / 2 ** 20], maxHeld, stats: re.stats(),
  };
}

const wasm = createEngine({ backend: 'wasm' });
const twin = createEngine({ backend: 'ts', memory: wasm.memory });
const batches = floodBatches(wasm);

// Per-batch cost on the same batches, tinybench medians (fragments per batch = BATCH).
{
  const ra = new Reassembler(wasm, CAPS);
  const rb = new Reassembler(twin, CAPS);
  let ka = 0;
  let kb = 0;
  await compare({ title: `reassembly: random fragments, ${BATCH} per batch`, unitsPerCall: BATCH, throughput: 'Mpps' }, [
    { name: 'reasm wasm', fn: () => ra.process(batches[ka++ % DISTINCT]) },
    { name: 'reasm ts twin', fn: () => rb.process(batches[kb++ % DISTINCT]) },
  ]);
}

for (const [name, engine] of [['wasm', wasm], ['ts twin', twin]] as const) {
  const f = flood(name, engine, batches, FRAGMENTS);
  const s = f.stats;
  console.log(`flood ${f.name}: ${FRAGMENTS.toLocaleString('en')} fragments in ${(f.ns / 1e9).toFixed(2)} s of reassembly: ${(f.fps / 1e6).toFixed(2)} M fragments/s`);
  console.log(`  memory: arena grew ${f.arenaGrowth} bytes; payload held at most ${f.maxHeld} of ${CAPS.maxBytes} bytes; RSS ${f.rssMiB[0].toFixed(0)} -> ${f.rssMiB[1].toFixed(0)} MiB`);
  console.log(`  held ${s.held}, reassembled ${s.reassembled}, evicted ${s.evicted}, timeouts ${s.timeouts}, overlaps ${s.overlaps}, duplicates ${s.duplicates}, late ${s.late}, inconsistent ${s.inconsistent}, too big ${s.tooBig}, in progress ${s.inProgress}`);
  if (f.arenaGrowth !== 0 || f.maxHeld > CAPS.maxBytes) {
    console.log('  FAIL: memory not flat');
    process.exitCode = 1;
  }
}

{
  const f = fuzzReassembly(TRAINS, SEED);
  const same = JSON.stringify(f.wasm) === JSON.stringify(f.twin);
  console.log(`fuzz: ${TRAINS.toLocaleString('en')} mutated trains, ${f.frames.toLocaleString('en')} fragments, ${f.reassembled} datagrams reassembled in ${(f.ms / 1000).toFixed(1)} s (both backends, compared frame by frame): WASM = twin ${same ? 'yes' : 'NO'}, arena grew ${f.arenaGrowth} bytes, held at most ${f.maxHeld} bytes / ${f.maxLive} datagrams`);
  if (!same || f.arenaGrowth !== 0) process.exitCode = 1;
}
