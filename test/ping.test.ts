// Live: host/ping.js in a namespace pair gets echo replies from the kernel of the peer
// (IPv4 and IPv6, both backends) with sane RTTs and iputils' summary; a peer that drops
// echo requests (nft rule in its namespace) and an address with no host both give 100 %
// loss and exit status 1. Formatting helpers are checked against iputils' rules.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { haveTool, needRoot } from './lib/env.js';
import { nsExec, withNetnsPair } from './lib/netns.js';
import { formatRtt, formatSummary } from '../host/ping.js';

const live = (): boolean => needRoot('namespaces and raw sockets') && haveTool('nft', '--version');

interface Parsed { replies: Array<{ bytes: number; from: string; seq: number; ttl?: number; ms: number }>; tx: number; rx: number; loss: string; rtt?: number[] }

function parse(out: string): Parsed {
  const replies = [...out.matchAll(/^(\d+) bytes from (\S+): icmp_seq=(\d+)(?: ttl=(\d+))? time=([\d.]+) ms$/gm)].map((m) => ({
    bytes: Number(m[1]), from: m[2], seq: Number(m[3]), ttl: m[4] === undefined ? undefined : Number(m[4]), ms: Number(m[5]),
  }));
  const sum = /^(\d+) packets transmitted, (\d+) received, (?:\+\d+ \w+, )*([\d.]+)% packet loss, time \d+ms$/m.exec(out);
  assert.ok(sum, `no summary line in:\n${out}`);
  const rtt = /^rtt min\/avg\/max\/mdev = ([\d.]+)\/([\d.]+)\/([\d.]+)\/([\d.]+) ms$/m.exec(out);
  return { replies, tx: Number(sum[1]), rx: Number(sum[2]), loss: sum[3], rtt: rtt ? rtt.slice(1).map(Number) : undefined };
}

test('formatting follows iputils', () => {
  assert.is(formatRtt(0.0456), '0.046');
  assert.is(formatRtt(1.234), '1.23');
  assert.is(formatRtt(12.34), '12.3');
  assert.is(formatRtt(123.4), '123');
  const s = formatSummary('h', { transmitted: 3, received: 2, errors: 0, dups: 0, rtts: [1, 2], elapsedMs: 2001.2 });
  assert.match(s, /^3 packets transmitted, 2 received, 33\.3333% packet loss, time 2001ms$/m);
  assert.match(s, /^rtt min\/avg\/max\/mdev = 1\.000\/1\.500\/2\.000\/0\.500 ms$/m);
  const none = formatSummary('h', { transmitted: 2, received: 0, errors: 0, dups: 0, rtts: [], elapsedMs: 5 });
  assert.match(none, /100% packet loss/);
  assert.not.match(none, /rtt/);
});

test('ping gets replies from the kernel peer, IPv4 and IPv6, WASM and twin', async () => {
  if (!live()) return;
  await withNetnsPair((p) => {
    for (const [addr, v6] of [[p.ipB, false], [p.ip6B, true]] as const) {
      // The first packets to a fresh neighbour wait for ARP/NDP resolution (up to the 1 s
      // retransmit timer when a solicitation races the link coming up): resolve it first,
      // as one would before timing a path.
      nsExec(p.a, 'node', ['host/ping.js', '-c', '1', '-W', '3', addr]);
      for (const backend of ['wasm', 'ts']) {
        const r = nsExec(p.a, 'node', ['host/ping.js', '-c', '4', '-i', '0.1', '-W', '2', '-s', '100', '--backend', backend, addr]);
        assert.is(r.status, 0, `ping ${addr} exited ${r.status}: ${r.stderr}${r.stdout}`);
        assert.ok(r.stdout.startsWith(v6 ? `PING ${addr}(${addr}) 100 data bytes` : `PING ${addr} (${addr}) 100(128) bytes of data.`), r.stdout);
        const res = parse(r.stdout);
        assert.is(res.tx, 4);
        assert.is(res.rx, 4);
        assert.is(res.loss, '0');
        assert.equal(res.replies.map((x) => x.seq), [1, 2, 3, 4], r.stdout);
        for (const x of res.replies) {
          assert.is(x.from, addr);
          assert.is(x.bytes, 108, 'ICMP header + 100 data bytes');
          if (!v6) assert.is(x.ttl, 64, 'the peer kernel replies with TTL 64');
          // A shared 2-core machine can stall a process for a second; the median says
          // whether the path is sane, the bound on each reply that nothing waited on a timer.
          assert.ok(x.ms > 0 && x.ms < 3000, `rtt ${x.ms} ms over a veth pair`);
        }
        const sorted = res.replies.map((x) => x.ms).sort((a, b) => a - b);
        assert.ok(sorted[Math.floor(sorted.length / 2)] < 200, `median rtt ${sorted} ms over a veth pair`);
        const [min, avg, max] = res.rtt!;
        assert.ok(min <= avg && avg <= max, `min/avg/max ${res.rtt}`);
      }
    }
  }, 'p');
});

test('a peer that drops echo requests, and an address with no host: 100% loss, exit 1', async () => {
  if (!live()) return;
  await withNetnsPair((p) => {
    const nft = nsExec(p.b, 'sh', ['-c', `nft add table inet pingdrop && nft add chain inet pingdrop in '{ type filter hook input priority 0; policy accept; }' && nft add rule inet pingdrop in icmp type echo-request drop && nft add rule inet pingdrop in icmpv6 type echo-request drop`]);
    assert.is(nft.status, 0, nft.stderr);
    const nobody = p.ipB.replace(/\.2$/, '.77');
    for (const addr of [p.ipB, p.ip6B, nobody]) {
      const t0 = Date.now();
      const r = nsExec(p.a, 'node', ['host/ping.js', '-c', '3', '-i', '0.2', '-W', '1', addr]);
      assert.is(r.status, 1, `ping ${addr}: ${r.stdout}${r.stderr}`);
      const res = parse(r.stdout);
      assert.is(res.tx, 3);
      assert.is(res.rx, 0);
      assert.is(res.loss, '100');
      assert.is(res.rtt, undefined, 'no rtt line without replies');
      assert.is(res.replies.length, 0);
      assert.ok(Date.now() - t0 < 8000, 'gives up after -W');
    }
    // The rule is what made the difference: removed, replies come back.
    nsExec(p.b, 'nft', ['delete table inet pingdrop']);
    const ok = nsExec(p.a, 'node', ['host/ping.js', '-c', '1', '-W', '2', p.ipB]);
    assert.is(ok.status, 0, ok.stdout);
  }, 'q');
});

test('ping -6 to an on-link address nobody answers: the kernel\'s ICMPv6 Address unreachable, per request', async () => {
  if (!live()) return;
  await withNetnsPair((p) => {
    // Neighbour discovery fails, and the kernel sends the ICMPv6 destination unreachable
    // (code 3, address unreachable) from the local address to the raw socket, about 3 s
    // (three solicitations) after a request: -W 4 waits for them.
    const nobody = p.ip6B.replace(/::2$/, '::77');
    assert.ok(nobody !== p.ip6B);
    const r = nsExec(p.a, 'node', ['host/ping.js', '-6', '-c', '3', '-i', '1', '-W', '4', nobody]);
    assert.is(r.status, 1, r.stdout + r.stderr);
    const errs = r.stdout.split('\n').filter((l) => l.startsWith(`From ${p.ip6A} icmp_seq=`));
    assert.ok(errs.length >= 1, r.stdout);
    for (const l of errs) assert.match(l, / Destination unreachable: Address unreachable$/);
    assert.match(r.stdout, new RegExp(`3 packets transmitted, 0 received, \\+${errs.length} errors, 100% packet loss`));
  }, 'u');
});

test('bad arguments: one line, exit 2, no stack', () => {
  for (const args of [[], ['-c', '0', '127.0.0.1'], ['--nope', '127.0.0.1'], ['no.such.host.invalid']]) {
    const res = spawn(args);
    assert.is(res.status, 2, `${args.join(' ')}: ${res.stderr}`);
    assert.is(res.stderr.trim().split('\n').length, 1, res.stderr);
    assert.match(res.stderr, /^ping: /);
    assert.not.match(res.stderr, /\s+at\s/);
  }
});

function spawn(args: string[]): { status: number | null; stderr: string } {
  const r = spawnSync(process.execPath, ['host/ping.js', ...args], { encoding: 'utf8', timeout: 20_000 });
  return { status: r.status, stderr: r.stderr };
}

test.run();
