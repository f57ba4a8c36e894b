// Builder: packets from a spec (or a fluent chain), written by the engine into pool buffers
// with every length and checksum filled in. Here a UDP/IPv4 datagram and an ICMPv6 echo
// request are built, their checksums verified with engine.checksum() the way a receiver
// does (RFC 1071: summing a header with its checksum field in it gives 0), then written to
// a pcap file so that tcpdump or Wireshark can check them too.
//
//   node examples/builder.mjs [out.pcap]      (default: <tmpdir>/pktwasm-builder-example.pcap)
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Builder, createEngine, parseIPv4, parseIPv6, PcapWriter } from 'pktwasm';

const outPath = process.argv[2] ?? join(tmpdir(), 'pktwasm-builder-example.pcap');
const engine = createEngine();
const build = new Builder(engine);

// The IPv4/IPv6 pseudo-header that UDP, TCP and ICMPv6 checksums cover besides the segment.
function pseudoHeader(src, dst, proto, length) {
  const v6 = src.length === 16;
  const p = new Uint8Array(v6 ? 40 : 12);
  const dv = new DataView(p.buffer);
  p.set(src, 0);
  p.set(dst, src.length);
  if (v6) { dv.setUint32(32, length); p[39] = proto; } else { p[9] = proto; dv.setUint16(10, length); }
  return p;
}
const v4bytes = (s) => { const v = parseIPv4(s); return Uint8Array.of(v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255); };
const concat = (a, b) => { const c = new Uint8Array(a.length + b.length); c.set(a); c.set(b, a.length); return c; };
const ok = (sum) => (sum === 0 ? 'ok' : `BAD (sums to 0x${sum.toString(16)})`);

// 1. UDP over IPv4, as a PacketSpec (field names as Wireshark's: ip.ttl, udp.srcport ...).
const udp = build.bytes({
  eth: { src: '02:00:00:00:00:01', dst: '02:00:00:00:00:02' },
  ip: { src: '192.0.2.1', dst: '198.51.100.7', ttl: 64 },
  udp: { srcport: 40000, dstport: 9999 },
  payload: new TextEncoder().encode('hello from pktwasm'),
});
const l3 = build.l3Offset;
const l4 = build.l4Offset;
const ipSum = engine.checksum(udp.subarray(l3, l4));
const udpSum = engine.checksum(concat(pseudoHeader(v4bytes('192.0.2.1'), v4bytes('198.51.100.7'), 17, udp.length - l4), udp.subarray(l4)));
console.log(`udp/ipv4: ${udp.length} bytes, ip checksum ${ok(ipSum)}, udp checksum ${ok(udpSum)}`);

// 2. ICMPv6 echo request, with the fluent chain (same spec underneath).
const icmp6 = build.eth({ src: '02:00:00:00:00:01', dst: '02:00:00:00:00:02' })
  .ipv6({ src: '2001:db8::1', dst: '2001:db8::2', hlim: 64 })
  .icmpv6({ type: 128, ident: 0x1234, seq: 1 })
  .payload(new Uint8Array(16).fill(0xab))
  .toBytes();
const l4v6 = build.l4Offset;
const icmpSum = engine.checksum(concat(pseudoHeader(parseIPv6('2001:db8::1'), parseIPv6('2001:db8::2'), 58, icmp6.length - l4v6), icmp6.subarray(l4v6)));
console.log(`icmpv6 echo: ${icmp6.length} bytes, icmpv6 checksum ${ok(icmpSum)}`);

// 3. Both into a pcap file (Ethernet link type), for an outside opinion.
const w = PcapWriter.open(outPath, { linktype: 1 });
const now = Math.floor(Date.now() / 1000);
for (const p of [udp, icmp6]) w.writeRecord(now, 0, p.length, p.length, p);
w.close();
console.log(`wrote 2 packets to ${outPath} (try: tcpdump -vv -nn -r ${outPath})`);
if (ipSum !== 0 || udpSum !== 0 || icmpSum !== 0) process.exitCode = 1;
