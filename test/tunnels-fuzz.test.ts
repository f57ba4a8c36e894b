// Hostile input on the encapsulation and tunnel paths (issue #15): the frames of the
// corpus and corpus-more that carry PPP, PPPoE, MPLS or a tunnel (and crafted ones of each
// kind), mutated at their header bytes and cut at random lengths, with their own link type
// or another of the PPP/IPoIB family. On every one: decode() (inner packets included) and
// the JSON sink give the same object on the WASM and the twin engine, decode() never
// throws, the text sink writes a line with -v, -e and -q without throwing, and the flow
// table's inner-frame batches (host/flows/inner-frames.ts) build without throwing.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createEngine } from '../host/engine/engine.js';
import { readCaptureFile } from '../host/sources/capture-file.js';
import { TextBuffer } from '../host/sinks/text/buffer.js';
import { TextFormatter } from '../host/sinks/text/format.js';
import { writeJsonPacket } from '../host/sinks/json-format.js';
import { InnerFrames } from '../host/flows/inner-frames.js';
import { corpusCaptures, corpusMoreCaptures, Rng, seed } from './lib/env.js';
import { L_MPLS, L_PPP, L_PPPOE, L_TUNNEL, LINKTYPE_ETHERNET } from '../host/runtime/layout.js';

const wasm = createEngine({ backend: 'wasm' });
const twin = createEngine({ backend: 'ts', memory: wasm.memory });
const FRAMES = Number(process.env.TUNNELS_FUZZ_FRAMES ?? 20000);

const be16 = (v: number): number[] => [v >>> 8, v & 0xff];
const MACS = [2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2];
const ip4 = (proto: number, p: number[]): number[] => [0x45, 0, ...be16(20 + p.length), 0, 1, 0, 0, 64, proto, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2, ...p];
const udp = (sp: number, dp: number, p: number[]): number[] => [...be16(sp), ...be16(dp), ...be16(8 + p.length), 0, 0, ...p];
const tcp = [...be16(1000), ...be16(80), 0, 0, 0, 1, 0, 0, 0, 1, 0x50, 0x18, 0x20, 0, 0, 0, 0, 0, 1, 2, 3, 4];
const eth = (type: number, p: number[]): number[] => [...MACS, ...be16(type), ...p];

function crafted(): Array<{ data: Uint8Array; linktype: number }> {
  const inner = eth(0x0800, ip4(6, tcp));
  const list = [
    eth(0x0800, ip4(17, udp(1, 4789, [8, 0, 0, 0, 0, 0, 5, 0, ...inner]))),
    eth(0x0800, ip4(17, udp(1, 6081, [2, 0x80, ...be16(0x6558), 0, 0, 5, 0, 1, 2, 3, 4, 5, 6, 7, 8, ...inner]))),
    eth(0x0800, ip4(47, [0xb0, 0, ...be16(0x6558), 0, 0, 0, 0, 0, 0, 0, 9, 0, 0, 0, 1, ...inner])),
    eth(0x0800, ip4(47, [0x30, 0x81, ...be16(0x880b), 0, 8, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0xff, 3, 0, 0x21, ...ip4(6, tcp)])),
    eth(0x0800, ip4(47, [0x10, 0, ...be16(0x22eb), 0, 0, 0, 1, 0x20, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, ...inner])),
    eth(0x0800, ip4(41, [0x60, 0, 0, 0, 0, 8, 17, 64, ...Array(32).fill(0), ...udp(1, 2, [])])),
    eth(0x8847, [0, 1, 0, 64, 0, 2, 1, 64, ...ip4(6, tcp)]),
    eth(0x8864, [0x11, 0, 0, 1, ...be16(22 + tcp.length), 0, 0x21, ...ip4(6, tcp)]),
    eth(0x8863, [0x11, 0x09, 0, 0, 0, 8, 1, 1, 0, 0, 1, 3, 0, 0]),
  ];
  return [
    ...list.map((d) => ({ data: Uint8Array.from(d), linktype: LINKTYPE_ETHERNET })),
    { data: Uint8Array.from([0xff, 3, 0, 0x21, ...ip4(6, tcp)]), linktype: 9 },
    { data: Uint8Array.from([0xff, 3, 0x02, 0x81, 0, 1, 1, 64, ...ip4(17, udp(1, 2, []))]), linktype: 50 },
    { data: Uint8Array.from([...Array(40).fill(1), 0x08, 0, 0, 0, ...ip4(6, tcp)]), linktype: 242 },
  ];
}

test(`${FRAMES} mutated encapsulated/tunnelled frames: WASM = twin in decode() and --json, no throw anywhere`, () => {
  const s = seed();
  console.log(`  SEED tunnels-fuzz ${s}`);
  const rng = new Rng(s);
  const pool = crafted();
  for (const path of [...corpusCaptures(), ...corpusMoreCaptures()]) {
    for (const r of readCaptureFile(path).records) {
      if (r.caplen > 4000) continue;
      const p = twin.decode(r.data, r.linktype, r.wirelen);
      if (p.inner !== undefined || p.ppp !== undefined || p.pppoe !== undefined || p.mpls !== undefined || p.gre !== undefined) pool.push({ data: r.data, linktype: r.linktype });
    }
  }
  const linktypes = [LINKTYPE_ETHERNET, 9, 50, 51, 104, 219, 242, 101];
  const bw = wasm.createBatch(1, 1 << 16);
  const bt = twin.createBatch(1, 1 << 16);
  const vw = wasm.createView();
  const out = new TextBuffer(-1);
  const fmts = [{ verbose: 1 }, { link: true }, { quiet: true }].map((o) => new TextFormatter(out, o));
  const json = new TextBuffer(-1);
  const inner = new InnerFrames(wasm, 4, 1 << 14);
  let tunnelled = 0;
  for (let n = 0; n < FRAMES; n++) {
    const src = pool[rng.int(pool.length)];
    const f = Uint8Array.from(src.data);
    const flips = 1 + rng.int(5);
    for (let k = 0; k < flips; k++) {
      const at = rng.bool(0.85) ? rng.int(Math.min(f.length, 96)) : rng.int(f.length);
      f[at] = rng.bool(0.5) ? rng.u32() & 255 : f[at] ^ (1 << rng.int(8));
    }
    const data = rng.bool(0.4) ? f.subarray(0, rng.int(f.length + 1)) : f;
    const wire = rng.bool(0.9) ? f.length : rng.int(4000);
    const lt = rng.bool(0.85) ? src.linktype : linktypes[rng.int(linktypes.length)];
    const a = wasm.decode(data, lt, wire);
    const b = twin.decode(data, lt, wire);
    assert.equal(a, b, `decode() differs (linktype ${lt}) on ${Buffer.from(data).toString('hex')}`);
    bw.clear();
    bw.push(data, lt, wire);
    wasm.dissect(bw);
    vw.at(bw, 0);
    const l = vw.layers;
    if (l & (L_TUNNEL | L_PPP | L_PPPOE | L_MPLS)) tunnelled++;
    for (const fmt of fmts) { fmt.format(vw, wasm.views.refresh().u8, 0, 0, n + 1); out.pos = 0; }
    json.pos = 0;
    writeJsonPacket(json, vw, wasm.views.refresh().u8, 0, 0, n + 1);
    const line = JSON.parse(Buffer.from(json.buf.subarray(0, json.pos)).toString('latin1')) as Record<string, unknown>;
    delete (line.frame as Record<string, unknown>).number;
    delete (line.frame as Record<string, unknown>).time_epoch;
    // The batch was dissected without the application layer: compare with its own decode.
    assert.equal(line, JSON.parse(JSON.stringify(wasm.decodeAt(bw, 0))), 'the JSON sink writes decode()\'s object');
    inner.forEach(bw, () => {});
    bt.clear();
  }
  console.log(`  NOTE tunnels-fuzz: ${FRAMES} frames from a pool of ${pool.length}, ${tunnelled} still encapsulated after mutation`);
  assert.ok(tunnelled > FRAMES / 4, `${tunnelled} of the mutated frames still carry an encapsulation`);
});

test.run();
