// Filter evaluation on frames already in the shared memory: the run-time generated WASM
// module vs the pure-TS twin, same frames, same compiled program, one run. Frames are a
// seeded synthetic Ethernet mix (IPv4/IPv6 TCP and UDP with random ports and flags,
// VLAN-tagged IPv4, ARP), 1 Mi frames 256 bytes apart (headers stream from DRAM) and a
// 256-frame batch that stays in cache.
import { createEngine } from '../host/engine/engine.js';
import { compileFilter } from '../host/filter/index.js';
import { LINKTYPE_ETHERNET } from '../host/runtime/layout.js';
import { Rng } from '../test/lib/env.js';
import { compare } from './lib/compare.js';
import { sized, TINY } from './lib/results.js';

const eng = createEngine();
const rng = new Rng(20240501);

function be16(v: number): number[] {
  return [(v >>> 8) & 255, v & 255];
}

function ipv4(proto: number, l4: number[]): number[] {
  const len = 20 + l4.length;
  return [0x45, 0, ...be16(len), 0, 0, 0x40, 0, 64, proto, 0, 0, 10, 0, rng.int(4), rng.int(256), 192, 168, 1, rng.int(256), ...l4];
}

function ipv6(nh: number, l4: number[]): number[] {
  const a = Array.from({ length: 16 }, () => rng.int(256));
  return [0x60, 0, 0, 0, ...be16(l4.length), nh, 64, 0x20, 0x01, 0x0d, 0xb8, ...a.slice(4), 0xfe, 0x80, ...a.slice(2), ...l4];
}

function port(): number {
  return rng.bool(0.3) ? [22, 53, 80, 443, 1500][rng.int(5)] : rng.int(65536);
}

function tcp(): number[] {
  const flags = [0x02, 0x12, 0x10, 0x18, 0x11, 0x04][rng.int(6)];
  return [...be16(port()), ...be16(port()), 0, 0, 0, 1, 0, 0, 0, 0, 0x50, flags, 0xff, 0xff, 0, 0, 0, 0, ...new Array<number>(rng.int(40)).fill(0x61)];
}

function udp(): number[] {
  const pl = rng.int(60);
  return [...be16(port()), ...be16(port()), ...be16(8 + pl), 0, 0, ...new Array<number>(pl).fill(0x62)];
}

function frame(): Uint8Array {
  const mac = [0x02, 0, 0, 0, 0, rng.int(256), 0x02, 0, 0, 0, 0, rng.int(256)];
  const r = rng.int(100);
  let body: number[];
  if (r < 45) body = [...be16(0x0800), ...ipv4(6, tcp())];
  else if (r < 70) body = [...be16(0x0800), ...ipv4(17, udp())];
  else if (r < 82) body = [...be16(0x86dd), ...ipv6(6, tcp())];
  else if (r < 90) body = [...be16(0x86dd), ...ipv6(17, udp())];
  else if (r < 96) body = [...be16(0x8100), 0, 11, ...be16(0x0800), ...ipv4(17, udp())];
  else body = [...be16(0x0806), 0, 1, 8, 0, 6, 4, 0, 1, ...new Array<number>(20).fill(1)];
  const f = [...mac, ...body];
  while (f.length < 60) f.push(0);
  return Uint8Array.from(f);
}

/** The three expressions of the end-to-end comparison, plus a compound one. */
export const BENCH_EXPRESSIONS = [
  { label: 'simple', expr: 'tcp' },
  { label: 'port range', expr: 'portrange 1000-2000' },
  { label: 'byte-offset flags', expr: 'tcp[tcpflags] & (tcp-syn|tcp-ack) = tcp-syn' },
  { label: 'compound', expr: 'ip and (udp port 53 or tcp dst port 443) and not net 10.0.0.0/8' },
];

let sink = 0;

async function run(count: number, stride: number, title: string, target?: number): Promise<void> {
  const batch = eng.createBatch(count, 16);
  const data = eng.arena.alloc(count * stride);
  const out = eng.arena.alloc(count);
  const distinct = Array.from({ length: 4096 }, frame);
  const u8 = eng.views.refresh().u8;
  for (let i = 0; i < count; i++) {
    const f = distinct[rng.int(distinct.length)];
    u8.set(f, data + i * stride);
    batch.pushRef(data + i * stride, f.length, f.length, LINKTYPE_ETHERNET);
  }
  const floor = compileFilter('ether[0] = 1', { linktype: LINKTYPE_ETHERNET, memory: eng.memory, backend: 'wasm' });
  for (const { label, expr } of BENCH_EXPRESSIONS) {
    const w = compileFilter(expr, { linktype: LINKTYPE_ETHERNET, memory: eng.memory, backend: 'wasm' });
    const t = compileFilter(expr, { linktype: LINKTYPE_ETHERNET, memory: eng.memory, backend: 'ts' });
    const nw = w.matchBatch(batch.table, count, out);
    const nt = t.matchBatch(batch.table, count, out);
    if (nw !== nt) throw new Error(`${expr}: wasm ${nw} vs ts ${nt} matches`);
    const contenders = [
      { name: 'wasm (generated)', fn: (): void => { sink ^= w.matchBatch(batch.table, count, out); } },
      { name: 'ts twin', fn: (): void => { sink ^= t.matchBatch(batch.table, count, out); } },
    ];
    // The machine's floor for this walk: a filter that reads one byte of each frame
    // (its first line) and nothing else, with the same frame table and touch-ahead. A
    // filter cannot go faster than the memory brings the frames in.
    if (label === 'simple') contenders.push({ name: 'floor: "ether[0] = 1"', fn: (): void => { sink ^= floor.matchBatch(batch.table, count, out); } });
    await compare({
      title: `${title}: ${label} "${expr}" (${((100 * nw) / count).toFixed(1)}% match)`,
      unitsPerCall: count, throughput: 'Mpps', timeMs: 800, target: label === 'simple' ? target : undefined,
    }, contenders);
  }
}

await run(sized(1 << 20, 4096), 256, TINY ? 'filter 4 Ki frames (tiny run, in cache)' : 'filter 1 Mi frames (256 B apart, from DRAM)', 100);
await run(256, 256, 'filter 256 frames hot in cache', 100);
if (sink === 0.5) console.log(sink);
