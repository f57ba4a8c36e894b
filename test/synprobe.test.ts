// Live: host/synprobe.js in a namespace pair finds exactly the ports a peer process
// listens on (open), closed for the rest, filtered where the test's nft rule drops SYNs;
// over IPv4 and IPv6, WASM and twin; retries (timer wheel) and the rate limit show in its
// counts and timing; targets outside local networks are refused.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { haveTool, needRoot, Rng, seed } from './lib/env.js';
import { nsExec, withNetnsPair, type NetnsPair } from './lib/netns.js';
import { parsePorts } from '../host/synprobe.js';

const SEED = seed();
console.log(`SEED=${SEED} synprobe`);
const live = (): boolean => needRoot('namespaces and raw sockets') && haveTool('nft', '--version');

test('port lists', () => {
  assert.equal(parsePorts('80,22,8000-8003,22'), [22, 80, 8000, 8001, 8002, 8003]);
  assert.throws(() => parsePorts('0'), /1-65535/);
  assert.throws(() => parsePorts('10-5'), /low to high/);
  assert.throws(() => parsePorts('http'), /not a port/);
});

async function listen(ns: string, ports: number[]): Promise<ChildProcess> {
  const code = `const net=require('net');let n=0;for(const p of ${JSON.stringify(ports)})net.createServer(s=>s.destroy()).listen(p,'::',()=>{if(++n===${ports.length})console.log('ready')});`;
  const child = spawn('ip', ['netns', 'exec', ns, process.execPath, '-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [chunk] = (await once(child.stdout!, 'data')) as [Buffer];
  assert.match(chunk.toString(), /ready/);
  return child;
}

function probe(p: NetnsPair, args: string[]): { status: number | null; states: Map<number, string>; sent: number; secs: number; out: string } {
  const r = nsExec(p.a, process.execPath, ['host/synprobe.js', ...args], 60_000);
  const states = new Map<number, string>();
  for (const m of r.stdout.matchAll(/^(\d+)\/tcp\s+(open|closed|filtered)\s/gm)) states.set(Number(m[1]), m[2]);
  const done = /in ([\d.]+) s; (\d+) probes sent/.exec(r.stdout);
  return { status: r.status, states, sent: done ? Number(done[2]) : -1, secs: done ? Number(done[1]) : -1, out: r.stdout + r.stderr };
}

test('open, closed and filtered, exactly; IPv4 and IPv6; WASM and twin', async () => {
  if (!live()) return;
  await withNetnsPair(async (p) => {
    const rng = new Rng(SEED ^ 0x5e1);
    const base = 20000 + rng.int(20000);
    const range = Array.from({ length: 30 }, (_, i) => base + i);
    const shuffled = [...range].sort(() => rng.int(3) - 1);
    const open = shuffled.slice(0, 5).sort((a, b) => a - b);
    const filtered = shuffled.slice(5, 8).sort((a, b) => a - b);
    const server = await listen(p.b, open);
    try {
      const rule = `nft add table inet synf && nft add chain inet synf in '{ type filter hook input priority 0; }' && nft add rule inet synf in tcp dport '{ ${filtered.join(', ')} }' drop`;
      const nft = nsExec(p.b, 'sh', ['-c', rule]);
      assert.is(nft.status, 0, nft.stderr);
      const runs: Array<[string, string]> = [[p.ipB, 'wasm'], [p.ip6B, 'ts'], [p.ipB, 'ts'], [p.ip6B, 'wasm']];
      for (const [addr, backend] of runs) {
        const r = probe(p, [addr, `${base}-${base + 29}`, '--timeout', '250', '--retries', '2', '--rate', '1000', '--backend', backend]);
        assert.is(r.status, 0, r.out);
        assert.is(r.states.size, 30, r.out);
        for (const port of range) {
          const want = open.includes(port) ? 'open' : filtered.includes(port) ? 'filtered' : 'closed';
          assert.is(r.states.get(port), want, `${addr} (${backend}) port ${port}\n${r.out}`);
        }
        // Every filtered port was tried 1 + 2 retries times; the others answered the first SYN.
        assert.is(r.sent, 30 + filtered.length * 2, `probes sent\n${r.out}`);
        assert.ok(r.secs >= 0.7, `three timeouts of 250 ms take at least 0.75 s, took ${r.secs}`);
      }
    } finally {
      server.kill();
    }
  }, 's');
});

test('the rate limit paces probes', async () => {
  if (!live()) return;
  await withNetnsPair((p) => {
    const r = probe(p, [p.ipB, '30000-30039', '--rate', '50', '--timeout', '200']);
    assert.is(r.status, 0, r.out);
    assert.is(r.states.size, 40);
    // 40 probes at 50/s: the 40th leaves ~0.78 s after the first.
    assert.ok(r.secs >= 0.7, `40 probes at 50/s took ${r.secs} s`);
    assert.ok(r.secs < 3, `and not much more (${r.secs} s)`);
  }, 'r');
});

test('targets outside local networks are refused unless --i-own-this-network', async () => {
  if (!live()) return;
  await withNetnsPair((p) => {
    nsExec(p.a, 'ip', ['route', 'add', 'default', 'via', p.ipB]);
    const r = probe(p, ['203.0.113.9', '80']);
    assert.is(r.status, 2, r.out);
    assert.match(r.out, /^synprobe: refusing to probe 203\.0\.113\.9: .*--i-own-this-network/m);
    assert.is(r.out.trim().split('\n').length, 1, 'one line');
    // With the flag it runs (the SYN goes to the peer namespace, which does not route it).
    const ok = probe(p, ['203.0.113.9', '80', '--i-own-this-network', '--timeout', '100', '--retries', '0']);
    assert.is(ok.status, 0, ok.out);
    assert.is(ok.states.get(80), 'filtered');
    // The directly connected peer is fine from inside the namespace.
    assert.is(probe(p, [p.ipB, '1', '--timeout', '100']).states.get(1), 'closed');
  }, 'o');
});

test.run();
