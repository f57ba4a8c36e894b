// capture(): read a pcap/pcapng file through the engine with a tcpdump filter and get one
// plain object per matching packet. The simplest way in: each packet owns a copy of its
// bytes and a Wireshark-shaped `decoded` object, so it is safe to keep (and it allocates;
// see capture-batches.mjs for the zero-allocation loop).
//
//   node examples/capture-file.mjs [file.pcap] [filter]
// Prints one line per packet: number, epoch time, addresses, protocol, wire length; then
// the count.
import { fileURLToPath } from 'node:url';
import { capture } from 'pktwasm';

const file = process.argv[2] ?? fileURLToPath(new URL('../test/fixtures/sample.pcap', import.meta.url));
// The same expression language as tcpdump (libpcap's), compiled to WebAssembly.
const filter = process.argv[3] ?? 'ip or ip6';

let n = 0;
for await (const pkt of capture({ file, filter })) {
  const d = pkt.decoded;
  const l3 = d.ip ?? d.ipv6;
  const proto = d.tcp ? 'tcp' : d.udp ? 'udp' : d.icmp ? 'icmp' : d.icmpv6 ? 'icmpv6' : 'other';
  // Times come as whole seconds plus nanoseconds: print them as tcpdump -tt does (microseconds).
  const time = `${pkt.tsSec}.${String(Math.floor(pkt.tsNsec / 1000)).padStart(6, '0')}`;
  console.log(`#${pkt.number} ${time} ${l3?.src ?? '-'} > ${l3?.dst ?? '-'} ${proto} ${pkt.wirelen} bytes`);
  n = pkt.number;
}
console.log(`${n} packets matched "${filter}" in ${file}`);
