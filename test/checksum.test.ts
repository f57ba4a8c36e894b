// Checksums: WASM and twin against a slow reference (RFC 1071 byte loop) and against
// raw-socket's createChecksum, on random buffers of every length and alignment; the
// pseudo-header sums against hand-assembled packets; RFC 1624 incremental updates
// against recomputation.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createRequire } from 'node:module';
import { createEngine } from '../host/engine/engine.js';
import { Rng, seed } from './lib/env.js';
import { buildSampleFrames, refChecksum } from './lib/sample-frames.js';
import { DF_VERIFY_CKSUM } from '../host/runtime/layout.js';
import { checksumSmall, SMALL_CHECKSUM_BYTES } from '../host/checksum/small.js';

const require = createRequire(import.meta.url);
const raw = require('raw-socket') as { createChecksum: (...bufs: Buffer[]) => number };

const wasm = createEngine({ backend: 'wasm' });
const twin = createEngine({ backend: 'ts', memory: wasm.memory });
const region = wasm.arena.alloc(70_000 + 64);
const rng = new Rng(seed() ^ 0xc0ffee);

test('cksum_compute = reference = raw-socket createChecksum, all lengths 0..2100 and offsets 0..7', () => {
  const m = wasm.views.refresh().u8;
  for (let len = 0; len <= 2100; len++) {
    const off = rng.int(8);
    const buf = new Uint8Array(len);
    for (let i = 0; i < len; i++) buf[i] = rng.u32() & 255;
    m.set(buf, region + off);
    const ref = ~refChecksum(buf) & 0xFFFF;
    const w = wasm.core.cksum_compute(region + off, len);
    const t = twin.core.cksum_compute(region + off, len);
    assert.is(w, ref, `wasm len ${len} off ${off}`);
    assert.is(t, ref, `twin len ${len} off ${off}`);
    if (len > 0 && len % 2 === 0) {
      // raw-socket sums 16-bit words and returns the complemented sum.
      assert.is(raw.createChecksum(Buffer.from(buf)), ref, `raw-socket len ${len}`);
    }
  }
});

test('engine.checksum of buffers of their own (summed in JS up to SMALL_CHECKSUM_BYTES, copied in above) = reference = raw-socket, every length 0..300 and offset 0..7', () => {
  assert.ok(SMALL_CHECKSUM_BYTES < 300, 'the lengths cross the JS/WASM threshold');
  const backing = new Uint8Array(300 + 8);
  for (let len = 0; len <= 300; len++) {
    for (let i = 0; i < backing.length; i++) backing[i] = rng.u32() & 255;
    for (let off = 0; off < 8; off++) {
      const buf = backing.subarray(off, off + len);
      const ref = ~refChecksum(buf) & 0xFFFF;
      assert.is(wasm.checksum(buf), ref, `wasm engine len ${len} off ${off}`);
      assert.is(twin.checksum(buf), ref, `ts engine len ${len} off ${off}`);
      const node = Buffer.from(buf);
      assert.is(wasm.checksum(node), ref, `Buffer len ${len} off ${off}`);
      if (len > 0 && len % 2 === 0 && off === 0) assert.is(raw.createChecksum(node), ref, `raw-socket len ${len}`);
    }
  }
  // The JS sum's bound: 65,535 bytes of 0xFF keep it below 2^31.
  const ff = new Uint8Array(65535).fill(0xFF);
  assert.is(checksumSmall(ff), ~refChecksum(ff) & 0xFFFF);
});

test('large buffers (64 KiB, all 0xFF and random) do not overflow the vector lanes', () => {
  const m = wasm.views.refresh().u8;
  for (const fill of [0xFF, -1]) {
    const len = 65535;
    const buf = new Uint8Array(len);
    for (let i = 0; i < len; i++) buf[i] = fill >= 0 ? fill : rng.u32() & 255;
    m.set(buf, region);
    const ref = ~refChecksum(buf) & 0xFFFF;
    assert.is(wasm.core.cksum_compute(region, len), ref);
    assert.is(twin.core.cksum_compute(region, len), ref);
  }
});

test('partial sums chain: sum(a) then sum(b, sum(a)) = sum(a||b) for even splits', () => {
  const m = wasm.views.refresh().u8;
  const len = 1500;
  for (let i = 0; i < len; i++) m[region + i] = rng.u32() & 255;
  for (const core of [wasm.core, twin.core]) {
    const whole = core.cksum_partial(region, len, 0);
    for (const split of [0, 2, 20, 64, 700, 1498]) {
      assert.is(core.cksum_partial(region + split, len - split, core.cksum_partial(region, split, 0)), whole);
    }
    assert.is(core.cksum_add(core.cksum_partial(region, 100, 0), core.cksum_partial(region + 100, len - 100, 0)), whole);
  }
});

test('every sample frame verifies (IPv4 header, TCP/UDP/ICMP/ICMPv6 with pseudo-headers)', () => {
  for (const f of buildSampleFrames()) {
    for (const e of [wasm, twin]) {
      const d = e.decode(f.data, f.linktype, f.data.length, DF_VERIFY_CKSUM);
      assert.not.ok(d.errors?.includes('bad_ip_checksum'), `${f.name}: ip checksum`);
      assert.not.ok(d.errors?.includes('bad_l4_checksum'), `${f.name}: l4 checksum`);
    }
  }
  // And a flipped payload bit is caught.
  const f = buildSampleFrames()[0];
  const bad = Uint8Array.from(f.data);
  bad[bad.length - 1] ^= 1;
  for (const e of [wasm, twin]) {
    const d = e.decode(bad, f.linktype, bad.length, DF_VERIFY_CKSUM);
    assert.ok(d.errors?.includes('bad_l4_checksum'), 'corrupted payload must fail verification');
  }
});

test('cksum_ipv4_header and cksum_l4_* recompute what the sample frames carry', () => {
  const m = wasm.views.refresh().u8;
  const f = buildSampleFrames()[0]; // eth-ipv4-tcp-options
  m.set(f.data, region);
  const ip = region + 14;
  const tcpOff = ip + 20;
  const tcpLen = f.data.length - 34;
  const ipCk = (m[ip + 10] << 8) | m[ip + 11];
  const tcpCk = (m[tcpOff + 16] << 8) | m[tcpOff + 17];
  for (const core of [wasm.core, twin.core]) {
    assert.is(core.cksum_ipv4_header(ip), ipCk);
    assert.is(core.cksum_ipv4_verify(ip), 1);
    assert.is(core.cksum_l4_verify_ipv4(ip, tcpOff, tcpLen, 6), 1);
  }
  m[tcpOff + 16] = 0; m[tcpOff + 17] = 0;
  assert.is(wasm.core.cksum_l4_ipv4(ip, tcpOff, tcpLen, 6), tcpCk);
  assert.is(twin.core.cksum_l4_ipv4(ip, tcpOff, tcpLen, 6), tcpCk);

  const f6 = buildSampleFrames().find((x) => x.name === 'eth-ipv6-tcp')!;
  m.set(f6.data, region);
  const ip6 = region + 14;
  const t6 = ip6 + 40;
  const len6 = f6.data.length - 54;
  const ck6 = (m[t6 + 16] << 8) | m[t6 + 17];
  for (const core of [wasm.core, twin.core]) assert.is(core.cksum_l4_verify_ipv6(ip6, t6, len6, 6), 1);
  m[t6 + 16] = 0; m[t6 + 17] = 0;
  assert.is(wasm.core.cksum_l4_ipv6(ip6, t6, len6, 6), ck6);
  assert.is(twin.core.cksum_l4_ipv6(ip6, t6, len6, 6), ck6);
});

test('RFC 1624 incremental update equals recomputation for 16- and 32-bit fields', () => {
  const m = wasm.views.refresh().u8;
  for (let n = 0; n < 2000; n++) {
    const len = 20 + 2 * rng.int(40);
    for (let i = 0; i < len; i++) m[region + i] = rng.u32() & 255;
    m[region + 10] = 0; m[region + 11] = 0;
    const ck = wasm.core.cksum_compute(region, len);
    m[region + 10] = ck >>> 8; m[region + 11] = ck & 255;
    const at = 12 + 2 * rng.int((len - 16) >> 1);
    // A 16- or 32-bit field at `at` gets a new value.
    const bits = rng.bool() ? 16 : 32;
    let old = 0;
    for (let i = 0; i < bits / 8; i++) old = old * 256 + m[region + at + i];
    const nv = bits === 16 ? rng.u32() & 0xFFFF : rng.u32();
    for (let i = 0; i < bits / 8; i++) m[region + at + i] = (nv >>> (bits - 8 - 8 * i)) & 255;
    m[region + 10] = 0; m[region + 11] = 0;
    const want = wasm.core.cksum_compute(region, len);
    const update = bits === 16 ? 'cksum_update16' : 'cksum_update32';
    const w = wasm.core[update](ck, old, nv);
    const t = twin.core[update](ck, old, nv);
    // RFC 1624 §3: the update may give 0xFFFF where recomputation gives 0x0000 (both are
    // zero in one's complement); normalise that one case.
    const norm = (x: number): number => (x === 0xFFFF ? 0 : x);
    assert.is(norm(w), norm(want), `update${bits} at ${at}`);
    assert.is(t, w);
  }
});

test('cksum_batch over a frame table', () => {
  const batch = wasm.createBatch(64, 64 * 2048);
  const frames = buildSampleFrames();
  for (const f of frames) batch.push(f.data, f.linktype);
  const out = wasm.arena.alloc(128);
  const out2 = wasm.arena.alloc(128);
  wasm.core.cksum_batch(batch.table, batch.count, out);
  twin.core.cksum_batch(batch.table, batch.count, out2);
  const m = wasm.views.refresh().u8;
  frames.forEach((f, i) => {
    const want = ~refChecksum(f.data) & 0xFFFF;
    assert.is(m[out + 2 * i] | (m[out + 2 * i + 1] << 8), want);
    assert.is(m[out2 + 2 * i] | (m[out2 + 2 * i + 1] << 8), want);
  });
});

test('engine.checksum: a Uint8Array of its own (copied in) and a view of the engine memory (summed in place) equal the reference', () => {
  for (const e of [wasm, twin]) {
    for (const len of [0, 1, 20, 63, 64, 65, 127, 128, 129, 1500]) {
      const own = new Uint8Array(len);
      for (let i = 0; i < len; i++) own[i] = rng.u32() & 255;
      const want = ~refChecksum(own) & 0xFFFF;
      assert.is(e.checksum(own), want, `${e.backend} own len ${len}`);
      const off = rng.int(8);
      const view = e.views.refresh().u8.subarray(region + off, region + off + len);
      view.set(own);
      assert.is(view.buffer === e.views.u8.buffer, true, 'the view is on the engine memory');
      assert.is(e.checksum(view), want, `${e.backend} in-memory view len ${len} off ${off}`);
    }
  }
});

// engine.checksum remembers where its last buffer lies (by identity): the same arrays again,
// in turn, with their bytes changed in between, and a view made before the memory grew.
test('engine.checksum of the same buffers again: alternated, changed in between, and across a memory growth', () => {
  for (const e of [wasm, twin]) {
    const own = new Uint8Array(96);
    const view = e.views.refresh().u8.subarray(region + 3, region + 3 + 96);
    const big = new Uint8Array(700);
    for (let round = 0; round < 6; round++) {
      for (const b of [own, view, big]) for (let i = 0; i < b.length; i++) b[i] = rng.u32() & 255;
      for (const b of [own, view, own, big, view, view]) {
        assert.is(e.checksum(b), ~refChecksum(b) & 0xFFFF, `${e.backend} round ${round} len ${b.length}`);
      }
      if (round === 2) {
        const before = e.memory.buffer.byteLength;
        e.arena.alloc(before); // past the end: the memory grows and the views are re-made
        assert.ok(e.views.refresh().u8.byteLength > before, 'the memory grew');
        const fresh = e.views.u8.subarray(region + 5, region + 5 + 40);
        assert.is(e.checksum(fresh), ~refChecksum(fresh) & 0xFFFF, `${e.backend} a view made after the growth`);
      }
    }
  }
});

test.run();
