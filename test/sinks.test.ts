// The sinks as the pipeline drives them (engine batches in the shared memory):
// - JSON lines parse back to exactly the engine's decode() objects plus frame.number and
//   frame.time_epoch, and give exactly the fields of the corpus' tshark reference
//   dissections but for the allow-list (test/lib/tshark-allowlist.ts);
// - PcapSink / PcapngSink reproduce the corpus records (copied straight out of the shared
//   memory), and the text sink's file equals tcpdump's output.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync, openSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { corpusCaptures, corpusDir, haveTool } from './lib/env.js';
import { allowanceProblems, compareCorpus, describe, layerFloorProblems } from './lib/tshark-compare.js';
import { createEngine } from '../host/engine/engine.js';
import { readCaptureFile, type CaptureRecord } from '../host/sources/capture-file.js';
import { JsonSink, PcapSink, PcapngSink, TextSink, type PacketSink } from '../host/sinks/sink.js';
import type { DecodedPacket } from '../host/dissect/decode.js';
import { Reassembler } from '../host/reasm/reassembler.js';

/** A reassembler per capture, small enough that 69 of them cost little memory. */
const REASM_SMALL = { maxDatagrams: 64, maxBytes: 256 * 1024, outputBytes: 2 << 20 };

const tmp = mkdtempSync(join(tmpdir(), 'pktwasm-sinks-'));
const captures = corpusCaptures();
const engine = createEngine();
const view = engine.createView();

/** Runs records through 32-frame batches into a sink, as the pipeline does (with IP
 *  reassembly after dissection when given a reassembler). */
function drive(records: CaptureRecord[], sink: PacketSink, onBatch?: (first: number) => void, reasm?: Reassembler): void {
  const batch = engine.createBatch(32, 32 * 70000);
  let first = 1;
  for (let i = 0; i < records.length; i += 32) {
    batch.clear();
    for (let j = i; j < Math.min(records.length, i + 32); j++) {
      const r = records[j];
      assert.ok(batch.push(r.data, r.linktype, r.wirelen, r.iface));
      batch.setTime(batch.count - 1, r.tsSec, r.tsNsec);
    }
    engine.dissect(batch);
    reasm?.process(batch);
    onBatch?.(first);
    first += sink.writeBatch(batch, view, first);
  }
  sink.close();
}

test('json sink: every line is decode() plus frame.number and frame.time_epoch', () => {
  let lines = 0;
  for (const file of captures) {
    const { records } = readCaptureFile(file);
    const out = join(tmp, `${basename(file)}.jsonl`);
    const expected: DecodedPacket[] = [];
    const batchView = engine.createBatch(1, 70000);
    for (const r of records) {
      batchView.clear();
      batchView.push(r.data, r.linktype, r.wirelen, r.iface);
      engine.dissect(batchView);
      const d = engine.decodeAt(batchView, 0);
      d.frame = { ...d.frame, number: r.number, time_epoch: `${r.tsSec}.${String(r.tsNsec).padStart(9, '0')}` as unknown as number };
      expected.push(d);
    }
    drive(records, new JsonSink(engine.views, openSync(out, 'w'), true, true, engine));
    const got = readFileSync(out, 'utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as DecodedPacket);
    assert.is(got.length, records.length, basename(file));
    got.forEach((g, i) => assert.equal(g, expected[i], `${basename(file)} #${i + 1}`));
    lines += got.length;
  }
  console.log(`\nNOTE json sink: ${lines} lines equal decode()`);
});

test('json sink: its lines give exactly tshark\'s fields on every corpus frame, but for the allow-list', () => {
  // The same field-set comparison and allow-list as dissect-tshark (test/lib/tshark-compare.ts),
  // on the objects parsed back from the sink's lines. A capture whose frames cannot be
  // paired with tshark's rows is a failure, not a capture left out.
  if (corpusDir() === null) return; // corpusCaptures() printed the SKIP line
  const c = compareCorpus(captures, corpusDir() ?? '', (file, records) => {
    const out = join(tmp, `${basename(file)}.tshark.jsonl`);
    // tshark defragments IP: so does the pipeline, by default.
    drive(records, new JsonSink(engine.views, openSync(out, 'w'), true, true, engine), undefined, new Reassembler(engine, REASM_SMALL));
    return readFileSync(out, 'utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as DecodedPacket);
  });
  console.log(`\n${describe('json sink vs tshark', c).join('\n')}`);
  const problems = [...c.problems, ...allowanceProblems(c), ...layerFloorProblems(c)];
  for (const p of problems.slice(0, 40)) console.log(`  ${p}`);
  assert.equal(problems, []);
});

test('pcap and pcapng sinks copy frames out of the shared memory byte for byte', () => {
  let files = 0;
  for (const file of captures) {
    const { info, records } = readCaptureFile(file);
    const lts = new Set(records.map((r) => r.linktype));
    const maxCap = records.reduce((m, r) => Math.max(m, r.caplen), 0);
    const ng = join(tmp, `${basename(file)}.sink.pcapng`);
    drive(records, PcapngSink.open(engine.views, ng, { nanosecond: true, snaplen: Math.max(info.snaplen, maxCap), linktype: info.linktype }));
    const backNg = readCaptureFile(ng).records;
    assert.is(backNg.length, records.length);
    backNg.forEach((r, i) => {
      const x = records[i];
      assert.equal([r.tsSec, r.tsNsec, r.caplen, r.wirelen, r.linktype], [x.tsSec, x.tsNsec, x.caplen, x.wirelen, x.linktype], `${basename(file)} #${i + 1}`);
      assert.ok(Buffer.from(r.data).equals(Buffer.from(x.data)));
    });
    if (lts.size > 1) continue;
    const pc = join(tmp, `${basename(file)}.sink.pcap`);
    drive(records, PcapSink.open(engine.views, pc, { linktype: records[0]?.linktype ?? info.linktype, snaplen: Math.max(info.snaplen, maxCap), nanosecond: info.nanosecond && info.format === 'pcap' }));
    if (info.format === 'pcap' && !info.bigEndian) {
      const input = readFileSync(file);
      const last = records[records.length - 1];
      const end = last ? last.fileOffset + 16 + last.caplen : 24;
      assert.ok(readFileSync(pc).subarray(24).equals(input.subarray(24, end)), `${basename(file)} bytes`);
    } else {
      assert.is(readCaptureFile(pc).records.length, records.length);
    }
    files++;
  }
  console.log(`\nNOTE pcap/pcapng sinks: ${files} captures copied from engine batches`);
});

test('text sink: the file it writes is tcpdump -nn -S -tt -e output, line for line', () => {
  if (!haveTool('tcpdump')) return;
  // Captures without TCP application payload (tcpdump would dissect it: see the cut-off
  // rule in text-output.test.ts, which covers every capture).
  for (const name of ['tcp-handshake-nano.pcap', 'tfo-5c1fa7f9ae91.pcap', '802.1ad_QinQ.pcap', 'quic_handshake.pcap', 'extra/dnscap/vlan11.pcap']) {
    const file = captures.find((f) => f.endsWith(name));
    if (file === undefined) continue;
    const out = join(tmp, `${basename(file)}.txt`);
    const { records } = readCaptureFile(file);
    drive(records, new TextSink(engine.views, openSync(out, 'w'), { timestamps: 2, absoluteSeq: true, link: true, numbers: true }, true));
    const ours = readFileSync(out, 'latin1').split('\n');
    const theirs = spawnSync('tcpdump', ['-#', '-nn', '-S', '-tt', '-e', '-r', file], { encoding: 'latin1' }).stdout.split('\n');
    // vlan11 carries DNS, which tcpdump dissects: compare up to the UDP ports there.
    ours.forEach((l, i) => {
      const t = theirs[i];
      const cut = l.indexOf('UDP, length');
      if (cut >= 0) assert.ok(t.startsWith(l.slice(0, cut)), `${name} line ${i + 1}`);
      else assert.is(l, t, `${name} line ${i + 1}`);
    });
  }
});

test.after(() => rmSync(tmp, { recursive: true, force: true }));
test.run();
