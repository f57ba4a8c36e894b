// Longest-prefix match: a synthetic 1,000,000-prefix IPv4 table and a 200,000-prefix IPv6
// table whose prefix-length mixes follow published Internet routing tables; build time,
// memory, and lookups/s for WASM and the TS twin (single calls and bulk), random and
// hot-set, against npm's cidr-matcher on the same addresses.
//
// Prefix-length distributions (shares of all prefixes, rounded), from the public BGP
// table analyses of Geoff Huston / APNIC, https://bgp.potaroo.net/as2.0/bgp-active.html
// ("prefix length distribution" of the AS131072 view, 2024) and the CIDR Report,
// https://www.cidr-report.org/as2.0/ . IPv4: /24 is ~60% of the table, /22 ~12%, /23 ~10%,
// /21 ~5%, /20 ~4%, /19 ~2.5%, /16 ~1.3%, /18 ~1%, /17 ~0.6%, shorter ones a few hundred
// prefixes. Longer than /24 is filtered in the DFZ; we keep 0.3% of them so tbl8 groups
// are exercised as on an edge router with customer routes. IPv6 (bgp.potaroo.net/v6/as2.0):
// /48 ~47%, /32 ~12%, /44 ~9%, /40 ~8%, /36 ~5%, /29 ~4%, /46 ~3%, /47 ~2%, /42 ~2%,
// /33-/35 ~3%, /28 ~1%, /45 ~1%, /38../39 ~1%, /56 and /64 ~1% together.
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { createEngine, type Engine } from '../host/engine/engine.js';
import { Lpm4 } from '../host/lpm/lpm4.js';
import { Lpm6 } from '../host/lpm/lpm6.js';
import { ipv4ToString, ipv6ToString } from '../host/runtime/addr.js';
import { compare } from './lib/compare.js';
import { sized } from './lib/results.js';

/** 1000000 -> '1M', 200000 -> '200k'. */
function short(n: number): string {
  return n >= 1e6 && n % 1e6 === 0 ? `${n / 1e6}M` : n >= 1e3 && n % 1e3 === 0 ? `${n / 1e3}k` : String(n);
}

const require = createRequire(import.meta.url);
const CIDRMatcher = require('cidr-matcher') as new (cidrs: string[]) => { contains(addr: string): boolean };

class Rng {
  private s: number;
  constructor(seed: number) { this.s = seed >>> 0 || 1; }
  u32(): number {
    let x = this.s;
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
    return (this.s = x);
  }
  int(n: number): number { return Math.floor((this.u32() / 4294967296) * n); }
}

const V4_MIX: [number, number][] = [
  [8, 0.00002], [9, 0.00001], [10, 0.00003], [11, 0.0001], [12, 0.0003], [13, 0.0006], [14, 0.0012],
  [15, 0.002], [16, 0.013], [17, 0.006], [18, 0.01], [19, 0.025], [20, 0.04], [21, 0.05], [22, 0.12],
  [23, 0.10], [24, 0.60], [25, 0.0008], [26, 0.0008], [27, 0.0005], [28, 0.0004], [29, 0.0003], [30, 0.0002], [32, 0.0003],
];
const V6_MIX: [number, number][] = [
  [19, 0.0005], [20, 0.001], [22, 0.001], [24, 0.002], [28, 0.01], [29, 0.04], [30, 0.005], [31, 0.003], [32, 0.12],
  [33, 0.01], [34, 0.01], [35, 0.01], [36, 0.05], [38, 0.005], [39, 0.005], [40, 0.08], [41, 0.005], [42, 0.02],
  [43, 0.005], [44, 0.09], [45, 0.01], [46, 0.03], [47, 0.02], [48, 0.47], [56, 0.005], [64, 0.005],
];

function sampler(mix: [number, number][]): (rng: Rng) => number {
  const total = mix.reduce((s, [, p]) => s + p, 0);
  const cdf: number[] = [];
  let acc = 0;
  for (const [, p] of mix) { acc += p / total; cdf.push(acc); }
  return (rng) => {
    const r = rng.u32() / 4294967296;
    let i = 0;
    while (i < cdf.length - 1 && r >= cdf[i]) i++;
    return mix[i][0];
  };
}

const mask4 = (d: number): number => (d === 0 ? 0 : (0xFFFFFFFF << (32 - d)) >>> 0);

/** n distinct IPv4 prefixes; 40% are more-specifics of an earlier, shorter one, as in real tables. */
function makeV4Table(n: number, rng: Rng): { addr: Uint32Array; depth: Uint8Array } {
  const depthOf = sampler(V4_MIX);
  const addr = new Uint32Array(n), depth = new Uint8Array(n);
  const seen = new Set<number>();
  let k = 0;
  while (k < n) {
    const d = depthOf(rng);
    let a: number;
    const parent = k > 0 ? rng.int(k) : -1;
    if (parent >= 0 && rng.u32() % 10 < 4 && depth[parent] < d) a = (addr[parent] | (rng.u32() & ~mask4(depth[parent]))) >>> 0;
    else a = (((1 + rng.int(222)) << 24) | (rng.u32() & 0xFFFFFF)) >>> 0;
    a = (a & mask4(d)) >>> 0;
    const key = a * 33 + d;
    if (seen.has(key)) continue;
    seen.add(key);
    addr[k] = a; depth[k] = d; k++;
  }
  return { addr, depth };
}

/** n distinct IPv6 prefixes inside the RIR /12s; most longer prefixes sit inside a /28../32 allocation. */
function makeV6Table(n: number, rng: Rng): { addr: Uint8Array; depth: Uint8Array } {
  const depthOf = sampler(V6_MIX);
  const rir = [0x2001, 0x2400, 0x2600, 0x2800, 0x2a00, 0x2c00];
  const addr = new Uint8Array(n * 16), depth = new Uint8Array(n);
  const seen = new Set<string>();
  const allocs: number[] = [];
  let k = 0;
  while (k < n) {
    const d = depthOf(rng);
    const a = new Uint8Array(16);
    for (let i = 0; i < 16; i++) a[i] = rng.u32() & 255;
    const top = rir[rng.int(rir.length)];
    a[0] = top >>> 8; a[1] = (top & 0xF0) | (a[1] & (top === 0x2001 ? 0 : 0x0F));
    if (d > 32 && allocs.length > 0 && rng.u32() % 10 < 8) {
      const p = allocs[rng.int(allocs.length)];
      a.set(addr.subarray(p * 16, p * 16 + 4), 0);
    }
    for (let i = 0; i < 16; i++) {
      const bits = d - i * 8;
      a[i] = bits >= 8 ? a[i] : bits <= 0 ? 0 : a[i] & (0xFF << (8 - bits)) & 0xFF;
    }
    const key = `${Buffer.from(a).toString('hex')}/${d}`;
    if (seen.has(key)) continue;
    seen.add(key);
    addr.set(a, k * 16); depth[k] = d;
    if (d >= 28 && d <= 32) allocs.push(k);
    k++;
  }
  return { addr, depth };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const mib = (b: number): string => `${(b / 1048576).toFixed(1)} MiB`;
let sink = 0;

const wasm = createEngine({ backend: 'wasm' });
const twin = createEngine({ backend: 'ts', memory: wasm.memory, module: wasm.module });
const rng = new Rng(Number(process.env.SEED ?? 2024));

// ---------------------------------------------------------------- IPv4
{
  const N = sized(1_000_000, 20_000);
  const t0 = performance.now();
  const tab = makeV4Table(N, rng);
  console.log(`\nIPv4: ${N} prefixes generated in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const opts = { maxRules: N, tbl8Groups: 16384 };
  const build = (engine: Engine): { lpm: Lpm4; ms: number } => {
    const lpm = new Lpm4(engine, opts);
    const add = lpm.core.lpm4_add, t = lpm.table;
    const s = performance.now();
    for (let i = 0; i < N; i++) add(t, tab.addr[i], tab.depth[i], i & 4095);
    return { lpm, ms: performance.now() - s };
  };
  const builds: Record<string, number[]> = { wasm: [], ts: [] };
  let w4: Lpm4 | null = null, t4: Lpm4 | null = null;
  for (let r = 0; r < sized(3, 1); r++) {
    const bw = build(wasm); builds.wasm.push(bw.ms); w4 = bw.lpm;
    const bt = build(twin); builds.ts.push(bt.ms); t4 = bt.lpm;
  }
  const lw = w4!, lt = t4!;
  const f = lw.figures();
  console.log(`build ${short(N)} inserts (median of ${sized(3, 1)}): wasm ${median(builds.wasm).toFixed(0)} ms, ts twin ${median(builds.ts).toFixed(0)} ms; target wasm < 500 ms: ${median(builds.wasm) < 500 ? 'met' : 'MISSED'}`);
  console.log(`memory: ${mib(f.bytes)} (tbl24 64 MiB + depth 16 MiB + ${f.tbl8Groups} tbl8 groups, ${f.tbl8Used} used; rules/next hops ${f.nextHops} distinct)`);

  // Random: 4M destinations, each inside a uniformly chosen table prefix (so spread over tbl24).
  const R = sized(1 << 22, 1 << 14);
  const addrs = wasm.arena.alloc(R * 4), out = wasm.arena.alloc(R * 4);
  let u32 = wasm.views.refresh().u32;
  for (let i = 0; i < R; i++) {
    const p = rng.int(N);
    u32[(addrs >>> 2) + i] = (tab.addr[p] | (rng.u32() & ~mask4(tab.depth[p]))) >>> 0;
  }
  const sample = Array.from(u32.subarray(addrs >>> 2, (addrs >>> 2) + R));
  const wl = lw.core.lpm4_lookup, tl = lt.core.lpm4_lookup, wt = lw.table, tt = lt.table;
  const wb = lw.core.lpm4_lookup_bulk, tb = lt.core.lpm4_lookup_bulk;

  const t1 = performance.now();
  const cidrs = Array.from({ length: N }, (_, i) => `${ipv4ToString(tab.addr[i])}/${tab.depth[i]}`);
  const cm = new CIDRMatcher(cidrs);
  console.log(`cidr-matcher build (${short(N)} prefixes): ${((performance.now() - t1) / 1000).toFixed(1)} s; it scans its list per lookup and answers membership only (no next hop, first match)`);
  const strs = sample.slice(0, 4096).map(ipv4ToString);
  const CM = 16;

  await compare({ title: `IPv4 ${short(N)} prefixes, random destinations (${R} per bulk call)`, unitsPerCall: R, throughput: 'M lookups/s', timeMs: 1500, target: 100 }, [
    { name: 'wasm bulk', fn: () => { sink ^= wb(wt, addrs, R, out); } },
    { name: 'ts twin bulk', fn: () => { sink ^= tb(tt, addrs, R, out); } },
  ]);
  const S = sized(1 << 20, 1 << 14);
  // The kernels called directly, and the public API a library user calls (Lpm4.lookupRaw,
  // Lpm4.lookup) on both engines.
  await compare({ title: `IPv4 ${short(N)} prefixes, random destinations, one call per lookup (${S} per sample)`, unitsPerCall: S, callsPerSample: S, throughput: 'M lookups/s', timeMs: 1500, target: 50 }, [
    { name: 'wasm single', fn: () => { let x = 0; for (let i = 0; i < S; i++) x ^= wl(wt, sample[i]); sink ^= x; } },
    { name: 'ts twin single', fn: () => { let x = 0; for (let i = 0; i < S; i++) x ^= tl(tt, sample[i]); sink ^= x; } },
    { name: 'Lpm4.lookupRaw (wasm engine)', fn: () => { let x = 0; for (let i = 0; i < S; i++) x ^= lw.lookupRaw(sample[i]); sink ^= x; } },
    { name: 'Lpm4.lookupRaw (ts engine)', fn: () => { let x = 0; for (let i = 0; i < S; i++) x ^= lt.lookupRaw(sample[i]); sink ^= x; } },
    { name: 'Lpm4.lookup (wasm engine)', fn: () => { let x = 0; for (let i = 0; i < S; i++) x ^= lw.lookup(sample[i]) ?? 0; sink ^= x; } },
  ]);
  let ci = 0;
  await compare({ title: `IPv4 ${short(N)} prefixes, random destinations: cidr-matcher (${CM} lookups per sample) vs wasm single on the same addresses`, unitsPerCall: CM, throughput: 'M lookups/s', timeMs: 1500 }, [
    { name: 'wasm single', fn: () => { for (let i = 0; i < CM; i++) sink ^= wl(wt, sample[(ci++) & 4095]); } },
    { name: 'cidr-matcher contains()', fn: () => { for (let i = 0; i < CM; i++) sink ^= cm.contains(strs[(ci++) & 4095]) ? 1 : 0; } },
  ]);

  // Hot set: 2,048 destinations looked up over and over (cache-resident entries).
  const H = 2048, REPS = 256;
  u32 = wasm.views.refresh().u32;
  const hot = wasm.arena.alloc(H * 4), hout = wasm.arena.alloc(H * 4);
  u32.set(u32.subarray(addrs >>> 2, (addrs >>> 2) + H), hot >>> 2);
  await compare({ title: `IPv4 ${short(N)} prefixes, hot set of ${H} destinations (${REPS} bulk calls per sample)`, unitsPerCall: H * REPS, throughput: 'M lookups/s', timeMs: 1000, target: 800 }, [
    { name: 'wasm bulk', fn: () => { for (let r = 0; r < REPS; r++) sink ^= wb(wt, hot, H, hout); } },
    { name: 'ts twin bulk', fn: () => { for (let r = 0; r < REPS; r++) sink ^= tb(tt, hot, H, hout); } },
    { name: 'wasm single', fn: () => { for (let r = 0; r < REPS; r++) for (let i = 0; i < H; i++) sink ^= wl(wt, sample[i]); } },
    { name: 'ts twin single', fn: () => { for (let r = 0; r < REPS; r++) for (let i = 0; i < H; i++) sink ^= tl(tt, sample[i]); } },
  ]);
  let hi = 0;
  await compare({ title: `IPv4 hot set: cidr-matcher (${CM} lookups per sample) vs wasm single`, unitsPerCall: CM, throughput: 'M lookups/s', timeMs: 1000 }, [
    { name: 'wasm single', fn: () => { for (let i = 0; i < CM; i++) sink ^= wl(wt, sample[(hi++) & (H - 1)]); } },
    { name: 'cidr-matcher contains()', fn: () => { for (let i = 0; i < CM; i++) sink ^= cm.contains(strs[(hi++) & (H - 1)]) ? 1 : 0; } },
  ]);
}

// ---------------------------------------------------------------- IPv6
{
  const N = sized(200_000, 5_000);
  const t0 = performance.now();
  const tab = makeV6Table(N, rng);
  console.log(`\nIPv6: ${N} prefixes generated in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const opts = { maxRules: N, tbl8Groups: 400_000 };
  const key = wasm.arena.alloc(N * 16);
  wasm.views.refresh().u8.set(tab.addr, key);
  const build = (engine: Engine): { lpm: Lpm6; ms: number } => {
    const lpm = new Lpm6(engine, opts);
    const add = lpm.core.lpm6_add, t = lpm.table;
    const s = performance.now();
    for (let i = 0; i < N; i++) if (add(t, key + i * 16, tab.depth[i], i & 4095) < 0) throw new Error(`lpm6 build failed at ${i}`);
    return { lpm, ms: performance.now() - s };
  };
  const bw = build(wasm), bt = build(twin);
  const lw = bw.lpm, lt = bt.lpm;
  const f = lw.figures();
  console.log(`build ${short(N)} inserts: wasm ${bw.ms.toFixed(0)} ms, ts twin ${bt.ms.toFixed(0)} ms`);
  console.log(`memory: ${mib(f.bytes)} reserved (tbl24 64 MiB + depth 16 MiB + ${f.tbl8Groups} groups of 1.25 KiB), ${f.tbl8Used} groups used = ${mib(80 * 1048576 + f.tbl8Used * 1280)} touched by tables`);

  const R = sized(1 << 20, 1 << 14);
  const addrs = wasm.arena.alloc(R * 16), out = wasm.arena.alloc(R * 4);
  const u8 = wasm.views.refresh().u8;
  for (let i = 0; i < R; i++) {
    const p = rng.int(N), d = tab.depth[p];
    for (let j = 0; j < 16; j++) {
      const bits = d - j * 8, r = rng.u32() & 255, b = tab.addr[p * 16 + j];
      u8[addrs + i * 16 + j] = bits >= 8 ? b : bits <= 0 ? r : (b & (0xFF << (8 - bits)) & 0xFF) | (r & (0xFF >> bits));
    }
  }
  const ownAddrs = u8.slice(addrs, addrs + R * 16), ownOut = new Uint32Array(R);
  const wl = lw.core.lpm6_lookup, tl = lt.core.lpm6_lookup, wt = lw.table, tt = lt.table;
  const wb = lw.core.lpm6_lookup_bulk, tb = lt.core.lpm6_lookup_bulk;
  await compare({ title: `IPv6 ${short(N)} prefixes, random destinations (${R} per bulk call)`, unitsPerCall: R, throughput: 'M lookups/s', timeMs: 1500, target: 20 }, [
    { name: 'wasm bulk', fn: () => { sink ^= wb(wt, addrs, R, out); } },
    { name: 'ts twin bulk', fn: () => { sink ^= tb(tt, addrs, R, out); } },
    { name: 'wasm single', fn: () => { let x = 0; for (let i = 0; i < R; i++) x ^= wl(wt, addrs + i * 16); sink ^= x; } },
    { name: 'ts twin single', fn: () => { let x = 0; for (let i = 0; i < R; i++) x ^= tl(tt, addrs + i * 16); sink ^= x; } },
    // The public API: addresses already in the engine memory, and in a Uint8Array of their own (copied in by chunks).
    { name: 'Lpm6.lookupBulkAt (public API)', fn: () => { sink ^= lw.lookupBulkAt(addrs, R, out); } },
    { name: 'Lpm6.lookupBulk(Uint8Array) (public API)', fn: () => { sink ^= lw.lookupBulk(ownAddrs, ownOut); } },
  ]);
  const H = 2048, REPS = 128;
  await compare({ title: `IPv6 ${short(N)} prefixes, hot set of ${H} destinations (${REPS} bulk calls per sample)`, unitsPerCall: H * REPS, throughput: 'M lookups/s', timeMs: 1000 }, [
    { name: 'wasm bulk', fn: () => { for (let r = 0; r < REPS; r++) sink ^= wb(wt, addrs, H, out); } },
    { name: 'ts twin bulk', fn: () => { for (let r = 0; r < REPS; r++) sink ^= tb(tt, addrs, H, out); } },
  ]);

  const t1 = performance.now();
  const CN = Math.min(N, 20_000);
  const cm = new CIDRMatcher(Array.from({ length: CN }, (_, i) => `${ipv6ToString(tab.addr, i * 16)}/${tab.depth[i]}`));
  console.log(`cidr-matcher with the first ${CN} IPv6 prefixes only (its per-lookup scan of all ${short(N)} is ~10x slower still): build ${((performance.now() - t1) / 1000).toFixed(1)} s`);
  const strs = Array.from({ length: 1024 }, (_, i) => ipv6ToString(u8, addrs + i * 16));
  let ci = 0;
  const CM = 4;
  await compare({ title: `IPv6: cidr-matcher on ${CN} prefixes (${CM} lookups per sample) vs wasm single on ${short(N)}`, unitsPerCall: CM, throughput: 'M lookups/s', timeMs: 1000 }, [
    { name: `wasm single (${short(N)} prefixes)`, fn: () => { for (let i = 0; i < CM; i++) sink ^= wl(wt, addrs + ((ci++) & 1023) * 16); } },
    { name: `cidr-matcher contains() (${CN / 1000}k prefixes)`, fn: () => { for (let i = 0; i < CM; i++) sink ^= cm.contains(strs[(ci++) & 1023]) ? 1 : 0; } },
  ]);
}
if (sink === 0.5) console.log(sink);
