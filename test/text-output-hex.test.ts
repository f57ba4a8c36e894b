// -x / -xx / -X / -XX hex dumps against the installed tcpdump, byte for byte: the dump
// part of every packet must be equal; the line before it follows the cut-off rule of
// text-output.test.ts.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { basename, join } from 'node:path';
import { corpusDir, haveTool } from './lib/env.js';
import { formatCapture, optionsFromArgs, tcpdumpPackets } from './text-output-lib.js';

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

for (const flag of ['-x', '-xx', '-X', '-XX']) {
  test(`hex dump ${flag} equals tcpdump's`, () => {
    if (dir === null || !hasTcpdump) return;
    let packets = 0;
    for (const name of FILES) {
      const file = join(dir, name);
      const args = ['-nn', '-S', '-tt', flag];
      const ours = formatCapture(file, optionsFromArgs(args));
      const theirs = tcpdumpPackets(file, args);
      assert.ok(theirs.length > 0, `${name}: tcpdump printed packets`);
      for (let i = 0; i < theirs.length; i++) {
        const t = theirs[i];
        const o = ours.texts[i];
        const ts = t.indexOf('\n\t0x');
        const os = o.indexOf('\n\t0x');
        assert.is(o.slice(os), t.slice(ts), `${basename(file)} #${i + 1} ${flag} dump`);
        const tl = t.slice(0, ts);
        const ol = o.slice(0, os);
        const cut = ours.cuts[i];
        assert.ok(ol === tl || (cut >= 0 && tl.startsWith(ol.slice(0, cut))), `${name} #${i + 1} line:\n${ol}\n${tl}`);
        packets++;
      }
    }
    console.log(`\nNOTE tcpdump ${flag}: ${packets} packets, dumps equal`);
  });
}

test.run();
