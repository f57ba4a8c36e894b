// The tcpdump-style text sink against the installed tcpdump, on every packet of every
// corpus capture with several option sets, and on two generated captures. Packets are
// matched by frame number (tcpdump -#); both sides must print the same number of packets,
// and tcpdump must read each capture to its end (text-output-tcpdump.ts lists the four
// pcapng files libpcap refuses part-way, asserts its reason, and reads their packets from
// editcap's per-link-type copies).
//
// A packet passes when our text equals tcpdump's, or equals it up to tcpdump's
// application-layer part — the rule is in text-output-lib.ts and reads tcpdump's text,
// not ours. Every other difference must be listed in text-output-gaps.ts with its owner
// issue; the list is exact both ways (an unlisted difference fails, and so does a listed
// packet that no longer differs). Counts are printed per option set.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { basename, join } from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { corpusCaptures, corpusOrSkip, haveTool } from './lib/env.js';
import { compareWithTcpdump, showDiff, type CaptureComparison } from './text-output-lib.js';
import { applyGaps } from './text-output-gaps.js';
import { generateCapture } from '../bench/lib/gen-capture.js';

const captures = corpusCaptures();
const hasTcpdump = haveTool('tcpdump');
// Reading the captures libpcap refuses part-way needs Wireshark's tshark and editcap.
const hasSplitters = haveTool('tshark') && haveTool('editcap', '-h');

function check(label: string, args: string[], files: Array<[string, string | undefined]>, fromCorpus = false): void {
  test(`text sink vs tcpdump ${args.join(' ')} (${label})`, () => {
    if (!hasTcpdump || !hasSplitters) return;
    // Without the corpus its comparisons, floor and known gaps are left out (one SKIP line).
    if (fromCorpus && !corpusOrSkip('the corpus captures were not compared with tcpdump (generated captures only)')) return;
    const results: CaptureComparison[] = files.map(([f, name]) => compareWithTcpdump(f, args, name));
    const problems = results.flatMap((r) => r.problems);
    const gaps = applyGaps(args, results);
    const sum = (k: 'packets' | 'exact' | 'app' | 'clamped'): number => results.reduce((a, r) => a + r[k], 0);
    const owners = [...gaps.byOwner].map(([o, n]) => `${o}: ${n}`).join(', ') || 'none';
    console.log(`\nNOTE tcpdump ${args.join(' ')}: ${results.length} captures, ${sum('packets')} packets: ${sum('exact')} equal in full, `
      + `${sum('app')} equal up to tcpdump's application layer, ${sum('packets') - sum('exact') - sum('app')} known gaps (${owners}), `
      + `${gaps.unexplained.length} unexplained, ${gaps.stale.length} stale; ${sum('clamped')} record(s) cut to the snapshot length as libpcap does`);
    for (const r of results) if (r.note !== '') console.log(`  ${r.note}`);
    for (const [why, n] of gaps.byReason) console.log(`  gap ${n}: ${why}`);
    for (const p of problems) console.log(`  PROBLEM ${p}`);
    for (const d of gaps.unexplained.slice(0, 12)) console.log(`  UNEXPLAINED ${showDiff(d)}`);
    for (const s of gaps.stale.slice(0, 12)) console.log(`  STALE ${s}`);
    assert.ok(sum('packets') > 0, 'packets compared');
    assert.equal(problems, [], 'tcpdump read every capture to its end, and printed as many packets as we did');
    assert.is(gaps.unexplained.length, 0, 'packets that differ from tcpdump before its application layer, not in the known-gaps list');
    assert.equal(gaps.stale, [], 'known gaps that no longer occur: remove them from text-output-gaps.ts');
  });
}

const corpus = captures.map((f): [string, string | undefined] => [f, undefined]);
check('all captures', ['-nn', '-S', '-tt'], corpus, true);
check('all captures, relative seq', ['-nn', '-tt'], corpus, true);
check('all captures, link header', ['-nn', '-S', '-tt', '-e'], corpus, true);
check('all captures, verbose', ['-nn', '-S', '-tt', '-v'], corpus, true);
check('all captures, quiet', ['-nn', '-tt', '-q'], corpus, true);
check('all captures, -e -v', ['-n', '-tttt', '-e', '-v'], corpus, true);

// The benchmark's generated captures (seed 7): 60-byte frames (most of them cut short:
// truncated IPv4/IPv6, TCP options, bad header lengths) and the realistic mix.
const genDir = mkdtempSync(join(tmpdir(), 'pktwasm-text-'));
const generated: Array<[string, string]> = [join(genDir, 'small.pcap'), join(genDir, 'mix.pcap')].map((f) => [f, `generated/${basename(f)}`]);
generateCapture(generated[0][0], 20000, 'small', 7);
generateCapture(generated[1][0], 20000, 'mix', 7);
check('generated captures', ['-nn', '-S', '-tt'], generated);
check('generated captures, verbose', ['-nn', '-tt', '-v', '-e'], generated);

test.after(() => rmSync(genDir, { recursive: true, force: true }));
test.run();
