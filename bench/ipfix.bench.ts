// IPFIX export: records exported per second and CPU per record, pktwasm vs softflowd on
// the same generated capture (many flows), each into its own nfcapd on loopback. pktwasm:
// the sniffer's stage path in-process (flow table + encoder + sender worker); we time the
// whole run from capture records to close() and read CPU from process.cpuUsage (all
// threads). softflowd: a whole process (-r FILE -v 10), CPU from its rusage. Records =
// what nfcapd stored. Alternating rounds, medians.
import { IpfixExporter } from '../host/ipfix/exporter.js';
import type { FlowRecord } from '../host/flows/flow-table.js';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEngine } from '../host/engine/engine.js';
import { readCaptureFile } from '../host/sources/capture-file.js';
import { createIpfixStage } from '../host/ipfix/stage.js';
import { generateCapture } from './lib/gen-capture.js';
import { readNfdump, runSoftflowd, startNfcapdOnFreePort } from '../test/ipfix-tools.js';
import { sized } from './lib/results.js';

const FRAMES = Number(process.env.IPFIX_FRAMES ?? sized(200_000, 2_000));
const ROUNDS = sized(3, 1);
const tmp = mkdtempSync(join(tmpdir(), 'pktwasm-ipfix-bench-'));
const cap = join(tmp, 'mix.pcap');
generateCapture(cap, FRAMES, 'mix');

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
}

async function ours(round: number): Promise<{ sec: number; cpu: number; records: number; lost: number }> {
  const dir = join(tmp, `p${round}`); mkdirSync(dir);
  const nf = await startNfcapdOnFreePort(dir);
  const port = nf.port;
  const engine = createEngine({ backend: 'wasm' });
  const recs = readCaptureFile(cap).records;
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const stage = createIpfixStage(engine, { collector: `127.0.0.1:${port}`, domain: 1, activeTimeout: 0, idleTimeout: 3600, capacity: 1 << 16 });
  const batch = engine.createBatch(256, 256 * 1600);
  const info = { firstRecord: 1, firstMatch: 1, filtered: false };
  for (const r of recs) {
    if (!batch.push(r.data, r.linktype, r.wirelen)) { engine.dissect(batch); stage.process(batch, 0, info); batch.clear(); batch.push(r.data, r.linktype, r.wirelen); }
    batch.setTime(batch.count - 1, r.tsSec, r.tsNsec);
  }
  engine.dissect(batch); stage.process(batch, 0, info);
  stage.finish();
  const sec = Number(process.hrtime.bigint() - t0) / 1e9;
  const c = process.cpuUsage(c0);
  await nf.stop();
  const records = readNfdump(dir).length;
  return { sec, cpu: (c.user + c.system) / 1e6, records, lost: stage.stats().lostRecords };
}

async function softflowd(round: number): Promise<{ sec: number; cpu: number; records: number }> {
  const dir = join(tmp, `s${round}`); mkdirSync(dir);
  const nf = await startNfcapdOnFreePort(dir);
  const port = nf.port;
  const t0 = process.hrtime.bigint();
  await runSoftflowd(cap, port, tmp, ['-6', '-m', String(1 << 20)]);
  const sec = Number(process.hrtime.bigint() - t0) / 1e9;
  await nf.stop();
  return { sec, cpu: NaN, records: readNfdump(dir).length };
}

const a: { sec: number; cpu: number; records: number; lost: number }[] = [];
const b: { sec: number; cpu: number; records: number }[] = [];
for (let r = 0; r < ROUNDS; r++) {
  a.push(await ours(r));
  b.push(await softflowd(r));
}
const ra = median(a.map((x) => x.records / x.sec));
const rb = median(b.map((x) => x.records / x.sec));
console.log(`IPFIX export of ${FRAMES} frames (generated 'mix' capture), median of ${ROUNDS} alternating rounds`);
console.log(`  pktwasm   ${a[0].records} records stored by nfcapd (lost counted ${a[0].lost}); ${(ra / 1e3).toFixed(1)} k records/s wall; CPU ${(median(a.map((x) => x.cpu / x.records)) * 1e6).toFixed(2)} us/record (all threads, incl. dissect + flow table)`);
console.log(`  softflowd ${b[0].records} records stored by nfcapd; ${(rb / 1e3).toFixed(1)} k records/s wall (includes its control-socket pokes, see test/ipfix-tools.ts)`);
console.log(`  ratio pktwasm/softflowd records/s: ${(ra / rb).toFixed(2)}`);

// Export alone: 200k uniflow records (100k flows) from ready FlowRecords to close().
const flows: FlowRecord[] = [];
for (let i = 0; i < 100_000; i++) {
  const d = { frames: 3, bytes: 300, ipBytes: 258, tcpFlags: 0x1b, retransmissions: 0, outOfOrder: 0 };
  flows.push({ index: i, proto: 6, ipVersion: 4, a: { addr: `10.${(i >>> 16) & 255}.${(i >>> 8) & 255}.${i & 255}`, port: 1024 + (i % 60000) },
    b: { addr: '192.0.2.1', port: 443 }, aToB: d, bToA: { ...d }, firstSec: 1_700_000_000, firstNsec: 0, lastSec: 1_700_000_001, lastNsec: 0,
    startSec: 1_700_000_000, startNsec: 0, stateA: null, stateB: null, state: null, historyA: [], historyB: [], endReason: 'idle', endReasonCode: 1,
    icmpType: null, icmpCode: null, vlan: 0, iface: 1, noPorts: false, pickup: false, reports: 0, rstIgnored: 0 });
}
const ex: { rps: number; cpu: number; stored: number; lost: number }[] = [];
for (let r = 0; r < ROUNDS; r++) {
  const dir = join(tmp, `x${r}`); mkdirSync(dir);
  const nf = await startNfcapdOnFreePort(dir);
  const port = nf.port;
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const x = new IpfixExporter({ collector: `127.0.0.1:${port}`, domain: 1 });
  x.exportFlows(flows);
  const st = x.close();
  const sec = Number(process.hrtime.bigint() - t0) / 1e9;
  const c = process.cpuUsage(c0);
  await nf.stop();
  ex.push({ rps: st.records / sec, cpu: (c.user + c.system) / st.records, stored: readNfdump(dir).length, lost: st.lostRecords });
}
console.log(`  export only (100k flows -> ${flows.length * 2} records): ${(median(ex.map((e) => e.rps)) / 1e6).toFixed(2)} M records/s, CPU ${median(ex.map((e) => e.cpu)).toFixed(2)} us/record; nfcapd stored ${ex[0].stored}, counted lost ${ex[0].lost}`);
rmSync(tmp, { recursive: true, force: true });
