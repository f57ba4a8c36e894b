// decode()'s DNS fields against tshark, run here, on every corpus capture that carries DNS
// (a frame to or from port 53, 5353 or 5355 in tshark's reference CSV, or one our decoder
// claims) and on the crafted frames of lib/dns-seeds.ts: per frame, every field below, all
// occurrences in order, must be what `tshark -T fields -E occurrence=a` prints. tshark runs
// per frame as we do: no IP defragmentation, no TCP reassembly. Both backends.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { createEngine } from '../host/engine/engine.js';
import type { DecodedPacket } from '../host/dissect/decode.js';
import { readCaptureFile } from '../host/sources/capture-file.js';
import { corpusCaptures, corpusMoreCaptures, corpusOrSkip, haveTool } from './lib/env.js';
import { parseTsharkCsv } from './lib/tshark-csv.js';
import { dnsSeeds } from './lib/dns-seeds.js';
import { writePcapng } from './lib/dns-frames.js';
import { dnsFieldsOf, tsharkDnsFields } from './lib/dns-tshark.js';

const DNS_PORTS = new Set(['53', '5353', '5355']);

function carriesDns(path: string, ours: DecodedPacket[]): boolean {
  if (ours.some((p) => p.dns !== undefined)) return true;
  const csv = `${path}.tshark.csv`;
  if (!existsSync(csv)) return false;
  return parseTsharkCsv(readFileSync(csv, 'utf8')).some((row) =>
    ['udp.srcport', 'udp.dstport', 'tcp.srcport', 'tcp.dstport'].some((k) => (row.get(k) ?? []).some((v) => DNS_PORTS.has(v))));
}

interface Tally { captures: number; frames: number; values: number; diffs: string[] }

/** Frames to compare: each with where it came from, and tshark's fields for it. */
interface Frame { label: string; linktype: number; data: Uint8Array; wirelen: number; theirs?: Map<string, string[]> }

function compare(frames: Frame[], backend: 'wasm' | 'ts', t: Tally): void {
  const e = createEngine({ backend });
  const labels = new Set<string>();
  for (const r of frames) {
    const a = dnsFieldsOf(e.decode(r.data, r.linktype, r.wirelen));
    const b = r.theirs ?? new Map<string, string[]>();
    if (a.size === 0 && b.size === 0) continue;
    labels.add(r.label.split(' ')[0]);
    t.frames++;
    for (const k of new Set([...a.keys(), ...b.keys()])) {
      const x = a.get(k) ?? [];
      const y = b.get(k) ?? [];
      t.values += Math.max(x.length, y.length);
      if (JSON.stringify(x) !== JSON.stringify(y)) t.diffs.push(`${r.label} ${k}: ours ${JSON.stringify(x)} tshark ${JSON.stringify(y)}`);
    }
  }
  t.captures = labels.size;
}

const have = haveTool('tshark');
const work = mkdtempSync(join(tmpdir(), 'app-dns-'));
const e0 = createEngine();
// Every record of every capture that carries DNS, then the crafted frames, in one pcapng:
// one tshark run reads them all (tshark's start-up is most of its time). The hostile seeds
// are left out: for a name that breaks the rules (a loop, a forward pointer, a label type
// 01/10, over 255 bytes) or a record past the message, our decoder flags it and stops,
// where Wireshark prints a marker ("<Name contains a pointer that loops>") or follows the
// forward pointer. app-dns-fuzz and app-dns-text cover them.
const corpusFrames: Frame[] = [];
for (const path of [...corpusCaptures(), ...corpusMoreCaptures()]) {
  const { records } = readCaptureFile(path);
  if (!carriesDns(path, records.map((r) => e0.decode(r.data, r.linktype, r.wirelen)))) continue;
  for (const r of records) corpusFrames.push({ label: `${basename(path)} #${r.number}`, linktype: r.linktype, data: r.data, wirelen: r.wirelen });
}
const seedFrames: Frame[] = dnsSeeds().filter((s) => !s.hostile)
  .map((s, i) => ({ label: `seed ${i + 1} (${s.what})`, linktype: 1, data: s.frame, wirelen: s.frame.length }));

test.before(async () => {
  if (!have) return;
  const all = [...corpusFrames, ...seedFrames];
  const path = join(work, 'all.pcapng');
  writePcapng(path, all);
  const theirs = await tsharkDnsFields(path);
  all.forEach((f, i) => { f.theirs = theirs.get(i + 1); });
});

test.after(() => { rmSync(work, { recursive: true, force: true }); });

for (const backend of ['wasm', 'ts'] as const) {
  test(`every DNS field of every corpus frame equals tshark's (${backend})`, () => {
    if (!have || !corpusOrSkip('the corpus DNS frames were not compared with tshark', ['corpus', 'corpus-more'])) return;
    const t: Tally = { captures: 0, frames: 0, values: 0, diffs: [] };
    compare(corpusFrames, backend, t);
    console.log(`app-dns-tshark (${backend}): ${t.captures} captures with DNS, ${t.frames} frames, ${t.values} field values compared, ${t.diffs.length} differences`);
    assert.equal(t.diffs, [], 'differences from tshark');
    assert.ok(t.captures >= 13 && t.frames >= 227 && t.values >= 6600, 'the corpus DNS captures were compared');
  });

  test(`every DNS field of the crafted frames equals tshark's (${backend})`, () => {
    if (!have) return;
    const t: Tally = { captures: 0, frames: 0, values: 0, diffs: [] };
    compare(seedFrames, backend, t);
    console.log(`app-dns-tshark seeds (${backend}): ${t.frames} frames, ${t.values} field values compared, ${t.diffs.length} differences`);
    assert.equal(t.diffs, [], 'differences from tshark');
    assert.ok(t.frames >= 26, 'the crafted frames were compared');
  });
}

test.run();
