// One run through every structure of the engine, summarised as plain data that holds no
// addresses: test/ts-without-wasm.test.ts runs it on a 'ts' engine in a process that has
// no .wasm file and on a 'wasm' engine, and the two summaries must be equal. The inputs
// are capture files (their records) and hand-assembled frames (test/lib/sample-frames.ts).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Engine } from '../../host/engine/engine.js';
import type { FrameBatch } from '../../host/engine/frame-batch.js';
import { exportsOf } from '../../host/engine/backend.js';
import { PCAP } from '../../host/pcap/exports.js';
import { CHECKSUM } from '../../host/checksum/exports.js';
import { FrameRing } from '../../host/ring/frame-ring.js';
import { Pool } from '../../host/pool/pool.js';
import { TimerWheel } from '../../host/wheel/timer-wheel.js';
import { FlowTable } from '../../host/flows/flow-table.js';
import { flowJsonLine } from '../../host/flows/conversations.js';
import { Lpm4 } from '../../host/lpm/lpm4.js';
import { Lpm6 } from '../../host/lpm/lpm6.js';
import { RouteTable } from '../../host/lpm/route-table.js';
import { Builder } from '../../host/builder/builder.js';
import { DESC_SIZE, DF_VERIFY_CKSUM } from '../../host/runtime/layout.js';
import { buildSampleFrames } from './sample-frames.js';
import { Rng } from './env.js';

export interface CaptureSummary {
  file: string;
  /** pcap_scan over the whole record area: bytes covered, records, wire bytes, damage. */
  scan: [number, number, number, number];
  indexed: number;
  /** pcap_write of the indexed frames gives back the file's record bytes. */
  roundTrip: boolean;
  dissectErrors: number;
  descriptors: string;
  checksums: string;
  flows: string[];
}

export interface Summary {
  captures: CaptureSummary[];
  decoded: unknown[];
  frameChecksums: number[];
  ring: { enqueued: number; drops: number; peeked: number; frames: string };
  pool: number[];
  wheel: number[][];
  lpm4: (number | null)[];
  lpm6: (number | null)[];
  routes: { size: number; entries: string[]; lookups: (number | null)[] };
  built: string[];
}

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex').slice(0, 24);

/** The record area of a little-endian pcap file: everything after its 24-byte header. */
function pcapRecords(path: string): { records: Uint8Array; nanosecond: boolean; linktype: number } | null {
  const buf = readFileSync(path);
  if (buf.length < 24) return null;
  const magic = buf.readUInt32LE(0);
  if (magic !== 0xa1b2c3d4 && magic !== 0xa1b23c4d) return null; // big-endian or pcapng: not here
  return { records: new Uint8Array(buf.subarray(24)), nanosecond: magic === 0xa1b23c4d, linktype: buf.readUInt32LE(20) & 0xFFFF };
}

function batchFrames(batch: FrameBatch): string {
  const h = createHash('sha256');
  for (let i = 0; i < batch.count; i++) {
    h.update(`${batch.caplen(i)} ${batch.wirelen(i)} ${batch.linktype(i)} ${batch.timeSec(i)}.${batch.timeNsec(i)};`);
    h.update(batch.frameBytes(i));
  }
  return h.digest('hex').slice(0, 24);
}

export function runScenario(engine: Engine, captures: readonly string[]): Summary {
  const views = engine.views;
  const pcap = exportsOf(engine, PCAP);
  const cks = exportsOf(engine, CHECKSUM);
  const region = engine.arena.alloc(8 << 20);
  const out = engine.arena.alloc(8 << 20);
  const used = engine.arena.alloc(64);
  const next = engine.arena.alloc(64);
  const batch = engine.createBatch(8192, 16);
  const sums = engine.arena.alloc(8192 * 4);
  const summary: Summary = {
    captures: [], decoded: [], frameChecksums: [], ring: { enqueued: 0, drops: 0, peeked: 0, frames: '' },
    pool: [], wheel: [], lpm4: [], lpm6: [], routes: { size: 0, entries: [], lookups: [] }, built: [],
  };
  let ringSource: { file: string; frames: Uint8Array[]; linktype: number } | null = null;

  // pcap walker, dissector, checksums and the flow table over each capture.
  for (const file of captures) {
    const rec = pcapRecords(file);
    if (rec === null || rec.records.length > (8 << 20)) continue;
    const len = rec.records.length;
    views.refresh().u8.set(rec.records, region);
    const covered = pcap.pcap_scan(region, len, 0);
    const scan: CaptureSummary['scan'] = [covered, pcap.pcap_scan_count(), pcap.pcap_scan_bytes(), pcap.pcap_scan_bad()];
    const micro = rec.nanosecond ? 0 : 1;
    batch.count = pcap.pcap_index(region, region + covered, 0, micro, rec.linktype, batch.table, batch.times, batch.capacity, next);
    views.refresh().u32[used >>> 2] = 0;
    pcap.pcap_write(batch.table, batch.times, 0, batch.count, 0, 0xFFFFFFFF, micro, out, 8 << 20, used);
    const written = views.refresh().u32[used >>> 2];
    const u8 = views.u8;
    const roundTrip = written === covered && Buffer.compare(u8.subarray(out, out + written), u8.subarray(region, region + covered)) === 0;
    const dissectErrors = engine.core.dissect_batch(batch.table, batch.count, batch.descs, DF_VERIFY_CKSUM);
    const descriptors = sha(views.refresh().u8.subarray(batch.descs, batch.descs + batch.count * DESC_SIZE));
    cks.cksum_batch(batch.table, batch.count, sums);
    const checksums = sha(views.refresh().u8.subarray(sums, sums + batch.count * 4));
    const flows = new FlowTable(engine, { capacity: 4096, keepEnded: true });
    flows.update(batch);
    flows.flush();
    summary.captures.push({
      file, scan, indexed: batch.count, roundTrip, dissectErrors, descriptors, checksums,
      flows: flows.ended.map((r) => flowJsonLine(r)),
    });
    if (ringSource === null && batch.count >= 40) {
      const frames: Uint8Array[] = [];
      for (let i = 0; i < 40; i++) frames.push(batch.frameBytes(i).slice());
      ringSource = { file, frames, linktype: rec.linktype };
    }
  }

  // Decoded objects and checksums of hand-assembled frames.
  for (const f of buildSampleFrames()) {
    summary.decoded.push(engine.decode(f.data, f.linktype));
    summary.frameChecksums.push(engine.checksum(f.data));
  }

  // The frame ring: 40 frames into 32 slots of 128 bytes (8 drops, cut frames), then read.
  const ring = FrameRing.create(engine, 32, 128);
  const src = engine.createBatch(64, 64 * 2048);
  const frames = ringSource?.frames ?? buildSampleFrames().map((f) => f.data);
  for (let i = 0; i < 40; i++) {
    src.push(frames[i % frames.length], ringSource?.linktype);
    src.setTime(i, 1_000_000 + i, i * 1000);
  }
  const dst = engine.createBatch(64, 64);
  summary.ring = { enqueued: ring.enqueue(src), drops: ring.drops, peeked: ring.peek(dst), frames: batchFrames(dst) };
  ring.release(dst.count);

  // The buffer pool: the sk_buff window, references, exhaustion, stats.
  const pool = new Pool(engine, { count: 4, bufSize: 512, headroom: 64 });
  const m = pool.alloc();
  pool.append(m, Uint8Array.from({ length: 100 }, (_, i) => i));
  pool.push(m, 14);
  pool.pull(m, 4);
  const held = [pool.alloc(), pool.alloc(), pool.alloc()];
  summary.pool.push(pool.len(m), pool.headroomOf(m), pool.tailroom(m), pool.ref(m), pool.tryAlloc(), pool.avail);
  for (const h of held) pool.free(h);
  summary.pool.push(pool.free(m), pool.free(m), pool.avail, ...Object.values(pool.stats()));

  // The timer wheel: seeded schedules, cancels and reschedules, expiry order per step.
  const wheel = new TimerWheel(engine, { capacity: 1000 });
  const rng = new Rng(0x5eed);
  const handles: number[] = [];
  for (let i = 0; i < 600; i++) handles.push(wheel.schedule(1 + rng.int(5000), i));
  for (let i = 0; i < 600; i += 7) wheel.cancel(handles[i]);
  for (let i = 3; i < 600; i += 11) wheel.reschedule(handles[i], 1 + rng.int(300));
  for (let t = 250; t <= 5250; t += 1000) summary.wheel.push(wheel.advanceCollect(t));

  // Longest-prefix match: both families, and the route table's text loader.
  const lpm4 = new Lpm4(engine, { maxRules: 4096, tbl8Groups: 256 });
  const lpm6 = new Lpm6(engine, { maxRules: 4096, tbl8Groups: 4096 });
  for (let i = 0; i < 500; i++) {
    const a = rng.u32();
    const d = 8 + rng.int(25);
    lpm4.addRaw(a, d, i);
    const v6 = new Uint8Array(16);
    for (let k = 0; k < 16; k++) v6[k] = k < 2 ? [0x20, 0x01][k] : rng.int(256);
    lpm6.addRaw(v6, 16 + rng.int(49), i); // /16../64: at most 5 tbl8 groups each
  }
  for (let i = 0; i < 2000; i++) {
    summary.lpm4.push(lpm4.lookup(rng.u32()));
    const v6 = new Uint8Array(16);
    for (let k = 0; k < 16; k++) v6[k] = k < 2 ? [0x20, 0x01][k] : rng.int(256);
    summary.lpm6.push(lpm6.lookup(v6));
  }
  const routes = new RouteTable(engine);
  routes.loadText('10.0.0.0/8 1\n10.1.0.0/16 2\n10.1.2.0/24 0x03\n0.0.0.0/0 4\n2001:db8::/32 5\n2001:db8:1::/48 6\n');
  summary.routes = {
    size: routes.size,
    entries: [...routes.entries()].map((e) => `${e.prefix} ${e.nexthop}`),
    lookups: ['10.1.2.3', '10.1.3.3', '10.2.0.1', '192.0.2.1', '2001:db8:1::1', '2001:db8:2::1', '2001:db9::1'].map((a) => routes.lookup(a)),
  };

  // The packet builder: TCP over IPv4 with options, UDP over IPv6, ICMP echo.
  const b = new Builder(engine, { count: 8, bufSize: 4096, headroom: 256 });
  const payload = Uint8Array.from({ length: 33 }, (_, i) => (i * 5) & 255);
  const specs = [
    b.ipv4({ src: '192.0.2.1', dst: '198.51.100.7', ttl: 61, id: 4242 })
      .tcp({ srcport: 40000, dstport: 443, seq_raw: 123456789, flags: 0x018, window_size_value: 512, options: { mss_val: 1460, wscale_shift: 7 } }).payload(payload).spec,
    b.ipv6({ src: '2001:db8::1', dst: '2001:db8::2', hlim: 9 }).udp({ srcport: 5353, dstport: 53 }).payload(payload).spec,
    b.ipv4({ src: '10.0.0.1', dst: '10.0.0.2' }).icmp({ type: 8, code: 0, ident: 7, seq: 9 }).payload(payload).spec,
  ];
  for (const spec of specs) summary.built.push(Buffer.from(b.bytes(spec)).toString('hex'));
  return summary;
}
