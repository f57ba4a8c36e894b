// IPv4 LPM: random tables against the naive reference (WASM and twin, which must also
// leave byte-identical tables), edge cases, capacity errors, loaders.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createEngine } from '../host/engine/engine.js';
import { Lpm4 } from '../host/lpm/lpm4.js';
import { RouteTable } from '../host/lpm/route-table.js';
import { LPM4_HEADER } from '../host/lpm/twin/lpm4.js';
import { ipv4ToString } from '../host/runtime/addr.js';
import { Rng, seed } from './lib/env.js';
import { Ref4, inside4, mask4 } from './lib/lpm-reference.js';
import { engines, lookupBulkBoth, randomTableMatchesReference, throwsCode, tsEngine, wasmEngine } from './lib/lpm-scaffold.js';

/** Mixed lengths, weighted like real tables but with plenty of /0../8 and /25../32. */
function randomDepth(rng: Rng): number {
  const r = rng.int(100);
  // Each /0../8 add or delete rewrites 2^16..2^24 entries: a few go a long way.
  if (r < 1) return rng.int(9); // 0..8
  if (r < 45) return 9 + rng.int(16); // 9..24
  if (r < 70) return 24;
  return 25 + rng.int(8); // 25..32
}

test('random table (>= 10,000 live prefixes, deletes and re-adds between) matches the reference; WASM and twin tables are byte-identical', () => {
  const s = seed();
  console.log(`SEED lpm4 random: ${s}`);
  const ref = new Ref4();
  const opts = { maxRules: 20000, tbl8Groups: 8192 };
  const tables = randomTableMatchesReference(new Rng(s), {
    ref, make: (engine) => new Lpm4(engine, opts), header: LPM4_HEADER,
    until: 10500, checkEvery: 4000, checkCount: 8000, finalCheckCount: 40000,
    newPrefix: (rng, live) => {
      const d = randomDepth(rng);
      // Half the prefixes nest inside an existing one, so overlaps are common.
      let a = rng.u32();
      if (live.length > 0 && rng.bool(0.5)) { const [pa, pd] = live[rng.int(live.length)]; a = inside4(rng, pa, pd); }
      return [(a & mask4(d)) >>> 0, d];
    },
    check: (rng, live, count, w, t) => {
      const addrs = new Uint32Array(count);
      for (let i = 0; i < count; i++) {
        if (live.length > 0 && rng.bool(0.8)) {
          const [a, d] = live[rng.int(live.length)];
          const r = rng.int(4);
          addrs[i] = r === 0 ? (a & mask4(d)) >>> 0 : r === 1 ? ((a | ~mask4(d)) >>> 0) : inside4(rng, a, d);
        } else addrs[i] = rng.u32();
      }
      const { outW, outT, hitsW, hitsT } = lookupBulkBoth(w, t, addrs, count);
      let hits = 0;
      for (let i = 0; i < count; i++) {
        const a = addrs[i];
        const m = ref.match(a);
        const want = m === null ? w.miss : m[1];
        if (m !== null) hits++;
        // lookupRaw/lookup read the table in the host (the kernels' single lookup is checked too).
        if (outW[i] !== want || outT[i] !== want || w.lookupRaw(a) !== want || t.lookupRaw(a) !== want
          || w.core.lpm4_lookup(w.table, a) >>> 0 !== want || t.core.lpm4_lookup(t.table, a) >>> 0 !== want
          || w.lookup(a) !== (m === null ? null : want) || t.lookup(a) !== (m === null ? null : want)
          || w.matchDepth(a) !== (m === null ? -1 : m[0]) || t.matchDepth(a) !== (m === null ? -1 : m[0])) {
          assert.unreachable(`${ipv4ToString(a)}: want ${want} (depth ${m?.[0]}), wasm bulk ${outW[i]} single ${w.lookupRaw(a)} depth ${w.matchDepth(a)}, ts bulk ${outT[i]} single ${t.lookupRaw(a)}`);
        }
      }
      assert.is(hitsW, hits);
      assert.is(hitsT, hits);
    },
    show: (a, d) => `${ipv4ToString(a)}/${d}`,
  });
  for (const x of tables) assert.is(x.lookup('10.1.2.3'), null);
});

for (const [name, engine] of engines) {
  test(`${name}: /0, /32, nesting, re-add, delete falls back to the covering prefix`, () => {
    const t = new Lpm4(engine, { maxRules: 64, tbl8Groups: 16 });
    assert.is(t.lookup('1.2.3.4'), null);
    assert.ok(t.add('0.0.0.0/0', 1));
    assert.is(t.lookup('1.2.3.4'), 1);
    assert.is(t.lookup('255.255.255.255'), 1);
    assert.ok(t.add('10.0.0.0/8', 2));
    assert.ok(t.add('10.1.0.0/16', 3));
    assert.ok(t.add('10.1.2.0/24', 4));
    assert.ok(t.add('10.1.2.128/25', 5));
    assert.ok(t.add('10.1.2.200/32', 6));
    assert.ok(t.add('255.255.255.255/32', 7));
    assert.is(t.lookup('10.1.2.200'), 6);
    assert.is(t.lookup('10.1.2.201'), 5);
    assert.is(t.lookup('10.1.2.127'), 4);
    assert.is(t.lookup('10.1.3.1'), 3);
    assert.is(t.lookup('10.2.0.0'), 2);
    assert.is(t.lookup('255.255.255.255'), 7);
    assert.is(t.lookup('255.255.255.254'), 1);
    assert.is(t.matchDepth(0x0A0102C8), 32);
    // A /24 added after deeper prefixes must not hide them.
    assert.ok(t.add('10.1.0.0/20', 8));
    assert.is(t.lookup('10.1.2.201'), 5);
    assert.is(t.lookup('10.1.3.1'), 8);
    // Re-adding replaces the next hop everywhere the prefix is the longest match.
    assert.not.ok(t.add('10.1.2.0/24', 40));
    assert.is(t.lookup('10.1.2.1'), 40);
    assert.is(t.lookup('10.1.2.201'), 5);
    assert.is(t.get('10.1.2.0/24'), 40);
    // Host bits are ignored, as DPDK does.
    assert.not.ok(t.add('10.1.2.77/24', 41));
    assert.is(t.lookup('10.1.2.1'), 41);
    // Deletes fall back level by level.
    assert.ok(t.delete('10.1.2.128/25'));
    assert.is(t.lookup('10.1.2.201'), 41);
    assert.is(t.lookup('10.1.2.200'), 6);
    assert.ok(t.delete('10.1.2.200/32'));
    assert.is(t.lookup('10.1.2.200'), 41);
    assert.is(t.figures().tbl8Used, 1, 'the 10.1.2/24 group folds back once no /25+ is left (255.255.255/24 keeps one)');
    assert.ok(t.delete('10.1.2.0/24'));
    assert.is(t.lookup('10.1.2.200'), 8);
    assert.ok(t.delete('10.1.0.0/20'));
    assert.ok(t.delete('10.1.0.0/16'));
    assert.is(t.lookup('10.1.2.200'), 2);
    assert.not.ok(t.delete('10.1.0.0/16'));
    assert.ok(t.delete('0.0.0.0/0'));
    assert.is(t.lookup('1.2.3.4'), null);
    assert.is(t.lookup('10.9.9.9'), 2);
    assert.equal([...t.entries()].map((e) => `${e.prefix}=${e.nexthop}`).sort(), ['10.0.0.0/8=2', '255.255.255.255/32=7']);
    // Full 32-bit next hops, including the default miss value itself.
    assert.ok(t.add('192.0.2.0/24', 0xFFFFFFFE));
    assert.is(t.lookup('192.0.2.9'), 0xFFFFFFFE);
    assert.ok(t.add('192.0.2.0/25', 0));
    assert.is(t.lookup('192.0.2.9'), 0);
  });

  test(`${name}: a /0 delete under deeper prefixes, and group reuse`, () => {
    const t = new Lpm4(engine, { maxRules: 1024, tbl8Groups: 4 });
    t.add('0.0.0.0/0', 9);
    for (let i = 0; i < 4; i++) t.add(`10.0.${i}.0/26`, 100 + i);
    assert.is(t.figures().tbl8Used, 4);
    assert.is(t.lookup('10.0.3.65'), 9);
    assert.ok(t.delete('0.0.0.0/0'));
    assert.is(t.lookup('10.0.3.65'), null);
    assert.is(t.lookup('10.0.3.1'), 103);
    // Groups freed by deletes are reused.
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 4; i++) t.delete(`10.0.${i}.0/26`);
      assert.is(t.figures().tbl8Used, 0);
      for (let i = 0; i < 4; i++) t.add(`10.0.${i}.0/26`, round * 10 + i);
      assert.is(t.lookup('10.0.2.3'), round * 10 + 2);
    }
  });

  test(`${name}: capacity exhaustion is a clear E_CAPACITY and leaves the table as it was`, () => {
    const t = new Lpm4(engine, { maxRules: 4, tbl8Groups: 2 });
    t.add('10.0.0.0/25', 1);
    t.add('10.0.1.0/25', 2);
    t.add('10.0.1.128/25', 3); // same /24 as the previous one: no new group
    throwsCode(() => t.add('10.0.2.0/25', 4), 'E_CAPACITY');
    assert.is(t.lookup('10.0.2.1'), null);
    assert.is(t.size, 3);
    t.add('10.0.0.0/8', 5); // /8 needs no group
    throwsCode(() => t.add('11.0.0.0/8', 6), 'E_CAPACITY');
    assert.is(t.lookup('11.0.0.1'), null);
    assert.is(t.lookup('10.0.2.1'), 5);
    t.delete('10.0.0.0/25'); // frees a group and a rule
    t.add('10.0.2.0/25', 4);
    assert.is(t.lookup('10.0.2.1'), 4);
    assert.is(t.lookup('10.0.0.1'), 5);
    // Four rules now (10.0.1.0/25, 10.0.1.128/25, 10.0.0.0/8, 10.0.2.0/25) = maxRules: a
    // fifth needs no group but must be refused for the rule count, naming the limit.
    assert.is(t.size, 4);
    let refused: unknown = null;
    try { t.add('12.0.0.0/8', 1); } catch (e) { refused = e; }
    assert.ok(refused !== null, 'a fifth rule past maxRules 4 must throw');
    assert.is((refused as { code?: string }).code, 'E_CAPACITY');
    assert.match((refused as Error).message, /maxRules/);
    assert.is(t.lookup('12.0.0.1'), null, 'the refused rule is not in the table');
    assert.is(t.size, 4);
  });

  test(`${name}: bad input is an E_BAD_ARGUMENT, raw calls return statuses and never trap`, () => {
    const t = new Lpm4(engine, { maxRules: 8, tbl8Groups: 1, miss: 77 });
    for (const bad of ['10.0.0.0/33', '10.0.0/8', '10.0.0.0/', 'x', '1.2.3.4/08x', '::/0']) throwsCode(() => t.add(bad, 1), 'E_BAD_ARGUMENT');
    throwsCode(() => t.lookup('300.1.1.1'), 'E_BAD_ARGUMENT');
    assert.is(t.core.lpm4_add(t.table, 0, 33, 1), -1);
    assert.is(t.core.lpm4_add(t.table, 0, -1, 1), -1);
    assert.is(t.core.lpm4_delete(t.table, 0, 40), -1);
    assert.is(t.core.lpm4_delete(t.table, 0, 8), -4);
    assert.is(t.lookupRaw(0x01020304), 77, 'the miss value');
    const out = new Uint32Array(3);
    assert.is(t.lookupBulk(new Uint32Array([1, 2, 3]), out), 0);
    assert.equal([...out], [77, 77, 77]);
    throwsCode(() => new Lpm4(engine, { maxRules: 0 }), 'E_BAD_ARGUMENT');
    throwsCode(() => t.lookupBulk(new Uint32Array(4), new Uint32Array(2)), 'E_BAD_ARGUMENT');
  });
}

test('single lookups (read in the host) stay right when the memory grows after the table was made', () => {
  for (const backend of ['wasm', 'ts'] as const) {
    const e = createEngine({ backend, module: wasmEngine.module });
    const memory = e.memory;
    const lpm = new Lpm4(e, { maxRules: 64, tbl8Groups: 8 });
    lpm.add('10.0.0.0/8', 1);
    lpm.add('10.1.2.128/25', 2);
    const check = (): void => {
      assert.is(lpm.lookup('10.9.9.9'), 1);
      assert.is(lpm.lookup('10.1.2.200'), 2);
      assert.is(lpm.lookup('10.1.2.100'), 1);
      assert.is(lpm.lookup('11.0.0.1'), null);
      assert.is(lpm.lookupRaw(0x0b000001), lpm.miss);
    };
    check();
    const pages = memory.buffer.byteLength;
    e.arena.alloc(64 << 20); // grows the memory
    assert.ok(memory.buffer.byteLength > pages, 'the memory grew');
    check();
    lpm.add('11.0.0.0/8', 3); // the kernel writes through its own, fresh view
    assert.is(lpm.lookup('11.0.0.1'), 3);
  }
});

test('RouteTable: text and ip -json loaders, both families', () => {
  const rt = new RouteTable(wasmEngine, { v4: { maxRules: 64, tbl8Groups: 8 }, v6: { maxRules: 64, tbl8Groups: 64 } });
  const r = rt.loadText('# comment\n10.0.0.0/8 7\n\n10.1.0.0/16 192.0.2.1  # gateway as a number\n2001:db8::/32 0x10\n2001:db8:1::/48 3\n');
  assert.is(r.routes, 4);
  assert.is(rt.lookup('10.2.3.4'), 7);
  assert.is(rt.lookup('10.1.3.4'), 0xC0000201);
  assert.is(rt.lookup('2001:db8:2::1'), 16);
  assert.is(rt.lookup('2001:db8:1::1'), 3);
  assert.is(rt.lookup('2001:db9::1'), null);
  throwsCode(() => rt.loadText('10.0.0.0/8 gw1\n'), 'E_BAD_ARGUMENT');
  throwsCode(() => rt.loadText('10.0.0.0/99 1\n'), 'E_BAD_ARGUMENT');
  const rt2 = new RouteTable(tsEngine, { v4: { maxRules: 64, tbl8Groups: 8 } });
  const json = JSON.stringify([
    { dst: 'default', gateway: '192.0.2.1', dev: 'eth0', metric: 100, flags: [] },
    { dst: 'default', gateway: '192.0.2.2', dev: 'eth1', metric: 50, flags: [] },
    { dst: '10.0.0.0/8', gateway: '192.0.2.5', dev: 'eth0', flags: [] },
    { type: 'blackhole', dst: '10.66.0.0/16', flags: [] },
    { dst: '192.0.2.0/24', dev: 'eth0', protocol: 'kernel', scope: 'link', prefsrc: '192.0.2.9', flags: [] },
    { dst: '198.51.100.7', nexthops: [{ gateway: '192.0.2.5', dev: 'eth0' }, { gateway: '192.0.2.6', dev: 'eth0' }], flags: [] },
  ]);
  const res = rt2.loadIpJson(json);
  assert.is(res.routes, 5);
  const label = (a: string): string | undefined => { const v = rt2.lookup(a); return v === null ? undefined : res.labels[v]; };
  assert.is(label('8.8.8.8'), 'unicast 192.0.2.2 eth1', 'lowest metric wins');
  assert.is(label('10.1.1.1'), 'unicast 192.0.2.5 eth0');
  assert.is(label('10.66.1.1'), 'blackhole - -');
  assert.is(label('192.0.2.77'), 'unicast - eth0');
  assert.is(label('198.51.100.7'), 'unicast 192.0.2.5 eth0');
  throwsCode(() => rt2.loadIpJson('{not json'), 'E_BAD_ARGUMENT');
});

test.run();
