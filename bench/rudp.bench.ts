// Reliable transport vs kernel TCP on the same namespace path, where the PATH is the
// limit: veth shaped to RATE Mbit/s by tbf, and random loss by an iptables `statistic`
// rule on the receiver's INPUT (this kernel has no netem). Both protocols cross exactly
// the same shaping and the same drop rule. (The userspace relay cannot carry TCP; it is
// measured separately for rudp, as the tests use it.) Goodput is the receiver's figure;
// CPU per MB is user+system of both netbench processes. Then the timer-wheel cost per
// connection: what the transport's timers cost on the WASM wheel.
import { spawn, spawnSync } from 'node:child_process';
import { createNetnsPair, destroyNetnsPair, nsExec } from '../test/lib/netns.js';
import { TransportClock, T_RTO, T_DELACK, T_KEEPALIVE } from '../host/rudp/clock.js';
import { compare } from './lib/compare.js';
import { sized } from './lib/results.js';

const RATE = Number(process.env.RUDP_BENCH_MBIT ?? 100);
const SECS = Number(process.env.RUDP_BENCH_SECS ?? sized(4, 1));
const ROUNDS = sized(3, 1);

interface Run { mbps: number; cpuMsPerMB: number }

function median(xs: number[]): number {
  return [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
}

function once(ns: string, args: string[]): Run {
  const r = nsExec(ns, process.execPath, ['host/netbench.js', 'client', ...args, '-t', String(SECS), '--json'], 120_000);
  if (r.status !== 0) throw new Error(`netbench failed: ${r.stderr}`);
  const j = JSON.parse(r.stdout.trim().split('\n').pop()!) as { received: { mbps: number; bytes: number; cpuMs: number }; clientCpuMs: number };
  return { mbps: j.received.mbps, cpuMsPerMB: (j.received.cpuMs + j.clientCpuMs) / (j.received.bytes / 1e6) };
}

async function goodput(): Promise<void> {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) {
    console.log('SKIP rudp goodput: needs root for namespaces');
    return;
  }
  const p = createNetnsPair('rb');
  const kids: ReturnType<typeof spawn>[] = [];
  try {
    for (const [ns, dev] of [[p.a, p.ifA], [p.b, p.ifB]]) {
      spawnSync('ip', ['netns', 'exec', ns, 'tc', 'qdisc', 'add', 'dev', dev, 'root', 'tbf', 'rate', `${RATE}mbit`, 'burst', '64kb', 'latency', '30ms']);
    }
    kids.push(spawn('ip', ['netns', 'exec', p.b, process.execPath, 'host/netbench.js', 'server', '--port', '6000', '--bind', p.ipB], { stdio: 'ignore' }));
    kids.push(spawn('ip', ['netns', 'exec', p.b, process.execPath, 'host/netbench.js', 'server', '--port', '6001', '--bind', '0.0.0.0', '--proto', 'rudp'], { stdio: 'ignore' }));
    await new Promise((r) => setTimeout(r, 1500));
    console.log(`path: veth shaped to ${RATE} Mbit/s (tbf), ${SECS} s per run, medians of ${ROUNDS} alternating runs`);
    console.log('loss  | TCP Mbit/s | rudp Mbit/s | rudp/TCP | TCP CPU ms/MB | rudp CPU ms/MB');
    for (const loss of [0, 0.01]) {
      spawnSync('ip', ['netns', 'exec', p.b, 'iptables', '-F', 'INPUT']);
      if (loss > 0) spawnSync('ip', ['netns', 'exec', p.b, 'iptables', '-A', 'INPUT', '-m', 'statistic', '--mode', 'random', '--probability', String(loss), '-j', 'DROP']);
      const tcp: Run[] = [];
      const rudp: Run[] = [];
      for (let i = 0; i < ROUNDS; i++) {
        tcp.push(once(p.a, [p.ipB, '--port', '6000']));
        rudp.push(once(p.a, [p.ipB, '--port', '6001', '--proto', 'rudp']));
      }
      const t = median(tcp.map((x) => x.mbps));
      const r = median(rudp.map((x) => x.mbps));
      console.log(`${(loss * 100).toFixed(0).padStart(3)} % | ${t.toFixed(1).padStart(10)} | ${r.toFixed(1).padStart(11)} | ${(r / t).toFixed(3).padStart(8)} | ${median(tcp.map((x) => x.cpuMsPerMB)).toFixed(2).padStart(13)} | ${median(rudp.map((x) => x.cpuMsPerMB)).toFixed(2).padStart(14)}${r / t >= 0.8 ? '' : '   (below the 80 % target)'}`);
    }
    // rudp through the userspace relay (the tests' impairment path), rate-limited to the
    // same figure, for comparison with the kernel-shaped path above.
    spawnSync('ip', ['netns', 'exec', p.b, 'iptables', '-F', 'INPUT']);
    for (const loss of [0, 0.01]) {
      const rel = spawn('ip', ['netns', 'exec', p.b, process.execPath, 'host/netbench.js', 'relay', '--port', '6002', '--bind', p.ipB, '--to', '127.0.0.1:6001',
        '--loss', String(loss), '--relay-rate', String(RATE), '--seed', '7'], { stdio: 'ignore' });
      await new Promise((r) => setTimeout(r, 800));
      const runs = [0, 1, 2].map(() => once(p.a, [p.ipB, '--port', '6002', '--proto', 'rudp']));
      rel.kill();
      await new Promise((r) => setTimeout(r, 200));
      console.log(`rudp via userspace relay (${RATE} Mbit/s, ${loss * 100}% loss): ${median(runs.map((x) => x.mbps)).toFixed(1)} Mbit/s, ${median(runs.map((x) => x.cpuMsPerMB)).toFixed(2)} ms/MB (relay CPU not counted)`);
    }
    // Unshaped: the CPU is the limit, reported for honesty.
    for (const [ns, dev] of [[p.a, p.ifA], [p.b, p.ifB]]) spawnSync('ip', ['netns', 'exec', ns, 'tc', 'qdisc', 'del', 'dev', dev, 'root']);
    spawnSync('ip', ['netns', 'exec', p.b, 'iptables', '-F', 'INPUT']);
    const t = once(p.a, [p.ipB, '--port', '6000']);
    const r = once(p.a, [p.ipB, '--port', '6001', '--proto', 'rudp']);
    console.log(`unshaped veth (CPU-bound): TCP ${t.mbps.toFixed(0)} Mbit/s (${t.cpuMsPerMB.toFixed(2)} ms/MB), rudp ${r.mbps.toFixed(0)} Mbit/s (${r.cpuMsPerMB.toFixed(2)} ms/MB)`);
  } finally {
    for (const k of kids) k.kill();
    destroyNetnsPair(p);
  }
}

async function wheelCost(): Promise<void> {
  // Per connection the transport keeps up to three wheel entries (RTO, delayed ACK,
  // keepalive); an RTO restart on each ACK only moves a deadline in JS, the wheel entry is
  // re-armed when it fires early. Measured: arming+disarming a connection's three timers,
  // and one 1 ms tick of the clock with CONNS connections' timers live.
  const CONNS = 10_000;
  const clock = new TransportClock();
  const owner = { onTimer: (): void => {} };
  const slots = Array.from({ length: CONNS }, () => clock.register(owner));
  const handles = new Uint32Array(CONNS * 3);
  for (let i = 0; i < CONNS; i++) {
    handles[i * 3] = clock.arm(0, slots[i], T_RTO, 200 + (i % 1000));
    handles[i * 3 + 1] = clock.arm(0, slots[i], T_DELACK, 40);
    handles[i * 3 + 2] = clock.arm(0, slots[i], T_KEEPALIVE, 60_000);
  }
  let k = 0;
  let to = 0;
  await compare({ title: `timer wheel per connection (${CONNS} connections live, WASM wheel)`, unitsPerCall: 1, throughput: 'M ops/s' }, [
    {
      name: 'arm+disarm 3 timers (one connection)',
      fn: () => {
        const s = slots[k++ % CONNS];
        const a = clock.arm(0, s, T_RTO, 300);
        const b = clock.arm(0, s, T_DELACK, 40);
        const c = clock.arm(0, s, T_KEEPALIVE, 60_000);
        clock.disarm(a); clock.disarm(b); clock.disarm(c);
      },
    },
    { name: 're-arm RTO (reschedule, one connection)', fn: () => { const i = (k++ % CONNS) * 3; handles[i] = clock.arm(handles[i], slots[i / 3], T_RTO, 250); } },
    { name: `advance 1 tick with ${CONNS * 3} timers live`, fn: () => { clock.wheel.advance(++to, () => {}); } },
  ]);
  console.log(`wheel memory: ${clock.wheel.stats().capacity} node pool, 20 bytes per timer -> 60 bytes per connection`);
}

await goodput();
await wheelCost();
process.exit(0);
