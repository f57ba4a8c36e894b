// The one-line protocols: SSH version lines, TFTP and syslog. Their fields against tshark's
// (ssh.protocol; tftp.opcode, source/destination file, type, block; syslog facility, level
// and message) and every packet's line through the sniffer against tcpdump's, -nn and -v
// (syslog prints its facility, severity and message lines with -v), on the corpus captures
// that carry them (ssh.pcap, tftp-heapoverflow.pcap) and the crafted ones of
// lib/line-seeds.ts, then 6,000 of them mutated and cut against tcpdump. The decoders'
// mutated-frame fuzz (WASM = twin) is test/app-lines-fuzz.test.ts.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { createEngine } from '../host/engine/engine.js';
import type { DecodedPacket } from '../host/dissect/decode.js';
import { readCaptureFile } from '../host/sources/capture-file.js';
import { corpusCaptures, corpusMoreCaptures, corpusOrSkip, haveTool, Rng, seed } from './lib/env.js';
import { tsharkFields, tsharkPacketNumbers, compareFrame, newTally, put, type Fields } from './lib/app-tshark.js';
import { lineSeedCapture, lineSeedFrames, lineSeeds, writeManyPcap } from './lib/line-seeds.js';
import { tcpdumpText } from './text-output-tcpdump.js';
import { mutateAndCut } from './lib/mutate-frames.js';
import { sniffPackets } from './lib/sniff-text.js';

const FIELDS = ['ssh.protocol', 'tftp.opcode', 'tftp.source_file', 'tftp.destination_file', 'tftp.type', 'tftp.block', 'tftp.error.code', 'tftp.error.message',
  'syslog.facility', 'syslog.level', 'syslog.msg'] as const;

// tshark -T fields writes \b \f \n \r \t of a string as backslash escapes (print.c,
// print_escaped_csv); our objects hold the characters.
const ESCAPES: Readonly<Record<string, string>> = { '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t' };
const tsharkEscaped = (s: string): string => s.replace(/[\b\f\n\r\t]/g, (c) => ESCAPES[c] ?? c);
// Between a field's occurrences: a byte no crafted message holds (the default, \x01, is in one).
const SEP = '\u0002';

// Where tshark and we differ on a crafted message, by seed name, and why (each must occur).
const KNOWN: ReadonlyMap<string, string> = new Map([
  ['empty message', 'syslog "<0>": Wireshark 4.0 asks for at least one byte of message (tvb_ensure_captured_length_remaining) and throws before adding syslog.facility/level; we show the priority read'],
]);

function fieldsOf(p: DecodedPacket): Fields {
  const f: Fields = new Map();
  const one = (k: string, v: string | number | undefined): void => { if (v !== undefined && v !== '') put(f, k, [typeof v === 'string' ? tsharkEscaped(v) : v]); };
  one('ssh.protocol', p.ssh?.protocol);
  if (p.tftp !== undefined) {
    one('tftp.opcode', p.tftp.opcode);
    one('tftp.source_file', p.tftp.source_file);
    one('tftp.destination_file', p.tftp.destination_file);
    one('tftp.type', p.tftp.type);
    one('tftp.block', p.tftp.block);
    one('tftp.error.code', p.tftp.error_code);
    one('tftp.error.message', p.tftp.error_message);
  }
  if (p.syslog !== undefined) {
    one('syslog.facility', p.syslog.facility);
    one('syslog.level', p.syslog.level);
    one('syslog.msg', p.syslog.msg);
  }
  return f;
}

let dir = '';
const captures: Array<{ path: string; label: string }> = [];

test.before(() => {
  if (!haveTool('tshark') || !haveTool('tcpdump')) return;
  dir = mkdtempSync(join(tmpdir(), 'app-lines-'));
  for (const path of [...corpusCaptures(), ...corpusMoreCaptures()]) if (/^(ssh|tftp-heapoverflow)\./.test(basename(path))) captures.push({ path, label: basename(path) });
  captures.push({ path: lineSeedCapture(dir), label: 'line-seeds' });
});

test.after(() => {
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

for (const backend of ['wasm', 'ts'] as const) {
  test(`SSH, TFTP and syslog fields equal tshark's (${backend})`, () => {
    if (captures.length === 0) return;
    const t = newTally();
    for (const c of captures) {
      const e = createEngine({ backend });
      const { records } = readCaptureFile(c.path);
      const theirs = tsharkFields(c.path, FIELDS, [], SEP);
      const numbers = tsharkPacketNumbers(c.path);
      t.captures++;
      records.forEach((r, i) => compareFrame(c.label, r.number, fieldsOf(e.decode(r.data, r.linktype, r.wirelen)), theirs.get(numbers[i]) ?? new Map(), t));
    }
    const names = lineSeeds().map((x) => x.name);
    const seedOf = (d: string): string => { const m = /^line-seeds #(\d+) /.exec(d); return m === null ? '' : names[Number(m[1]) - 1]; };
    const known = t.diffs.filter((d) => KNOWN.has(seedOf(d)));
    console.log(`app-lines tshark (${backend}): ${t.captures} captures, ${t.frames} frames, ${t.values} field values compared, ${t.diffs.length} differences (${known.length} listed: ${[...KNOWN.values()].join('; ')})`);
    assert.equal(t.diffs.filter((d) => !KNOWN.has(seedOf(d))), [], 'differences from tshark');
    for (const name of KNOWN.keys()) assert.ok(known.some((d) => seedOf(d) === name), `listed difference still occurs: ${name}`);
    assert.ok(t.frames >= 25 && t.values >= 40, 'the messages were compared');
  });
}

/** Every packet's whole line, sniff against tcpdump; the count of lines carrying the three. */
function compareLines(path: string, label: string, opts: string[], diffs: string[]): number {
  const theirs = tcpdumpText(path, opts);
  assert.equal(theirs.problems, [], 'tcpdump read the capture');
  let n = 0;
  sniffPackets(path, opts, theirs.packets.length).forEach((line, i) => {
    if (/SSH: |TFTP|SYSLOG|\[\|(?:ssh|tftp|syslog)\]|\(invalid\)/.test(theirs.packets[i])) n++;
    if (line !== theirs.packets[i]) diffs.push(`${label} #${i + 1} ${opts.join(' ')}:\n  sniff   ${JSON.stringify(line)}\n  tcpdump ${JSON.stringify(theirs.packets[i])}`);
  });
  return n;
}

test('sniff prints every packet of the SSH, TFTP and syslog captures as tcpdump does, -nn and -v', () => {
  if (captures.length === 0) return;
  const diffs: string[] = [];
  let n = 0;
  for (const c of captures) for (const opts of [['-nn'], ['-nn', '-v']]) n += compareLines(c.path, c.label, opts, diffs);
  console.log(`app-lines sniff: ${n} SSH/TFTP/syslog lines, ${diffs.length} differences from tcpdump`);
  assert.equal(diffs, [], 'sniff differs from tcpdump');
  if (corpusOrSkip('ssh and tftp-heapoverflow were not sniffed (crafted messages only)', ['corpus', 'corpus-more'])) assert.ok(n >= 50, 'lines were compared');
  else assert.ok(n >= 48, 'the crafted messages\' lines were compared');
});

test('6,000 mutated and cut SSH, TFTP and syslog frames print as tcpdump does, -nn and -v', () => {
  if (captures.length === 0) return;
  const rng = new Rng(seed());
  const seeds = lineSeedFrames().map((s) => s.frame);
  const { frames, caplens } = mutateAndCut(rng, seeds, 6000, (f) => (f[23] === 6 ? 54 : 42),
    () => [0, 0x0a, 0x0d, 0x3c, 0x3e, 0x31, 0x80, 0xff, 0x01][rng.u32() % 9]);
  const path = join(dir, 'lines-fuzz.pcap');
  writeManyPcap(path, frames, caplens);
  const diffs: string[] = [];
  let n = 0;
  for (const opts of [['-nn'], ['-nn', '-v']]) n += compareLines(path, 'mutated', opts, diffs);
  console.log(`app-lines mutated: ${n} SSH/TFTP/syslog lines, ${diffs.length} differences from tcpdump`);
  assert.equal(diffs.slice(0, 10), [], 'sniff differs from tcpdump');
  assert.ok(n >= 8000, 'lines were compared');
});

test.run();
