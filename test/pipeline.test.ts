// The one pipeline: the library's capture() runs the sniffer's stages (here its -w
// writer, checked against what tcpdump -w selects), leaves the caller's options alone,
// and the one packing of kept frames (host/stage/selected.ts) hands aggregating stages
// exactly what dissecting those frames anew gives.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEngine } from '../host/engine/engine.js';
import type { FrameBatch } from '../host/engine/frame-batch.js';
import { compileFilter } from '../host/filter/index.js';
import { capture, captureBatches } from '../host/pipeline/capture.js';
import { PcapOut } from '../host/pipeline/pcap-out.js';
import { SelectedFrames } from '../host/stage/selected.js';
import { readCaptureFile, type CaptureRecord } from '../host/sources/capture-file.js';
import { DESC_SIZE } from '../host/runtime/layout.js';
import { corpusCaptures, corpusOrSkip, haveTool } from './lib/env.js';
import { runBin } from './lib/run-tool.js';

const tmp = mkdtempSync(join(tmpdir(), 'pktwasm-pipeline-'));

test('kept frames are packed with their descriptors: equal to dissecting the kept frames anew', () => {
  const engine = createEngine();
  const selected = new SelectedFrames(engine);
  const CAP = 64;
  const batch = engine.createBatch(CAP, CAP * 2048);
  const fresh = engine.createBatch(CAP, CAP * 2048);
  const select = engine.arena.alloc(CAP);
  let compared = 0;
  let dropped = 0;
  let batches = 0;
  const check = (recs: CaptureRecord[], expr: string): void => {
    const lt = recs[0].linktype;
    let f: ReturnType<typeof compileFilter>;
    try {
      f = compileFilter(expr, { linktype: lt, memory: engine.memory, backend: engine.backend });
    } catch {
      return; // a link type the filter language does not know: nothing to select with
    }
    engine.dissect(batch);
    f.matchBatch(batch.table, batch.count, select);
    const packed = selected.of(batch, select, { firstRecord: 1, firstMatch: 1, filtered: true });
    const u8 = engine.views.refresh().u8;
    const kept = recs.filter((_, i) => u8[select + i] !== 0);
    assert.is(packed.count, kept.length);
    dropped += recs.length - kept.length;
    fresh.clear();
    kept.forEach((r, k) => { fresh.push(r.data, r.linktype, r.wirelen); fresh.setTime(k, r.tsSec, r.tsNsec); });
    engine.dissect(fresh);
    const v = engine.views.refresh().u8;
    for (let k = 0; k < kept.length; k++) {
      assert.is(Buffer.compare(packed.frameBytes(k), kept[k].data), 0);
      assert.equal([packed.caplen(k), packed.wirelen(k), packed.linktype(k), packed.timeSec(k), packed.timeNsec(k)],
        [fresh.caplen(k), fresh.wirelen(k), fresh.linktype(k), fresh.timeSec(k), fresh.timeNsec(k)]);
      const a = v.subarray(packed.descAt(k), packed.descAt(k) + DESC_SIZE);
      const b = v.subarray(fresh.descAt(k), fresh.descAt(k) + DESC_SIZE);
      assert.is(Buffer.compare(a, b), 0, `descriptor of kept frame ${k} differs`);
      compared++;
    }
    batches++;
  };
  const run = (all: CaptureRecord[], expr: string): void => {
    let recs: CaptureRecord[] = [];
    const flush = (): void => { if (recs.length > 0) check(recs, expr); batch.clear(); recs = []; };
    for (const r of all) {
      if (recs.length > 0 && r.linktype !== recs[0].linktype) flush();
      if (!batch.push(r.data, r.linktype, r.wirelen, r.iface)) {
        flush();
        if (!batch.push(r.data, r.linktype, r.wirelen, r.iface)) continue; // larger than a whole batch
      }
      batch.setTime(batch.count - 1, r.tsSec, r.tsNsec);
      recs.push(r);
    }
    flush();
  };
  for (const file of corpusCaptures()) {
    const { records } = readCaptureFile(file);
    for (const expr of ['tcp', 'udp or icmp or icmp6']) run(records, expr);
  }
  console.log(`NOTE pipeline: ${compared} kept frames (${dropped} left out) in ${batches} batches compared with a fresh dissection`);
  // The corpus's counts, selected by the filter alone.
  if (corpusCaptures().length > 0) assert.ok(compared >= 789 && dropped > 0, `only ${compared} kept frames compared (${dropped} left out)`);
});

/** Reads a whole capture() (or captureBatches()) run, returning how many packets it yielded. */
async function drain(it: AsyncIterable<unknown>): Promise<number> {
  let n = 0;
  for await (const x of it) { void x; n++; }
  return n;
}

test('capture() runs the sniffer\'s stages: its -w writer keeps what tcpdump -w selects', async () => {
  if (!haveTool('tcpdump') || !corpusOrSkip('capture()\'s -w stage was not compared with tcpdump -w on ssh, dns_tcp, icmpv6 and vlan11')) return;
  const files = corpusCaptures().filter((x) => /\/(ssh|dns_tcp|icmpv6|vlan11)\.pcap$/.test(x));
  assert.is(files.length, 4, 'ssh, dns_tcp, icmpv6 and vlan11 in the corpus');
  let runs = 0;
  let frames = 0;
  for (const f of files) {
    const info = readCaptureFile(f).info;
    for (const [expr, count] of [['tcp', 0], ['udp or icmp6', 0], ['', 7], ['ip', 3]] as const) {
      const want = join(tmp, `want-${runs}.pcap`);
      const got = join(tmp, `got-${runs}.pcap`);
      const t = runBin('tcpdump', ['-r', f, '-w', want, ...(count > 0 ? ['-c', String(count)] : []), ...(expr ? [expr] : [])]);
      assert.is(t.status, 0, `tcpdump -r ${f} "${expr}": ${t.stderr}`);
      const engine = createEngine();
      // tcpdump writes microseconds unless told --nano.
      const stage = new PcapOut(engine, { path: got, linktype: info.linktype, snaplen: info.snaplen, cut: 0, nanosecond: false });
      const opts = Object.freeze({ file: f, filter: expr, count, engine, stages: [stage] });
      const yielded = await drain(capture(opts));
      const w = readCaptureFile(want).records;
      const g = readCaptureFile(got).records;
      assert.is(g.length, w.length, `${f} "${expr}" -c ${count}: records written`);
      assert.is(yielded, w.length, `${f} "${expr}" -c ${count}: packets yielded`);
      for (let i = 0; i < w.length; i++) {
        assert.equal([g[i].tsSec, g[i].tsNsec, g[i].wirelen], [w[i].tsSec, w[i].tsNsec, w[i].wirelen], `${f} "${expr}" record ${i + 1}`);
        assert.is(Buffer.compare(g[i].data, w[i].data), 0, `${f} "${expr}" record ${i + 1}`);
      }
      runs++;
      frames += w.length;
    }
  }
  assert.is(runs, 16);
  assert.ok(frames >= 98, `only ${frames} frames compared`);
  console.log(`NOTE pipeline: ${runs} runs, ${frames} frames written by capture()'s stage equal to tcpdump -w`);
});

test('capture options stay as given (frozen options work; the engine is the caller\'s)', async () => {
  const files = corpusCaptures().slice(0, 3);
  for (const f of files) {
    const engine = createEngine();
    const opts = Object.freeze({ file: f, filter: 'ip or ip6', batchSize: 16, engine });
    const n = await drain(captureBatches(opts));
    assert.equal(opts, { file: f, filter: 'ip or ip6', batchSize: 16, engine });
    // The batches came from the caller's engine.
    let seen: FrameBatch | null = null;
    for await (const b of captureBatches(opts)) { assert.is(b.engine, engine); seen = b.batch; break; }
    if (n > 0) assert.ok(seen !== null);
  }
});

test.after(() => rmSync(tmp, { recursive: true, force: true }));
test.run();
