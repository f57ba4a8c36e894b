// Per-prefix accounting (sniff --prefixes): frames built here go through the engine's
// dissector and PrefixStats, and every counter must equal the naive reference's sums
// (longest match of source -> out, of destination -> in, wire lengths as bytes).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Engine } from '../host/engine/engine.js';
import { PrefixStats, parsePrefixFile } from '../host/lpm/prefix-stats.js';
import { ipv4ToString, ipv6ToString } from '../host/runtime/addr.js';
import { Rng, seed } from './lib/env.js';
import { Ref4, Ref6, inside4, inside6, mask4, mask6 } from './lib/lpm-reference.js';
import { throwsCode, tsEngine, wasmEngine } from './lib/lpm-scaffold.js';


const MAC = [2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2];

function frame4(src: number, dst: number): Uint8Array {
  const f = new Uint8Array(14 + 28);
  f.set(MAC); f[12] = 0x08; f[13] = 0x00;
  const ip = 14;
  f[ip] = 0x45; f[ip + 3] = 28; f[ip + 8] = 64; f[ip + 9] = 17;
  new DataView(f.buffer).setUint32(ip + 12, src);
  new DataView(f.buffer).setUint32(ip + 16, dst);
  f[ip + 25] = 8; // UDP length
  return f;
}

function frame6(src: Uint8Array, dst: Uint8Array): Uint8Array {
  const f = new Uint8Array(14 + 48);
  f.set(MAC); f[12] = 0x86; f[13] = 0xdd;
  const ip = 14;
  f[ip] = 0x60; f[ip + 5] = 8; f[ip + 6] = 17; f[ip + 7] = 64;
  f.set(src, ip + 8); f.set(dst, ip + 24);
  f[ip + 45] = 8;
  return f;
}

function run(engine: Engine, name: string): void {
  test(`${name}: counters equal the reference over 6,000 mixed frames`, () => {
    const rng = new Rng(seed() ^ 0x5157);
    const ref4 = new Ref4(), ref6 = new Ref6();
    const lines: string[] = ['# networks file', ''];
    const p4: [number, number][] = [];
    const p6: [Uint8Array, number][] = [];
    let row = 0;
    while (row < 400) {
      if (rng.bool(0.5)) {
        const d = rng.bool(0.3) ? 8 + rng.int(16) : 24 + rng.int(9);
        let a = rng.u32();
        if (p4.length > 0 && rng.bool(0.5)) { const [pa, pd] = p4[rng.int(p4.length)]; a = inside4(rng, pa, pd); }
        a = (a & mask4(d)) >>> 0;
        if (ref4.has(a, d)) continue;
        ref4.add(a, d, row);
        p4.push([a, d]);
        lines.push(`${ipv4ToString(a)}/${d} net-${row}`);
      } else {
        const d = [16, 32, 40, 48, 56, 64, 100, 128][rng.int(8)];
        let a = inside6(rng, new Uint8Array(16), 0);
        if (p6.length > 0 && rng.bool(0.5)) { const [pa, pd] = p6[rng.int(p6.length)]; a = inside6(rng, pa, pd); }
        a = mask6(a, d);
        if (ref6.has(a, d)) continue;
        ref6.add(a, d, row);
        p6.push([a, d]);
        lines.push(`${ipv6ToString(a, 0)}/${d}  net-${row} (v6)`);
      }
      row++;
    }
    const stats = PrefixStats.fromText(engine, lines.join('\n'));
    assert.is(stats.prefixes.length, 400);
    const want = new Float64Array(400 * 4);
    let unmatched = 0, unmatchedBytes = 0;
    const batch = engine.createBatch(1000);
    for (let round = 0; round < 6; round++) {
      batch.clear();
      for (let i = 0; i < 1000; i++) {
        const wire = 60 + rng.int(1400);
        const r = rng.int(10);
        if (r === 0) { // not IP: ARP, ignored entirely
          const f = new Uint8Array(42); f.set(MAC); f[12] = 0x08; f[13] = 0x06;
          batch.push(f, 1, wire);
          continue;
        }
        let s: [number, number] | null, d: [number, number] | null;
        if (r < 6) {
          const pick = (): number => (rng.bool(0.8) ? (() => { const [pa, pd] = p4[rng.int(p4.length)]; return inside4(rng, pa, pd); })() : rng.u32());
          const sa = pick(), da = pick();
          batch.push(frame4(sa, da), 1, wire);
          s = ref4.match(sa); d = ref4.match(da);
        } else {
          const pick = (): Uint8Array => (rng.bool(0.8) ? (() => { const [pa, pd] = p6[rng.int(p6.length)]; return inside6(rng, pa, pd); })() : inside6(rng, new Uint8Array(16), 0));
          const sa = pick(), da = pick();
          batch.push(frame6(sa, da), 1, wire);
          s = ref6.match(sa); d = ref6.match(da);
        }
        if (s !== null) { want[s[1] * 4 + 2]++; want[s[1] * 4 + 3] += wire; }
        if (d !== null) { want[d[1] * 4]++; want[d[1] * 4 + 1] += wire; }
        if (s === null && d === null) { unmatched++; unmatchedBytes += wire; }
      }
      engine.dissect(batch);
      stats.account(batch);
    }
    for (let i = 0; i < 400; i++) {
      for (let k = 0; k < 4; k++) {
        if (stats.counters[i * 4 + k] !== want[i * 4 + k]) assert.unreachable(`${stats.prefixes[i]} counter ${k}: ${stats.counters[i * 4 + k]} != ${want[i * 4 + k]}`);
      }
    }
    assert.is(stats.unmatchedPackets, unmatched);
    assert.is(stats.unmatchedBytes, unmatchedBytes);
    // Top-N: ordered by in+out bytes, the JSON rows are the text rows.
    const top = stats.json(15);
    assert.is(top.length, 15);
    for (let i = 1; i < top.length; i++) assert.ok(top[i - 1].inBytes + top[i - 1].outBytes >= top[i].inBytes + top[i].outBytes);
    const idx = stats.prefixes.indexOf(top[0].prefix);
    assert.is(top[0].label, `net-${idx}${idx >= 0 && lines.some((l) => l.includes(`net-${idx} (v6)`)) ? ' (v6)' : ''}`);
    assert.is(top[0].inBytes, want[idx * 4 + 1]);
    const text = stats.lines(15);
    assert.is(text.length, 15 + 3);
    assert.match(text[1], /^prefix\s+label\s+in pkts\s+in bytes\s+out pkts\s+out bytes$/);
    assert.ok(text[2].startsWith(top[0].prefix));
    assert.ok(text[2].includes(String(top[0].outBytes)));
    assert.equal(stats.top(400, 'packets').map((r) => r.inPackets + r.outPackets), stats.top(400, 'packets').map((r) => r.inPackets + r.outPackets).sort((a, b) => b - a));
    stats.reset();
    assert.is(stats.top(5).length, 0);
  });
}

run(wasmEngine, 'wasm');
run(tsEngine, 'ts');

test('a v4-only file creates no IPv6 table, IPv6 frames count as unmatched; bad files are E_BAD_ARGUMENT', () => {
  const stats = PrefixStats.fromText(wasmEngine, '10.0.0.0/8 ten\n10.1.0.0/16\n');
  assert.equal(stats.labels, ['ten', '']);
  const batch = wasmEngine.createBatch(4);
  batch.push(frame4(0x0A010203, 0x0B000001), 1, 100);
  batch.push(frame4(0x0B000001, 0x0A020202), 1, 50);
  batch.push(frame6(new Uint8Array(16), new Uint8Array(16)), 1, 70);
  wasmEngine.dissect(batch);
  stats.account(batch);
  assert.equal(stats.json(5), [
    { prefix: '10.1.0.0/16', label: '', inPackets: 0, inBytes: 0, outPackets: 1, outBytes: 100 },
    { prefix: '10.0.0.0/8', label: 'ten', inPackets: 1, inBytes: 50, outPackets: 0, outBytes: 0 },
  ]);
  assert.is(stats.unmatchedPackets, 1);
  for (const bad of ['10.0.0.0/33 x\n', 'nonsense\n', '10.0.0.0/8\n10.0.0.1/8\n']) {
    throwsCode(() => PrefixStats.fromText(wasmEngine, bad), 'E_BAD_ARGUMENT');
  }
  assert.equal(parsePrefixFile('2001:db8::/32 doc net # c\n'), [{ prefix: '2001:db8::/32', label: 'doc net' }]);
});

test.run();
