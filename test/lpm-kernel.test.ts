// Kernel oracle: random routes go into a fresh network namespace with `ip -batch`; the
// namespace's own `ip -json route show` dump is loaded into pktwasm (both backends); then
// `ip route get` answers for well over 1,000 addresses per family must equal ours. The
// namespace is removed in a finally, and by netns.ts's exit hook if the process dies.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { RouteTable } from '../host/lpm/route-table.js';
import { ipv4ToString, ipv6ToString } from '../host/runtime/addr.js';
import { haveTool, needRoot, Rng, seed } from './lib/env.js';
import { inside4, inside6, mask4, mask6 } from './lib/lpm-reference.js';
import { tsEngine, wasmEngine } from './lib/lpm-scaffold.js';
import { createNetns, deleteNetns } from './lib/netns.js';

const ROUTES = 5000;
const QUERIES = 1500;
const GATEWAYS = 10;

function canRun(): boolean {
  return haveTool('ip', '-V') && needRoot('ip netns');
}

function ipRun(args: string[], input?: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync('ip', args, { input, encoding: 'utf8', maxBuffer: 64 << 20, timeout: 60_000 });
  return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

function must(args: string[], input?: string): string {
  const r = ipRun(args, input);
  if (r.status !== 0) throw new Error(`ip ${args.join(' ')} failed: ${r.stderr.trim()}`);
  return r.stdout;
}

/** A namespace with veth v0 (192.0.2.1/24, 2001:db8::1/64) and v1, both up. */
function withNamespace<T>(body: (ns: string) => T): T {
  const ns = createNetns('lpm');
  try {
    must(['-n', ns, 'link', 'add', 'v0', 'type', 'veth', 'peer', 'name', 'v1']);
    for (const dev of ['lo', 'v0', 'v1']) must(['-n', ns, 'link', 'set', dev, 'up']);
    must(['-n', ns, 'addr', 'add', '192.0.2.1/24', 'dev', 'v0']);
    must(['-n', ns, '-6', 'addr', 'add', '2001:db8::1/64', 'dev', 'v0', 'nodad']);
    return body(ns);
  } finally {
    deleteNetns(ns);
  }
}

type Kind = 'via' | 'blackhole' | 'unreachable' | 'prohibit';
const KINDS: Kind[] = ['via', 'via', 'via', 'via', 'blackhole', 'unreachable', 'prohibit'];

function routeLine(prefix: string, kind: Kind, gw: string): string {
  return kind === 'via' ? `route add ${prefix} via ${gw}` : `route add ${kind} ${prefix}`;
}

/**
 * Runs `route get` for every address in one `ip -batch`. Successful answers come on
 * stdout in order; failures on stderr as "RTNETLINK answers: why" + "Command failed -:N".
 * Returns, per address, "type gateway dev" in RouteTable's label words, or null for no route.
 */
function kernelAnswers(ns: string, family: 4 | 6, addrs: string[]): (string | null)[] {
  const r = ipRun(['-n', ns, `-${family}`, '-o', '-force', '-batch', '-'], addrs.map((a) => `route get ${a}\n`).join(''));
  const failed = new Map<number, string>();
  let why = '';
  for (const line of r.stderr.split('\n')) {
    const m = /^RTNETLINK answers: (.*)$/.exec(line);
    if (m !== null) { why = m[1]; continue; }
    const f = /^Command failed -:(\d+)/.exec(line);
    if (f !== null) failed.set(Number(f[1]) - 1, why);
  }
  const ok = r.stdout.split('\n').filter((l) => l.trim() !== '');
  let k = 0;
  return addrs.map((_, i) => {
    const err = failed.get(i);
    if (err !== undefined) {
      if (/Network is unreachable/.test(err)) return null;
      if (/Invalid argument/.test(err)) return 'blackhole';
      if (/No route to host/.test(err)) return 'unreachable';
      if (/Permission denied/.test(err)) return 'prohibit';
      throw new Error(`route get ${addrs[i]}: unexpected "${err}"`);
    }
    const line = ok[k++];
    if (line === undefined) throw new Error('ip route get printed fewer answers than expected');
    const via = /\svia (\S+)/.exec(line)?.[1] ?? '-';
    const dev = /\sdev (\S+)/.exec(line)?.[1] ?? '-';
    return `unicast ${via} ${dev}`;
  });
}

/** Our answer in the kernel's words: typed routes compare by type alone (the kernel names no device for them). */
function ours(rt: RouteTable, labels: string[], addr: string): string | null {
  const v = rt.lookup(addr);
  if (v === null) return null;
  const label = labels[v];
  return label.startsWith('unicast') ? label : label.split(' ')[0];
}

function compare(ns: string, family: 4 | 6, queries: string[]): void {
  const json = must(['-n', ns, `-${family}`, '-json', 'route', 'show']);
  const tables = [new RouteTable(wasmEngine, { v4: { maxRules: 8192, tbl8Groups: 4096 }, v6: { maxRules: 8192, tbl8Groups: 40000 } }),
    new RouteTable(tsEngine, { v4: { maxRules: 8192, tbl8Groups: 4096 }, v6: { maxRules: 8192, tbl8Groups: 40000 } })];
  const loads = tables.map((rt) => rt.loadIpJson(json, { family }));
  assert.ok(loads[0].routes >= ROUTES, `only ${loads[0].routes} routes loaded`);
  const want = kernelAnswers(ns, family, queries);
  const kinds = new Map<string, number>();
  for (let i = 0; i < queries.length; i++) {
    const kw = want[i] ?? 'none';
    kinds.set(kw.split(' ')[0], (kinds.get(kw.split(' ')[0]) ?? 0) + 1);
    for (let j = 0; j < tables.length; j++) {
      const got = ours(tables[j], loads[j].labels, queries[i]);
      if (got !== want[i]) assert.unreachable(`${j === 0 ? 'wasm' : 'ts'}: ${queries[i]}: kernel says ${want[i]}, pktwasm ${got}`);
    }
  }
  console.log(`NOTE kernel oracle IPv${family}: ${loads[0].routes} routes, ${queries.length} addresses agree (${[...kinds].map(([k, n]) => `${k} ${n}`).join(', ')})`);
  // Every kind of answer must have come up, or the comparison proved less than it claims.
  for (const k of ['unicast', 'blackhole', 'unreachable', 'prohibit', 'none']) assert.ok((kinds.get(k) ?? 0) > 0, `no ${k} answers`);
}

test('IPv4: 5,000 random routes, `ip route get` agrees with pktwasm on 1,500 addresses', () => {
  if (!canRun()) return;
  const rng = new Rng(seed() ^ 0x4444);
  // Addresses the local table or special routes would answer: kept out of the queries.
  const special = (a: number): boolean => { const o = a >>> 24; return o === 0 || o === 127 || o >= 224 || (a >>> 8) === 0xC00002; };
  withNamespace((ns) => {
    const seen = new Set<string>(['192.0.2.0/24']);
    const prefixes: [number, number][] = [];
    const lines: string[] = [];
    while (prefixes.length < ROUTES) {
      const d = rng.bool(0.3) ? 8 + rng.int(16) : rng.bool(0.6) ? 24 : 25 + rng.int(8);
      let a = ((1 + rng.int(222)) << 24 | (rng.u32() & 0xFFFFFF)) >>> 0;
      if (prefixes.length > 0 && rng.bool(0.5)) { const [pa, pd] = prefixes[rng.int(prefixes.length)]; a = inside4(rng, pa, pd); }
      a = (a & mask4(d)) >>> 0;
      const p = `${ipv4ToString(a)}/${d}`;
      if (seen.has(p)) continue;
      seen.add(p);
      prefixes.push([a, d]);
      lines.push(routeLine(p, KINDS[rng.int(KINDS.length)], `192.0.2.${2 + rng.int(GATEWAYS)}`));
    }
    must(['-n', ns, '-batch', '-'], lines.join('\n') + '\n');
    const queries: string[] = [];
    while (queries.length < QUERIES) {
      let a: number;
      if (rng.bool(0.75)) { const [pa, pd] = prefixes[rng.int(prefixes.length)]; a = inside4(rng, pa, pd); } else a = rng.u32();
      if (!special(a)) queries.push(ipv4ToString(a));
    }
    compare(ns, 4, queries);
  });
});

test('IPv6: 5,000 random routes, `ip -6 route get` agrees with pktwasm on 1,500 addresses', () => {
  if (!canRun()) return;
  const rng = new Rng(seed() ^ 0x6464);
  const rand6 = (): Uint8Array => {
    const a = new Uint8Array(16);
    for (let i = 0; i < 16; i++) a[i] = rng.u32() & 255;
    a[0] = 0x20 | (a[0] & 0x1F); // global unicast 2000::/3
    return a;
  };
  const special = (a: Uint8Array): boolean => a[0] === 0x20 && a[1] === 0x01 && a[2] === 0x0d && a[3] === 0xb8;
  withNamespace((ns) => {
    const seen = new Set<string>(['2001:db8::/64']);
    const prefixes: [Uint8Array, number][] = [];
    const lines: string[] = [];
    while (prefixes.length < ROUTES) {
      const r = rng.int(10);
      const d = r < 2 ? 16 + rng.int(17) : r < 6 ? 48 : r < 8 ? 33 + rng.int(31) : 64 + rng.int(65);
      let a = rand6();
      if (prefixes.length > 0 && rng.bool(0.5)) { const [pa, pd] = prefixes[rng.int(prefixes.length)]; a = inside6(rng, pa, pd); }
      a = mask6(a, d);
      const p = `${ipv6ToString(a, 0)}/${d}`;
      if (seen.has(p)) continue;
      seen.add(p);
      prefixes.push([a, d]);
      lines.push(routeLine(p, KINDS[rng.int(KINDS.length)], `2001:db8::${(2 + rng.int(GATEWAYS)).toString(16)}`));
    }
    must(['-n', ns, '-6', '-batch', '-'], lines.join('\n') + '\n');
    const queries: string[] = [];
    while (queries.length < QUERIES) {
      const a = rng.bool(0.75) ? (() => { const [pa, pd] = prefixes[rng.int(prefixes.length)]; return inside6(rng, pa, pd); })() : rand6();
      if (!special(a)) queries.push(ipv6ToString(a, 0));
    }
    compare(ns, 6, queries);
  });
});

test.run();
