// The DNS decoder on hostile input: WASM and its TS twin decode mutated frames (seeds: every
// corpus frame to or from a DNS port, and the crafted frames of lib/dns-seeds.ts) into
// byte-identical app records, never throw, and never read past the captured length: each
// frame is decoded twice with different bytes after its caplen, and the records must not
// change. Mutations: random bytes, pointer/label-type bytes, counts, lengths, truncation at
// every length. Seeded (SEED=...); APP_FUZZ_FRAMES sets how many (default 1 M).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createEngine } from '../host/engine/engine.js';
import { exportsOf } from '../host/engine/backend.js';
import { DISSECT } from '../host/dissect/exports.js';
import { APP } from '../host/app/exports.js';
import { APP_SIZE, A_PROTO, A_FLAGS, A_NEXT, A_OFF, A_CAP, APP_DNS, AF_TRUNC } from '../host/app/app-layout.js';
import { DESC_SIZE, DF_APP, FRAME_SIZE, LINKTYPE_ETHERNET, D_PAYLOAD_OFF } from '../host/runtime/layout.js';
import { readCaptureFile } from '../host/sources/capture-file.js';
import { corpusCaptures, corpusMoreCaptures, corpusOrSkip, Rng, seed } from './lib/env.js';
import { dnsSeeds } from './lib/dns-seeds.js';
import { decodeDns } from '../host/app/dns/decode.js';
import { dnsTextForFrame } from '../host/app/dns/text.js';
import { DnsLog } from '../host/app/log/dns-log.js';

const FRAMES = Number(process.env.APP_FUZZ_FRAMES ?? 1_000_000);
const BATCH = 4096;
const SLOT = 2048; // frame bytes, then poison up to the next slot
const DNS_PORTS = new Set([53, 5353, 5355]);

const wasm = createEngine({ backend: 'wasm' });
const views = wasm.views;
const dw = exportsOf(wasm, DISSECT, 'wasm');
const dt = exportsOf(wasm, DISSECT, 'ts');
const aw = exportsOf(wasm, APP, 'wasm');
const at = exportsOf(wasm, APP, 'ts'); // the app twin the dissector twin of this engine calls

interface SeedFrame { frame: Uint8Array; linktype: number }

function corpusSeeds(): SeedFrame[] {
  const out: SeedFrame[] = [];
  for (const path of [...corpusCaptures(), ...corpusMoreCaptures()]) {
    const { records } = readCaptureFile(path);
    for (const r of records) {
      if (r.linktype !== LINKTYPE_ETHERNET && r.linktype !== 101 && r.linktype !== 228 && r.linktype !== 229 && r.linktype !== 0 && r.linktype !== 113) continue;
      // Ports read by the engine itself: any frame whose UDP/TCP ports name DNS.
      const d = wasm.decode(r.data, r.linktype, r.wirelen);
      const l4 = d.udp ?? d.tcp;
      if (l4 !== undefined && (DNS_PORTS.has(l4.srcport) || DNS_PORTS.has(l4.dstport))) out.push({ frame: Uint8Array.from(r.data), linktype: r.linktype });
    }
  }
  return out;
}

const seeds = [...dnsSeeds().map((s) => ({ frame: s.frame, linktype: LINKTYPE_ETHERNET })), ...corpusSeeds()].filter((s) => s.frame.length <= SLOT);
const SPECIAL = [0x00, 0x01, 0x3F, 0x40, 0x41, 0x80, 0xC0, 0xC1, 0xFF, 0x0C, 0x29];

function mutate(rng: Rng, src: Uint8Array, out: Uint8Array): { len: number; cap: number } {
  out.set(src);
  const len = src.length;
  // Mutate mostly where DNS lives: after the first 42 bytes (Ethernet + IPv4 + UDP).
  // (a quarter of the frames from the ports on, so that headers and ports move too).
  const from = Math.min(len - 1, rng.u32() % 4 === 0 ? 34 + (rng.u32() % 12) : 42 + (rng.u32() % 8));
  const n = 1 + (rng.u32() % 4);
  for (let i = 0; i < n; i++) {
    const at = from + (rng.u32() % Math.max(1, len - from));
    const r = rng.u32() % 4;
    out[at] = r === 0 ? rng.u32() & 0xFF : r === 1 ? SPECIAL[rng.u32() % SPECIAL.length] : r === 2 ? out[at] ^ (1 << (rng.u32() % 8)) : out[at] + 1;
  }
  // Truncation anywhere (a third of the frames), else the whole frame.
  const cap = rng.u32() % 3 === 0 ? rng.u32() % (len + 1) : len;
  return { len, cap };
}

test(`WASM and twin give identical app records on ${FRAMES} mutated DNS frames, never reading past caplen`, () => {
  // Without the corpus only the crafted frames seed the fuzz: all of them, each fuzz floor kept.
  const crafted = dnsSeeds().filter((s) => s.frame.length <= SLOT).length;
  const withCorpus = corpusOrSkip('corpus DNS frames as fuzz seeds (crafted seeds only)', ['corpus', 'corpus-more']);
  assert.ok(seeds.length >= (withCorpus ? 45 : crafted) && crafted > 0, `${seeds.length} seed frames`);
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
  let done = 0;
  let dns = 0;
  // The readers on the first READERS frames: decode(), the text, the log; none may throw
  // (a throw fails the test) and every log line must parse.
  const READERS = Math.min(FRAMES, 50_000);
  const view = wasm.createView();
  let logLines = 0;
  const log = new DnsLog(wasm, (l) => { JSON.parse(l); logLines++; }, 1024);
  let readerFrames = 0;
  let truncated = 0;
  const t0 = Date.now();
  while (done < FRAMES) {
    const count = Math.min(BATCH, FRAMES - done);
    const v = views.refresh();
    for (let i = 0; i < count; i++) {
      const src = seeds[rng.u32() % seeds.length];
      const { len, cap } = mutate(rng, src.frame, scratch);
      const p = data + i * SLOT;
      v.u8.set(scratch.subarray(0, cap), p);
      v.u8.fill(0xC0, p + cap, p + SLOT); // poison: a pointer byte wherever a read strays
      const e = (table + i * FRAME_SIZE) >>> 2;
      v.u32[e] = p; v.u32[e + 1] = cap; v.u32[e + 2] = len; v.u32[e + 3] = src.linktype;
    }
    aw.app_bind(descW, appW, count);
    dw.dissect_batch(table, count, descW, DF_APP);
    at.app_bind(descT, appT, count);
    dt.dissect_batch(table, count, descT, DF_APP);
    // Second WASM pass with other poison: the record must not move.
    for (let i = 0; i < count; i++) {
      const p = data + i * SLOT;
      const cap = v.u32[((table + i * FRAME_SIZE) >>> 2) + 1];
      v.u8.fill(0x07, p + cap, p + SLOT);
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
        assert.is(r(b), r(a), `twin vs WASM, frame ${done + i}: ${frame}`);
        assert.is(r(c), r(a), `WASM read past caplen, frame ${done + i}: ${frame}`);
      }
    }
    for (let i = 0; i < count; i++) {
      const rec = appW + i * APP_SIZE;
      if (v.u8[rec + A_PROTO] !== APP_DNS) continue;
      dns++;
      if (done + i < READERS) {
        view.desc = descW + i * DESC_SIZE;
        view.frame = data + i * SLOT;
        view.app = rec;
        decodeDns(v.u8, view.frame, rec);
        for (let vflag = 0; vflag < 4; vflag++) dnsTextForFrame(view, v.u8, view.frame, rec, { vflag });
        log.frame({ u8: v.u8, view, sec: 1700000000 + ((done + i) >> 10), nsec: 0 });
        readerFrames++;
      }
      const flags = v.u16[(rec + A_FLAGS) >>> 1];
      if (flags & AF_TRUNC) truncated++;
      // The record never points past what was captured.
      const cap = v.u32[((table + i * FRAME_SIZE) >>> 2) + 1];
      const off = v.u16[(rec + A_OFF) >>> 1];
      assert.ok(off + v.u16[(rec + A_CAP) >>> 1] <= Math.max(cap, off), `frame ${done + i}: A_OFF + A_CAP beyond caplen`);
      assert.ok(v.u16[(rec + A_NEXT) >>> 1] <= Math.max(cap, v.u16[(descW + i * DESC_SIZE + D_PAYLOAD_OFF) >>> 1] + 2), `frame ${done + i}: A_NEXT ${v.u16[(rec + A_NEXT) >>> 1]} beyond caplen ${cap}: ${Buffer.from(v.u8.subarray(rec, rec + 48)).toString("hex")} ${Buffer.from(v.u8.subarray(data + i * SLOT, data + i * SLOT + cap)).toString("hex")}`);
    }
    done += count;
  }
  log.finish();
  const ms = Date.now() - t0;
  console.log(`app-dns fuzz: ${done} frames (${seeds.length} seeds), ${dns} decoded as DNS, ${truncated} flagged truncated, ${ms} ms; decode(), text (-nn to -vvv) and --log dns read ${readerFrames} of them (${logLines} log lines)`);
  assert.ok(readerFrames > READERS / 2 && logLines > 0, 'the readers saw the mutated frames');
  assert.ok(dns > done * 0.5, 'most mutated frames still reach the DNS decoder');
});

test.run();
