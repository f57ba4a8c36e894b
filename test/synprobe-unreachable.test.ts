// Live (issue #20 item 4): synprobe reads ICMP and ICMPv6 Destination Unreachable replies
// and reports the port filtered with nmap's reason for the code. The peer namespace
// rejects SYNs with nft: `reject with icmp type ...` for every IPv4 code nft sends (and
// frag-needed, which nmap ignores), `reject with icmpv6 type ...` for every ICMPv6 one,
// `reject with icmpx type admin-prohibited` in both families; one port is dropped, one
// listens, one is closed. The oracle is nmap itself (-sS --reason, XML output) run from the
// same namespace against the same ports: state and reason must be equal on every port.
// A router's error ("from" its address) is checked on a route through the peer.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { haveTool, needRoot, Rng, seed } from './lib/env.js';
import { nsExec, withNetnsPair, type NetnsPair } from './lib/netns.js';
import { createEngine } from '../host/engine/engine.js';
import { Builder } from '../host/builder/builder.js';
import { unreachableTcp4, unreachableTcp6 } from '../host/raw-socket/unreachable.js';

const SEED = seed();
console.log(`SEED=${SEED} synprobe-unreachable`);
const live = (): boolean => needRoot('namespaces and raw sockets') && haveTool('nft', '--version') && haveTool('nmap', '--version');

const ICMP4 = ['net-unreachable', 'host-unreachable', 'prot-unreachable', 'port-unreachable', 'net-prohibited', 'host-prohibited', 'admin-prohibited', 'frag-needed'];
const ICMP6 = ['no-route', 'admin-prohibited', 'addr-unreachable', 'port-unreachable', 'policy-fail', 'reject-route'];

interface Verdict { state: string; reason: string }

async function listen(ns: string, port: number): Promise<ChildProcess> {
  const code = `require('net').createServer(s=>s.destroy()).listen(${port},'::',()=>console.log('ready'))`;
  const child = spawn('ip', ['netns', 'exec', ns, process.execPath, '-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [chunk] = (await once(child.stdout!, 'data')) as [Buffer];
  assert.match(chunk.toString(), /ready/);
  return child;
}

function synprobe(p: NetnsPair, args: string[]): Map<number, Verdict> {
  const r = nsExec(p.a, process.execPath, ['host/synprobe.js', ...args], 60_000);
  assert.is(r.status, 0, r.stdout + r.stderr);
  const out = new Map<number, Verdict>();
  for (const m of r.stdout.matchAll(/^(\d+)\/tcp\s+(open|closed|filtered)\s+(.+)$/gm)) out.set(Number(m[1]), { state: m[2], reason: m[3].trim() });
  return out;
}

/** nmap's verdict per port from its XML: state, reason, and " from X" when reason_ip is set. */
function nmap(p: NetnsPair, args: string[]): Map<number, Verdict> {
  const r = nsExec(p.a, 'nmap', ['-sS', '-Pn', '-n', '--reason', '--max-retries', '1', '-oX', '-', ...args], 120_000);
  assert.is(r.status, 0, r.stderr);
  const out = new Map<number, Verdict>();
  for (const m of r.stdout.matchAll(/<port protocol="tcp" portid="(\d+)"><state ([^>]*)\/>/g)) {
    const attr = (name: string): string | undefined => new RegExp(`\\b${name}="([^"]*)"`).exec(m[2])?.[1];
    const reason = attr('reason') ?? '';
    const from = attr('reason_ip');
    out.set(Number(m[1]), { state: attr('state') ?? '', reason: from ? `${reason} from ${from}` : reason });
  }
  return out;
}

test('the quoted probe is read from a built error, and nothing from a cut or foreign one (no root needed)', () => {
  const b = new Builder(createEngine({ backend: 'wasm' }));
  const syn4 = b.bytes({ ip: { src: '192.0.2.1', dst: '198.51.100.7' }, tcp: { srcport: 41000, dstport: 443, seq_raw: 0xDEADBEEF, flags: 0x002 } });
  const err4 = b.bytes({ ip: { src: '203.0.113.1', dst: '192.0.2.1' }, icmp: { type: 3, code: 13 }, payload: syn4.subarray(0, 28) });
  assert.equal(unreachableTcp4(err4), { from: '203.0.113.1', type: 3, code: 13, src: '192.0.2.1', dst: '198.51.100.7', sport: 41000, dport: 443, seq: 0xDEADBEEF });
  assert.is(unreachableTcp4(err4.subarray(0, err4.length - 1)), null, 'quote cut short of the sequence number');
  const udp4 = b.bytes({ ip: { src: '192.0.2.1', dst: '198.51.100.7' }, udp: { srcport: 41000, dstport: 443 } });
  assert.is(unreachableTcp4(b.bytes({ ip: { src: '203.0.113.1', dst: '192.0.2.1' }, icmp: { type: 3, code: 3 }, payload: udp4 })), null, 'a quoted UDP datagram');
  assert.is(unreachableTcp4(b.bytes({ ip: { src: '203.0.113.1', dst: '192.0.2.1' }, icmp: { type: 11, code: 0 }, payload: syn4 })), null, 'time exceeded');
  const syn6 = b.bytes({ ipv6: { src: '2001:db8::1', dst: '2001:db8:1::7' }, tcp: { srcport: 41000, dstport: 22, seq_raw: 7, flags: 0x002 } });
  // What an IPv6 raw socket hands over: the ICMPv6 message, without the IPv6 header.
  const err6 = b.bytes({ ipv6: { src: '2001:db8:1::7', dst: '2001:db8::1' }, icmpv6: { type: 1, code: 1 }, payload: syn6 }).subarray(40);
  assert.equal(unreachableTcp6(err6, '2001:db8:1::7'), { from: '2001:db8:1::7', type: 1, code: 1, src: '2001:db8::1', dst: '2001:db8:1::7', sport: 41000, dport: 22, seq: 7 });
  assert.is(unreachableTcp6(err6.subarray(0, 8 + 40 + 7), '2001:db8:1::7'), null, 'quote cut short');
  const err6b = Uint8Array.from(err6);
  err6b[0] = 3; // time exceeded
  assert.is(unreachableTcp6(err6b, '2001:db8:1::7'), null);
});

test('ICMP and ICMPv6 destination unreachable: filtered with the reason nmap gives, port by port', async () => {
  if (!live()) return;
  await withNetnsPair(async (p) => {
    const rng = new Rng(SEED ^ 0x1c3b);
    const base = 20000 + rng.int(20000);
    // No rate limit on the peer's ICMP errors (nmap and synprobe each draw a dozen at once).
    const sys = nsExec(p.b, 'sysctl', ['-q', '-w', 'net.ipv4.icmp_ratelimit=0', 'net.ipv6.icmp.ratelimit=0']);
    assert.is(sys.status, 0, sys.stderr);
    const rules = ['add table inet rj', "add chain inet rj in '{ type filter hook input priority 0; }'"];
    const v4ports: number[] = [];
    const v6ports: number[] = [];
    ICMP4.forEach((t, i) => { rules.push(`add rule inet rj in meta nfproto ipv4 tcp dport ${base + i} reject with icmp type ${t}`); v4ports.push(base + i); });
    ICMP6.forEach((t, i) => { rules.push(`add rule inet rj in meta nfproto ipv6 tcp dport ${base + 20 + i} reject with icmpv6 type ${t}`); v6ports.push(base + 20 + i); });
    const icmpx = base + 40;
    const dropped = base + 41;
    const open = base + 42;
    const closed = base + 43;
    rules.push(`add rule inet rj in tcp dport ${icmpx} reject with icmpx type admin-prohibited`, `add rule inet rj in tcp dport ${dropped} drop`);
    for (const rule of rules) {
      const r = nsExec(p.b, 'sh', ['-c', `nft ${rule}`]);
      assert.is(r.status, 0, `nft ${rule}: ${r.stderr}`);
    }
    const server = await listen(p.b, open);
    try {
      const common = [icmpx, dropped, open, closed];
      const cases: Array<[string, number[], string, string[]]> = [
        [p.ipB, [...v4ports, ...common], 'wasm', []],
        [p.ip6B, [...v6ports, ...common], 'ts', ['-6']],
      ];
      for (const [addr, ports, backend, nmapFlags] of cases) {
        const list = ports.join(',');
        const ours = synprobe(p, [addr, list, '--timeout', '300', '--retries', '1', '--backend', backend]);
        const theirs = nmap(p, [...nmapFlags, '-p', list, addr]);
        assert.is(theirs.size, ports.length, `nmap reported every port: ${[...theirs.keys()]}`);
        for (const port of ports) {
          assert.equal(ours.get(port), theirs.get(port), `${addr} port ${port} (${backend}): synprobe vs nmap`);
        }
        // The oracle did see the rejections: not every port may look alike.
        assert.is(theirs.get(icmpx)?.reason, 'admin-prohibited');
        assert.is(theirs.get(dropped)?.reason, 'no-response');
      }
    } finally {
      server.kill();
    }
  }, 'u');
});

test('an error from a router names it: "net-unreach from <router>", as nmap does', async () => {
  if (!live()) return;
  await withNetnsPair(async (p) => {
    // A's route to 203.0.113.0/24 goes through B, a router with no route there: B's kernel
    // answers each SYN with a network unreachable from its own address.
    const route = nsExec(p.a, 'ip', ['route', 'add', '203.0.113.0/24', 'via', p.ipB]);
    assert.is(route.status, 0, route.stderr);
    const sys = nsExec(p.b, 'sysctl', ['-q', '-w', 'net.ipv4.ip_forward=1', 'net.ipv4.icmp_ratelimit=0']);
    assert.is(sys.status, 0, sys.stderr);
    const ours = synprobe(p, ['203.0.113.9', '80,443', '--i-own-this-network', '--timeout', '300', '--retries', '1']);
    const theirs = nmap(p, ['-p', '80,443', '203.0.113.9']);
    for (const port of [80, 443]) {
      assert.equal(ours.get(port), theirs.get(port), `port ${port}: synprobe vs nmap`);
      assert.equal(ours.get(port), { state: 'filtered', reason: `net-unreach from ${p.ipB}` });
    }
  }, 'v');
});

test.run();
