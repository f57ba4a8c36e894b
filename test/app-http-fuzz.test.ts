// The HTTP/1.x decoder on hostile input (lib/app-fuzz.ts): WASM and its TS twin decode
// mutated frames into byte-identical app records, never throw, never read past the
// captured length, and every span the record holds (method, target, version, reason, the
// kept header values) lies inside the capture. Seeds: the crafted segments of
// lib/http-seeds.ts (well-formed and hostile lines). Mutations favour the bytes that end or
// split lines (CR, LF, SP, HTAB, ':'). Seeded (SEED=...); APP_FUZZ_FRAMES sets how many.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fuzzApp, recU16, spanPastCap, bytesPastCap } from './lib/app-fuzz.js';
import { httpSeedFrames } from './lib/http-seeds.js';
import {
  APP_HTTP, HTTP_METHOD, HTTP_METHOD_LEN, HTTP_URI, HTTP_URI_LEN, HTTP_VERSION, HTTP_PHRASE, HTTP_PHRASE_LEN,
  HTTP_HOST, HTTP_HOST_LEN, HTTP_UA, HTTP_UA_LEN, HTTP_CTYPE, HTTP_CTYPE_LEN, HTTP_CLEN, HTTP_CLEN_LEN,
  HTTP_SERVER, HTTP_SERVER_LEN, HTTP_BODY, HTTP_LINE_END,
} from '../host/app/app-layout.js';
import { LINKTYPE_ETHERNET } from '../host/runtime/layout.js';

const FRAMES = Number(process.env.APP_FUZZ_FRAMES ?? 1_000_000);
const SPANS: Array<[number, number]> = [
  [HTTP_URI, HTTP_URI_LEN], [HTTP_PHRASE, HTTP_PHRASE_LEN], [HTTP_HOST, HTTP_HOST_LEN], [HTTP_UA, HTTP_UA_LEN],
  [HTTP_CTYPE, HTTP_CTYPE_LEN], [HTTP_CLEN, HTTP_CLEN_LEN], [HTTP_SERVER, HTTP_SERVER_LEN],
];

test(`WASM and twin give identical HTTP records on ${FRAMES} mutated frames, never reading past caplen`, () => {
  const seeds = httpSeedFrames().map((s) => ({ frame: s.frame, linktype: LINKTYPE_ETHERNET }));
  const st = fuzzApp({
    proto: APP_HTTP, seeds, frames: FRAMES, from: () => 54,
    special: [0x0D, 0x0A, 0x20, 0x09, 0x3A, 0x00, 0x7F, 0xFF, 0x2F, 0x31, 0x48],
    check: (u8, rec, cap) => {
      const past = spanPastCap(u8, rec, cap, SPANS)
        ?? bytesPastCap(u8, rec, cap, HTTP_METHOD, u8[rec + HTTP_METHOD_LEN], 'method')
        ?? bytesPastCap(u8, rec, cap, HTTP_VERSION, 8, 'version');
      if (past !== null) return past;
      if (recU16(u8, rec + HTTP_BODY) > cap || recU16(u8, rec + HTTP_LINE_END) > cap) return 'line end past caplen';
      return null;
    },
  });
  console.log(`app-http fuzz: ${st.frames} frames (${seeds.length} seeds), ${st.decoded} decoded as HTTP, ${st.truncated} truncated, ${st.malformed} malformed, ${st.ms} ms`);
  assert.ok(st.decoded > st.frames * 0.5, 'most mutated frames still reach the HTTP decoder');
  assert.ok(st.truncated > st.frames * 0.05 && st.malformed > st.frames * 0.01, 'truncation and malformation were both exercised');
});

test.run();
