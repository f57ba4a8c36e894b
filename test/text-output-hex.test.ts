// -x / -xx / -X / -XX hex dumps against the installed tcpdump, byte for byte: the dump
// part of every packet must be equal; the line before it follows the rule of
// text-output.test.ts (equal, or equal up to tcpdump's application layer, or a listed
// known gap), and both sides print the same number of packets.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import { corpusDir, haveTool } from './lib/env.js';
import { corpusLabel, divergence, formatCapture, judge, optionsFromArgs, showDiff, type PacketDiff } from './text-output-lib.js';
import { tcpdumpText } from './text-output-tcpdump.js';
import { applyGaps } from './text-output-gaps.js';

const dir = corpusDir();
const hasTcpdump = haveTool('tcpdump');
// Ethernet, Ethernet with padding, VLAN, SLL, NULL, raw IP, IPv6, an unsupported link
// type (dumped whole), and truncated or malformed frames.
const FILES = [
  'print-flags.pcap', 'extra/dnscap/ether_padd.pcap', 'extra/dnscap/vlan11.pcap', 'tcp-handshake-nano.pcap',
  'dns-badcookie.pcap', 'LINKTYPE_RAW_ipv4.pcap', 'LINKTYPE_IPV6.pcap', 'icmpv6.pcap', 'unsupported-link-type-160.pcap',
  'tcp_header_heapoverflow.pcap', 'ipv6_39_byte_header.pcap', 'tcp_rst_data-trunc.pcap', '802.1ad_QinQ.pcap',
  'extra/dnscap/sll2.pcap',
];

/** A packet's text split into its line(s) and its hex dump (from the first "\n\t0x"). */
function split(text: string): [string, string] {
  const at = text.indexOf('\n\t0x');
  return at < 0 ? [text, ''] : [text.slice(0, at), text.slice(at)];
}

for (const flag of ['-x', '-xx', '-X', '-XX']) {
  test(`hex dump ${flag} equals tcpdump's`, () => {
    if (dir === null || !hasTcpdump) return;
    const lineArgs = ['-nn', '-S', '-tt'];
    const args = [...lineArgs, flag];
    let packets = 0;
    let exact = 0;
    let app = 0;
    const comparisons: Array<{ file: string; diffs: PacketDiff[] }> = [];
    for (const name of FILES) {
      const file = join(dir, name);
      const ours = formatCapture(file, optionsFromArgs(args));
      const theirs = tcpdumpText(file, args);
      assert.equal(theirs.problems, [], `${name}: tcpdump read the capture`);
      assert.is(ours.readError, null, `${name}: our reader read the capture`);
      assert.is(ours.texts.length, theirs.packets.length, `${name}: packets printed`);
      const diffs: PacketDiff[] = [];
      for (let i = 0; i < theirs.packets.length; i++) {
        const [tl, td] = split(theirs.packets[i]);
        const [ol, od] = split(ours.texts[i]);
        assert.ok(td.length > 0, `${name} #${i + 1}: tcpdump printed a dump`);
        assert.is(od, td, `${name} #${i + 1} ${flag} dump`);
        const v = judge(ol, tl);
        if (v === 'exact') exact++;
        else if (v === 'app') app++;
        else diffs.push({ file: corpusLabel(file), frame: i + 1, ours: ol, tcpdump: tl, at: divergence(ol, tl) });
        packets++;
      }
      comparisons.push({ file: corpusLabel(file), diffs });
    }
    // The known gaps are those of the line without the dump flag.
    const gaps = applyGaps(lineArgs, comparisons);
    for (const d of gaps.unexplained.slice(0, 12)) console.log(`  UNEXPLAINED ${showDiff(d)}`);
    for (const s of gaps.stale) console.log(`  STALE ${s}`);
    const known = [...gaps.byOwner].map(([o, n]) => `${o}: ${n}`).join(', ') || 'none';
    console.log(`\nNOTE tcpdump ${flag}: ${FILES.length} captures, ${packets} packets, dumps equal; lines: ${exact} equal in full, ${app} equal up to tcpdump's application layer, known gaps ${known}`);
    assert.ok(packets > 0, 'packets compared');
    assert.is(gaps.unexplained.length, 0, 'lines that differ from tcpdump before its application layer, not in the known-gaps list');
    assert.equal(gaps.stale, [], 'known gaps that no longer occur');
  });
}

test.run();
