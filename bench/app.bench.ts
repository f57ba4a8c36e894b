// The application layer (issue #16): decoding at line rate.
//  1. DNS-heavy, TLS-heavy and HTTP-heavy batches (the corpus frames a decoder claims and
//     the crafted frames of test/lib/{dns,tls,http}-seeds.ts, cycled): dissection L2-L4
//     only, then with DF_APP (the app records filled), WASM vs the TS twin, in Mpps.
//  2. The common path: a batch with no application message (the mixed sample frames),
//     with and without DF_APP, to show what asking for the application layer costs there.
//  3. --log dns in process: the log stage over the DNS batch (transactions per second).
//  4. --log dns as a whole process on a generated capture, against tshark's two-pass
//     request/response matching of the same file (dns.time, what --log dns computes).
//  5. sniff --json against tshark -T json as whole processes on one capture of DNS, TLS and
//     HTTP frames (the goal: 50x tshark), both writing to /dev/null; before it, the
//     two line writers in process over a batch of the same frames (the WASM module,
//     assembly/json/, and its TS twin, host/sinks/json-format.ts), in Mpps.
//  6. Hostile input: every decoder on mutated frames (test/lib/app-fuzz.ts: WASM and twin
//     records byte-identical, nothing read past caplen), 10 M frames each.
// Sizes: APP_BENCH_FRAMES (batch, default 65536), APP_BENCH_TIME_MS (per contender,
// default 1000), APP_BENCH_LOG_FRAMES (the generated capture, default 1,000,000),
// APP_BENCH_JSON_FRAMES (the --json capture, default 200,000), APP_BENCH_FUZZ (mutated
// frames per decoder, default 10,000,000). --tiny (BENCH_TINY=1) shrinks them all; or by
// hand: APP_BENCH_FRAMES=512 APP_BENCH_TIME_MS=50 APP_BENCH_LOG_FRAMES=2000
// APP_BENCH_JSON_FRAMES=2000 APP_BENCH_FUZZ=2000.
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEngine } from '../host/engine/engine.js';
import { exportsOf } from '../host/engine/backend.js';
import { APP } from '../host/app/exports.js';
import { AppArea, dissectApp } from '../host/app/app-area.js';
import { LogStage } from '../host/pipeline/log-stage.js';
import { APP_SIZE, APP_DNS, APP_TLS, APP_HTTP, APP_DHCP, APP_DHCP6, APP_NTP, APP_QUIC, APP_SSH, APP_TFTP, APP_SYSLOG, APP_IGMP, APP_OSPF } from '../host/app/app-layout.js';
import { DESC_SIZE, DF_APP, LINKTYPE_ETHERNET } from '../host/runtime/layout.js';
import { readCaptureFile } from '../host/sources/capture-file.js';
import { corpusCaptures, corpusMoreCaptures, repoRoot } from '../test/lib/env.js';
import { dnsSeeds } from '../test/lib/dns-seeds.js';
import { tlsSeedFrames } from '../test/lib/tls-seeds.js';
import { httpSeedFrames } from '../test/lib/http-seeds.js';
import { dhcpSeedFrames, dhcpSeeds } from '../test/lib/dhcp-seeds.js';
import { ntpSeedFrames } from '../test/lib/ntp-seeds.js';
import { l3Seeds, l3SeedFrames } from '../test/lib/l3-seeds.js';
import { quicSeedFrames } from '../test/lib/quic-seeds.js';
import { lineSeedFrames, lineSeeds, writeManyPcap } from '../test/lib/line-seeds.js';
import { fuzzApp } from '../test/lib/app-fuzz.js';
import { buildSampleFrames } from '../test/lib/sample-frames.js';
import { message, optRecord, rd, udpFrame } from '../test/lib/dns-frames.js';
import { compare } from './lib/compare.js';
import { WasmJsonLines } from '../host/sinks/json/wasm-lines.js';
import { writeJsonPacket } from '../host/sinks/json-format.js';
import { TextBuffer } from '../host/sinks/text/buffer.js';
import { sized } from './lib/results.js';

const FRAMES = Number(process.env.APP_BENCH_FRAMES ?? sized(65536, 1024));
const TIME_MS = Number(process.env.APP_BENCH_TIME_MS ?? 1000);
const LOG_FRAMES = Number(process.env.APP_BENCH_LOG_FRAMES ?? sized(1_000_000, 5_000));
const JSON_FRAMES = Number(process.env.APP_BENCH_JSON_FRAMES ?? sized(200_000, 2_000));
const FUZZ = Number(process.env.APP_BENCH_FUZZ ?? sized(10_000_000, 2_000));

const wasm = createEngine({ backend: 'wasm' });
const twin = createEngine({ backend: 'ts', memory: wasm.memory });
const appW = exportsOf(wasm, APP, 'wasm');
const appT = exportsOf(twin, APP, 'ts'); // the app twin twin.core's dissector calls
let sink = 0;

interface Sample { data: Uint8Array; linktype: number }

/** The crafted frames of a protocol and every corpus frame (top level and corpus-more)
 *  whose decode() has that application object. */
function appSamples(key: 'dns' | 'tls' | 'http', crafted: Uint8Array[]): Sample[] {
  const out: Sample[] = crafted.map((data) => ({ data, linktype: LINKTYPE_ETHERNET }));
  for (const path of [...corpusCaptures(), ...corpusMoreCaptures()]) {
    for (const r of readCaptureFile(path).records) {
      if (r.data.length > 2048) continue;
      const d = wasm.decode(r.data, r.linktype, r.wirelen);
      if (d[key] !== undefined) out.push({ data: r.data.slice(), linktype: r.linktype });
    }
  }
  return out;
}

async function batchBench(title: string, samples: Sample[]): Promise<void> {
  const batch = wasm.createBatch(FRAMES, 16);
  const stride = 2048;
  const data = wasm.arena.alloc(FRAMES * stride);
  const twinDescs = wasm.arena.alloc(FRAMES * DESC_SIZE);
  const areaW = new AppArea(wasm, FRAMES);
  const areaT = wasm.arena.alloc(FRAMES * APP_SIZE);
  const m = wasm.views.refresh().u8;
  for (let i = 0; i < FRAMES; i++) {
    const s = samples[i % samples.length];
    m.set(s.data, data + i * stride);
    batch.pushRef(data + i * stride, s.data.length, s.data.length, s.linktype);
  }
  await compare({ title, unitsPerCall: FRAMES, throughput: 'Mpps', timeMs: TIME_MS }, [
    { name: 'wasm L2-L4', fn: () => { sink ^= wasm.core.dissect_batch(batch.table, FRAMES, batch.descs, 0); } },
    { name: 'wasm L2-L4 + app (DF_APP)', fn: () => { appW.app_bind(batch.descs, areaW.base, FRAMES); sink ^= wasm.core.dissect_batch(batch.table, FRAMES, batch.descs, DF_APP); } },
    { name: 'ts twin L2-L4', fn: () => { sink ^= twin.core.dissect_batch(batch.table, FRAMES, twinDescs, 0); } },
    { name: 'ts twin L2-L4 + app (DF_APP)', fn: () => { appT.app_bind(twinDescs, areaT, FRAMES); sink ^= twin.core.dissect_batch(batch.table, FRAMES, twinDescs, DF_APP); } },
  ]);
}

const dns = appSamples('dns', dnsSeeds().map((x) => x.frame));
const tls = appSamples('tls', tlsSeedFrames());
const http = appSamples('http', httpSeedFrames().map((x) => x.frame));
console.log(`${dns.length} DNS, ${tls.length} TLS and ${http.length} HTTP sample frames (corpus and crafted), cycled to ${FRAMES} per batch`);
await batchBench(`DNS-heavy batch, ${FRAMES} frames: dissection with and without the application layer`, dns);
await batchBench(`TLS-heavy batch, ${FRAMES} frames: dissection with and without the application layer`, tls);
await batchBench(`HTTP-heavy batch, ${FRAMES} frames: dissection with and without the application layer`, http);
await batchBench(`no DNS (mixed L2-L4 samples), ${FRAMES} frames: what DF_APP costs the common path`, buildSampleFrames().map((s) => ({ data: s.data, linktype: s.linktype })));

/** --json's line writers in process: one 1024-frame batch of `mix`, dissected with the
 *  application layer once, written again and again into memory by each. */
async function jsonLinesBench(mix: Sample[]): Promise<void> {
  const n = 1024;
  const batch = wasm.createBatch(n, n * 2048);
  const area = new AppArea(wasm, n);
  for (let i = 0; i < n; i++) { batch.push(mix[i % mix.length].data, LINKTYPE_ETHERNET); batch.setTime(i, 1700000000 + (i >> 6), i * 7919); }
  dissectApp(wasm, batch, area);
  const lines = new WasmJsonLines(wasm);
  const view = wasm.createView();
  const out = new TextBuffer(-1, 4 << 20);
  await compare({ title: `--json lines in process: ${n}-frame batches of DNS, TLS and HTTP frames (dissected once)`, unitsPerCall: n, throughput: 'Mpps', timeMs: TIME_MS }, [
    {
      name: 'wasm writer (assembly/json)', fn: () => {
        const m = Buffer.from(wasm.views.refresh().u8.buffer);
        out.pos = 0;
        lines.writeBatch(batch, view, m, 0, 1, out);
        lines.drain(m, out);
      },
    },
    {
      name: 'ts writer (json-format.ts)', fn: () => {
        const m = wasm.views.refresh().u8;
        out.pos = 0;
        for (let i = 0; i < n; i++) { view.at(batch, i); writeJsonPacket(out, view, m, 1700000000 + (i >> 6), i * 7919, i + 1); }
      },
    },
  ]);
  console.log(`  (${lines.declined} of the WASM writer's lines declined to the TS writer)`);
}

// 3. The log stage in process, over DNS batches (dissected with the app layer each time).
const work = mkdtempSync(join(tmpdir(), 'app-bench-'));
try {
  const fd = openSync('/dev/null', 'w');
  const stage = new LogStage(wasm, ['dns'], fd);
  const batch = wasm.createBatch(1024, 1024 * 2048);
  const area = new AppArea(wasm, 1024);
  let t = 1700000000;
  await compare({ title: '--log dns in process: log stage over 1024-frame DNS batches', unitsPerCall: 1024, throughput: 'Mpps', timeMs: TIME_MS }, [
    {
      name: 'dissect + app + log (wasm)', fn: () => {
        batch.clear();
        for (let i = 0; i < 1024; i++) { batch.push(dns[i % dns.length].data, LINKTYPE_ETHERNET); batch.setTime(i, t, i * 1000); }
        t++;
        dissectApp(wasm, batch, area);
        stage.process(batch, 0, { firstRecord: 1, firstMatch: 1, filtered: false });
      },
    },
  ]);
  stage.finish();
  closeSync(fd);

  // 4. Whole processes on a generated capture: queries and answers, a few unanswered.
  const path = join(work, 'dns-log.pcap');
  writeDnsCapture(path, LOG_FRAMES);
  const t0 = process.hrtime.bigint();
  const ours = spawnSync(process.execPath, [join(repoRoot, 'host/sniff.js'), '--log', 'dns', '-r', path], { encoding: 'utf8', maxBuffer: 1 << 30 });
  const oursS = Number(process.hrtime.bigint() - t0) / 1e9;
  if (ours.status !== 0) throw new Error(`sniff --log dns: ${ours.stderr}`);
  const lines = ours.stdout.split('\n').filter((l) => l !== '').length;
  const t1 = process.hrtime.bigint();
  const ts = spawnSync('tshark', ['-2', '-r', path, '-T', 'fields', '-e', 'dns.id', '-e', 'dns.time'], { encoding: 'utf8', maxBuffer: 1 << 30 });
  const tsS = Number(process.hrtime.bigint() - t1) / 1e9;
  console.log(`\n--log dns, whole process, ${LOG_FRAMES} frames: sniff ${oursS.toFixed(2)} s (${(LOG_FRAMES / oursS / 1e6).toFixed(2)} Mpps, ${lines} transactions)` +
    (ts.status === 0 ? `; tshark -2 dns.id,dns.time ${tsS.toFixed(2)} s: ${(tsS / oursS).toFixed(1)}x` : '; tshark not run'));

  // 5. --json against tshark -T json, whole processes, on DNS, TLS and HTTP frames.
  const jsonPath = join(work, 'app-json.pcap');
  const mix = [...dns, ...tls, ...http].filter((x) => x.linktype === LINKTYPE_ETHERNET);
  const frames = Array.from({ length: JSON_FRAMES }, (_, i) => mix[i % mix.length].data);
  writeManyPcap(jsonPath, frames, frames.map((f) => f.length));
  await jsonLinesBench(mix);
  const ourJson = timed(process.execPath, [join(repoRoot, 'host/sniff.js'), '--json', '-r', jsonPath]);
  const theirJson = timed('tshark', ['-T', 'json', '-r', jsonPath]);
  console.log(`\n--json, whole process, ${JSON_FRAMES} DNS/TLS/HTTP frames: sniff ${ourJson.s.toFixed(2)} s (${(JSON_FRAMES / ourJson.s / 1e6).toFixed(3)} Mpps)` +
    (theirJson.ok ? `; tshark -T json ${theirJson.s.toFixed(2)} s: ${(theirJson.s / ourJson.s).toFixed(1)}x (goal 50x)` : '; tshark not run'));
} finally {
  rmSync(work, { recursive: true, force: true });
}

// 6. Hostile input: 10 M mutated frames per decoder, WASM = twin, nothing past caplen.
const u8 = (b: Uint8Array): Sample => ({ data: b, linktype: LINKTYPE_ETHERNET });
const FUZZ_SETS: Array<{ name: string; proto: number; seeds: Sample[]; from: number; special: number[] }> = [
  { name: 'DNS', proto: APP_DNS, seeds: dnsSeeds().map((x) => u8(x.frame)), from: 42, special: [0x00, 0x01, 0x3F, 0x40, 0x41, 0x80, 0xC0, 0xC1, 0xFF, 0x0C, 0x29] },
  { name: 'TLS', proto: APP_TLS, seeds: tlsSeedFrames().map(u8), from: 54, special: [0x00, 0x01, 0x02, 0x03, 0x04, 0x10, 0x14, 0x16, 0x17, 0x18, 0x2b, 0xff, 0x0a, 0x0b, 0x0d] },
  { name: 'HTTP', proto: APP_HTTP, seeds: httpSeedFrames().map((x) => u8(x.frame)), from: 54, special: [0x0D, 0x0A, 0x20, 0x09, 0x3A, 0x00, 0x7F, 0xFF, 0x2F, 0x31, 0x48] },
  { name: 'DHCP', proto: APP_DHCP, seeds: dhcpSeedFrames().filter((_, i) => !dhcpSeeds()[i].v6).map((x) => u8(x.frame)), from: 42, special: [0x00, 0xFF, 0x01, 0x02, 0x04, 0x35, 0x34, 0x63, 0x82, 0x53, 0x0C, 0x37] },
  { name: 'DHCPv6', proto: APP_DHCP6, seeds: dhcpSeedFrames().filter((_, i) => dhcpSeeds()[i].v6).map((x) => u8(x.frame)), from: 62, special: [0x00, 0xFF, 0x01, 0x02, 0x03, 0x09, 0x0C, 0x0D, 0x19] },
  { name: 'NTP', proto: APP_NTP, seeds: ntpSeedFrames().map((x) => u8(x.frame)), from: 42, special: [0x00, 0x10, 0x11, 0x24, 0x25, 0x23, 0x16, 0x17, 0xFF] },
  { name: 'QUIC', proto: APP_QUIC, seeds: quicSeedFrames().map((x) => u8(x.frame.subarray(0, Math.min(x.frame.length, 2048)))), from: 42, special: [0x00, 0x40, 0x80, 0xC0, 0xFF, 0x14, 0x15, 0x01, 0x6b] },
  ...(['ssh', 'tftp', 'syslog'] as const).map((proto) => ({
    name: proto === 'ssh' ? 'SSH' : proto === 'tftp' ? 'TFTP' : 'syslog', proto: proto === 'ssh' ? APP_SSH : proto === 'tftp' ? APP_TFTP : APP_SYSLOG,
    seeds: lineSeedFrames().filter((_, i) => lineSeeds()[i].proto === proto).map((x) => u8(x.frame)), from: proto === 'ssh' ? 54 : 42,
    special: [0, 0x0a, 0x0d, 0x3c, 0x3e, 0x31, 0x2d, 0x53, 0xff],
  })),
  // IGMP and OSPF: IPv4 protocols 2 (with a Router Alert option: 38 bytes before IGMP) and 89.
  ...([[2, 'IGMP', APP_IGMP, 38], [89, 'OSPF', APP_OSPF, 34]] as const).map(([ip, name, proto, from]) => ({
    name, proto, seeds: l3SeedFrames().filter((_, i) => l3Seeds()[i].proto === ip).map(u8), from,
    special: [0, 1, 2, 3, 4, 5, 9, 0x11, 0x12, 0x16, 0x17, 0x1e, 0x1f, 0x22, 20, 24, 36, 0x80, 0xff],
  })),
];
console.log(`\nhostile input: ${FUZZ} mutated frames per decoder, WASM and twin records compared byte for byte, a second WASM pass with other bytes past caplen`);
for (const z of FUZZ_SETS) {
  const st = fuzzApp({ proto: z.proto, seeds: z.seeds.map((x) => ({ frame: x.data, linktype: x.linktype })), frames: FUZZ, from: () => z.from, special: z.special });
  console.log(`  ${z.name.padEnd(7)} ${st.frames} frames, ${st.decoded} decoded (${st.truncated} truncated, ${st.malformed} malformed), identical; ${(st.frames / (st.ms / 1000) / 1e6).toFixed(2)} M frames/s checked`);
}
if (sink === 0.5) console.log(sink);

/** A whole process with its standard output to /dev/null: seconds, and whether it ran. */
function timed(cmd: string, args: string[]): { s: number; ok: boolean } {
  const out = openSync('/dev/null', 'w');
  try {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(cmd, args, { stdio: ['ignore', out, 'pipe'] });
    const s = Number(process.hrtime.bigint() - t0) / 1e9;
    if (r.status !== 0 && cmd === process.execPath) throw new Error(`${args.join(' ')}: ${r.stderr}`);
    return { s, ok: r.status === 0 };
  } finally {
    closeSync(out);
  }
}

/** A pcap of `n` frames: query/answer pairs 1 ms apart from 256 clients, every 50th
 *  query unanswered. */
function writeDnsCapture(path: string, n: number): void {
  const parts: Buffer[] = [];
  const hdr = Buffer.alloc(24);
  hdr.writeUInt32LE(0xa1b2c3d4, 0); hdr.writeUInt16LE(2, 4); hdr.writeUInt16LE(4, 6); hdr.writeUInt32LE(65535, 16); hdr.writeUInt32LE(1, 20);
  parts.push(hdr);
  const names = ['www.example.com', 'mail.example.org', 'api.example.net', 'cdn.example.com'];
  let us = 0;
  for (let i = 0; parts.length - 1 < n; i++) {
    const id = i & 0xFFFF;
    const client = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
    const name = names[i % names.length];
    const q = udpFrame({ src: client, dst: '192.0.2.53', sport: 1024 + (i % 60000), dport: 53 }, message({ id, flags: 0x0100, questions: [{ name, type: 1 }], additional: [optRecord()] }));
    const a = udpFrame({ src: '192.0.2.53', dst: client, sport: 53, dport: 1024 + (i % 60000) }, message({ id, flags: 0x8180, questions: [{ name, type: 1 }],
      answers: [{ name, type: 1, ttl: 300, rdata: rd.a(`198.51.100.${i & 255}`) }], additional: [optRecord()] }));
    for (const [f, late] of [[q, 0], [a, 1]] as const) {
      if (late === 1 && i % 50 === 0) continue;
      if (parts.length - 1 >= n) break;
      const r = Buffer.alloc(16);
      r.writeUInt32LE(1700000000 + Math.floor(us / 1e6), 0); r.writeUInt32LE(us % 1e6, 4); r.writeUInt32LE(f.length, 8); r.writeUInt32LE(f.length, 12);
      parts.push(Buffer.concat([r, Buffer.from(f)]));
      us += 500;
    }
  }
  writeFileSync(path, Buffer.concat(parts));
}
