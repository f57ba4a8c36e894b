// The frame ring and the pcap record walker/writer: WASM and twin agree, the ring keeps
// order and counts drops when full, and a producer/consumer pair in two threads moves
// every slot exactly once.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import { createEngine } from '../host/engine/engine.js';
import { exportsOf } from '../host/engine/backend.js';
import { FrameRing } from '../host/ring/frame-ring.js';
import { PCAP } from '../host/pcap/exports.js';
import { readCaptureFile } from '../host/sources/capture-file.js';
import { ringSpace } from '../host/sources/ring-async.js';
import { corpusCaptures, Rng, seed } from './lib/env.js';
import { buildSampleFrames } from './lib/sample-frames.js';

const engine = createEngine();
const views = engine.views;
// The twin on the same memory: a ring made by either is read by the other.
const twinEngine = createEngine({ backend: 'ts', memory: engine.memory });

for (const [backend, e] of [['wasm', engine], ['ts', twinEngine]] as const) {
  test(`${backend}: ring keeps order, cuts oversize frames to the slot, counts drops when full`, () => {
    const ring = FrameRing.create(e, 8, 96);
    const core = ring.core;
    const batch = engine.createBatch(16, 16 * 256);
    const frames = buildSampleFrames();
    for (let i = 0; i < 12; i++) {
      batch.push(frames[i % frames.length].data, frames[i % frames.length].linktype);
      batch.setTime(i, 1000 + i, i * 7);
    }
    assert.is(ring.enqueue(batch), 8, 'only 8 slots');
    assert.is(ring.drops, 4);
    const out = engine.createBatch(16, 16);
    assert.is(ring.peek(out), 8);
    for (let i = 0; i < 8; i++) {
      const want = frames[i % frames.length].data;
      assert.is(out.caplen(i), Math.min(want.length, ring.slotPayload));
      assert.is(out.wirelen(i), want.length);
      assert.is(out.timeSec(i), 1000 + i);
      assert.is(out.timeNsec(i), i * 7);
      assert.equal(Array.from(out.frameBytes(i)), Array.from(want.subarray(0, out.caplen(i))));
    }
    ring.release(8);
    assert.is(core.ring_count(ring.address), 0);
    assert.is(core.ring_free_count(ring.address), 8);
  });
}

test('pcap_scan / pcap_index / pcap_write: WASM = twin, and write(index(file)) = file', () => {
  const files = corpusCaptures().filter((f) => f.endsWith('.pcap'));
  const w = exportsOf(engine, PCAP, 'wasm');
  const t = exportsOf(engine, PCAP, 'ts');
  const region = engine.arena.alloc(4 << 20);
  const table = engine.createBatch(8192, 16);
  const table2 = engine.createBatch(8192, 16);
  const out = engine.arena.alloc(4 << 20);
  const used = engine.arena.alloc(64);
  let files_ = 0;
  for (const f of files) {
    const { info, records } = readCaptureFile(f);
    if (info.bigEndian || records.length === 0) continue;
    files_++;
    // Rebuild the record area as little-endian records, as on disk.
    const m = views.refresh();
    let p = region;
    for (const r of records) {
      m.dv.setUint32(p, r.tsSec, true); m.dv.setUint32(p + 4, info.nanosecond ? r.tsNsec : r.tsNsec / 1000, true);
      m.dv.setUint32(p + 8, r.caplen, true); m.dv.setUint32(p + 12, r.wirelen, true);
      m.u8.set(r.data, p + 16);
      p += 16 + r.caplen;
    }
    const len = p - region;
    for (const core of [w, t]) {
      assert.is(core.pcap_scan(region, len, 0), len, `${f}: scan covers the file`);
      assert.is(core.pcap_scan_count(), records.length);
      assert.is(core.pcap_scan(region, len - 1, 0) < len, true, 'a cut record is not whole');
    }
    const micro = info.nanosecond ? 0 : 1;
    const nw = w.pcap_index(region, region + len, 0, micro, info.linktype, table.table, table.times, 8192, used);
    const nt = t.pcap_index(region, region + len, 0, micro, info.linktype, table2.table, table2.times, 8192, used);
    assert.is(nw, records.length);
    assert.is(nt, records.length);
    const mm = views.refresh().u8;
    assert.is(Buffer.compare(mm.subarray(table.table, table.table + nw * 16), mm.subarray(table2.table, table2.table + nw * 16)), 0);
    assert.is(Buffer.compare(mm.subarray(table.times, table.times + nw * 8), mm.subarray(table2.times, table2.times + nw * 8)), 0);
    for (const core of [w, t]) {
      views.u32[used >>> 2] = 0;
      const next = core.pcap_write(table.table, table.times, 0, nw, 0, 0xFFFFFFFF, micro, out, 4 << 20, used);
      assert.is(next, nw);
      assert.is(views.u32[used >>> 2], len);
      assert.is(Buffer.compare(views.u8.subarray(out, out + len), views.u8.subarray(region, region + len)), 0, `${f}: records round-trip`);
    }
  }
  assert.ok(files_ > 10 || files.length === 0);
});

// FrameRing.release notifies only a producer that raised RING_SPACE_WAITING: both ways a
// producer sleeps on a full ring (waitForSpace in a worker, ringSpace on the event loop)
// must raise it, or they would sleep to their timeout (10 s here) instead of waking.
for (const how of ['waitForSpace', 'ringSpace'] as const) {
  test(`a producer sleeping on a full ring (${how}) wakes when the consumer releases a slot`, async () => {
    const ring = FrameRing.create(engine, 4, 32);
    const src = engine.arena.alloc(4 * 4);
    assert.is(ring.core.ring_enqueue_burst(ring.address, src, 4), 4);
    assert.is(ring.core.ring_free_count(ring.address), 0);
    const file = fileURLToPath(new URL('./lib/ring-releaser.js', import.meta.url));
    const w = new Worker(file, { workerData: { memory: engine.memory, module: engine.module, ring: ring.address } });
    const sawFlag = new Promise<boolean>((res, rej) => { w.once('message', res); w.once('error', rej); });
    const t0 = Date.now();
    while (ring.core.ring_free_count(ring.address) === 0 && Date.now() - t0 < 10_000) {
      if (how === 'waitForSpace') ring.waitForSpace(10_000);
      else await ringSpace(ring, 10_000);
    }
    const waited = Date.now() - t0;
    assert.ok(await sawFlag, 'the producer never raised RING_SPACE_WAITING');
    assert.is(ring.core.ring_free_count(ring.address), 1);
    assert.ok(waited < 5_000, `woken after ${waited} ms: the release did not notify`);
    await w.terminate();
  });
}

test('two threads move 200,000 slots in order through the ring (wasm producer, ts consumer)', async () => {
  const ring = FrameRing.create(engine, 256, 32);
  const N = 200_000;
  const file = fileURLToPath(new URL('./lib/ring-consumer.js', import.meta.url));
  const w = new Worker(file, { workerData: { memory: engine.memory, module: engine.module, ring: ring.address, n: N } });
  const done = new Promise<{ sum: number; inOrder: boolean }>((res, rej) => { w.once('message', res); w.once('error', rej); });
  const src = engine.arena.alloc(32 * 4);
  const rng = new Rng(seed());
  let next = 0;
  while (next < N) {
    const burst = 1 + rng.int(32);
    const u32 = views.refresh().u32;
    for (let i = 0; i < burst; i++) u32[(src >>> 2) + i] = next + i;
    const k = ring.core.ring_enqueue_burst(ring.address, src, Math.min(burst, N - next));
    next += k;
    if (k > 0) ring.wake();
    else await new Promise((r) => setImmediate(r));
  }
  const r = await done;
  assert.ok(r.inOrder, 'slots arrived out of order');
  assert.is(r.sum, (N * (N - 1)) / 2);
});

test.run();
