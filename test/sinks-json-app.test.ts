// --json with the application layer (issue #16): every line the JSON sink writes for a frame
// dissected with its app record parses back to exactly decode()'s object for that frame
// (plus frame.number and frame.time_epoch). decode()'s application objects are compared
// with tshark by the test/app-*-tshark tests; this ties the sink's own writers to them: the
// DNS message written straight from the app record (host/sinks/json/dns.ts), the byte
// writers of the lower layers (host/sinks/json/bytes.ts), and the serialised objects of the
// rest (TLS, HTTP, DHCP, a frame with a dissection error ...).
// Frames: the crafted seeds of every decoder, every corpus (and corpus-more) frame a decoder
// claims, and mutated DNS, HTTP and TLS messages (names and strings with quotes,
// backslashes, control and non-ASCII bytes, pointers, cut records), so that both the
// direct paths (host/sinks/json/dns.ts, http.ts, tls.ts) and their fall-back run. Each
// batch is written by the WASM line writer too (assembly/json/, the --json path of a 'wasm'
// engine), whose lines must be the same objects.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createEngine } from '../host/engine/engine.js';
import { readCaptureFile } from '../host/sources/capture-file.js';
import { AppArea, dissectApp } from '../host/app/app-area.js';
import { TextBuffer } from '../host/sinks/text/buffer.js';
import { writeJsonPacket } from '../host/sinks/json-format.js';
import { WasmJsonLines } from '../host/sinks/json/wasm-lines.js';
import { writeDnsJson } from '../host/sinks/json/dns.js';
import { writeHttpJson } from '../host/sinks/json/http.js';
import { writeTlsJson } from '../host/sinks/json/tls.js';
import { A_PROTO, APP_DNS, APP_HTTP, APP_TLS, APP_NONE } from '../host/app/app-layout.js';
import { LINKTYPE_ETHERNET } from '../host/runtime/layout.js';
import { corpusCaptures, corpusMoreCaptures, Rng, seed } from './lib/env.js';
import { dnsSeeds } from './lib/dns-seeds.js';
import { tlsSeedFrames } from './lib/tls-seeds.js';
import { tcpFrame } from './lib/dns-frames.js';
import { httpSeedFrames } from './lib/http-seeds.js';
import { dhcpSeedFrames } from './lib/dhcp-seeds.js';
import { ntpSeedFrames } from './lib/ntp-seeds.js';
import { quicSeedFrames } from './lib/quic-seeds.js';
import { lineSeedFrames } from './lib/line-seeds.js';

interface Frame { data: Uint8Array; linktype: number; wirelen: number }

const MUTATED = Number(process.env.JSON_APP_MUTATED ?? 20000);
const BATCH = 256;
const engine = createEngine();
const batch = engine.createBatch(BATCH, BATCH * 70000);
const area = new AppArea(engine, BATCH);
const view = engine.createView();
const out = new TextBuffer(-1);
const scratch = new TextBuffer(-1);
/** The WASM line writer (--json on a 'wasm' engine), which declines frames to the TS writer:
 *  its lines of each batch must be decode()'s objects too. */
const wasmLines = new WasmJsonLines(engine);
const wasmOut = new TextBuffer(-1);

interface Tally { lines: number; app: number; dnsDirect: number; dnsGeneral: number; httpDirect: number; httpGeneral: number; tlsDirect: number; tlsGeneral: number }
const tally = (): Tally => ({ lines: 0, app: 0, dnsDirect: 0, dnsGeneral: 0, httpDirect: 0, httpGeneral: 0, tlsDirect: 0, tlsGeneral: 0 });

/** Writes each frame's line and compares it with decode(); counts which DNS path ran. */
function check(frames: Frame[], what: string, t: Tally): void {
  for (let i = 0; i < frames.length; i += BATCH) {
    batch.clear();
    const chunk = frames.slice(i, i + BATCH);
    for (const [k, f] of chunk.entries()) {
      assert.ok(batch.push(f.data, f.linktype, f.wirelen));
      batch.setTime(k, 1700000000 + i + k, (i + k) * 7919 % 1000000000);
    }
    dissectApp(engine, batch, area);
    const expectedLines: unknown[] = [];
    for (let k = 0; k < chunk.length; k++) {
      view.at(batch, k);
      const m = engine.views.refresh().u8;
      const n = i + k + 1;
      out.pos = 0;
      writeJsonPacket(out, view, m, 1700000000 + i + k, (i + k) * 7919 % 1000000000, n);
      const text = Buffer.from(out.buf.subarray(0, out.pos)).toString('utf8');
      assert.ok(text.endsWith('\n') && text.indexOf('\n') === text.length - 1, `${what} #${n}: one line`);
      const expected = engine.decodeAt(batch, k);
      Object.assign(expected.frame, { number: n, time_epoch: `${1700000000 + i + k}.${String((i + k) * 7919 % 1000000000).padStart(9, '0')}` });
      const hex = Buffer.from(chunk[k].data).toString('hex');
      assert.equal(JSON.parse(text), JSON.parse(JSON.stringify(expected)), `${what} #${n}: the line is decode()'s object (${hex})`);
      expectedLines.push(JSON.parse(JSON.stringify(expected)));
      t.lines++;
      if (view.app !== 0 && m[view.app + A_PROTO] !== APP_NONE) t.app++;
      if (view.app !== 0 && m[view.app + A_PROTO] === APP_DNS && view.errors === 0) {
        scratch.pos = 0;
        if (writeDnsJson(scratch, m, view.frame, view.app)) t.dnsDirect++; else t.dnsGeneral++;
      }
      if (view.app !== 0 && m[view.app + A_PROTO] === APP_HTTP && view.errors === 0) {
        scratch.pos = 0;
        if (writeHttpJson(scratch, m, view.frame, view.app)) t.httpDirect++; else t.httpGeneral++;
      }
      if (view.app !== 0 && m[view.app + A_PROTO] === APP_TLS && view.errors === 0) {
        scratch.pos = 0;
        if (writeTlsJson(scratch, m, view.frame, view.app)) t.tlsDirect++; else t.tlsGeneral++;
      }
    }
    const m = Buffer.from(engine.views.refresh().u8.buffer);
    wasmOut.pos = 0;
    wasmLines.writeBatch(batch, view, m, 0, i + 1, wasmOut);
    wasmLines.drain(m, wasmOut);
    const got = Buffer.from(wasmOut.buf.subarray(0, wasmOut.pos)).toString('utf8').split('\n');
    assert.is(got.pop(), '', `${what}: the WASM writer's lines end with a newline`);
    assert.is(got.length, chunk.length, `${what}: one WASM line per frame`);
    got.forEach((line, k) => assert.equal(JSON.parse(line), expectedLines[k], `${what} #${i + k + 1}: the WASM writer's line is decode()'s object (${Buffer.from(chunk[k].data).toString('hex')})`));
  }
}

const eth = (data: Uint8Array): Frame => ({ data, linktype: LINKTYPE_ETHERNET, wirelen: data.length });
const cut = (x: { frame: Uint8Array; caplen: number }): Frame => ({ data: x.frame.subarray(0, x.caplen), linktype: LINKTYPE_ETHERNET, wirelen: x.frame.length });

test('--json lines of the crafted application messages equal decode()', () => {
  const t = tally();
  check(dnsSeeds().map((s) => eth(s.frame)), 'dns seeds', t);
  check(tlsSeedFrames().map(eth), 'tls seeds', t);
  // The most JSON per captured byte: a segment of empty TLS records (5 bytes each, ~50
  // characters of JSON), and one whose last record goes on past the segment.
  const empty = new Uint8Array(1400);
  for (let i = 0; i < empty.length; i += 5) empty.set([23, 3, 3, 0, 0], i);
  const ends = { src: '192.0.2.10', dst: '192.0.2.20', sport: 40000, dport: 443 };
  check([eth(tcpFrame(ends, empty, false)), eth(tcpFrame(ends, Uint8Array.from([...empty.subarray(0, 1395), 23, 3, 3, 1, 0]), false))], 'empty tls records', t);
  for (const [what, frames] of [['http', httpSeedFrames()], ['dhcp', dhcpSeedFrames()], ['ntp', ntpSeedFrames()], ['quic', quicSeedFrames()], ['lines', lineSeedFrames()]] as const) {
    check(frames.map(cut), `${what} seeds`, t);
  }
  console.log(`\nNOTE json app (crafted): ${t.lines} lines equal decode(), ${t.app} with an application object; DNS written directly ${t.dnsDirect}, through decode()'s object ${t.dnsGeneral}; HTTP ${t.httpDirect} / ${t.httpGeneral}; TLS ${t.tlsDirect} / ${t.tlsGeneral}`);
  assert.ok(t.app >= 100, `${t.app} crafted frames had an application object`);
  assert.ok(t.dnsDirect >= 20 && t.dnsGeneral >= 2, 'both DNS paths ran');
  assert.ok(t.httpDirect >= 10, 'HTTP written directly');
  assert.ok(t.tlsDirect >= 10, 'TLS written directly');
});

test('--json lines of every corpus frame a decoder claims equal decode()', () => {
  const frames: Frame[] = [];
  for (const path of [...corpusCaptures(), ...corpusMoreCaptures()]) {
    for (const r of readCaptureFile(path).records) {
      if (r.caplen > 65535) continue;
      const d = engine.decode(r.data, r.linktype, r.wirelen);
      const appKeys = ['dns', 'tls', 'http', 'dhcp', 'dhcpv6', 'ntp', 'quic', 'ssh', 'tftp', 'syslog'];
      if (appKeys.some((k) => k in d)) frames.push({ data: r.data, linktype: r.linktype, wirelen: r.wirelen });
    }
  }
  if (frames.length === 0) return; // corpusCaptures() printed the SKIP line
  const t = tally();
  check(frames, 'corpus', t);
  console.log(`\nNOTE json app (corpus): ${t.lines} lines equal decode(); DNS written directly ${t.dnsDirect}, through decode()'s object ${t.dnsGeneral}; HTTP ${t.httpDirect} / ${t.httpGeneral}; TLS ${t.tlsDirect} / ${t.tlsGeneral}`);
  assert.ok(t.dnsDirect >= 100, `${t.dnsDirect} corpus DNS messages written directly`);
});

test(`--json lines of ${MUTATED} mutated DNS, HTTP and TLS messages equal decode()`, () => {
  const rng = new Rng(seed());
  // [frame, first byte of the message]: UDP DNS after 42 bytes, HTTP and TLS over TCP after 54.
  const seeds: Array<[Uint8Array, number]> = [
    ...dnsSeeds().map((s) => s.frame).filter((f) => f.length > 54).map((f): [Uint8Array, number] => [f, 42]),
    ...httpSeedFrames().map((x) => x.frame.subarray(0, x.caplen)).filter((f) => f.length > 60).map((f): [Uint8Array, number] => [f, 54]),
    ...tlsSeedFrames().filter((f) => f.length > 60).map((f): [Uint8Array, number] => [f, 54]),
  ];
  // Bytes that change which path a string takes or how it reads.
  const special = [0x22, 0x5C, 0x7F, 0x1F, 0x20, 0x2E, 0xE9, 0xC3, 0x80, 0xFF, 0xC0, 0x3F, 0x40, 0x00, 0x01, 0x0D, 0x0A, 0x3A];
  const frames: Frame[] = [];
  for (let n = 0; n < MUTATED; n++) {
    const [src, from] = seeds[rng.int(seeds.length)];
    const f = Uint8Array.from(src);
    const flips = rng.int(4);
    for (let k = 0; k < flips; k++) {
      const at = from + rng.int(f.length - from);
      f[at] = rng.bool(0.5) ? special[rng.int(special.length)] : rng.u32() & 255;
    }
    const data = rng.bool(0.2) ? f.subarray(0, from + rng.int(f.length - from + 1)) : f;
    frames.push({ data, linktype: LINKTYPE_ETHERNET, wirelen: f.length });
  }
  const t = tally();
  check(frames, `mutated (SEED=${seed()})`, t);
  console.log(`\nNOTE json app (mutated DNS, HTTP, TLS): ${t.lines} lines equal decode(); DNS written directly ${t.dnsDirect}, through decode()'s object ${t.dnsGeneral}; HTTP ${t.httpDirect} / ${t.httpGeneral}; TLS ${t.tlsDirect} / ${t.tlsGeneral}`);
  assert.ok(t.dnsDirect >= MUTATED / 20 && t.dnsGeneral >= MUTATED / 20, 'both DNS paths ran often');
  assert.ok(t.httpDirect >= MUTATED / 100 && t.httpGeneral >= MUTATED / 200, 'both HTTP paths ran');
  assert.ok(t.tlsDirect >= MUTATED / 100 && t.tlsGeneral >= MUTATED / 1000, 'both TLS paths ran');
});

test.run();
