// --json's two line writers are each other's oracle: the WASM module (assembly/json/, driven
// by host/sinks/json/wasm-lines.ts, declining what it does not cover to the TS writer) and
// the TS writer alone (host/sinks/json-format.ts, whose lines test/sinks-json-app.test.ts
// ties to decode()) must write the same bytes for every frame: every frame of the corpora,
// the crafted seeds of every decoder, and mutated frames (bytes changed in the headers and
// in the DNS, HTTP and TLS messages, cut at any length). Every line must parse as JSON, and
// many frames (most of the corpora's) must be the module's own (not declined), so the
// comparison cannot pass by declining everything. Batches are written with a keep mask, and
// through a small output region, so that the skipping and the region's refills run too;
// each twice, with other bytes after every frame's captured end, and once more through
// json_lines()'s TS twin (host/sinks/json/twin.ts).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createEngine } from '../host/engine/engine.js';
import { readCaptureFile } from '../host/sources/capture-file.js';
import { AppArea, dissectApp } from '../host/app/app-area.js';
import { TextBuffer } from '../host/sinks/text/buffer.js';
import { writeJsonPacket } from '../host/sinks/json-format.js';
import { WasmJsonLines } from '../host/sinks/json/wasm-lines.js';
import { LINKTYPE_ETHERNET, FRAME_SIZE, FRAME_W_PTR, FRAME_W_CAPLEN } from '../host/runtime/layout.js';
import { corpusCaptures, corpusMoreCaptures, Rng, seed } from './lib/env.js';
import { dnsSeeds } from './lib/dns-seeds.js';
import { tlsSeedFrames } from './lib/tls-seeds.js';
import { httpSeedFrames } from './lib/http-seeds.js';
import { dhcpSeedFrames } from './lib/dhcp-seeds.js';
import { ntpSeedFrames } from './lib/ntp-seeds.js';
import { quicSeedFrames } from './lib/quic-seeds.js';
import { lineSeedFrames } from './lib/line-seeds.js';
import { icmpErrorSeeds } from './lib/icmp-error-seeds.js';
import { tcpFrame } from './lib/dns-frames.js';

interface Frame { data: Uint8Array; linktype: number; wirelen: number }

const MUTATED = Number(process.env.JSON_TWIN_MUTATED ?? 30000);
const BATCH = 256;
const engine = createEngine({ backend: 'wasm' });
const batch = engine.createBatch(BATCH, BATCH * 70000);
const area = new AppArea(engine, BATCH);
const view = engine.createView();
const keepAt = engine.arena.alloc(BATCH);
/** A region of 64 KiB fills every few dozen lines; frames needing more are declined. */
const lines = new WasmJsonLines(engine, 1 << 16);
const wasmOut = new TextBuffer(-1);
/** json_lines()'s TS twin (host/sinks/json/twin.ts) through the same driver. */
const twinLines = new WasmJsonLines(engine, 1 << 16, 'ts');
const twinOut = new TextBuffer(-1);
const tsOut = new TextBuffer(-1);

interface Tally { frames: number; kept: number; declined: number }

/** Writes the frames through both writers (one in `skipEvery` skipped by the keep mask, if
 *  set) and requires the same bytes, line by line. */
function check(frames: Frame[], what: string, skipEvery = 0): Tally {
  const t: Tally = { frames: frames.length, kept: 0, declined: 0 };
  for (let i = 0; i < frames.length; i += BATCH) {
    batch.clear();
    const chunk = frames.slice(i, i + BATCH);
    for (const [k, f] of chunk.entries()) {
      assert.ok(batch.push(f.data, f.linktype, f.wirelen));
      batch.setTime(k, 1700000000 + ((i + k) >> 3), (i + k) * 7919 % 1000000000);
    }
    dissectApp(engine, batch, area);
    const m = Buffer.from(engine.views.refresh().u8.buffer);
    const keep = m.subarray(keepAt, keepAt + BATCH);
    for (let k = 0; k < chunk.length; k++) keep[k] = skipEvery > 0 && (i + k) % skipEvery === 0 ? 0 : 1;
    // Twice, with other bytes after each frame's captured end (up to its slot's 16-byte
    // boundary): a read past caplen would show as a difference.
    poison(m, chunk.length, 0xFF);
    wasmOut.pos = 0;
    const d0 = lines.declined;
    lines.writeBatch(batch, view, m, skipEvery > 0 ? keepAt : 0, i + 1, wasmOut);
    lines.drain(m, wasmOut);
    t.declined += lines.declined - d0;
    const first = Buffer.from(wasmOut.buf.subarray(0, wasmOut.pos));
    poison(m, chunk.length, 0x00);
    wasmOut.pos = 0;
    lines.writeBatch(batch, view, m, skipEvery > 0 ? keepAt : 0, i + 1, wasmOut);
    lines.drain(m, wasmOut);
    assert.ok(first.equals(Buffer.from(wasmOut.buf.subarray(0, wasmOut.pos))), `${what} batch at ${i + 1}: the WASM lines depend on bytes past a frame's caplen`);
    twinOut.pos = 0;
    twinLines.writeBatch(batch, view, m, skipEvery > 0 ? keepAt : 0, i + 1, twinOut);
    twinLines.drain(m, twinOut);
    assert.ok(first.equals(Buffer.from(twinOut.buf.subarray(0, twinOut.pos))), `${what} batch at ${i + 1}: json_lines()'s twin writes the module's bytes`);
    tsOut.pos = 0;
    const starts: number[] = [];
    for (let k = 0; k < chunk.length; k++) {
      if (keep[k] === 0) continue;
      view.at(batch, k);
      starts.push(k);
      writeJsonPacket(tsOut, view, engine.views.refresh().u8, 1700000000 + ((i + k) >> 3), (i + k) * 7919 % 1000000000, i + k + 1);
    }
    t.kept += starts.length;
    const a = Buffer.from(wasmOut.buf.subarray(0, wasmOut.pos));
    const b = Buffer.from(tsOut.buf.subarray(0, tsOut.pos));
    if (!a.equals(b)) {
      const la = a.toString('latin1').split('\n');
      const lb = b.toString('latin1').split('\n');
      const j = la.findIndex((x, n) => x !== lb[n]);
      const k = starts[j] ?? -1;
      assert.fixture(la[j] ?? '(none)', lb[j] ?? '(none)', `${what} #${i + k + 1} (${k >= 0 ? Buffer.from(chunk[k].data).toString('hex') : '?'}): the WASM line is the TS writer's`);
    }
    const text = a.toString('utf8');
    const parts = text.split('\n');
    assert.is(parts.pop(), '', `${what}: the output ends with a newline`);
    assert.is(parts.length, starts.length, `${what}: one line per kept frame`);
    for (const [n, line] of parts.entries()) {
      try { JSON.parse(line); } catch { assert.unreachable(`${what} #${i + starts[n] + 1}: not JSON: ${line}`); }
    }
  }
  return t;
}

/** Fills the bytes after each frame's caplen up to its 16-byte slot boundary with `b`. */
function poison(m: Buffer, count: number, b: number): void {
  const u32 = engine.views.refresh().u32;
  for (let k = 0; k < count; k++) {
    const e = (batch.table + k * FRAME_SIZE) >>> 2;
    const end = u32[e + FRAME_W_PTR] + u32[e + FRAME_W_CAPLEN];
    m.fill(b, end, (end + 15) & ~15);
  }
}

const eth = (data: Uint8Array): Frame => ({ data, linktype: LINKTYPE_ETHERNET, wirelen: data.length });
const cut = (x: { frame: Uint8Array; caplen: number }): Frame => ({ data: x.frame.subarray(0, x.caplen), linktype: LINKTYPE_ETHERNET, wirelen: x.frame.length });

function seedFrames(): Frame[] {
  return [
    ...dnsSeeds().map((s) => eth(s.frame)), ...tlsSeedFrames().map(eth),
    ...[httpSeedFrames(), dhcpSeedFrames(), ntpSeedFrames(), quicSeedFrames(), lineSeedFrames()].flatMap((x) => x.map(cut)),
    ...icmpErrorSeeds().map((s) => eth(s.frame)),
    ...manyTlsRecords(), ...httpUtf8(),
  ];
}

/** HTTP heads whose strings a TextDecoder reads with replacements (the module writes them as
 *  JSON.stringify of decode()'s strings): valid 2-4 byte sequences, overlong forms, UTF-16
 *  surrogates, sequences cut by another byte or by the end, bytes that never start one, a
 *  leading BOM (dropped), control characters, quotes and backslashes. */
function httpUtf8(): Frame[] {
  const ends = { src: '192.0.2.10', dst: '192.0.2.20', sport: 40000, dport: 80 };
  const odd = [
    [0xC3, 0xA9], [0xE2, 0x82, 0xAC], [0xF0, 0x9F, 0x98, 0x80], [0xC0, 0xAF], [0xE0, 0x80, 0xAF], [0xED, 0xA0, 0x80],
    [0xF4, 0x90, 0x80, 0x80], [0xF5, 0x41], [0xE2, 0x82], [0xE2, 0x41], [0xF0, 0x9F, 0x98], [0x80, 0xBF], [0xFF, 0xFE],
    [0xEF, 0xBB, 0xBF, 0x41], [0x01, 0x09, 0x1F, 0x7F], [0x22, 0x5C, 0x2F], [0xC2], [0xE0, 0xA0], [0xF0, 0x90, 0x80],
  ];
  const ascii = (t: string): number[] => [...t].map((c) => c.charCodeAt(0));
  return odd.flatMap((b) => [
    eth(tcpFrame(ends, Uint8Array.from([...ascii('GET /a'), ...b, ...ascii(' HTTP/1.1\r\nHost: '), ...b, ...ascii('\r\nUser-Agent: x'), ...b, ...ascii('\r\n\r\n')]), false)),
    eth(tcpFrame({ ...ends, sport: 80, dport: 40000 }, Uint8Array.from([...ascii('HTTP/1.1 200 O'), ...b, ...ascii('\r\nServer: '), ...b, ...ascii('\r\nContent-Type: '), ...b]), false)),
  ]);
}

/** Segments of more TLS records than an app record holds (the module decodes them again
 *  into a long record): 60 of application data, 60 with a handshake record among the last
 *  (declined: the TS reader's passes read handshakes their own way), 300 (more than the
 *  long record holds), and the last one going on past the segment. */
function manyTlsRecords(): Frame[] {
  const ends = { src: '192.0.2.10', dst: '192.0.2.20', sport: 40000, dport: 443 };
  const records = (n: number, hsAt = -1): number[] => Array.from({ length: n }, (_, i) => i === hsAt ? [22, 3, 3, 0, 4, 20, 0, 0, 0] : [23, 3, 3, 0, 1, i & 255]).flat();
  return [
    eth(tcpFrame(ends, Uint8Array.from(records(60)), false)),
    eth(tcpFrame(ends, Uint8Array.from(records(60, 40)), false)),
    eth(tcpFrame(ends, Uint8Array.from(records(300)), false)),
    eth(tcpFrame(ends, Uint8Array.from([...records(40), 23, 3, 3, 1, 0]), false)),
  ];
}

const note = (what: string, t: Tally): void => console.log(`\nNOTE json twin (${what}): ${t.kept} of ${t.frames} lines the same bytes from both writers, ${t.kept - t.declined} written by the WASM module, ${t.declined} declined to the TS writer`);

test('WASM and TS --json lines are the same bytes: crafted seeds', () => {
  const t = check(seedFrames(), 'seeds');
  note('seeds', t);
  // The seeds are mostly application messages the module declines (TLS, DHCP, NTP, QUIC ...).
  assert.ok(t.kept - t.declined >= 40, 'the module wrote the DNS and HTTP seed lines itself');
  const s = check(seedFrames(), 'seeds, one in 3 skipped', 3);
  assert.ok(s.kept < s.frames, 'the keep mask skipped frames');
});

test('WASM and TS --json lines are the same bytes: every corpus frame', () => {
  const frames: Frame[] = [];
  for (const path of [...corpusCaptures(), ...corpusMoreCaptures()]) {
    for (const r of readCaptureFile(path).records) {
      if (r.caplen <= 65535) frames.push({ data: r.data, linktype: r.linktype, wirelen: r.wirelen });
    }
  }
  if (frames.length === 0) return; // corpusCaptures() printed the SKIP line
  const t = check(frames, 'corpus');
  note('corpus', t);
  assert.ok(t.kept - t.declined >= t.kept / 2, 'the module wrote most corpus lines itself');
});

test(`WASM and TS --json lines are the same bytes: ${MUTATED} mutated frames`, () => {
  const rng = new Rng(seed());
  const seeds = seedFrames().filter((f) => f.data.length > 60).map((f) => f.data);
  // Bytes that change which path a string takes or how it reads.
  const special = [0x22, 0x5C, 0x7F, 0x1F, 0x20, 0x2E, 0xE9, 0xC3, 0x80, 0xFF, 0xC0, 0x3F, 0x40, 0x00, 0x01, 0x0D, 0x0A, 0x3A];
  const frames: Frame[] = [];
  for (let n = 0; n < MUTATED; n++) {
    const f = Uint8Array.from(seeds[rng.int(seeds.length)]);
    // One in four mutations starts in the link or IP header, the rest in the transport
    // header and the message.
    const from = rng.bool(0.25) ? 12 : 34;
    for (let k = rng.int(4); k >= 0; k--) {
      const at = from + rng.int(f.length - from);
      f[at] = rng.bool(0.5) ? special[rng.int(special.length)] : rng.u32() & 255;
    }
    const data = rng.bool(0.2) ? f.subarray(0, from + rng.int(f.length - from + 1)) : f;
    frames.push({ data, linktype: LINKTYPE_ETHERNET, wirelen: f.length });
  }
  const t = check(frames, `mutated (SEED=${seed()})`, 7);
  note('mutated', t);
  assert.ok(t.kept - t.declined >= t.kept / 8 && t.declined >= t.kept / 50, 'both writers wrote many mutated lines');
});

test.run();
