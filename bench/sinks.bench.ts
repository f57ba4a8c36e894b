// Sinks: per-frame cost of writing a dissected batch of mixed frames (the sample set:
// Ethernet/VLAN/QinQ/IPv6/ARP/SLL/SLL2/NULL/RAW) to /dev/null as pcap, pcapng, tcpdump-style
// text and JSON lines, against the naive ways (a Buffer and a write per record;
// JSON.stringify of decode()). Then whole programs on one generated 60-byte-frame capture:
// our text formatting of every packet vs `tcpdump -nn -r FILE > /dev/null`.
import { openSync, closeSync, writeSync, mkdtempSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEngine } from '../host/engine/engine.js';
import { buildSampleFrames } from '../test/lib/sample-frames.js';
import { compare } from './lib/compare.js';
import { generateCapture } from './lib/gen-capture.js';
import { JsonSink, PcapSink, PcapngSink, TextSink } from '../host/sinks/sink.js';
import { PcapWriter } from '../host/sinks/pcap-writer.js';
import { TextBuffer } from '../host/sinks/text/buffer.js';
import { TextFormatter } from '../host/sinks/text/format.js';
import { CaptureFileReader } from '../host/sources/capture-file.js';
import { sized } from './lib/results.js';

const engine = createEngine();
const view = engine.createView();
const samples = buildSampleFrames();
const N = 256;
const batch = engine.createBatch(N, N * 2048);
for (let i = 0; i < N; i++) {
  const s = samples[i % samples.length];
  batch.push(s.data, s.linktype, s.data.length);
  batch.setTime(i, 1700000000 + i, i * 1000);
}
engine.dissect(batch);
const eth = engine.createBatch(N, N * 2048);
const ethSamples = samples.filter((s) => s.linktype === 1);
for (let i = 0; i < N; i++) { const s = ethSamples[i % ethSamples.length]; eth.push(s.data, 1, s.data.length); eth.setTime(i, 1700000000 + i, 0); }
engine.dissect(eth);

const devnull = (): number => openSync('/dev/null', 'w');
const pcap = PcapSink.open(engine.views, '/dev/null', { linktype: 1 });
const pcapng = PcapngSink.open(engine.views, '/dev/null', { nanosecond: true });
const text = new TextSink(engine.views, devnull(), { timestamps: 2, absoluteSeq: true }, true, false);
const json = new JsonSink(engine.views, devnull(), true, false);
const nullFd = devnull();
let sink = 0;

await compare({ title: `pcap sink, ${N} Ethernet frames per batch to /dev/null`, unitsPerCall: N, throughput: 'Mpps' }, [
  { name: 'PcapSink', fn: () => { pcap.writeBatch(eth, view, 1); } },
  { name: 'PcapngSink', fn: () => { pcapng.writeBatch(eth, view, 1); } },
  {
    name: 'naive: Buffer + writeSync per record',
    fn: () => {
      for (let i = 0; i < eth.count; i++) {
        const b = Buffer.alloc(16 + eth.caplen(i));
        b.writeUInt32LE(eth.timeSec(i), 0); b.writeUInt32LE(eth.timeNsec(i) / 1000 | 0, 4);
        b.writeUInt32LE(eth.caplen(i), 8); b.writeUInt32LE(eth.wirelen(i), 12);
        b.set(eth.frameBytes(i), 16);
        writeSync(nullFd, b);
      }
    },
  },
]);

await compare({ title: `text and JSON sinks, ${N} mixed frames per batch to /dev/null`, unitsPerCall: N, throughput: 'Mpps' }, [
  { name: 'TextSink (tcpdump -nn -S -tt lines)', fn: () => { text.writeBatch(batch, view, 1); } },
  { name: 'JsonSink', fn: () => { json.writeBatch(batch, view, 1); } },
  {
    name: 'naive: JSON.stringify(decodeAt()) + write',
    fn: () => {
      let s = '';
      for (let i = 0; i < batch.count; i++) s += `${JSON.stringify(engine.decodeAt(batch, i))}\n`;
      sink ^= writeSync(nullFd, s);
    },
  },
]);
text.close(); json.close(); pcap.close(); pcapng.close(); closeSync(nullFd);

// Whole programs: format every packet of a generated capture.
const dir = mkdtempSync(join(tmpdir(), 'pktwasm-sinks-bench-'));
try {
  const file = join(dir, 'small.pcap');
  const COUNT = sized(1_000_000, 10_000);
  generateCapture(file, COUNT, 'small');
  const ours = (): number => {
    const t0 = process.hrtime.bigint();
    const rd = new CaptureFileReader(file);
    const out = new TextBuffer(openSync('/dev/null', 'w'), undefined, true);
    const fmt = new TextFormatter(out, { timestamps: 2, absoluteSeq: true });
    for (let r = rd.next(); r !== null; r = rd.next()) {
      fmt.formatFrame(r.data, r.data.byteOffset - r.data.byteOffset, r.caplen, r.wirelen, r.linktype, r.tsSec, r.tsNsec, r.number);
    }
    out.close();
    rd.close();
    return Number(process.hrtime.bigint() - t0) / 1e6;
  };
  const tcpdump = (): number => {
    const t0 = process.hrtime.bigint();
    spawnSync('sh', ['-c', `tcpdump -nn -S -tt -r ${file} > /dev/null 2>&1`]);
    return Number(process.hrtime.bigint() - t0) / 1e6;
  };
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < 3; i++) { a.push(ours()); b.push(tcpdump()); }
  a.sort((x, y) => x - y);
  b.sort((x, y) => x - y);
  console.log(`\ntext output of ${COUNT} 60-byte frames (reader + formatter, in process) vs tcpdump -nn -S -tt -r FILE > /dev/null (whole process), medians of 3:`);
  console.log(`  pktwasm text: ${a[1].toFixed(0)} ms (${(a[1] * 1e6 / COUNT).toFixed(0)} ns/packet)`);
  console.log(`  tcpdump:      ${b[1].toFixed(0)} ms (${(b[1] * 1e6 / COUNT).toFixed(0)} ns/packet), ratio ${(b[1] / a[1]).toFixed(2)}x`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
if (sink === 0.5) console.log(sink);
