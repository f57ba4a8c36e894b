// The DNS decoder on hostile input: WASM and its TS twin decode mutated frames (seeds: every
// corpus frame to or from a DNS port, and the crafted frames of lib/dns-seeds.ts) into
// byte-identical app records, never throw, and never read past the captured length: each
// frame is decoded twice with different bytes after its caplen, and the records must not
// change. Mutations: random bytes, pointer/label-type bytes, counts, lengths, truncation at
// every length. Seeded (SEED=...); APP_FUZZ_FRAMES sets how many (default 1 M). The loop
// is lib/app-fuzz.ts's, with decode(), the text and --log dns run on the first frames.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createEngine } from '../host/engine/engine.js';
import { APP_DNS } from '../host/app/app-layout.js';
import { LINKTYPE_ETHERNET } from '../host/runtime/layout.js';
import { readCaptureFile } from '../host/sources/capture-file.js';
import { corpusCaptures, corpusMoreCaptures, corpusOrSkip } from './lib/env.js';
import { fuzzApp } from './lib/app-fuzz.js';
import { dnsSeeds } from './lib/dns-seeds.js';
import { decodeDns } from '../host/app/dns/decode.js';
import { dnsTextForFrame } from '../host/app/dns/text.js';
import { DnsLog } from '../host/app/log/dns-log.js';

const FRAMES = Number(process.env.APP_FUZZ_FRAMES ?? 1_000_000);
const SLOT = 2048; // lib/app-fuzz.ts's slot: longer seeds are left out
const DNS_PORTS = new Set([53, 5353, 5355]);

const wasm = createEngine({ backend: 'wasm' });

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

test(`WASM and twin give identical app records on ${FRAMES} mutated DNS frames, never reading past caplen`, () => {
  // Without the corpus only the crafted frames seed the fuzz: all of them, each fuzz floor kept.
  const crafted = dnsSeeds().filter((s) => s.frame.length <= SLOT).length;
  const withCorpus = corpusOrSkip('corpus DNS frames as fuzz seeds (crafted seeds only)', ['corpus', 'corpus-more']);
  assert.ok(seeds.length >= (withCorpus ? 45 : crafted) && crafted > 0, `${seeds.length} seed frames`);
  // The readers on the first READERS frames: decode(), the text, the log; none may throw
  // (a throw fails the test) and every log line must parse.
  const READERS = Math.min(FRAMES, 50_000);
  const view = wasm.createView();
  let logLines = 0;
  const log = new DnsLog(wasm, (l) => { JSON.parse(l); logLines++; }, 1024);
  let readerFrames = 0;
  // Mutations land mostly where DNS lives, after Ethernet + IPv4 + UDP (42 bytes); the
  // poison after each caplen is a compression-pointer byte, then another.
  const st = fuzzApp({
    proto: APP_DNS, seeds, frames: FRAMES, from: () => 42, special: SPECIAL, poison: [0xC0, 0x07], engine: wasm,
    visit: (u8, rec, desc, frame, index) => {
      if (index >= READERS) return;
      view.desc = desc;
      view.frame = frame;
      view.app = rec;
      decodeDns(u8, frame, rec);
      for (let vflag = 0; vflag < 4; vflag++) dnsTextForFrame(view, u8, frame, rec, { vflag });
      log.frame({ u8, view, sec: 1700000000 + (index >> 10), nsec: 0 });
      readerFrames++;
    },
  });
  log.finish();
  console.log(`app-dns fuzz: ${st.frames} frames (${seeds.length} seeds), ${st.decoded} decoded as DNS, ${st.truncated} flagged truncated, ${st.ms} ms; decode(), text (-nn to -vvv) and --log dns read ${readerFrames} of them (${logLines} log lines)`);
  assert.ok(readerFrames > READERS / 2 && logLines > 0, 'the readers saw the mutated frames');
  assert.ok(st.decoded > st.frames * 0.5, 'most mutated frames still reach the DNS decoder');
});

test.run();
