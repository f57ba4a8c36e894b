// Builders: build -> dissect round trips every field of >= 10,000 random packets of every
// kind, on the WASM backend and the twin (which must produce identical bytes); IPv4
// fragmentation reassembles to the original; every refusal leaves the pool as it was.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createEngine } from '../host/engine/engine.js';
import { Builder, type PacketSpec } from '../host/builder/builder.js';
import * as B from '../host/builder/spec-layout.js';
import { Pool } from '../host/pool/pool.js';
import { PktError } from '../host/runtime/errors.js';
import { DF_VERIFY_CKSUM, LINKTYPE_ETHERNET, LINKTYPE_RAW } from '../host/runtime/layout.js';
import { Rng, seed } from './lib/env.js';
import { KINDS, mismatches, randomSpec } from './build-helpers.js';

const SEED = seed();
console.log(`SEED=${SEED} build`);
const PER_KIND = Number(process.env.BUILD_PER_KIND ?? 10_000);

const wasm = createEngine({ backend: 'wasm' });
const twin = createEngine({ backend: 'ts', memory: wasm.memory });
const bw = new Builder(wasm, { count: 128, bufSize: 16384 + 512, headroom: 512 });
const bt = new Builder(twin, { count: 128, bufSize: 16384 + 512, headroom: 512 });

test('build spec layout agrees with the WASM module', () => {
  let n = 0;
  for (const [name, value] of Object.entries(B)) {
    if (typeof value !== 'number') continue;
    const g = wasm.wasm[name];
    assert.ok(g instanceof WebAssembly.Global, `WASM exports ${name}`);
    assert.is(((g as WebAssembly.Global).value as number) | 0, value | 0, name);
    n++;
  }
  assert.ok(n > 50);
});

for (const kind of KINDS) {
  test(`round trip: ${PER_KIND} random ${kind} packets, WASM == twin, every field decodes back`, () => {
    const rng = new Rng((SEED ^ (kind.length * 0x9e3779b1) ^ kind.charCodeAt(5)) >>> 0);
    const linktype = kind.startsWith('raw-') ? LINKTYPE_RAW : LINKTYPE_ETHERNET;
    let bytesTotal = 0;
    for (let i = 0; i < PER_KIND; i++) {
      const spec = randomSpec(rng, kind);
      const a = bw.bytes(spec);
      const b = bt.bytes(spec);
      if (Buffer.compare(Buffer.from(a), Buffer.from(b)) !== 0) {
        assert.unreachable(`${kind} #${i}: WASM and twin differ\n${Buffer.from(a).toString('hex')}\n${Buffer.from(b).toString('hex')}`);
      }
      const d = wasm.decode(a, linktype, a.length, DF_VERIFY_CKSUM);
      const bad = mismatches(spec, d);
      if (bad.length) assert.unreachable(`${kind} #${i} (SEED=${SEED}): ${bad.join('; ')}\n${Buffer.from(a).toString('hex')}`);
      bytesTotal += a.length;
    }
    assert.is(bw.pool.inUse, 0, 'every buffer went back');
    assert.is(bt.pool.inUse, 0);
    assert.ok(bytesTotal > PER_KIND * 20);
  });
}

test('fluent chain and PacketSpec build the same bytes', () => {
  const payload = Uint8Array.of(1, 2, 3, 4, 5);
  const a = bw.eth({ src: '02:00:00:00:00:01', dst: '02:00:00:00:00:02' }).vlan({ id: 5 })
    .ipv4({ src: '10.1.2.3', dst: '10.3.2.1' }).udp({ srcport: 5353, dstport: 53 }).payload(payload).toBytes();
  const spec: PacketSpec = {
    eth: { src: '02:00:00:00:00:01', dst: '02:00:00:00:00:02' }, vlan: [{ id: 5 }],
    ip: { src: '10.1.2.3', dst: '10.3.2.1' }, udp: { srcport: 5353, dstport: 53 }, payload,
  };
  assert.equal([...a], [...bt.bytes(spec)]);
  const d = wasm.decode(a, LINKTYPE_ETHERNET, a.length, DF_VERIFY_CKSUM);
  assert.is(d.udp?.length, 13);
  assert.is(d.vlan?.id, 5);
  assert.is(d.errors, undefined);
});

test('IPv4 fragmentation: fragments fit the MTU, keep copied options, reassemble to the original', () => {
  const rng = new Rng(SEED ^ 0xf4a9);
  for (let iter = 0; iter < 400; iter++) {
    const kind = rng.bool() ? 'ipv4-udp' : 'ipv4-tcp';
    const spec = randomSpec(rng, kind, iter < 20 ? 1500 : 9000);
    spec.ip!.flags = {};
    if (spec.udp) spec.udp.no_checksum = false;
    const mtu = iter < 20 ? 68 + rng.int(64) : 400 + rng.int(1500);
    const results: number[][][] = [];
    for (const b of [bw, bt]) {
      const m = b.build(spec);
      const frame = b.pool.bytes(m).slice();
      const l3 = b.l3Offset;
      const ipLen = (frame[l3 + 2] << 8) | frame[l3 + 3];
      const frags = b.fragmentIPv4(m, l3, mtu);
      if (ipLen <= mtu) { assert.is(frags.length, 0, 'a packet that fits is not fragmented'); b.pool.free(m); results.push([]); continue; }
      const hl = (frame[l3] & 15) * 4;
      const original = frame.subarray(l3 + hl, l3 + ipLen);
      const re = new Uint8Array(original.length);
      let covered = 0;
      const fragBytes: number[][] = [];
      frags.forEach((f, k) => {
        const fb = b.pool.bytes(f);
        fragBytes.push([...fb]);
        assert.equal([...fb.subarray(0, l3)], [...frame.subarray(0, l3)], 'link header copied');
        const d = wasm.decode(fb, LINKTYPE_ETHERNET, fb.length, DF_VERIFY_CKSUM);
        // A first fragment's transport header describes the whole datagram (UDP length),
        // or is cut by a tiny MTU (TCP options): the dissector, which does not reassemble,
        // flags those; IP-level soundness is what fragmentation must keep.
        const errs = (d.errors ?? []).filter((x) => !(k === 0 && ['bad_udp_len', 'bad_tcp_offset', 'truncated_l4'].includes(x)));
        assert.equal(errs, [], `fragment ${k}: ${errs}`);
        const ip = d.ip!;
        assert.ok(ip.len <= mtu, `fragment ${k} is ${ip.len} > MTU ${mtu}`);
        assert.is(ip.id, spec.ip!.id ?? 0);
        assert.is(ip.src, spec.ip!.src);
        assert.is(ip.ttl, spec.ip!.ttl);
        assert.is(ip.flags.mf, k < frags.length - 1 ? 1 : 0);
        if (k < frags.length - 1) assert.is((ip.len - ip.hdr_len) % 8, 0, 'non-last fragments carry multiples of 8');
        if (k > 0) {
          // Only options with the copy flag (0x80) ride in later fragments.
          const fhl = ip.hdr_len;
          for (let o = l3 + 20; o < l3 + fhl;) {
            const kind2 = fb[o];
            if (kind2 === 0) break;
            assert.ok((kind2 & 0x80) !== 0, `option ${kind2} without the copy flag in fragment ${k}`);
            o += fb[o + 1];
          }
        }
        const body = fb.subarray(l3 + ip.hdr_len, l3 + ip.len);
        assert.is(ip.frag_offset * 8, covered, 'fragments are contiguous');
        re.set(body, ip.frag_offset * 8);
        covered += body.length;
        b.pool.free(f);
      });
      assert.is(covered, original.length);
      assert.equal([...re], [...original], 'reassembly gives back the datagram');
      b.pool.free(m);
      results.push(fragBytes);
    }
    assert.equal(results[0], results[1], 'WASM and twin fragment identically');
  }
  assert.is(bw.pool.inUse, 0);
  assert.is(bt.pool.inUse, 0);
});

test('refusals: each BERR leaves the payload and the pool as they were', () => {
  for (const b of [bw, bt]) {
    const e = b.engine;
    // Too little headroom: a 4-byte-headroom pool cannot take an Ethernet header.
    const tight = new Builder(e, { count: 2, bufSize: 128, headroom: 4 });
    tight.writeSpec({ eth: {}, ip: { src: '1.1.1.1', dst: '2.2.2.2' }, udp: { srcport: 1, dstport: 2 } });
    const m = tight.pool.alloc();
    tight.pool.append(m, Uint8Array.of(9, 9));
    assert.is(tight.core.build_packet(tight.spec, m), B.BERR_HEADROOM);
    assert.is(tight.pool.len(m), 2, 'payload window restored');
    assert.is(tight.pool.headroomOf(m), 4);
    tight.pool.free(m);

    assert.throws(() => b.bytes({ ip: { src: '1.1.1.1', dst: '2.2.2.2', options: new Uint8Array(41) } }), /at most 40/);
    assert.throws(() => b.bytes({ ipv6: { src: '::1', dst: '::2' }, icmp: { type: 8 } }), (x: unknown) => x instanceof PktError);
    assert.throws(() => b.bytes({ ip: { src: '1.1.1', dst: '2.2.2.2' } }), /not an IPv4 address/);
    assert.throws(() => b.bytes({ vlan: { id: 1 }, ip: { src: '1.1.1.1', dst: '2.2.2.2' } }), /need an eth/);
    // A UDP datagram longer than its length field can say.
    const big = new Builder(e, { count: 2, bufSize: 70000, headroom: 256 });
    assert.throws(() => big.bytes({ ip: { src: '1.1.1.1', dst: '2.2.2.2' }, udp: { srcport: 1, dstport: 2 }, payload: new Uint8Array(65530) }),
      (x: unknown) => x instanceof PktError && x.code === 'E_CAPACITY');
    assert.is(big.pool.inUse, 0);
    // Inconsistent IPv6 extension header lengths.
    const lie = { type: 0, bytes: Uint8Array.of(0, 1, 0, 0, 0, 0, 0, 0) }; // says 16 bytes, has 8
    assert.throws(() => b.bytes({ ipv6: { src: '::1', dst: '::2', ext: [lie] } }), /extension headers/);

    // Fragmentation refusals: DF set; MTU too small; pool exhausted midway keeps nothing.
    const small = new Builder(e, { count: 4, bufSize: 4096, headroom: 256 });
    const df = small.build({ eth: {}, ip: { src: '1.1.1.1', dst: '2.2.2.2', flags: { df: 1 } }, udp: { srcport: 1, dstport: 2 }, payload: new Uint8Array(2000) });
    assert.throws(() => small.fragmentIPv4(df, 14, 576), /Don't Fragment/);
    small.pool.free(df);
    const m2 = small.build({ eth: {}, ip: { src: '1.1.1.1', dst: '2.2.2.2' }, udp: { srcport: 1, dstport: 2 }, payload: new Uint8Array(3000) });
    assert.throws(() => small.fragmentIPv4(m2, 14, 20), /MTU/);
    assert.throws(() => small.fragmentIPv4(m2, 14, 576), (x: unknown) => x instanceof PktError && x.code === 'E_CAPACITY');
    assert.is(small.pool.inUse, 1, 'a failed fragmentation returns every buffer it took');
    const three = small.fragmentIPv4(m2, 14, 1500);
    assert.is(three.length, 3);
    three.forEach((f) => small.pool.free(f));
    small.pool.free(m2);
    assert.is(small.pool.inUse, 0);
  }
});

test('pool exhaustion: Builder.build throws E_CAPACITY and leaks nothing', () => {
  const p = new Pool(wasm, { count: 2, bufSize: 512, headroom: 128 });
  const b = new Builder(wasm, { pool: p });
  const spec: PacketSpec = { ip: { src: '1.1.1.1', dst: '2.2.2.2' }, udp: { srcport: 1, dstport: 2 } };
  const held = [b.build(spec), b.build(spec)];
  assert.throws(() => b.build(spec), (x: unknown) => x instanceof PktError && x.code === 'E_CAPACITY');
  held.forEach((m) => p.free(m));
  assert.is(p.inUse, 0);
});

test.run();
