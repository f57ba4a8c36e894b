// DNS text against tcpdump, run here: for every frame our decoder calls DNS, the text the
// sink prints for it (dnsTextForFrame) must be exactly how tcpdump's line for that frame
// ends, with -nn and -v, -vv, -vvv: on the corpus captures that carry DNS, on the crafted
// frames of lib/dns-seeds.ts (hostile ones included: loops, forward pointers, bad label
// types, names over 255, counts and lengths past the end), and on mutated frames cut at
// random lengths (seeded). Both backends fill the app records.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { repoRoot } from './lib/env.js';
import { createEngine } from '../host/engine/engine.js';
import { eachAppFrame } from './lib/app-decode.js';
import { dnsTextForFrame } from '../host/app/dns/text.js';
import { APP_DNS, A_PROTO, A_VARIANT, DV_TCP, DV_LLMNR } from '../host/app/app-layout.js';
import { readCaptureFile } from '../host/sources/capture-file.js';
import { E_BAD_OPTION } from '../host/runtime/layout.js';
import { corpusCaptures, corpusDir, corpusMoreCaptures, corpusMoreDir, corpusOrSkip, haveTool, Rng, seed } from './lib/env.js';
import { dnsSeeds } from './lib/dns-seeds.js';
import { mutateAndCut } from './lib/mutate-frames.js';
import { writePcap } from './lib/dns-frames.js';

interface Frame { data: Uint8Array; linktype: number; wirelen: number }
const OPTIONS: string[][] = [[], ['-v'], ['-vv'], ['-vvv']];
const FUZZ = Number(process.env.APP_TEXT_FUZZ_FRAMES ?? 12000);

/** Our DNS text per frame (null: not DNS as tcpdump prints it), and whether it rode TCP. */
function ours(frames: Frame[], vflag: number, backend: 'wasm' | 'ts', qflag = false): Array<{ text: string | null; tcp: boolean; payLen: number }> {
  const out: Array<{ text: string | null; tcp: boolean; payLen: number }> = [];
  eachAppFrame(backend, frames, 512, (view, u8, rec) => {
    const tcp = u8[rec + A_PROTO] === APP_DNS && (u8[rec + A_VARIANT] & DV_TCP) !== 0;
    // An option with an impossible length ends the line inside the TCP header's
    // options ("[bad opt]", as tcpdump's tcp_print does): no DNS text follows there.
    const endsInTcpOptions = tcp && (view.errors & E_BAD_OPTION) !== 0;
    out.push({ text: endsInTcpOptions ? null : dnsTextForFrame(view, u8, view.frame, rec, { vflag, qflag })?.text ?? null, tcp, payLen: view.payloadLen });
  });
  return out;
}

/** tcpdump's text per packet (continuation lines joined with \n). */
function tcpdump(path: string, opts: string[]): string[] {
  const r = spawnSync('tcpdump', ['-nn', '-t', ...opts, '-r', path], { encoding: 'utf8', maxBuffer: 1 << 28 });
  assert.is(r.status, 0, `tcpdump ${opts.join(' ')} -r ${path}: ${r.stderr}`);
  return packets(r.stdout);
}

/** Text lines grouped per packet: -v continuation lines (four spaces or a tab) join the
 *  line before with \n; " [|ip6]" is a packet of its own. */
function packets(stdout: string): string[] {
  const pkts: string[] = [];
  for (const line of stdout.split('\n')) {
    if (line === '') continue;
    if (/^(?: {4}|\t)/.test(line) && pkts.length > 0) pkts[pkts.length - 1] += `\n${line}`;
    else pkts.push(line);
  }
  return pkts;
}

interface Tally { frames: number; equal: number; diffs: string[] }

function compare(label: string, path: string, frames: Frame[], backend: 'wasm' | 'ts', t: Tally): void {
  OPTIONS.forEach((opts, vflag) => {
    const theirs = tcpdump(path, opts);
    assert.is(theirs.length, frames.length, `${label} ${opts.join(' ')}: tcpdump printed ${theirs.length} packets of ${frames.length}`);
    const mine = ours(frames, vflag, backend);
    mine.forEach((m, i) => {
      if (m.text === null) return;
      t.frames++;
      const line = theirs[i];
      const before = line.slice(0, line.length - m.text.length);
      const sound = line.endsWith(m.text) && (m.tcp ? before.endsWith(`length ${m.payLen}`) : /(?::|\]) $/.test(before));
      if (sound) t.equal++;
      else t.diffs.push(`${label} #${i + 1} ${opts.join(' ') || '(default)'}:\n  ours    ...${m.text}\n  tcpdump ${line}`);
    });
  });
}

const have = haveTool('tcpdump');
const work = mkdtempSync(join(tmpdir(), 'app-dns-text-'));
test.after(() => { rmSync(work, { recursive: true, force: true }); });

function corpusDnsCaptures(): string[] {
  const e = createEngine();
  return [...corpusCaptures(), ...corpusMoreCaptures()].filter((path) =>
    readCaptureFile(path).records.some((r) => e.decode(r.data, r.linktype, r.wirelen).dns !== undefined));
}

/** tcpdump's expected outputs (.out, TESTLIST entries of tcpdump-tests.txt) for the
 *  captures that carry DNS: packet number -> text (continuation lines joined). */
function expectedOutputs(): Array<{ name: string; capture: string; vflag: number; qflag: boolean; packets: Map<number, string> }> {
  const out: Array<{ name: string; capture: string; vflag: number; qflag: boolean; packets: Map<number, string> }> = [];
  const dns = new Set(corpusDnsCaptures().map((p) => p));
  for (const dir of [corpusDir(), corpusMoreDir()]) {
    if (dir === null || !existsSync(join(dir, 'tcpdump-tests.txt'))) continue;
    for (const line of readFileSync(join(dir, 'tcpdump-tests.txt'), 'utf8').split('\n')) {
      const [name, capture, expected, ...opts] = line.trim().split(/\s+/);
      if (expected === undefined || !expected.endsWith('.out') || !dns.has(join(dir, capture))) continue;
      const vflag = (opts.find((o) => /^-v+g?$/.test(o)) ?? '').replace(/[^v]/g, '').length;
      const qflag = opts.includes('-q');
      const packets = new Map<number, string>();
      let last = -1;
      for (const l of readFileSync(join(dir, expected), 'utf8').split('\n')) {
        const m = /^ {0,4}(\d+)  \d{4}-\d\d-\d\d /.exec(l);
        if (m !== null) { last = Number(m[1]); packets.set(last, l); } else if (l !== '' && last >= 0) packets.set(last, `${packets.get(last)}\n${l}`);
      }
      out.push({ name, capture: join(dir, capture), vflag, qflag, packets });
    }
  }
  return out;
}

test('DNS text equals the .out files tcpdump\'s own tests expect (both backends)', () => {
  const outs = expectedOutputs();
  let frames = 0;
  const diffs: string[] = [];
  for (const backend of ['wasm', 'ts'] as const) {
    for (const o of outs) {
      const { records } = readCaptureFile(o.capture);
      const mine = ours(records.map((r) => ({ data: r.data.slice(), linktype: r.linktype, wirelen: r.wirelen })), o.vflag, backend, o.qflag);
      for (const [n, text] of o.packets) {
        const m = mine[n - 1];
        if (m.text === null) continue;
        frames++;
        if (!text.endsWith(m.text)) diffs.push(`${o.name} #${n} (${backend}):\n  ours ...${m.text}\n  .out ${text}`);
      }
    }
  }
  console.log(`app-dns-text .out: ${outs.length} expected outputs (${outs.map((o) => o.name).join(' ')}), ${frames - diffs.length} of ${frames} DNS lines equal`);
  assert.equal(diffs, [], '.out lines that differ');
  if (corpusOrSkip('tcpdump\'s .out files for DNS were not compared', ['corpus', 'corpus-more'])) assert.ok(outs.length >= 18 && frames >= 200, 'the DNS tests of tcpdump\'s list were compared');
});

/** The sniffer's lines (-t: no timestamps), packet by packet as tcpdump() splits them. */
function sniff(path: string, opts: string[], engine: 'wasm' | 'ts'): string[] {
  const r = spawnSync(process.execPath, [join(repoRoot, 'host/sniff.js'), '-nn', '-t', '--engine', engine, ...opts, '-r', path], { encoding: 'utf8', maxBuffer: 1 << 28 });
  assert.is(r.status, 0, `sniff ${opts.join(' ')} -r ${path}: ${r.stderr}`);
  return packets(r.stdout);
}

// Whole lines through the sniffer (the text sink's hook): the corpus DNS captures of
// tcpdump's own test list and the crafted frames, -nn and -vv (a sniffer start costs a
// second or two here; the suffix tests above cover every capture and option).
const SNIFFED = ['dns_udp.pcap', 'dns_tcp.pcap', 'edns-opts.pcap', 'dnssec.pcap', 'dns-badcookie.pcap'];

test('sniff prints every DNS packet\'s whole line as tcpdump does (corpus and crafted frames, -nn and -vv)', () => {
  if (!have) return;
  const seedsPath = join(work, 'seeds-sniff.pcap');
  writePcap(seedsPath, dnsSeeds().map((x) => x.frame));
  const e = createEngine();
  let lines = 0;
  const diffs: string[] = [];
  const files = corpusDnsCaptures().filter((p) => SNIFFED.includes(basename(p)));
  // Without the corpus the crafted frames alone: 38 DNS packets, their part of the floor below.
  const withCorpus = corpusOrSkip('the corpus DNS captures were not sniffed (crafted frames only)');
  if (withCorpus) assert.is(files.length, SNIFFED.length, 'the corpus holds the DNS captures of tcpdump\'s tests');
  for (const path of [...files, seedsPath]) {
    const dns = readCaptureFile(path).records.map((r) => e.decode(r.data, r.linktype, r.wirelen).dns !== undefined);
    for (const opts of [[], ['-vv']]) {
      const theirs = tcpdump(path, opts);
      const mine = sniff(path, opts, 'wasm');
      assert.is(mine.length, theirs.length, `${basename(path)} ${opts.join(' ')}: packets printed`);
      dns.forEach((isDns, i) => {
        if (!isDns) return;
        lines++;
        if (mine[i] !== theirs[i]) diffs.push(`${basename(path)} #${i + 1} ${opts.join(' ')}:\n  sniff   ${mine[i]}\n  tcpdump ${theirs[i]}`);
      });
    }
  }
  console.log(`app-dns-text sniff: ${lines - diffs.length} of ${lines} DNS packets print tcpdump's whole line`);
  assert.equal(diffs, [], 'whole lines that differ');
  assert.ok(lines >= 2 * ((withCorpus ? 56 : 0) + 38), 'the DNS packets were compared');
});

for (const backend of ['wasm', 'ts'] as const) {
  test(`DNS text of the corpus captures equals tcpdump's, -nn to -vvv (${backend})`, () => {
    if (!have) return;
    const t: Tally = { frames: 0, equal: 0, diffs: [] };
    const files = corpusDnsCaptures();
    for (const path of files) {
      const { records } = readCaptureFile(path);
      compare(basename(path), path, records.map((r) => ({ data: r.data.slice(), linktype: r.linktype, wirelen: r.wirelen })), backend, t);
    }
    console.log(`app-dns-text corpus (${backend}): ${files.length} captures, ${t.equal} of ${t.frames} DNS lines equal tcpdump's`);
    assert.equal(t.diffs, [], 'lines that differ');
    if (corpusOrSkip('the corpus DNS captures were not compared', ['corpus', 'corpus-more'])) assert.ok(files.length >= 13 && t.frames >= 4 * 227 - 8, 'the corpus DNS frames were compared');
  });

  test(`DNS text of the crafted frames equals tcpdump's, hostile ones included (${backend})`, () => {
    if (!have) return;
    const seeds = dnsSeeds();
    const path = join(work, `seeds-${backend}.pcap`);
    writePcap(path, seeds.map((s) => s.frame));
    const t: Tally = { frames: 0, equal: 0, diffs: [] };
    compare('seeds', path, seeds.map((s) => ({ data: s.frame, linktype: 1, wirelen: s.frame.length })), backend, t);
    console.log(`app-dns-text seeds (${backend}): ${t.equal} of ${t.frames} DNS lines equal tcpdump's`);
    assert.equal(t.diffs, [], 'lines that differ');
    assert.ok(t.frames >= 4 * (seeds.length - 3), 'the crafted frames were compared (LLMNR is not DNS to tcpdump, an empty payload is no message)');
  });

  // The fuzzed text runs on the WASM records only: app-dns-fuzz proves the twin's identical.
  if (backend === 'wasm') test(`DNS text of ${FUZZ} mutated, truncated frames equals tcpdump's (${backend})`, () => {
    if (!have) return;
    const rng = new Rng(seed() ^ 0x5eed);
    const { frames, caplens } = mutateAndCut(rng, dnsSeeds().map((s) => s.frame), FUZZ, () => 42,
      () => (rng.u32() % 2 === 0 ? rng.u32() & 0xFF : [0, 0xC0, 0x3F, 0x40, 0x41, 0x80, 0xFF][rng.u32() % 7]));
    const path = join(process.env.APP_TEXT_KEEP ?? work, `fuzz-${backend}.pcap`);
    writePcap(path, frames, caplens);
    const t: Tally = { frames: 0, equal: 0, diffs: [] };
    compare('fuzz', path, frames.map((f, i) => ({ data: f.subarray(0, caplens[i]), linktype: 1, wirelen: f.length })), backend, t);
    console.log(`app-dns-text fuzz (${backend}): ${t.equal} of ${t.frames} DNS lines equal tcpdump's`);
    assert.equal(t.diffs.slice(0, 20), [], `${t.diffs.length} lines differ`);
    assert.ok(t.frames >= FUZZ * 2, 'most mutated frames were compared');
  });
}

void DV_LLMNR;
test.run();
