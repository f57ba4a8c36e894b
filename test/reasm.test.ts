// IP reassembly (assembly/reasm.ts and its twin) on fragment trains this test builds from
// datagrams it made (test/lib/frag-train.ts): the datagram given back must be the one that
// was fragmented, reported on the fragment that completes it, for IPv4 and IPv6, in any
// arrival order; overlaps discard (RFC 5722), duplicates are dropped, timeouts follow the
// frames' clock (30 s / 60 s), memory stays within its caps, attacks are counted. Both
// backends run every case. The fuzz and tshark oracle are in reasm-fuzz / reasm-tshark.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createEngine, type Engine } from '../host/engine/engine.js';
import type { FrameBatch } from '../host/engine/frame-batch.js';
import { Reassembler, type ReassemblerOptions } from '../host/reasm/reassembler.js';
import {
  D_LAYERS, D_SRC_PORT, D_DST_PORT, D_UDP_LEN, D_PAYLOAD_LEN, D_REASM_PTR, D_REASM_LEN, D_REASM_FRAGS,
  D_L4_OFF, D_PAYLOAD_OFF, D_IP_PROTO, L_REASM, L_FRAG_HELD, L_UDP, LINKTYPE_ETHERNET,
} from '../host/runtime/layout.js';
import { fragmentFrame, reassembled, rng, split, udpDatagram, type Datagram, type Fragment } from './lib/frag-train.js';
import { seed } from './lib/env.js';

const SEED = seed();
console.log(`SEED ${SEED} (reasm)`);

const wasm = createEngine({ backend: 'wasm' });
const twin = createEngine({ backend: 'ts', memory: wasm.memory });
const BACKENDS: Array<[string, Engine]> = [['wasm', wasm], ['ts', twin]];

interface Seen {
  layers: number;
  sport: number;
  dport: number;
  udpLen: number;
  payloadLen: number;
  l4Off: number;
  payloadOff: number;
  proto: number;
  frags: number;
  /** The reassembled datagram's bytes (L_REASM only). */
  bytes?: Uint8Array;
}

interface Arrival { frame: Uint8Array; t: number }

/** Runs frames through dissection and reassembly in batches of `per`; what each
 *  descriptor says afterwards (read before the next batch, as the output area says). */
const batches = new Map<Engine, FrameBatch>();

function run(engine: Engine, re: Reassembler, arrivals: Arrival[], per = 16): Seen[] {
  let batch = batches.get(engine);
  if (batch === undefined) batches.set(engine, batch = engine.createBatch(16, 16 * 2048));
  const out: Seen[] = [];
  for (let i = 0; i < arrivals.length; i += per) {
    batch.clear();
    const part = arrivals.slice(i, i + per);
    for (const a of part) {
      assert.ok(batch.push(a.frame, LINKTYPE_ETHERNET), 'batch room');
      const whole = Math.floor(a.t);
      batch.setTime(batch.count - 1, whole, Math.round((a.t - whole) * 1e9));
    }
    engine.dissect(batch);
    re.process(batch);
    const v = engine.views.refresh();
    for (let k = 0; k < batch.count; k++) {
      const d = batch.descAt(k);
      const s: Seen = {
        layers: v.u32[(d + D_LAYERS) >>> 2], sport: v.u16[(d + D_SRC_PORT) >>> 1], dport: v.u16[(d + D_DST_PORT) >>> 1],
        udpLen: v.u16[(d + D_UDP_LEN) >>> 1], payloadLen: v.u16[(d + D_PAYLOAD_LEN) >>> 1], l4Off: v.u16[(d + D_L4_OFF) >>> 1],
        payloadOff: v.u16[(d + D_PAYLOAD_OFF) >>> 1], proto: v.u8[d + D_IP_PROTO], frags: v.u16[(d + D_REASM_FRAGS) >>> 1],
      };
      if (s.layers & L_REASM) {
        const p = v.u32[(d + D_REASM_PTR) >>> 2];
        s.bytes = v.u8.slice(p, p + v.u32[(d + D_REASM_LEN) >>> 2]);
      }
      out.push(s);
    }
  }
  return out;
}

function train(g: Datagram, frags: Fragment[], id: number, t0 = 1_700_000_000, dt = 0.001): Arrival[] {
  return frags.map((f, i) => ({ frame: fragmentFrame(g, f, id), t: t0 + i * dt }));
}

function shuffle<T>(xs: T[], r: () => number): T[] {
  const a = xs.slice();
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

const r = rng(SEED);

for (const [name, engine] of BACKENDS) {
  const make = (o: ReassemblerOptions = {}): Reassembler => new Reassembler(engine, o);

  for (const version of [4, 6] as const) {
    test(`${name} IPv${version}: any arrival order gives back the datagram on the fragment that completes it`, () => {
      const re = make();
      for (let round = 0; round < 40; round++) {
        const g = udpDatagram(version, 1000 + round, 53, 100 + Math.floor(r() * 9000), r);
        // Up to 48 fragments: shuffled, they stay within the 32 holes a datagram may have.
        const payload = g.bytes.length - g.hdrLen;
        const size = 8 * Math.ceil(payload / (1 + Math.floor(r() * 48)) / 8);
        const frags = split(payload, size);
        const order = round % 4 === 0 ? frags : round % 4 === 1 ? frags.slice().reverse() : shuffle(frags, r);
        const seen = run(engine, re, train(g, order, 0x1234 + round));
        const done = seen.filter((s) => s.layers & L_REASM);
        assert.is(done.length, frags.length > 1 ? 1 : 0, `round ${round}: one datagram`);
        if (frags.length === 1) continue; // not a fragment at all
        assert.is(seen.indexOf(done[0]), seen.length - 1, 'reported on the last fragment to arrive');
        assert.equal(done[0].bytes, reassembled(g, 0x1234 + round), 'the reassembled bytes are the datagram');
        assert.is(done[0].sport, 1000 + round);
        assert.is(done[0].dport, 53);
        assert.is(done[0].udpLen, g.bytes.length - g.hdrLen);
        assert.is(done[0].payloadLen, g.bytes.length - g.hdrLen - 8);
        assert.is(done[0].l4Off, g.hdrLen, 'L4_OFF counts from the reassembled datagram');
        assert.is(done[0].payloadOff, g.hdrLen + 8);
        assert.is(done[0].proto, 17);
        assert.is(done[0].frags, frags.length);
        assert.ok(done[0].layers & L_UDP);
        for (const s of seen.slice(0, -1)) {
          assert.ok(s.layers & L_FRAG_HELD, 'every other fragment is held');
          assert.not.ok(s.layers & L_REASM);
        }
      }
      const st = re.stats();
      assert.is(st.tooManyHoles, 0);
      assert.is(st.inProgress, 0);
      assert.is(st.bytesHeld, 0, 'every block back in the pool');
      assert.ok(st.reassembled >= 30);
    });
  }

  test(`${name}: more than 32 holes discard the datagram`, () => {
    const re = make();
    const g = udpDatagram(4, 7, 9, 1000, r);
    // Every other 8-byte fragment from offset 8: the first leaves 2 holes, each next one
    // adds one, so the 32nd would make 33: it discards the datagram, 8 more come late.
    const frags = split(g.bytes.length - 20, 8).filter((_, i) => i % 2 === 1).slice(0, 40);
    run(engine, re, train(g, frags, 3));
    assert.is(re.stats().tooManyHoles, 1);
    assert.is(re.stats().held, 31);
    assert.is(re.stats().late, 8);
  });

  test(`${name}: duplicates are dropped and the datagram kept (RFC 5722 erratum 3089)`, () => {
    const re = make();
    const g = udpDatagram(4, 7, 9, 3000, r);
    const frags = split(g.bytes.length - 20, 1480);
    const order = [frags[0], frags[1], frags[1], frags[0], frags[2]];
    const seen = run(engine, re, train(g, order, 77));
    assert.ok(seen[4].layers & L_REASM);
    assert.equal(seen[4].bytes, reassembled(g, 77));
    assert.is(re.stats().duplicates, 2);
  });

  for (const version of [4, 6] as const) {
    test(`${name} IPv${version}: an overlap discards the whole datagram, and the fragments still to come (RFC 5722)`, () => {
      const re = make();
      const g = udpDatagram(version, 7, 9, 4000, r);
      const payload = g.bytes.length - g.hdrLen;
      const frags = split(payload, 1024);
      const overlapping: Fragment = { off: 1016, len: 16, more: true }; // ends inside the second fragment
      const arrivals = train(g, [frags[1], overlapping, frags[0], ...frags.slice(2)], 5);
      const seen = run(engine, re, arrivals);
      assert.not.ok(seen.some((s) => s.layers & L_REASM), 'nothing reassembled');
      const st = re.stats();
      assert.is(st.overlaps, 1);
      assert.is(st.late, frags.length - 1, 'fragments after the overlap dropped');
      assert.is(st.bytesHeld, 0, 'its data freed at once');
      // Another identification is another datagram.
      const again = run(engine, re, train(g, frags, 6));
      assert.ok(again[again.length - 1].layers & L_REASM);
    });
  }

  test(`${name}: last fragments that disagree on the end, payloads over 65,535 and bad lengths are refused and counted`, () => {
    const re = make();
    const g = udpDatagram(4, 7, 9, 2000, r);
    // Two last fragments with different ends.
    run(engine, re, train(g, [{ off: 1000, len: 1008, more: false }, { off: 1000, len: 504, more: false }], 1));
    assert.is(re.stats().inconsistent, 1);
    // The ping of death: offset 65528 with 16 bytes.
    const big = udpDatagram(4, 7, 9, 65500, r);
    run(engine, re, train(big, [{ off: 65528 - 8, len: 16, more: false }], 2));
    assert.is(re.stats().tooBig, 1);
    // A fragment before the last whose length is not a multiple of 8 (RFC 791).
    run(engine, re, train(g, [{ off: 0, len: 1001, more: true }], 3));
    assert.is(re.stats().bad, 1);
    // A configured smaller cap.
    const small = make({ maxDatagramBytes: 1500 });
    run(engine, small, train(g, split(g.bytes.length - 20, 1000), 4));
    assert.is(small.stats().tooBig, 1);
    assert.is(small.stats().reassembled, 0);
  });

  test(`${name}: tiny first fragments (RFC 1858/3128) and TCP at offset 8 (RFC 1858 §4) are counted, never acted on`, () => {
    const re = make();
    const g = udpDatagram(4, 7, 9, 200, r);
    g.bytes[9] = 6; // call it TCP: only the protocol number matters to the counters
    const seen = run(engine, re, train(g, [{ off: 0, len: 8, more: true }, { off: 8, len: g.bytes.length - 28, more: false }], 9));
    const st = re.stats();
    assert.is(st.tinyFirst, 1);
    assert.is(st.offset8, 1);
    assert.ok(seen[1].layers & L_REASM, 'still reassembled');
    assert.equal(seen[1].bytes, reassembled(g, 9));
  });

  for (const [version, limit] of [[4, 30], [6, 60]] as const) {
    test(`${name} IPv${version}: a datagram has ${limit} s from its first fragment (Linux's default), on the frames' clock`, () => {
      const re = make();
      const g = udpDatagram(version, 7, 9, 2000, r);
      const frags = split(g.bytes.length - g.hdrLen, 1024);
      const t0 = 1_700_000_000.25;
      const inTime = run(engine, re, [{ frame: fragmentFrame(g, frags[0], 1), t: t0 }, { frame: fragmentFrame(g, frags[1], 1), t: t0 + limit - 0.01 }], 1);
      assert.ok(inTime[1].layers & L_REASM, 'completed within the timeout');
      const late = run(engine, re, [{ frame: fragmentFrame(g, frags[0], 2), t: t0 + 100 }, { frame: fragmentFrame(g, frags[1], 2), t: t0 + 100 + limit + 0.01 }], 1);
      assert.not.ok(late[1].layers & L_REASM, 'not after it');
      const st = re.stats();
      assert.is(st.timeouts, 1);
      assert.is(st.inProgress, 1, 'the late last fragment waits for a first one');
      re.expire(Math.floor(t0) + 100 + 2 * limit + 1);
      assert.is(re.stats().timeouts, 2, 'expire() moves the clock without frames');
      assert.is(re.stats().inProgress, 0);
    });
  }

  test(`${name}: bounded memory: caps on datagrams and bytes hold, the oldest are evicted and counted`, () => {
    const re = make({ maxDatagrams: 8, maxBytes: 16 * 1024 });
    run(engine, re, []);
    const before = engine.arena.used;
    const arrivals: Arrival[] = [];
    for (let i = 0; i < 500; i++) {
      const g = udpDatagram(i % 2 === 0 ? 4 : 6, 7, 9, 2000, r, i & 0xFF);
      arrivals.push({ frame: fragmentFrame(g, { off: 0, len: 1024, more: true }, i), t: 1_700_000_000 + i * 0.001 });
    }
    run(engine, re, arrivals);
    const st = re.stats();
    assert.ok(st.inProgress <= 8 && st.bytesHeld <= 16 * 1024, `held ${st.inProgress} datagrams, ${st.bytesHeld} bytes`);
    assert.is(st.evicted, 500 - st.inProgress, 'every datagram not held any more was evicted');
    assert.is(engine.arena.used, before, 'no allocation while running');
    // A datagram too big for the whole pool is refused, not grown into.
    const huge = udpDatagram(4, 7, 9, 30000, r);
    run(engine, re, train(huge, split(huge.bytes.length - 20, 1480), 9999));
    assert.ok(re.stats().noRoom >= 1);
    assert.ok(re.stats().bytesHeld <= 16 * 1024);
    re.flush();
    assert.is(re.stats().inProgress, 0);
  });
}

test('both backends: the same statistics on the same trains', () => {
  const [a, b] = [new Reassembler(wasm, { maxDatagrams: 16, maxBytes: 64 * 1024 }), new Reassembler(twin, { maxDatagrams: 16, maxBytes: 64 * 1024 })];
  const rr = rng(SEED ^ 0x5eed);
  const arrivals: Arrival[] = [];
  for (let i = 0; i < 300; i++) {
    const g = udpDatagram(rr() < 0.5 ? 4 : 6, 1 + i, 53, Math.floor(rr() * 5000), rr, i & 0xFF);
    const frags = split(g.bytes.length - g.hdrLen, 8 * (1 + Math.floor(rr() * 100)));
    for (const f of shuffle(frags, rr)) if (rr() < 0.9) arrivals.push({ frame: fragmentFrame(g, f, i), t: 1_700_000_000 + arrivals.length * 0.05 });
  }
  const sa = run(wasm, a, arrivals);
  const sb = run(twin, b, arrivals);
  assert.equal(sb, sa);
  assert.equal(b.stats(), a.stats());
});

test.run();
