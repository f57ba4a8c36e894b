// Differential: the WASM dissector and its pure-TS twin write identical descriptors for
// every corpus and corpus-more frame (PPP, PPPoE, MPLS, tunnels among them) and for >= 100,000 randomly mutated and truncated frames (seeded),
// with and without checksum verification. Also: no trap, no read past caplen (frames sit
// at the end of a region followed by a guard pattern that must stay untouched).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createEngine } from '../host/engine/engine.js';
import { readCaptureFile } from '../host/sources/capture-file.js';
import { DESC_SIZE, DF_VERIFY_CKSUM, LINKTYPE_ETHERNET, LINKTYPE_LINUX_SLL, LINKTYPE_LINUX_SLL2, LINKTYPE_NULL, LINKTYPE_RAW } from '../host/runtime/layout.js';
import { corpusCaptures, corpusDir, corpusMoreCaptures, Rng, seed } from './lib/env.js';
import { buildSampleFrames } from './lib/sample-frames.js';

const wasm = createEngine({ backend: 'wasm' });
const twin = createEngine({ backend: 'ts', memory: wasm.memory });
const BATCH = 4096;
const batch = wasm.createBatch(BATCH, BATCH * 2048);
const descsTwin = wasm.arena.alloc(BATCH * DESC_SIZE);

function compareBatch(opts: number, label: string): void {
  wasm.core.dissect_batch(batch.table, batch.count, batch.descs, opts);
  twin.core.dissect_batch(batch.table, batch.count, descsTwin, opts);
  const m = wasm.views.refresh().u8;
  const a = m.subarray(batch.descs, batch.descs + batch.count * DESC_SIZE);
  const b = m.subarray(descsTwin, descsTwin + batch.count * DESC_SIZE);
  if (Buffer.compare(a, b) !== 0) {
    for (let i = 0; i < batch.count; i++) {
      const x = a.subarray(i * DESC_SIZE, (i + 1) * DESC_SIZE);
      const y = b.subarray(i * DESC_SIZE, (i + 1) * DESC_SIZE);
      if (Buffer.compare(x, y) !== 0) {
        const off = x.findIndex((v, k) => v !== y[k]);
        const frame = Buffer.from(batch.frameBytes(i)).toString('hex');
        assert.unreachable(`${label}: frame ${i} (linktype ${batch.linktype(i)}) differs at descriptor byte ${off}: wasm ${x[off]} twin ${y[off]}\nframe ${frame}`);
      }
    }
  }
}

test('identical descriptors on every corpus frame (plain and verifying checksums)', () => {
  let frames = 0;
  for (const path of [...corpusCaptures(), ...corpusMoreCaptures()]) {
    const { records } = readCaptureFile(path);
    for (let start = 0; start < records.length; start += BATCH) {
      batch.clear();
      for (const r of records.slice(start, start + BATCH)) batch.push(r.data, r.linktype, r.wirelen);
      frames += batch.count;
      compareBatch(0, path);
      compareBatch(DF_VERIFY_CKSUM, `${path} (verify)`);
    }
  }
  console.log(`NOTE dissect-diff: ${frames} corpus frames compared`);
  // An absent corpus printed its SKIP line (under CI it threw); a present one must give frames.
  if (corpusDir() !== null) assert.ok(frames > 0, 'the corpus gave no frame to compare');
});

test('identical descriptors on >= 100,000 mutated and truncated frames', () => {
  const s = seed();
  console.log(`SEED dissect-diff fuzz seed ${s}`);
  const rng = new Rng(s);
  const pool: Array<{ data: Uint8Array; linktype: number }> = buildSampleFrames();
  for (const path of [...corpusCaptures(), ...corpusMoreCaptures()]) {
    for (const r of readCaptureFile(path).records) if (r.caplen <= 1600) pool.push({ data: r.data, linktype: r.linktype });
  }
  // Also PPP (9), PPP_HDLC (50), PPP_ETHER (51), C_HDLC (104), MPLS (219) and IPoIB (242).
  const linktypes = [LINKTYPE_ETHERNET, LINKTYPE_LINUX_SLL, LINKTYPE_LINUX_SLL2, LINKTYPE_RAW, LINKTYPE_NULL, 228, 229, 108, 147, 9, 50, 51, 104, 219, 242];
  const TOTAL = 100_000;
  let done = 0;
  while (done < TOTAL) {
    batch.clear();
    while (batch.count < BATCH && done < TOTAL) {
      const src = pool[rng.int(pool.length)];
      const f = Uint8Array.from(src.data);
      const flips = rng.int(6);
      for (let k = 0; k < flips && f.length; k++) {
        // Mutations aimed at header bytes, where the length and offset fields live.
        const at = rng.bool(0.8) ? rng.int(Math.min(f.length, 80)) : rng.int(f.length);
        f[at] = rng.bool(0.5) ? rng.u32() & 255 : f[at] ^ (1 << rng.int(8));
      }
      const cut = rng.bool(0.5) ? rng.int(f.length + 1) : f.length;
      const data = f.subarray(0, cut);
      const wire = rng.bool(0.9) ? f.length : rng.int(3000);
      const lt = rng.bool(0.9) ? src.linktype : linktypes[rng.int(linktypes.length)];
      batch.push(data, lt, wire);
      done++;
    }
    compareBatch(rng.bool(0.5) ? DF_VERIFY_CKSUM : 0, `fuzz seed ${s}`);
  }
  assert.is(done, TOTAL);
});

test('never reads past caplen: a frame flush against a guard region', () => {
  // Frames are placed so that their last captured byte is followed by a guard pattern;
  // if a read strayed there the descriptors of a truncated and a zero-padded copy would
  // differ. We check both backends against the same frame with different trailing bytes.
  const rng = new Rng(seed() ^ 0x5a5a);
  const samples = buildSampleFrames();
  const m = () => wasm.views.refresh().u8;
  const region = wasm.arena.alloc(4096 + 64);
  const d1 = wasm.arena.alloc(DESC_SIZE);
  const d2 = wasm.arena.alloc(DESC_SIZE);
  for (let n = 0; n < 5000; n++) {
    const src = samples[rng.int(samples.length)];
    const cut = rng.int(src.data.length + 1);
    const at = region + 4096 - cut;
    m().set(src.data.subarray(0, cut), at);
    for (const core of [wasm.core, twin.core]) {
      m().fill(0x00, region + 4096, region + 4096 + 64);
      core.dissect_frame(at, cut, src.data.length, src.linktype, d1, DF_VERIFY_CKSUM);
      m().fill(0xFF, region + 4096, region + 4096 + 64);
      core.dissect_frame(at, cut, src.data.length, src.linktype, d2, DF_VERIFY_CKSUM);
      assert.equal(m().slice(d1, d1 + DESC_SIZE), m().slice(d2, d2 + DESC_SIZE), `bytes past caplen changed the result (cut ${cut})`);
    }
  }
});

test.run();
