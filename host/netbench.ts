// netbench: measures a network path the way iperf3 (bulk Mbit/s) and netperf (request/
// response latency) do, over kernel TCP, UDP, and pktwasm's reliable UDP transport
// (host/rudp). `relay` runs the userspace impairment relay. Errors follow the tools'
// contract (host/cli/run-tool.ts): one line, exit 2 for usage, 1 at run time.
import { NETBENCH_SPEC, netbenchArgs, type NetbenchArgs } from './netbench/args.js';
import { runTool } from './cli/run-tool.js';
import type { ParsedArgs } from './cli/args.js';
import { resolveTarget } from './raw-socket/targets.js';
import { runClient, type ClientReport } from './netbench/client.js';
import { runServer } from './netbench/server.js';
import { formatHistogram } from './netbench/stats.js';
import { Relay } from './rudp/relay.js';

function fmtBytes(n: number): string {
  if (n >= 1 << 30) return `${(n / (1 << 30)).toFixed(2)} GBytes`;
  if (n >= 1 << 20) return `${(n / (1 << 20)).toFixed(1)} MBytes`;
  return `${(n / 1024).toFixed(1)} KBytes`;
}

function printText(r: ClientReport): void {
  const p = (l: string): void => { process.stdout.write(`${l}\n`); };
  p(`- - - ${r.proto} ${r.mode}, ${r.streams} stream(s), ${r.len}-byte messages, server ${r.serverMode}${r.proto === 'tcp' ? `, TCP_NODELAY ${r.nodelay ? 'on' : 'off'}` : ''}`);
  p(`  sender   ${r.sent.seconds.toFixed(2)} sec  ${fmtBytes(r.sent.bytes)}  ${r.sent.mbps.toFixed(1)} Mbits/sec`);
  if (r.received) p(`  receiver ${r.received.seconds.toFixed(2)} sec  ${fmtBytes(r.received.bytes)}  ${r.received.mbps.toFixed(1)} Mbits/sec${r.received.cpuMs ? `  server CPU ${(r.received.cpuMs / Math.max(1, r.received.bytes / 1e6)).toFixed(2)} ms/MB` : ''}`);
  if (r.udp) p(`  udp: sent ${r.udp.sent}, received ${r.udp.received}, lost ${r.udp.lost} (${r.udp.lossPct.toFixed(2)}%), out of order ${r.udp.outOfOrder}, duplicates ${r.udp.duplicates}, jitter ${r.udp.jitterMs.toFixed(3)} ms`);
  if (r.verify) p(`  verify: ${r.verify.ok ? 'OK (every byte once, in order: sha256 match)' : 'MISMATCH'}`);
  if (r.latency) {
    const l = r.latency;
    p(`  transactions ${l.count} (${l.transactionsPerSec.toFixed(0)}/s)  latency us: min ${l.minUs.toFixed(1)} p50 ${l.p50Us.toFixed(1)} p90 ${l.p90Us.toFixed(1)} p99 ${l.p99Us.toFixed(1)} p99.9 ${l.p999Us.toFixed(1)} max ${l.maxUs.toFixed(1)}`);
    for (const line of formatHistogram(l.histogram)) p(line);
  }
}

function score(r: ClientReport): number {
  return r.latency ? r.latency.transactionsPerSec : (r.received?.mbps ?? r.sent.mbps);
}

async function run(a: NetbenchArgs): Promise<number> {
  const log = (l: string): void => { if (!a.json) process.stderr.write(`${l}\n`); };
  if (a.role === 'server') {
    const srv = await runServer(a, log);
    // With --json the exit leaves one line of the server's counters (what it refused, too).
    const quit = (): void => {
      if (a.json) process.stdout.write(`${JSON.stringify({ serverStats: srv.stats() })}\n`);
      srv.stop();
      process.exit(0);
    };
    process.on('SIGINT', quit);
    process.on('SIGTERM', quit);
    if (a.json) process.stdout.write(`${JSON.stringify({ listening: true, proto: a.proto, port: srv.port })}\n`);
    return 0;
  }
  if (a.role === 'relay') {
    const i = a.to.lastIndexOf(':');
    const r = new Relay({
      // Loopback unless --bind: the relay forwards anything from anyone to its target.
      listenPort: a.port, listenHost: a.host || '127.0.0.1', targetHost: a.to.slice(0, i).replace(/^\[|\]$/g, ''), targetPort: Number(a.to.slice(i + 1)),
      seed: a.seed, forward: { loss: a.loss, delayMs: a.delay, reorder: a.reorder, duplicate: a.dup, corrupt: a.corrupt, rateMbit: a.relayRate },
      backward: { loss: a.loss, delayMs: a.delay, reorder: a.reorder, duplicate: a.dup, corrupt: a.corrupt, rateMbit: 0 },
    });
    const port = await r.listen();
    process.stdout.write(`${JSON.stringify({ relay: true, port })}\n`);
    const quit = (): void => { process.stdout.write(`${JSON.stringify({ relayStats: r.stats() })}\n`); r.close(); process.exit(0); };
    process.on('SIGINT', quit);
    process.on('SIGTERM', quit);
    return 0;
  }
  const modes: ('event' | 'workers')[] = a.serverMode === 'both' ? ['event', 'workers'] : [a.serverMode];
  const reports: ClientReport[] = [];
  for (const m of modes) {
    const r = await runClient(a, m, (iv) => {
      if (!a.json) process.stdout.write(`  ${iv.start.toFixed(2)}-${iv.end.toFixed(2)} sec  ${fmtBytes(iv.bytes)}  ${iv.mbps.toFixed(1)} Mbits/sec\n`);
    });
    reports.push(r);
    if (!a.json) printText(r);
  }
  let faster: string | undefined;
  if (reports.length === 2) {
    const [e, w] = reports.map(score);
    faster = e >= w ? 'event' : 'workers';
    if (!a.json) process.stdout.write(`server modes: event loop ${e.toFixed(1)} vs worker threads ${w.toFixed(1)} (${reports[0].latency ? 'transactions/s' : 'Mbit/s'}): ${faster === 'event' ? 'the event loop' : 'worker threads'} is faster for this load\n`);
  }
  if (a.json) process.stdout.write(`${JSON.stringify(reports.length === 1 ? reports[0] : { runs: reports, faster })}\n`);
  return reports.some((r) => r.verify && !r.verify.ok) ? 2 : 0;
}

/** The command line read, and the names in it resolved: a host that does not resolve is
 *  a usage error (exit 2), as it is for ping and synprobe, not a connect failure found at
 *  run time (exit 1). The run still connects by the name as typed (localhost: both families). */
async function prepare(args: ParsedArgs): Promise<NetbenchArgs> {
  const a = netbenchArgs(args);
  if (a.host !== '') await resolveTarget(a.host);
  if (a.role === 'relay') await resolveTarget(a.to.slice(0, a.to.lastIndexOf(':')).replace(/^\[|\]$/g, ''));
  return a;
}

void runTool({
  spec: NETBENCH_SPEC,
  prepare,
  run,
  explain: (e) => ((e as { code?: unknown } | null)?.code === 'ECONNREFUSED' ? '(is the server running on that port and protocol, and bound to an address this host reaches: --bind?)' : null),
});
