// IPv6 LPM: random tables against the naive reference (WASM and twin, byte-identical
// tables), edge cases (/0, /128, nesting across stride boundaries), capacity errors.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Lpm6 } from '../host/lpm/lpm6.js';
import { LPM6_HEADER } from '../host/lpm/twin/lpm6.js';
import { ipv6ToString, parseIPv6 } from '../host/runtime/addr.js';
import { Rng, seed } from './lib/env.js';
import { Ref6, inside6, mask6 } from './lib/lpm-reference.js';
import { engines, lookupBulkBoth, randomTableMatchesReference, throwsCode } from './lib/lpm-scaffold.js';

function randomDepth(rng: Rng): number {
  const r = rng.int(100);
  if (r < 1) return rng.int(17); // 0..16: each rewrites 2^8..2^24 first-level entries
  if (r < 5) return 12 + rng.int(12); // 12..23
  if (r < 20) return 17 + rng.int(15); // 17..31
  if (r < 35) return 32;
  if (r < 60) return 33 + rng.int(31); // 33..63
  if (r < 75) return 48 + (rng.int(3) << 3); // 48, 56, 64
  return 65 + rng.int(64); // 65..128
}

function randomAddr(rng: Rng): Uint8Array {
  const a = new Uint8Array(16);
  for (let i = 0; i < 16; i++) a[i] = rng.u32() & 255;
  return a;
}

const str = (a: Uint8Array): string => ipv6ToString(a, 0);

test('random table (>= 10,000 live prefixes, deletes and re-adds between) matches the reference; WASM and twin tables are byte-identical', () => {
  const s = seed();
  console.log(`SEED lpm6 random: ${s}`);
  const ref = new Ref6();
  const opts = { maxRules: 16000, tbl8Groups: 65536 };
  randomTableMatchesReference(new Rng(s ^ 0x6666), {
    ref, make: (engine) => new Lpm6(engine, opts), header: LPM6_HEADER,
    until: 10500, checkEvery: 5000, checkCount: 3000, finalCheckCount: 12000,
    newPrefix: (rng, live) => {
      const d = randomDepth(rng);
      let a = randomAddr(rng);
      if (live.length > 0 && rng.bool(0.6)) { const [pa, pd] = live[rng.int(live.length)]; a = inside6(rng, pa, pd); }
      return [mask6(a, d), d];
    },
    check: (rng, live, count, w, t) => {
      const addrs = new Uint8Array(count * 16);
      for (let i = 0; i < count; i++) {
        let a: Uint8Array;
        if (live.length > 0 && rng.bool(0.85)) {
          const [pa, pd] = live[rng.int(live.length)];
          a = rng.bool(0.2) ? mask6(pa, pd) : inside6(rng, pa, pd);
        } else a = randomAddr(rng);
        addrs.set(a, i * 16);
      }
      const { outW, outT, hitsW, hitsT } = lookupBulkBoth(w, t, addrs, count);
      let hits = 0;
      for (let i = 0; i < count; i++) {
        const a = addrs.subarray(i * 16, i * 16 + 16);
        const m = ref.match(a);
        const want = m === null ? null : m[1];
        if (m !== null) hits++;
        const wantRaw = want ?? w.miss;
        if (outW[i] !== wantRaw || outT[i] !== wantRaw || w.lookup(a) !== want || t.lookup(a) !== want) {
          assert.unreachable(`${str(a)}: want ${want} (depth ${m?.[0]}), wasm bulk ${outW[i]} single ${w.lookup(a)}, ts bulk ${outT[i]} single ${t.lookup(a)}`);
        }
      }
      assert.is(hitsW, hits);
      assert.is(hitsT, hits);
    },
    show: (a, d) => `${str(a)}/${d}`,
  });
});

for (const [name, engine] of engines) {
  test(`${name}: /0, /128, nesting across stride boundaries, re-add, delete fallback`, () => {
    const t = new Lpm6(engine, { maxRules: 64, tbl8Groups: 64 });
    assert.is(t.lookup('2001:db8::1'), null);
    t.add('::/0', 1);
    assert.is(t.lookup('2001:db8::1'), 1);
    assert.is(t.lookup('ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff'), 1);
    t.add('2001:db8::/32', 2);
    t.add('2001:db8:ab00::/40', 3); // not on a byte boundary of the 24-bit first stride
    t.add('2001:db8:abcd::/48', 4);
    t.add('2001:db8:abcd:12::/63', 5);
    t.add('2001:db8:abcd:12::1/128', 6);
    t.add('2001:db8:abcd:12::/127', 7);
    t.add('2001::/20', 8);
    assert.is(t.lookup('2001:db8:abcd:12::1'), 6);
    assert.is(t.lookup('2001:db8:abcd:12::0'), 7);
    assert.is(t.lookup('2001:db8:abcd:12::2'), 5);
    assert.is(t.lookup('2001:db8:abcd:13::2'), 5);
    assert.is(t.lookup('2001:db8:abcd:14::2'), 4);
    assert.is(t.lookup('2001:db8:ab01::'), 3);
    assert.is(t.lookup('2001:db8:ac00::'), 2);
    assert.is(t.lookup('2001:db9::'), 8);
    assert.is(t.lookup('2002::'), 1);
    assert.not.ok(t.add('2001:db8:ab00::/40', 30));
    assert.is(t.lookup('2001:db8:ab01::'), 30);
    assert.is(t.lookup('2001:db8:abcd:12::1'), 6);
    assert.is(t.get('2001:db8:ab00::/40'), 30);
    assert.ok(t.delete('2001:db8:abcd:12::1/128'));
    assert.is(t.lookup('2001:db8:abcd:12::1'), 7);
    assert.ok(t.delete('2001:db8:abcd:12::/127'));
    assert.is(t.lookup('2001:db8:abcd:12::1'), 5);
    assert.ok(t.delete('2001:db8:abcd:12::/63'));
    assert.is(t.lookup('2001:db8:abcd:12::1'), 4);
    assert.ok(t.delete('2001:db8:abcd::/48'));
    assert.is(t.lookup('2001:db8:abcd:12::1'), 30);
    assert.ok(t.delete('2001:db8:ab00::/40'));
    assert.is(t.lookup('2001:db8:abcd:12::1'), 2);
    assert.is(t.figures().tbl8Used, 1, 'only the 2001:0d::/24 group for the /32 is left');
    assert.ok(t.delete('2001:db8::/32'));
    assert.is(t.figures().tbl8Used, 0);
    assert.is(t.lookup('2001:db8:abcd:12::1'), 8);
    assert.not.ok(t.delete('2001:db8::/32'));
    assert.ok(t.delete('::/0'));
    assert.is(t.lookup('2002::'), null);
    assert.equal([...t.entries()], [{ prefix: '2001::/20', nexthop: 8 }]);
    assert.is(t.matchDepthAt(0), t.core.lpm6_match_depth(t.table, 0));
  });

  test(`${name}: capacity exhaustion is E_CAPACITY and leaves the table as it was`, () => {
    const t = new Lpm6(engine, { maxRules: 8, tbl8Groups: 3 });
    t.add('2001:db8::/48', 1); // groups for bits 25-32, 33-40, 41-48
    assert.is(t.figures().tbl8Used, 3);
    throwsCode(() => t.add('2001:db8::/56', 2), 'E_CAPACITY');
    throwsCode(() => t.add('2001:db9::/48', 2), 'E_CAPACITY');
    assert.is(t.lookup('2001:db8::1'), 1);
    assert.is(t.lookup('2001:db9::1'), null);
    assert.is(t.size, 1);
    throwsCode(() => t.add('2001:db8:0:ff::/64', 3), 'E_CAPACITY'); // two more groups below the /48's
    assert.ok(t.delete('2001:db8::/48'));
    assert.is(t.figures().tbl8Used, 0);
    t.add('2001:db9::/48', 2);
    assert.is(t.lookup('2001:db9::1'), 2);
    assert.is(t.lookup('2001:db8::1'), null);
  });

  test(`${name}: bad input is E_BAD_ARGUMENT; raw calls return statuses`, () => {
    const t = new Lpm6(engine, { maxRules: 4, tbl8Groups: 2, miss: 5 });
    for (const bad of ['2001:db8::/129', '2001:db8::/', 'zz::/8', '10.0.0.0/8']) throwsCode(() => t.add(bad, 1), 'E_BAD_ARGUMENT');
    throwsCode(() => t.lookup('1.2.3.4'), 'E_BAD_ARGUMENT');
    const p = parseIPv6('2001:db8::')!;
    assert.is(t.core.lpm6_add(t.table, t.table, 129, 1), -1);
    assert.is(t.core.lpm6_delete(t.table, t.table, 8), -4);
    assert.not.ok(t.deleteRaw(p, 32));
    const out = new Uint32Array(2);
    assert.is(t.lookupBulk(new Uint8Array(32), out), 0);
    assert.equal([...out], [5, 5]);
  });
}

test.run();
