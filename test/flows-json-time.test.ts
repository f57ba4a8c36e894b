// The start time of a --flows --json line is written from integers (startTime in
// host/flows/flow-json-text.ts) where it used to be JavaScript's String(Number(...)) of
// the decimal seconds; the oracle here is that JavaScript text, run in the test: every
// time startTime writes must equal it byte for byte, and it must decline only rarely.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startTime } from '../host/flows/flow-json-text.js';
import { Rng, seed } from './lib/env.js';

const SEED = seed();
console.log(`SEED ${SEED} (flows-json-time)`);

const js = (sec: number, nsec: number): string => String(Number(`${sec}.${String(nsec).padStart(9, '0')}`));
const buf = new Uint8Array(64);
const ours = (sec: number, nsec: number): string | null => {
  const n = startTime(buf, 0, sec, nsec);
  return n < 0 ? null : String.fromCharCode(...buf.subarray(0, n));
};

test('random times over the whole u32 range of seconds: the same text as JavaScript, or declined', () => {
  const rng = new Rng(SEED);
  let declined = 0;
  const n = 300_000;
  for (let i = 0; i < n; i++) {
    const sec = i % 3 === 0 ? 1_600_000_000 + (rng.u32() % 200_000_000) : rng.u32();
    const nsec = i % 5 === 0 ? (rng.u32() % 1000) * 1000 : rng.u32() % 1_000_000_000;
    const got = ours(sec, nsec);
    if (got === null) { declined++; continue; }
    assert.is(got, js(sec, nsec), `${sec}.${nsec}`);
  }
  // Below 2^29 seconds it always declines (a third of the u32 range is not, ~1/8 is).
  assert.ok(declined < n * 0.2, `declined ${declined} of ${n}`);
});

test('edges: microsecond and millisecond steps, the last nanoseconds of a second, powers of two', () => {
  let written = 0;
  const secs = [0x20000000, 0x3FFFFFFF, 0x40000000, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 1_700_000_000];
  const nsecs = [1, 5, 50, 500, 999, 1000, 500_000, 999_999_999, 999_999_990, 999_999_500, 123_456_789, 1_000_000, 250_000_000, 500_000_000, 999_000_000];
  for (const sec of secs) {
    for (const nsec of nsecs) {
      const got = ours(sec, nsec);
      if (got !== null) { assert.is(got, js(sec, nsec), `${sec}.${nsec}`); written++; }
    }
    for (let us = 0; us < 1_000_000; us += 997) {
      const got = ours(sec, us * 1000);
      if (got !== null) { assert.is(got, js(sec, us * 1000), `${sec}.${us}us`); written++; }
    }
  }
  assert.ok(written > 6000, `written ${written}`);
  assert.is(ours(0x1FFFFFFF, 5), null, 'below 2^29: JavaScript');
});

test.run();
