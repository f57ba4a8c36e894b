// Fuzz: mutated fragment trains through dissection and reassembly on both backends
// (test/lib/reasm-fuzz.ts). Every descriptor and statistic must be equal on WASM and twin,
// nothing may throw, and memory must stay within the caps: datagrams and bytes held never
// above them, no allocation while running. 100,000 trains here (about 1 M fragments; a
// million trains take longer than this suite's 30 s budget: bench/reasm.bench.ts runs
// them); REASM_FUZZ_TRAINS sets another count.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fuzzReassembly, FUZZ_MAX_BYTES, FUZZ_MAX_DATAGRAMS } from './lib/reasm-fuzz.js';
import { seed } from './lib/env.js';

const SEED = seed();
const TRAINS = Number(process.env.REASM_FUZZ_TRAINS ?? 100_000);
console.log(`SEED ${SEED} (reasm-fuzz, ${TRAINS} trains)`);

test(`${TRAINS} mutated fragment trains: WASM = twin, no throw, memory within its caps`, () => {
  const f = fuzzReassembly(TRAINS, SEED);
  assert.equal(f.twin, f.wasm, 'the same statistics');
  assert.ok(f.maxHeld <= FUZZ_MAX_BYTES && f.maxLive <= FUZZ_MAX_DATAGRAMS, `held at most ${f.maxHeld} bytes, ${f.maxLive} datagrams`);
  assert.is(f.arenaGrowth, 0, 'nothing allocated while running');
  assert.is(f.wasm.inProgress, 0, 'flushed');
  assert.is(f.wasm.bytesHeld, 0, 'every block back in the pool');
  assert.ok(f.reassembled > TRAINS / 10, `${f.reassembled} datagrams reassembled`);
  for (const k of ['overlaps', 'duplicates', 'late', 'bad', 'cut', 'tooBig', 'timeouts', 'evicted', 'inconsistent', 'tinyFirst', 'offset8', 'tooManyHoles'] as const) {
    assert.ok(f.wasm[k] > 0 || TRAINS < 10000, `the fuzz reached ${k}`);
  }
  console.log(`NOTE reasm-fuzz: ${f.frames} fragments, ${f.reassembled} datagrams reassembled in ${Math.round(f.ms)} ms; ${JSON.stringify(f.wasm)}`);
});

test.run();
