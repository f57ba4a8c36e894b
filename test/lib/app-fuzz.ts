// Mutated-frame fuzzing of one application decoder: WASM and its TS twin decode the same
// mutated frames (random bytes, bytes that matter to the decoder, bit flips, truncation at
// any length) into app records that must be byte-identical; each frame is decoded twice by
// WASM with different bytes after its caplen, and the records must not change (a read
// past the captured length would show); the record's offsets stay inside the capture.
import * as assert from 'uvu/assert';
import { createEngine, type Engine } from '../../host/engine/engine.js';
import { exportsOf } from '../../host/engine/backend.js';
import { DISSECT } from '../../host/dissect/exports.js';
import { APP } from '../../host/app/exports.js';
import { APP_SIZE, A_PROTO, A_FLAGS, A_OFF, A_CAP, A_NEXT, AF_TRUNC, AF_MALFORMED } from '../../host/app/app-layout.js';
import { DESC_SIZE, DF_APP, FRAME_SIZE } from '../../host/runtime/layout.js';
import { Rng, seed } from './env.js';

export interface FuzzSeed { frame: Uint8Array; linktype: number }

export interface FuzzOptions {
  /** The decoder's APP_* id: the share of mutated frames it decodes is reported and floored. */
  proto: number;
  seeds: FuzzSeed[];
  frames: number;
  /** Where mutations start in a seed frame (e.g. the payload offset), so that most land in
   *  the application message; a quarter start earlier, so that headers and ports move. */
  from: (s: FuzzSeed) => number;
  /** Bytes that matter to the decoder (lengths, types, separators). */
  special: number[];
  /** Checks of one record beyond the common ones (offsets of the protocol's own fields). */
  check?: (u8: Uint8Array, rec: number, cap: number) => string | null;
  /** The two poison bytes written after each frame's caplen for the two WASM passes
   *  (default 0xFF, 0x00): a byte the decoder reacts to makes a stray read show. */
  poison?: [number, number];
  /** Called for each record of the decoder's protocol (WASM's): the frame's index among
   *  all fuzzed ones, its descriptor and frame addresses, so that readers (decode(), text,
   *  logs) can be run on the same mutated frames. */
  visit?: (u8: Uint8Array, rec: number, desc: number, frame: number, index: number) => void;
  /** The WASM engine to fuzz on (a visitor's readers need its memory); a new one if absent. */
  engine?: Engine;
}

/** A u16 field of an app record (records are little-endian). */
export const recU16 = (u8: Uint8Array, p: number): number => u8[p] | (u8[p + 1] << 8);

/** For a FuzzOptions check: "`what` past caplen" when the record's offset field at `o` is
 *  set (0 is an absent field) and the `len` bytes from that frame offset end past the
 *  capture; null otherwise. */
export function bytesPastCap(u8: Uint8Array, rec: number, cap: number, o: number, len: number, what: string): string | null {
  const off = recU16(u8, rec + o);
  return off !== 0 && off + len > cap ? `${what} past caplen` : null;
}

/** For a FuzzOptions check: the first of `spans` ([offset field, length field] pairs of a
 *  record, frame offsets; offset 0 is an absent field) that ends past the capture, named;
 *  null when every one lies inside. */
export function spanPastCap(u8: Uint8Array, rec: number, cap: number, spans: ReadonlyArray<readonly [number, number]>): string | null {
  for (const [o, l] of spans) {
    const off = recU16(u8, rec + o);
    if (off !== 0 && off + recU16(u8, rec + l) > cap) return `span at ${o} ends past caplen`;
  }
  return null;
}

export interface FuzzStats { frames: number; decoded: number; truncated: number; malformed: number; ms: number }

const BATCH = 4096;
const SLOT = 2048;

export function fuzzApp(o: FuzzOptions): FuzzStats {
  const wasm = o.engine ?? createEngine({ backend: 'wasm' });
  const views = wasm.views;
  const dw = exportsOf(wasm, DISSECT, 'wasm');
  const dt = exportsOf(wasm, DISSECT, 'ts');
  const aw = exportsOf(wasm, APP, 'wasm');
  const at = exportsOf(wasm, APP, 'ts');
  const seeds = o.seeds.filter((s) => s.frame.length <= SLOT);
  assert.ok(seeds.length > 0, 'seed frames');
  const rng = new Rng(seed());
  const arena = wasm.arena;
  const table = arena.alloc(BATCH * FRAME_SIZE);
  const data = arena.alloc(BATCH * SLOT);
  const descW = arena.alloc(BATCH * DESC_SIZE);
  const descT = arena.alloc(BATCH * DESC_SIZE);
  const appW = arena.alloc(BATCH * APP_SIZE);
  const appT = arena.alloc(BATCH * APP_SIZE);
  const appW2 = arena.alloc(BATCH * APP_SIZE);
  const scratch = new Uint8Array(SLOT);
  const poison = o.poison ?? [0xFF, 0x00];
  const st: FuzzStats = { frames: 0, decoded: 0, truncated: 0, malformed: 0, ms: 0 };
  const t0 = Date.now();
  while (st.frames < o.frames) {
    const count = Math.min(BATCH, o.frames - st.frames);
    const v = views.refresh();
    for (let i = 0; i < count; i++) {
      const src = seeds[rng.u32() % seeds.length];
      scratch.set(src.frame);
      const len = src.frame.length;
      const base = o.from(src);
      const from = Math.min(len - 1, rng.u32() % 4 === 0 ? Math.max(0, base - 8 - (rng.u32() % 12)) : base + (rng.u32() % 8));
      const n = 1 + (rng.u32() % 4);
      for (let k = 0; k < n; k++) {
        const p = from + (rng.u32() % Math.max(1, len - from));
        const r = rng.u32() % 4;
        scratch[p] = r === 0 ? rng.u32() & 0xFF : r === 1 ? o.special[rng.u32() % o.special.length] : r === 2 ? scratch[p] ^ (1 << (rng.u32() % 8)) : scratch[p] + 1;
      }
      const cap = rng.u32() % 3 === 0 ? rng.u32() % (len + 1) : len;
      const p = data + i * SLOT;
      v.u8.set(scratch.subarray(0, cap), p);
      v.u8.fill(poison[0], p + cap, p + SLOT); // poison: wherever a read strays
      const e = (table + i * FRAME_SIZE) >>> 2;
      v.u32[e] = p; v.u32[e + 1] = cap; v.u32[e + 2] = len; v.u32[e + 3] = src.linktype;
    }
    aw.app_bind(descW, appW, count);
    dw.dissect_batch(table, count, descW, DF_APP);
    at.app_bind(descT, appT, count);
    dt.dissect_batch(table, count, descT, DF_APP);
    for (let i = 0; i < count; i++) {
      const p = data + i * SLOT;
      const cap = v.u32[((table + i * FRAME_SIZE) >>> 2) + 1];
      v.u8.fill(poison[1], p + cap, p + SLOT);
    }
    aw.app_bind(descW, appW2, count);
    dw.dissect_batch(table, count, descW, DF_APP);
    const a = v.u8.subarray(appW, appW + count * APP_SIZE);
    const b = v.u8.subarray(appT, appT + count * APP_SIZE);
    const c = v.u8.subarray(appW2, appW2 + count * APP_SIZE);
    if (Buffer.compare(a, b) !== 0 || Buffer.compare(a, c) !== 0) {
      for (let i = 0; i < count; i++) {
        const r = (x: Uint8Array): string => Buffer.from(x.subarray(i * APP_SIZE, (i + 1) * APP_SIZE)).toString('hex');
        const p = data + i * SLOT;
        const cap = v.u32[((table + i * FRAME_SIZE) >>> 2) + 1];
        const frame = Buffer.from(v.u8.subarray(p, p + cap)).toString('hex');
        assert.is(r(b), r(a), `twin vs WASM, frame ${st.frames + i}: ${frame}`);
        assert.is(r(c), r(a), `WASM read past caplen, frame ${st.frames + i}: ${frame}`);
      }
    }
    for (let i = 0; i < count; i++) {
      const rec = appW + i * APP_SIZE;
      if (v.u8[rec + A_PROTO] !== o.proto) continue;
      st.decoded++;
      const flags = v.u16[(rec + A_FLAGS) >>> 1];
      if (flags & AF_TRUNC) st.truncated++;
      if (flags & AF_MALFORMED) st.malformed++;
      const cap = v.u32[((table + i * FRAME_SIZE) >>> 2) + 1];
      const off = v.u16[(rec + A_OFF) >>> 1];
      const where = (): string => `frame ${st.frames + i}: ${Buffer.from(v.u8.subarray(data + i * SLOT, data + i * SLOT + cap)).toString('hex')}`;
      if (off + v.u16[(rec + A_CAP) >>> 1] > Math.max(cap, off)) assert.unreachable(`A_OFF + A_CAP beyond caplen, ${where()}`);
      if (v.u16[(rec + A_NEXT) >>> 1] > Math.max(cap, off)) assert.unreachable(`A_NEXT beyond caplen, ${where()}`);
      const bad = o.check?.(v.u8, rec, cap) ?? null;
      if (bad !== null) assert.unreachable(`${bad}, ${where()}`);
      o.visit?.(v.u8, rec, descW + i * DESC_SIZE, data + i * SLOT, st.frames + i);
    }
    st.frames += count;
  }
  st.ms = Date.now() - t0;
  return st;
}
