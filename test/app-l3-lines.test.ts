// IGMP and OSPF lines (host/app/igmp/text.ts, host/app/ospf/text.ts) against the installed
// tcpdump: the corpus captures with them (IGMP_V2.pcap, OSPFv2_Capture_FINAL.pcapng) and
// the crafted messages of lib/l3-seeds.ts, then 4,000 of those mutated and cut, every
// packet's whole text with -nn, -q, -v and -vv (OSPF's -v lines: router id, area,
// authentication, the packet body, LSAs and the LLS block). Two parts are not done and are
// left out of the comparison, counted: the DVMRP and PIMv1 bodies a mutated IGMP type may
// ask for, and the TLVs of the opaque LSAs tcpdump decodes (traffic engineering, graceful
// restart, router information) a mutated opaque type may ask for.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { corpusCaptures, corpusOrSkip, haveTool, Rng, seed } from './lib/env.js';
import { tcpdumpText } from './text-output-tcpdump.js';
import { l3SeedFrames } from './lib/l3-seeds.js';
import { writeManyPcap } from './lib/line-seeds.js';
import { mutateAndCut } from './lib/mutate-frames.js';
import { sniffPackets } from './lib/sniff-text.js';

const OPTION_SETS = [['-nn'], ['-nn', '-q'], ['-nn', '-v'], ['-nn', '-vv']];
let dir = '';
const captures: Array<{ path: string; label: string }> = [];

test.before(() => {
  if (!haveTool('tcpdump')) return;
  dir = mkdtempSync(join(tmpdir(), 'app-l3-'));
  for (const path of corpusCaptures()) if (/^(IGMP_V2|OSPFv2_Capture_FINAL)\./.test(basename(path))) captures.push({ path, label: basename(path) });
  const frames = l3SeedFrames();
  const path = join(dir, 'l3-seeds.pcap');
  writeManyPcap(path, frames, frames.map((f) => f.length));
  captures.push({ path, label: 'l3-seeds' });
});

test.after(() => {
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

interface Counts { igmp: number; ospf: number; skipped: number }

/** Every packet's text, sniff against tcpdump. */
function compare(path: string, label: string, opts: string[], diffs: string[], n: Counts): void {
  const theirs = tcpdumpText(path, opts);
  assert.equal(theirs.problems, [], 'tcpdump read the capture');
  sniffPackets(path, opts, theirs.packets.length).forEach((line, i) => {
    const t = theirs.packets[i];
    if (/: igmp (?:dvmrp|pimv1)/.test(t) && !/: igmp dvmrp \[len \d+\]/.test(t)) { n.skipped++; return; }
    if (/Opaque-Type (?:Traffic Engineering|Graceful restart|Router Information) LSA/.test(t)) { n.skipped++; return; }
    if (/OSPFv\d+, /.test(t)) n.ospf++;
    else if (/: igmp|\[\|igmp\]/.test(t)) n.igmp++;
    if (line !== t) diffs.push(`${label} #${i + 1} ${opts.join(' ')}:\n  sniff   ${JSON.stringify(line)}\n  tcpdump ${JSON.stringify(t)}`);
  });
}

test('sniff prints the IGMP and OSPF captures and crafted messages as tcpdump does, -nn, -q, -v, -vv', () => {
  if (captures.length === 0) return;
  const diffs: string[] = [];
  const n: Counts = { igmp: 0, ospf: 0, skipped: 0 };
  for (const c of captures) for (const opts of OPTION_SETS) compare(c.path, c.label, opts, diffs, n);
  console.log(`app-l3-lines: ${n.igmp} IGMP and ${n.ospf} OSPF lines, ${diffs.length} differences from tcpdump`);
  assert.equal(diffs, [], 'sniff differs from tcpdump');
  if (corpusOrSkip('IGMP_V2 and OSPFv2_Capture_FINAL were not compared (crafted messages only)')) assert.ok(n.igmp >= 150 && n.ospf >= 150, 'lines were compared');
  else assert.ok(n.igmp >= 83 && n.ospf >= 40, 'the crafted messages\' lines were compared');
});

test('4,000 mutated and cut IGMP and OSPF frames print as tcpdump does', () => {
  if (captures.length === 0) return;
  const rng = new Rng(seed());
  const { frames, caplens } = mutateAndCut(rng, l3SeedFrames(), 4000, (f) => 14 + (f[14] & 15) * 4,
    () => [0, 1, 2, 3, 5, 0x11, 0x16, 0x22, 0x80, 0xe0, 0xff, rng.u32() & 255][rng.u32() % 12]);
  const path = join(dir, 'l3-fuzz.pcap');
  writeManyPcap(path, frames, caplens);
  const diffs: string[] = [];
  const n: Counts = { igmp: 0, ospf: 0, skipped: 0 };
  for (const opts of OPTION_SETS) compare(path, 'mutated', opts, diffs, n);
  console.log(`app-l3-lines mutated: ${n.igmp} IGMP and ${n.ospf} OSPF lines (${n.skipped} DVMRP/PIMv1 and opaque TLV packets left out), ${diffs.length} differences from tcpdump`);
  assert.equal(diffs.slice(0, 10), [], 'sniff differs from tcpdump');
  assert.ok(n.igmp + n.ospf >= 12000, 'lines were compared');
});

test.run();
