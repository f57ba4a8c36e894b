// The TLS decoder on hostile input (lib/app-fuzz.ts): WASM and its TS twin decode mutated
// frames into byte-identical app records, never throw, never read past the captured
// length, and every span the record holds (SNI, ALPN, lists, the hello, each record
// header) lies inside the capture. Seeds: the crafted segments of lib/tls-seeds.ts (GREASE,
// SNI, ALPN, supported_versions, HelloRetryRequest, flights, 25 records, fragmented and
// hostile hellos). Seeded (SEED=...); APP_FUZZ_FRAMES sets how many (default 1 M).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fuzzApp, recU16, spanPastCap, bytesPastCap } from './lib/app-fuzz.js';
import { tlsSeedFrames } from './lib/tls-seeds.js';
import {
  APP_TLS, A_COUNT, TLS_SNI, TLS_SNI_LEN, TLS_ALPN, TLS_ALPN_LEN, TLS_SV, TLS_SV_LEN, TLS_GROUPS, TLS_GROUPS_LEN,
  TLS_ECPF, TLS_ECPF_LEN, TLS_SIGALGS, TLS_SIGALGS_LEN, TLS_SUITES, TLS_SUITES_LEN, TLS_COMP, TLS_COMP_LEN,
  TLS_SID, TLS_SID_LEN, TLS_RANDOM, TLS_ITEMS, TLS_ITEM_SIZE, TR_OFF,
} from '../host/app/app-layout.js';
import { LINKTYPE_ETHERNET } from '../host/runtime/layout.js';

const FRAMES = Number(process.env.APP_FUZZ_FRAMES ?? 1_000_000);
const SPANS: Array<[number, number]> = [
  [TLS_SNI, TLS_SNI_LEN], [TLS_ALPN, TLS_ALPN_LEN], [TLS_SV, TLS_SV_LEN], [TLS_GROUPS, TLS_GROUPS_LEN], [TLS_ECPF, TLS_ECPF_LEN],
  [TLS_SIGALGS, TLS_SIGALGS_LEN], [TLS_SUITES, TLS_SUITES_LEN], [TLS_COMP, TLS_COMP_LEN],
];

test(`WASM and twin give identical TLS records on ${FRAMES} mutated frames, never reading past caplen`, () => {
  const seeds = tlsSeedFrames().map((frame) => ({ frame, linktype: LINKTYPE_ETHERNET }));
  const st = fuzzApp({
    proto: APP_TLS, seeds, frames: FRAMES, from: () => 54, // Ethernet + IPv4 + TCP (20)
    special: [0x00, 0x01, 0x02, 0x03, 0x04, 0x10, 0x14, 0x16, 0x17, 0x18, 0x2b, 0xff, 0x0a, 0x0b, 0x0d],
    check: (u8, rec, cap) => {
      const past = spanPastCap(u8, rec, cap, SPANS)
        ?? bytesPastCap(u8, rec, cap, TLS_SID, u8[rec + TLS_SID_LEN], 'session id')
        ?? bytesPastCap(u8, rec, cap, TLS_RANDOM, 32, 'random');
      if (past !== null) return past;
      for (let i = 0; i < u8[rec + A_COUNT]; i++) {
        if (recU16(u8, rec + TLS_ITEMS + i * TLS_ITEM_SIZE + TR_OFF) + 5 > cap) return `record header ${i} past caplen`;
      }
      return null;
    },
  });
  console.log(`app-tls fuzz: ${st.frames} frames (${seeds.length} seeds), ${st.decoded} decoded as TLS, ${st.truncated} truncated, ${st.malformed} malformed, ${st.ms} ms`);
  assert.ok(st.decoded > st.frames * 0.5, 'most mutated frames still reach the TLS decoder');
  assert.ok(st.truncated > st.frames * 0.05 && st.malformed > st.frames * 0.01, 'truncation and malformation were both exercised');
});

test.run();
