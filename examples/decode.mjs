// engine.decode(): one frame's bytes to a plain object named as Wireshark names its fields
// (tcp.srcport is pkt.tcp.srcport), so a value can be checked against tshark -e <field>
// with no dictionary in between. It allocates: use it to look at packets, not in hot loops.
// It sees one frame alone: a first IP fragment shows its transport header, as tshark does
// with -o ip.defragment:FALSE (capture() reassembles, as tshark does by default).
//
//   node examples/decode.mjs [file.pcap]
// Prints, per frame, every field of FIELDS the frame has, as name=value.
import { fileURLToPath } from 'node:url';
import { createEngine, readCaptureFile } from 'pktwasm';

const file = process.argv[2] ?? fileURLToPath(new URL('../test/fixtures/sample.pcap', import.meta.url));
const FIELDS = [
  'eth.src', 'eth.dst', 'arp.opcode', 'ip.src', 'ip.dst', 'ip.ttl', 'ipv6.src', 'ipv6.dst', 'ipv6.hlim',
  'tcp.srcport', 'tcp.dstport', 'tcp.flags', 'udp.srcport', 'udp.dstport', 'icmp.type', 'icmpv6.type',
];

const engine = createEngine();
const { records } = readCaptureFile(file);
for (const r of records) {
  const pkt = engine.decode(r.data, r.linktype, r.wirelen);
  // A Wireshark field name is a path into the object: 'ip.src' -> pkt.ip.src.
  const fields = FIELDS.map((name) => [name, name.split('.').reduce((o, k) => o?.[k], pkt)])
    .filter(([, v]) => v !== undefined)
    .map(([name, v]) => `${name}=${v}`);
  console.log(`frame ${r.number}: ${fields.join(' ')}`);
}
if (records.length > 0) {
  // The whole object of the first frame, to show its shape.
  console.log(JSON.stringify(engine.decode(records[0].data, records[0].linktype, records[0].wirelen)));
}
