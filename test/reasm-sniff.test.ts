// IP reassembly through the whole sniffer (host/sniff.js: source, ring, worker, stage
// runner), on a capture of fragment trains this test builds (IPv4 and IPv6, in order,
// shuffled, duplicated, overlapping, incomplete) and on the corpus's fragmented DNS:
//  - --json: the UDP fields of every frame equal tshark's, with IP defragmentation on
//    (the default of both) and off (--no-reassemble / -o ip.defragment:FALSE);
//  - --flows: the UDP conversation rows equal tshark -z conv,udp's;
// One accepted difference, asserted as such: a datagram with overlapping fragments.
// RFC 5722 requires discarding it (for IPv6; pktwasm does the same for IPv4, as Linux
// does); tshark reassembles it anyway. Its frames must show no UDP on our side, and its
// conversation must be absent from our table while tshark has it.
//  - text lines are the same with and without reassembly (tcpdump does not reassemble);
//  - -w writes every frame as it was on the wire.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readCaptureFile } from '../host/sources/capture-file.js';
import { fragmentFrame, pcapFile, rng, split, udpDatagram, type Fragment } from './lib/frag-train.js';
import { corpusDir, haveTool, repoRoot, seed } from './lib/env.js';

const SEED = seed();
console.log(`SEED ${SEED} (reasm-sniff)`);
const tmp = mkdtempSync(join(tmpdir(), 'pktwasm-reasm-'));
process.on('exit', () => rmSync(tmp, { recursive: true, force: true }));

interface Built { path: string; overlapFrames: Set<number>; overlapPorts: Set<number> }

/** A capture of fragment trains: whole, shuffled, with a duplicate, with an overlap, and
 *  one missing its last fragment; IPv4 and IPv6 interleaved. */
function buildCapture(): Built {
  const overlapFrames = new Set<number>();
  const overlapPorts = new Set<number>();
  const r = rng(SEED);
  const frames: Uint8Array[] = [];
  const times: number[] = [];
  let t = 1_700_000_000;
  const add = (f: Uint8Array): void => { frames.push(f); times.push(t); t += 0.0005 + r() * 0.01; };
  for (let i = 0; i < 60; i++) {
    const version = i % 2 === 0 ? 4 : 6;
    const g = udpDatagram(version, 20000 + i, 53 + (i % 3), 600 + Math.floor(r() * 6000), r, 1 + (i % 5));
    const payload = g.bytes.length - g.hdrLen;
    // Overlap trains get at least three fragments: the overlap sits inside the second.
    const size = i % 5 === 3 ? 8 * Math.floor(payload / 24) : 8 * (40 + Math.floor(r() * 150));
    const frags: Fragment[] = split(payload, size);
    let order = frags.slice();
    if (i % 5 === 1) order.reverse();
    if (i % 5 === 2) order = [...order, order[0]]; // a duplicate
    if (i % 5 === 3 && frags.length > 2) order.splice(1, 0, { off: frags[1].off - 8, len: 16, more: true }); // an overlap
    if (i % 5 === 4) order = order.filter((f) => f.more); // never completed
    const overlap = i % 5 === 3 && frags.length > 2;
    if (overlap) overlapPorts.add(20000 + i);
    for (const f of order) {
      if (overlap) overlapFrames.add(frames.length + 1);
      add(fragmentFrame(g, f, 0x4000 + i));
    }
    // An unfragmented datagram between trains.
    add(fragmentFrame(udpDatagram(version, 1000 + i, 9, 40, r), { off: 0, len: 48, more: false }, i));
  }
  const path = join(tmp, 'trains.pcap');
  writeFileSync(path, pcapFile(frames, times));
  return { path, overlapFrames, overlapPorts };
}

function sniff(args: string[]): string {
  const r = spawnSync(process.execPath, [join(repoRoot, 'host/sniff.js'), ...args], { encoding: 'utf8', maxBuffer: 256 << 20 });
  assert.is(r.status, 0, `sniff ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

function tshark(args: string[]): string {
  const r = spawnSync('tshark', args, { encoding: 'utf8', maxBuffer: 256 << 20 });
  assert.is(r.status, 0, `tshark ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

const NO_DEFRAG = ['-o', 'ip.defragment:FALSE', '-o', 'ipv6.defragment:FALSE'];

/** udp.srcport,udp.dstport,udp.length per frame ('' when the frame shows no UDP). */
function tsharkUdp(file: string, defrag: boolean): string[] {
  return tshark(['-r', file, ...(defrag ? [] : NO_DEFRAG), '-T', 'fields', '-E', 'separator=,', '-e', 'udp.srcport', '-e', 'udp.dstport', '-e', 'udp.length'])
    .split('\n').slice(0, -1).map((l) => (l === ',,' ? '' : l));
}

function ourUdp(file: string, defrag: boolean): string[] {
  return sniff(['-r', file, '--json', ...(defrag ? [] : ['--no-reassemble'])]).split('\n').filter((l) => l !== '').map((l) => {
    const p = JSON.parse(l) as { udp?: { srcport: number; dstport: number; length: number } };
    return p.udp === undefined ? '' : `${p.udp.srcport},${p.udp.dstport},${p.udp.length}`;
  });
}

const files: string[] = [];
const haveTshark = haveTool('tshark', '-v');
let built: Built = { path: '', overlapFrames: new Set(), overlapPorts: new Set() };

test('captures: trains made here, and the corpus\'s fragmented DNS', () => {
  built = buildCapture();
  files.push(built.path);
  assert.is(built.overlapPorts.size, 12);
  const c = corpusDir();
  if (c !== null) {
    for (const f of ['extra/dnscap/frags.pcap', 'ip6_frag_asan.pcap']) {
      assert.ok(existsSync(join(c, f)), f);
      files.push(join(c, f));
    }
  }
});

test('--json: UDP fields of every frame equal tshark\'s, with reassembly on and off', () => {
  if (!haveTshark) return;
  let frames = 0;
  let reported = 0;
  for (const f of files) {
    for (const defrag of [true, false]) {
      const ours = ourUdp(f, defrag);
      const theirs = tsharkUdp(f, defrag);
      assert.is(ours.length, theirs.length, `${f}: frames`);
      ours.forEach((o, i) => {
        const what = `${f} frame ${i + 1} (defragmentation ${defrag ? 'on' : 'off'})`;
        if (defrag && f === built.path && built.overlapFrames.has(i + 1)) assert.is(o, '', `${what}: overlapping fragments, discarded (RFC 5722)`);
        else assert.is(o, theirs[i], what);
      });
      if (defrag && f === built.path) {
        const tsharkReports = [...built.overlapFrames].filter((n) => theirs[n - 1] !== '').length;
        assert.is(tsharkReports, built.overlapPorts.size, 'tshark reassembles every overlapping train (the accepted difference)');
      }
      frames += ours.length;
      if (defrag) reported += ours.filter((o) => o !== '').length;
    }
  }
  console.log(`NOTE reasm-sniff: ${frames} frames' UDP fields equal tshark's; ${reported} frames with UDP when reassembling`);
  assert.ok(reported >= 60, 'the trains were reassembled');
});

test('--json: DNS in reassembled datagrams (the corpus\'s fragmented DNS) equals tshark\'s: id, first name, answers', () => {
  const c = corpusDir();
  if (!haveTshark || c === null) return;
  const f = join(c, 'extra/dnscap/frags.pcap');
  const theirs = tshark(['-r', f, '-T', 'fields', '-E', 'separator=;', '-e', 'dns.id', '-e', 'dns.qry.name', '-e', 'dns.count.answers'])
    .split('\n').slice(0, -1);
  const ours = sniff(['-r', f, '--json']).split('\n').filter((l) => l !== '').map((l) => {
    const p = JSON.parse(l) as { dns?: { id: number; qry?: Array<{ name: string }>; count: { answers: number } } };
    return p.dns === undefined ? ';;' : `0x${p.dns.id.toString(16).padStart(4, '0')};${p.dns.qry?.[0]?.name ?? ''};${p.dns.count.answers}`;
  });
  assert.is(ours.length, theirs.length);
  ours.forEach((o, i) => assert.is(o, theirs[i], `frame ${i + 1}`));
  const shown = ours.filter((o) => o !== ';;').length;
  console.log(`NOTE reasm-sniff: DNS of ${shown} reassembled datagrams equal tshark's`);
  assert.ok(shown >= 80);
});

test('--flows: the UDP conversations equal tshark -z conv,udp (both reassemble)', () => {
  if (!haveTshark) return;
  let rows = 0;
  for (const f of files) {
    const rowsOf = (s: string): string[] => s.split('\n').filter((l) => l.includes('<->')).sort();
    const ours = rowsOf(sniff(['-r', f, '--flows']));
    let theirs = rowsOf(tshark(['-r', f, '-q', '-z', 'conv,tcp', '-z', 'conv,udp']));
    if (f === built.path) {
      // Overlapping trains: tshark's conversation, absent from ours (RFC 5722).
      const port = (row: string): number => Number(/^\s*\S+:(\d+)\s/.exec(row)?.[1]);
      const overlapRows = theirs.filter((row) => built.overlapPorts.has(port(row)));
      assert.is(overlapRows.length, built.overlapPorts.size);
      assert.not.ok(ours.some((row) => built.overlapPorts.has(port(row))));
      theirs = theirs.filter((row) => !built.overlapPorts.has(port(row)));
    }
    assert.equal(ours, theirs, f);
    rows += theirs.length;
  }
  console.log(`NOTE reasm-sniff: ${rows} conversation rows equal tshark's`);
  assert.ok(rows >= 40, 'conversations compared');
});

test('text lines do not change with reassembly (tcpdump does not reassemble); -w writes the wire', () => {
  for (const f of files) {
    assert.is(sniff(['-r', f, '-nn', '-v']), sniff(['-r', f, '-nn', '-v', '--no-reassemble']), f);
    const out = join(tmp, 'out.pcap');
    sniff(['-r', f, '-w', out, '--json']);
    const a = readCaptureFile(f).records;
    const b = readCaptureFile(out).records;
    assert.is(b.length, a.length);
    a.forEach((rec, i) => assert.equal(b[i].data, rec.data, `${f} record ${i + 1}`));
  }
});

test.run();
