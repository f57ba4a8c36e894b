// The tcpdump-style text sink against the installed tcpdump, run here on every corpus
// capture with several option sets. Packets are matched by frame number (tcpdump -#).
//
// Cut-off rule: where tcpdump goes on with a printer we do not have (DNS, BOOTP, OSPF,
// GRE, routing headers, IP options, -v detail of ICMPv6 ...), our formatter ends the
// line with generic text and reports the offset where that generic part begins (the
// "cut"). Such a packet matches "by prefix" when tcpdump's text starts with ours up to
// the cut; everything before the cut — timestamp, link header, addresses, ports, TCP
// flags, seq/ack, win, options, lengths — must then be equal. A packet without a cut
// must be equal in full. Counts of exact and prefix matches are printed.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { corpusCaptures, haveTool } from './lib/env.js';
import { compareWithTcpdump, type CompareResult } from './text-output-lib.js';
import { generateCapture } from '../bench/lib/gen-capture.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const captures = corpusCaptures();
const hasTcpdump = haveTool('tcpdump');

function check(label: string, args: string[], files = captures): void {
  test(`text sink vs tcpdump ${args.join(' ')} (${label})`, () => {
    if (!hasTcpdump) return;
    const total: CompareResult = { exact: 0, prefix: 0, mismatches: [], files: 0, skipped: [] };
    for (const file of files) {
      const r = compareWithTcpdump(file, args);
      total.exact += r.exact;
      total.prefix += r.prefix;
      total.files += r.files;
      total.skipped.push(...r.skipped);
      // No exemptions: a record longer than the file's snapshot length (mptcp-dss-oobr.pcap)
      // reaches the formatter cut as libpcap cuts it for tcpdump (formatCapture).
      total.mismatches.push(...r.mismatches);
    }
    console.log(`\nNOTE tcpdump ${args.join(' ')}: ${total.files} captures, ${total.exact} packets equal, ${total.prefix} equal up to the cut, ${total.mismatches.length} different${total.skipped.length ? `; not comparable: ${total.skipped.join(', ')}` : ''}`);
    for (const mm of total.mismatches.slice(0, 12)) console.log(`  ${mm}`);
    assert.is(total.mismatches.length, 0, 'packets that differ from tcpdump');
  });
}

check('all captures', ['-nn', '-S', '-tt']);
check('all captures, relative seq', ['-nn', '-tt']);
check('all captures, link header', ['-nn', '-S', '-tt', '-e']);
check('all captures, verbose', ['-nn', '-S', '-tt', '-v']);
check('all captures, quiet', ['-nn', '-tt', '-q']);
check('all captures, -e -v', ['-n', '-tttt', '-e', '-v']);

// The benchmark's generated captures: 60-byte frames (most of them cut short: truncated
// IPv4/IPv6, TCP options, bad header lengths) and the realistic mix.
const genDir = mkdtempSync(join(tmpdir(), 'pktwasm-text-'));
const generated = [join(genDir, 'small.pcap'), join(genDir, 'mix.pcap')];
generateCapture(generated[0], 20000, 'small', 7);
generateCapture(generated[1], 20000, 'mix', 7);
check('generated captures', ['-nn', '-S', '-tt'], generated);
check('generated captures, verbose', ['-nn', '-tt', '-v', '-e'], generated);

test.after(() => rmSync(genDir, { recursive: true, force: true }));
test.run();
