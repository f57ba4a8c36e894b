// match_batch's loop (host/filter/wasm-codegen.ts) reads the first byte of the frame
// TOUCH_AHEAD entries on, so that DRAM misses overlap (issue #17). Whatever it touches, the
// answers must be those of match() frame by frame, and a batch must never trap: batches
// shorter than the lookahead, its last entries, and empty frames whose pointer lies past
// the end of the memory (a caplen-0 entry may carry any pointer).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createEngine } from '../host/engine/engine.js';
import { compileFilter } from '../host/filter/index.js';
import { TOUCH_AHEAD } from '../host/filter/wasm-codegen.js';
import { FRAME_CAPLEN, FRAME_PTR, FRAME_SIZE, LINKTYPE_ETHERNET } from '../host/runtime/layout.js';
import { Rng, seed } from './lib/env.js';

const eng = createEngine({ backend: 'wasm' });
const rng = new Rng(seed() ^ 0x7a11);

function frame(): Uint8Array {
  const f = new Uint8Array(60);
  f[12] = 0x08; f[14] = 0x45; f[23] = rng.bool(0.5) ? 6 : 17;
  f[34] = rng.int(256); f[35] = rng.int(256); f[36] = 0; f[37] = rng.bool(0.3) ? 80 : rng.int(256);
  return f;
}

test('match_batch = match() frame by frame for every batch length 0..3*TOUCH_AHEAD, with empty frames pointing past the memory', () => {
  for (const backend of ['wasm', 'ts'] as const) {
    const f = compileFilter('tcp port 80 or udp', { linktype: LINKTYPE_ETHERNET, memory: eng.memory, backend });
    for (let count = 0; count <= 3 * TOUCH_AHEAD; count++) {
      const batch = eng.createBatch(Math.max(count, 1), 64 * Math.max(count, 1));
      for (let i = 0; i < count; i++) batch.push(frame(), LINKTYPE_ETHERNET);
      // Every third frame empty, its pointer far past the end of the memory.
      const u32 = eng.views.refresh().u32;
      for (let i = 2; i < count; i += 3) {
        u32[(batch.table + i * FRAME_SIZE + FRAME_CAPLEN) >>> 2] = 0;
        u32[(batch.table + i * FRAME_SIZE + FRAME_PTR) >>> 2] = 0xFFFF_FFF0;
      }
      const out = eng.arena.alloc(Math.max(count, 1));
      const n = f.matchBatch(batch.table, count, out);
      const u8 = eng.views.refresh().u8;
      let want = 0;
      for (let i = 0; i < count; i++) {
        const e = (batch.table + i * FRAME_SIZE) >>> 2;
        const cap = u32[e + (FRAME_CAPLEN >>> 2)];
        const m = cap === 0 ? false : Boolean(f.match(u32[e + (FRAME_PTR >>> 2)], cap, cap));
        assert.is(u8[out + i], m ? 1 : 0, `${backend} count ${count} frame ${i}`);
        want += m ? 1 : 0;
      }
      assert.is(n, want, `${backend} count ${count}: matches`);
    }
  }
});

test.run();
