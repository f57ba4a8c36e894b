// The application layer (issue #16): DNS decoding at line rate.
//  1. A DNS-heavy batch (every corpus frame on a DNS port and the crafted frames of
//     test/lib/dns-seeds.ts, cycled): dissection L2-L4 only, then with DF_APP (the app
//     records filled), WASM vs the TS twin, in Mpps.
//  2. The common path: a batch with no DNS at all (the mixed sample frames), with and
//     without DF_APP, to show what asking for the application layer costs there.
//  3. --log dns in process: the log stage over the DNS batch (transactions per second).
//  4. --log dns as a whole process on a generated capture, against tshark's two-pass
//     request/response matching of the same file (dns.time, what --log dns computes).
// Sizes: APP_BENCH_FRAMES (batch, default 65536), APP_BENCH_TIME_MS (per contender,
// default 1000), APP_BENCH_LOG_FRAMES (the generated capture, default 1,000,000). A tiny
// run: APP_BENCH_FRAMES=512 APP_BENCH_TIME_MS=50 APP_BENCH_LOG_FRAMES=2000.
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEngine } from '../host/engine/engine.js';
import { exportsOf } from '../host/engine/backend.js';
import { APP } from '../host/app/exports.js';
import { AppArea, dissectApp } from '../host/app/app-area.js';
import { LogStage } from '../host/pipeline/log-stage.js';
import { APP_SIZE } from '../host/app/app-layout.js';
import { DESC_SIZE, DF_APP, LINKTYPE_ETHERNET } from '../host/runtime/layout.js';
import { readCaptureFile } from '../host/sources/capture-file.js';
import { corpusCaptures, corpusMoreCaptures, repoRoot } from '../test/lib/env.js';
import { dnsSeeds } from '../test/lib/dns-seeds.js';
import { buildSampleFrames } from '../test/lib/sample-frames.js';
import { message, optRecord, rd, udpFrame } from '../test/lib/dns-frames.js';
import { compare } from './lib/compare.js';
import { sized } from './lib/results.js';

const FRAMES = Number(process.env.APP_BENCH_FRAMES ?? sized(65536, 1024));
const TIME_MS = Number(process.env.APP_BENCH_TIME_MS ?? 1000);
const LOG_FRAMES = Number(process.env.APP_BENCH_LOG_FRAMES ?? sized(1_000_000, 5_000));

const wasm = createEngine({ backend: 'wasm' });
const twin = createEngine({ backend: 'ts', memory: wasm.memory });
const appW = exportsOf(wasm, APP, 'wasm');
const appT = exportsOf(twin, APP, 'ts'); // the app twin twin.core's dissector calls
let sink = 0;

interface Sample { data: Uint8Array; linktype: number }

function dnsSamples(): Sample[] {
  const out: Sample[] = dnsSeeds().map((s) => ({ data: s.frame, linktype: LINKTYPE_ETHERNET }));
  for (const path of [...corpusCaptures(), ...corpusMoreCaptures()]) {
    for (const r of readCaptureFile(path).records) {
      if (r.data.length > 2048) continue;
      const d = wasm.decode(r.data, r.linktype, r.wirelen);
      if (d.dns !== undefined) out.push({ data: r.data.slice(), linktype: r.linktype });
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

const dns = dnsSamples();
console.log(`${dns.length} DNS sample frames (corpus and crafted), cycled to ${FRAMES} per batch`);
await batchBench(`DNS-heavy batch, ${FRAMES} frames: dissection with and without the application layer`, dns);
await batchBench(`no DNS (mixed L2-L4 samples), ${FRAMES} frames: what DF_APP costs the common path`, buildSampleFrames().map((s) => ({ data: s.data, linktype: s.linktype })));

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
} finally {
  rmSync(work, { recursive: true, force: true });
}
if (sink === 0.5) console.log(sink);

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
