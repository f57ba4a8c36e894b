// The NTP decoder against both oracles, run here: its fields against tshark's (per frame,
// every occurrence) and the sniffer's text against tcpdump's (-nn, and -v / -vv with the
// leap indicator, stratum, poll, root delay, reference id and timestamps on lines of their
// own, or a control message's header), on every corpus capture with
// NTP and on the crafted messages of lib/ntp-seeds.ts (every mode and version, reference
// ids, MAC, extension fields, short headers, cut captures). Both backends. Also the
// mutated-frame check: WASM = twin, no read past caplen (lib/app-fuzz.ts).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { createEngine } from '../host/engine/engine.js';
import type { DecodedNtp, NtpTimestamp } from '../host/app/ntp/decode.js';
import { readCaptureFile } from '../host/sources/capture-file.js';
import { corpusCaptures, corpusMoreCaptures, corpusOrSkip, haveTool, Rng, seed } from './lib/env.js';
import { writeManyPcap } from './lib/line-seeds.js';
import { eachPacketWithTshark, compareFrame, newTally, hex, put, type Fields } from './lib/app-tshark.js';
import { ntpSeedCapture, ntpSeedFrames } from './lib/ntp-seeds.js';
import { mutateAndCut } from './lib/mutate-frames.js';
import { sniffPackets } from './lib/sniff-text.js';
import { tcpdumpText } from './text-output-tcpdump.js';
import { fuzzApp } from './lib/app-fuzz.js';
import { APP_NTP, A_COUNT, NTP_ITEMS, NTP_ITEM_SIZE, NI_OFF } from '../host/app/app-layout.js';
import { LINKTYPE_ETHERNET } from '../host/runtime/layout.js';

export const NTP_FIELDS = [
  'ntp.flags.li', 'ntp.flags.vn', 'ntp.flags.mode', 'ntp.stratum', 'ntp.ppoll', 'ntp.precision', 'ntp.rootdelay', 'ntp.rootdispersion',
  'ntp.refid', 'ntp.reftime', 'ntp.org', 'ntp.rec', 'ntp.xmt', 'ntp.ext.type', 'ntp.ext.length',
] as const;

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** A timestamp as tshark prints an absolute time in UTC ("Aug 11, 2022 13:23:30.188058000
 *  UTC", nanoseconds truncated), the NTP zero time as NULL. */
function tsharkTime(t: NtpTimestamp): string {
  if (t.seconds === 0 && t.fraction === 0) return 'NULL';
  const d = new Date((t.seconds - 2208988800) * 1000);
  const ns = Math.floor((t.fraction * 1e9) / 2 ** 32);
  const p2 = (n: number): string => String(n).padStart(2, '0');
  return `${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, ' ')}, ${d.getUTCFullYear()} ${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())}.${String(ns).padStart(9, '0')} UTC`;
}

export function ntpFieldsOf(d: DecodedNtp | undefined): Fields {
  const f: Fields = new Map();
  if (d === undefined) return f;
  if (d.flags.li !== undefined) put(f, 'ntp.flags.li', [d.flags.li]);
  put(f, 'ntp.flags.vn', [d.flags.vn]);
  put(f, 'ntp.flags.mode', [d.flags.mode]);
  const one = (k: string, v: string | number | undefined): void => { if (v !== undefined) put(f, k, [v]); };
  one('ntp.stratum', d.stratum);
  one('ntp.ppoll', d.ppoll === undefined ? undefined : d.ppoll & 0xFF);
  one('ntp.precision', d.precision === undefined ? undefined : d.precision & 0xFF);
  one('ntp.rootdelay', d.rootdelay);
  one('ntp.rootdispersion', d.rootdispersion);
  one('ntp.refid', d.refid);
  for (const k of ['reftime', 'org', 'rec', 'xmt'] as const) { const t = d[k]; if (t !== undefined) one(`ntp.${k}`, tsharkTime(t)); }
  put(f, 'ntp.ext.type', d.ext?.type.map((t) => hex(t, 4)));
  put(f, 'ntp.ext.length', d.ext?.length);
  return f;
}

let dir = '';
const captures: Array<{ path: string; label: string }> = [];

test.before(() => {
  process.env.TZ = 'UTC';
  if (!haveTool('tshark') || !haveTool('tcpdump')) return;
  dir = mkdtempSync(join(tmpdir(), 'app-ntp-'));
  const e = createEngine();
  for (const path of [...corpusCaptures(), ...corpusMoreCaptures()]) {
    const has = readCaptureFile(path).records.some((r) => { const u = e.decode(r.data, r.linktype, r.wirelen).udp; return u !== undefined && (u.srcport === 123 || u.dstport === 123); });
    if (has) captures.push({ path, label: basename(path) });
  }
  captures.push({ path: ntpSeedCapture(dir), label: 'ntp-seeds' });
});

test.after(() => {
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

for (const backend of ['wasm', 'ts'] as const) {
  test(`every NTP field equals tshark's (${backend})`, () => {
    if (captures.length === 0) return;
    const t = newTally();
    let msgs = 0;
    eachPacketWithTshark(backend, captures, NTP_FIELDS, t, (c, { record, pkt, theirs }) => {
      if (pkt.ntp !== undefined) msgs++;
      compareFrame(c.label, record.number, ntpFieldsOf(pkt.ntp), theirs, t);
    });
    console.log(`app-ntp tshark (${backend}): ${t.captures} captures, ${t.frames} frames, ${t.values} field values compared, ${msgs} NTP messages, ${t.diffs.length} differences`);
    assert.equal(t.diffs, [], 'differences from tshark');
    if (corpusOrSkip('the corpus NTP captures were not compared with tshark (crafted messages only)', ['corpus', 'corpus-more'])) {
      assert.ok(t.captures >= 2 && msgs >= 18 && t.values >= 180, 'the NTP messages were compared');
    } else assert.ok(t.captures >= 1 && msgs >= 16 && t.values >= 179, 'the crafted NTP messages were compared');
  });
}

test('sniff -nn, -v and -vv print every packet of the NTP captures as tcpdump does (both engines)', () => {
  if (captures.length === 0) return;
  let ntp = 0;
  const diffs: string[] = [];
  for (const c of captures) for (const opts of [['-nn'], ['-nn', '-v'], ['-nn', '-vv']]) {
    const theirs = tcpdumpText(c.path, opts);
    assert.equal(theirs.problems, [], 'tcpdump read the capture');
    for (const engine of ['wasm', 'ts'] as const) {
      sniffPackets(c.path, opts, theirs.packets.length, engine).forEach((line, i) => {
        if (/NTPv|\[\|ntp\]/.test(theirs.packets[i])) ntp++;
        if (line !== theirs.packets[i]) diffs.push(`${c.label} #${i + 1} ${opts.join(' ')} (${engine}):\n  sniff   ${line}\n  tcpdump ${theirs.packets[i]}`);
      });
    }
  }
  console.log(`app-ntp sniff: ${ntp} NTP lines, ${diffs.length} differences from tcpdump`);
  assert.equal(diffs, [], 'sniff differs from tcpdump');
  if (corpusOrSkip('the corpus NTP captures were not sniffed (crafted messages only)', ['corpus', 'corpus-more'])) assert.ok(ntp >= 108, 'NTP lines were compared');
  else assert.ok(ntp >= 96, 'the crafted messages\' NTP lines were compared');
});

test('2,000 mutated and cut NTP messages print as tcpdump does with -v and -vv (both engines)', () => {
  if (dir === '') return;
  const rng = new Rng(seed());
  // From 42 (Ethernet, IPv4, UDP): the NTP message.
  const { frames, caplens } = mutateAndCut(rng, ntpSeedFrames().map((s) => s.frame), 2000, () => 42,
    () => [0x00, 0x01, 0x3e, 0x3f, 0x1b, 0x23, 0x26, 0xe3, 0x80, 0xff, rng.u32() & 255][rng.u32() % 11]);
  const path = join(dir, 'ntp-mutated.pcap');
  writeManyPcap(path, frames, caplens);
  let ntp = 0;
  const diffs: string[] = [];
  for (const opts of [['-nn', '-v'], ['-nn', '-vv']]) {
    const theirs = tcpdumpText(path, opts);
    assert.equal(theirs.problems, [], 'tcpdump read the capture');
    for (const engine of ['wasm', 'ts'] as const) {
      sniffPackets(path, opts, theirs.packets.length, engine).forEach((line, i) => {
        if (/NTPv|\[\|ntp\]/.test(theirs.packets[i])) ntp++;
        if (line !== theirs.packets[i]) diffs.push(`mutated #${i + 1} ${opts.join(' ')} (${engine}):\n  sniff   ${JSON.stringify(line)}\n  tcpdump ${JSON.stringify(theirs.packets[i])}`);
      });
    }
  }
  console.log(`app-ntp mutated: ${ntp} NTP texts, ${diffs.length} differences from tcpdump`);
  assert.equal(diffs.slice(0, 10), [], 'sniff differs from tcpdump');
  assert.ok(ntp >= 6000, 'the mutated messages were compared');
});

test(`WASM and twin give identical NTP records on mutated frames, never reading past caplen`, () => {
  const frames = Number(process.env.APP_FUZZ_FRAMES ?? 1_000_000);
  const seeds = ntpSeedFrames().map((s) => ({ frame: s.frame, linktype: LINKTYPE_ETHERNET }));
  const st = fuzzApp({
    proto: APP_NTP, seeds, frames, from: () => 42, special: [0x00, 0x10, 0x11, 0x24, 0x25, 0x23, 0x16, 0x17, 0xFF],
    check: (u8, rec, cap) => {
      for (let i = 0; i < u8[rec + A_COUNT]; i++) {
        const p = u8[rec + NTP_ITEMS + i * NTP_ITEM_SIZE + NI_OFF] | (u8[rec + NTP_ITEMS + i * NTP_ITEM_SIZE + NI_OFF + 1] << 8);
        if (p + 4 > cap) return `extension field ${i} past caplen`;
      }
      return null;
    },
  });
  console.log(`app-ntp fuzz: ${st.frames} frames (${seeds.length} seeds), ${st.decoded} decoded as NTP, ${st.truncated} truncated, ${st.malformed} malformed, ${st.ms} ms`);
  assert.ok(st.decoded > st.frames * 0.5 && st.truncated > st.frames * 0.05 && st.malformed > 0, 'the NTP decoder was exercised');
});

test.run();
