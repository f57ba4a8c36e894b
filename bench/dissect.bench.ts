// Dissection of a batch of mixed frames (Ethernet/IPv4/TCP with options, VLAN/UDP,
// QinQ, IPv6/TCP, IPv6 with extension headers, ICMP, ICMPv6, ARP, SLL, SLL2, NULL, RAW):
// WASM vs the TS twin vs cap's JS decoders (cap.decoders), same frames, one run.
// Three memory settings: a small batch hot in cache; 1 M frames laid out 256 bytes apart
// so headers stream from DRAM; and full-size 1500-byte frames spread over 1.5 GB-ish
// strides that are not in cache.
import { createRequire } from 'node:module';
import { createEngine } from '../host/engine/engine.js';
import { buildSampleFrames } from '../test/lib/sample-frames.js';
import { compare } from './lib/compare.js';
import { DESC_SIZE, LINKTYPE_ETHERNET } from '../host/runtime/layout.js';
import { sized, TINY } from './lib/results.js';

const require = createRequire(import.meta.url);
interface Dec { info: Record<string, unknown> & { type?: number; protocol?: number; nextheader?: number }; offset: number }
const cap = require('cap') as { decoders: Record<string, (b: Buffer, o?: number) => Dec> & { ICMPV4: (b: Buffer, n: number, o: number) => Dec } };
const D = cap.decoders;

const wasm = createEngine({ backend: 'wasm' });
const twin = createEngine({ backend: 'ts', memory: wasm.memory });
const samples = buildSampleFrames();
const ethSamples = samples.filter((s) => s.linktype === LINKTYPE_ETHERNET);

/** cap's decoders can only walk Ethernet; they get the Ethernet subset of the mix. */
function capDecode(b: Buffer): number {
  const e = D.Ethernet(b);
  let n = 1;
  if (e.info.type === 0x0800) {
    const ip = D.IPV4(b, e.offset);
    n++;
    if (ip.info.protocol === 6) { D.TCP(b, ip.offset); n++; }
    else if (ip.info.protocol === 17) { D.UDP(b, ip.offset); n++; }
    else if (ip.info.protocol === 1) { D.ICMPV4(b, b.length - ip.offset, ip.offset); n++; }
  } else if (e.info.type === 0x86dd) {
    const ip = D.IPV6(b, e.offset);
    n++;
    if (ip.info.protocol === 6) { D.TCP(b, ip.offset); n++; }
    else if (ip.info.protocol === 17) { D.UDP(b, ip.offset); n++; }
  } else if (e.info.type === 0x0806) {
    D.ARP(b, e.offset);
    n++;
  }
  return n;
}

let sink = 0;

async function run(title: string, count: number, stride: number, fullSize: boolean, target?: number): Promise<void> {
  const batch = wasm.createBatch(count, 16);
  const data = wasm.arena.alloc(count * stride);
  const twinOut = wasm.arena.alloc(count * 128);
  const m = wasm.views.refresh().u8;
  const capBufs: Buffer[] = [];
  const capBacking = Buffer.alloc(Math.min(count, 65536) * stride);
  for (let i = 0; i < count; i++) {
    const s = samples[i % samples.length];
    m.set(s.data, data + i * stride);
    const len = fullSize ? stride : s.data.length;
    batch.pushRef(data + i * stride, len, fullSize ? stride : s.data.length, s.linktype);
    if (i < 65536) {
      const es = ethSamples[i % ethSamples.length];
      capBacking.set(es.data, i * stride);
      capBufs.push(capBacking.subarray(i * stride, i * stride + (fullSize ? stride : es.data.length)));
    }
  }
  const capCount = capBufs.length;
  await compare({ title, unitsPerCall: count, throughput: 'Mpps', timeMs: 1000, target }, [
    { name: 'wasm', fn: () => { sink ^= wasm.core.dissect_batch(batch.table, count, batch.descs, 0); } },
    { name: 'ts twin', fn: () => { sink ^= twin.core.dissect_batch(batch.table, count, twinOut, 0); } },
    // cap's decoders allocate objects and strings per frame; they get the same number of
    // frames (cycled over 64 Ki buffers) so the per-frame figures compare.
    { name: 'cap decoders', fn: () => { for (let i = 0; i < count; i++) sink ^= capDecode(capBufs[i % capCount]); } },
  ]);
}

// Tunnels (issue #15): the descriptor of a tunnel frame covers the outer packet and
// locates the inner one (D_INNER_*); 'tunnels' dissects VXLAN, Geneve, GRE, IP-in-IP,
// MPLS and PPPoE frames one level, 'plain' the same inner TCP/UDP packets bare on Ethernet.
const be16 = (v: number): number[] => [v >>> 8, v & 0xff];
const MACS = [2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2];
function ip4(proto: number, payload: number[]): number[] {
  return [0x45, 0, ...be16(20 + payload.length), 0, 1, 0x40, 0, 64, proto, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2, ...payload];
}
function ip6(nxt: number, payload: number[]): number[] {
  return [0x60, 0, 0, 0, ...be16(payload.length), nxt, 64, ...Array(15).fill(0), 1, ...Array(15).fill(0), 2, ...payload];
}
const tcpSeg = [...be16(40000), ...be16(443), 0, 0, 0, 1, 0, 0, 0, 1, 0x50, 0x18, 0x20, 0, 0, 0, 0, 0, ...Array(64).fill(7)];
const udpDg = (sp: number, dp: number, payload: number[]): number[] => [...be16(sp), ...be16(dp), ...be16(8 + payload.length), 0, 0, ...payload];
const innerEth = [...MACS, ...be16(0x0800), ...ip4(6, tcpSeg)];
const tunnelFrames: number[][] = [
  [...MACS, ...be16(0x0800), ...ip4(17, udpDg(50000, 4789, [8, 0, 0, 0, 0, 0, 100, 0, ...innerEth]))],
  [...MACS, ...be16(0x86dd), ...ip6(17, udpDg(50000, 6081, [0, 0, ...be16(0x6558), 0, 0, 100, 0, ...innerEth]))],
  [...MACS, ...be16(0x0800), ...ip4(47, [0x20, 0, ...be16(0x0800), 0, 0, 0, 42, ...ip4(6, tcpSeg)])],
  [...MACS, ...be16(0x0800), ...ip4(4, ip4(6, tcpSeg))],
  [...MACS, ...be16(0x8847), 0, 1, 0x01, 64, ...ip4(6, tcpSeg)],
  [...MACS, ...be16(0x8864), 0x11, 0, 0, 7, ...be16(2 + 20 + tcpSeg.length), 0, 0x21, ...ip4(6, tcpSeg)],
];

async function runTunnels(count: number): Promise<void> {
  const tun = wasm.createBatch(count, count * 256);
  const plain = wasm.createBatch(count, count * 256);
  for (let i = 0; i < count; i++) {
    tun.push(Uint8Array.from(tunnelFrames[i % tunnelFrames.length]), LINKTYPE_ETHERNET);
    plain.push(Uint8Array.from(innerEth), LINKTYPE_ETHERNET);
  }
  const out = wasm.arena.alloc(count * DESC_SIZE);
  await compare({ title: `dissect tunnel frames (VXLAN, Geneve, GRE, IP-in-IP, MPLS, PPPoE) vs the same packets bare, ${count} frames hot in cache`, unitsPerCall: count, throughput: 'Mpps', timeMs: 1000 }, [
    { name: 'wasm plain', fn: () => { sink ^= wasm.core.dissect_batch(plain.table, count, plain.descs, 0); } },
    { name: 'wasm tunnels', fn: () => { sink ^= wasm.core.dissect_batch(tun.table, count, tun.descs, 0); } },
    { name: 'ts twin plain', fn: () => { sink ^= twin.core.dissect_batch(plain.table, count, out, 0); } },
    { name: 'ts twin tunnels', fn: () => { sink ^= twin.core.dissect_batch(tun.table, count, out, 0); } },
  ]);
}

await run('dissect mixed batch, 256 frames hot in cache', 256, 256, false);
await runTunnels(256);
await run(TINY ? 'dissect mixed batch, 4 Ki frames (tiny run)' : 'dissect mixed batch, 1 M frames streaming from DRAM (256 B apart)', sized(1 << 20, 4096), 256, false, 60);
await run(TINY ? 'dissect full-size 1500 B frames, 1 Ki frames (tiny run)' : 'dissect full-size 1500 B frames, 256 Ki frames (384 MiB, not in cache)', sized(1 << 18, 1024), 1536, true, 20);
if (sink === 0.5) console.log(sink);
