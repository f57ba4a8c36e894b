// node host/synprobe.js HOST PORTS [--rate N] [--retries N] [--timeout MS] [--i-own-this-network]
//
// TCP SYN probe ("half-open scan") on a raw socket: a SYN built by the engine's builder
// goes to each port; a SYN-ACK means open, a RST closed, an ICMP/ICMPv6 Destination
// Unreachable quoting the SYN filtered with nmap's reason for its code (admin-prohibited,
// port-unreach ...), silence after every retry filtered (no-response). Probes leave at a
// fixed rate (token pacing); each probe's timeout is a timer on the engine's timer wheel
// (1 tick = 1 ms) whose expiry re-queues or gives up.
//
// Scanning networks you do not run is not this tool's business: targets must be
// loopback/this host, or a directly connected network seen from a network namespace
// other than the init one (a lab or test namespace), unless --i-own-this-network.
import { performance } from 'node:perf_hooks';
import { randomInt } from 'node:crypto';
import { createEngine, type Backend } from './engine/engine.js';
import { Builder } from './builder/builder.js';
import { TimerWheel } from './wheel/timer-wheel.js';
import { LINKTYPE_RAW } from './runtime/layout.js';
import { PktError } from './runtime/errors.js';
import { parseIPv6, ipv6ToString } from './runtime/addr.js';
import { usageError, type ParsedArgs, type ToolSpec } from './cli/args.js';
import { runTool } from './cli/run-tool.js';
import { openRaw, type RawSocket } from './raw-socket/socket.js';
import { unreachableReason, unreachableTcp4, unreachableTcp6 } from './raw-socket/unreachable.js';
import { ownNetworkReason, resolveTarget, sourceAddress, type Target } from './raw-socket/targets.js';

export const SYNPROBE_SPEC: ToolSpec = {
  name: 'synprobe',
  command: 'node host/synprobe.js',
  summary: 'synprobe: TCP SYN probe ("half-open scan") of PORTS on HOST: a SYN goes to each port; a SYN-ACK means open, '
    + 'a RST closed, an ICMP destination unreachable filtered with nmap\'s reason (admin-prohibited, port-unreach, '
    + 'host-unreach ...), silence after every retry filtered (no-response). Needs root or CAP_NET_RAW (raw sockets).',
  description: 'Scanning networks you do not run is not this tool\'s business: HOST must be this host (loopback or one '
    + 'of its addresses) or, from inside a network namespace other than the init one (a lab or test namespace), '
    + 'a directly connected network, unless --i-own-this-network is given.',
  options: [
    { name: 'ports', short: 'p', value: 'PORTS', help: 'The ports to probe, instead of the PORTS operand.' },
    { name: 'rate', value: 'N', help: 'Probes per second (1 to 1000000), retries included.', default: 200 },
    { name: 'retries', value: 'N', help: 'How many times a probe that got no answer is sent again (0 to 20).', default: 1 },
    { name: 'timeout', value: 'MS', help: 'Milliseconds to wait for the answer to each probe (1 to 600000).', default: 1000 },
    { name: 'i-own-this-network', help: 'Probe HOST even when it is neither this host nor a directly connected network seen from a lab namespace: you state that you are authorised to scan it.' },
    { name: 'backend', value: 'backend', choices: ['wasm', 'ts'], help: 'Build and decode the packets, and run the timer wheel, in WebAssembly or in the TypeScript twins.', default: 'wasm' },
  ],
  operands: [
    { name: 'HOST', help: 'A host name, an IPv4 or an IPv6 address.' },
    { name: 'PORTS', optional: true, help: 'Comma-separated ports and ranges, e.g. 22,80,8000-8010 (1 to 65535); required unless -p is given.' },
  ],
};

export type PortState = 'open' | 'closed' | 'filtered';

/** "22,80,8000-8010" -> sorted unique ports. */
export function parsePorts(spec: string): number[] {
  const set = new Set<number>();
  for (const part of spec.split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!m) throw new PktError('E_BAD_ARGUMENT', `bad port list "${spec}": "${part}" is not a port or a range`);
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    if (lo < 1 || hi > 65535 || lo > hi) throw new PktError('E_BAD_ARGUMENT', `bad port range "${part}": ports are 1-65535, low to high`);
    for (let p = lo; p <= hi; p++) set.add(p);
  }
  return [...set].sort((a, b) => a - b);
}

interface Probe { port: number; seq: number; attempts: number; timer: number; state: PortState | null; reason: string }

interface ProbePlan { ports: number[]; rate: number; retries: number; timeoutMs: number; backend: Backend; target: Target }

/** The command line, checked; HOST resolved and, unless --i-own-this-network, refused
 *  when it is not ours to probe (a usage error: nothing has been sent). */
async function prepare(args: ParsedArgs): Promise<ProbePlan> {
  const portSpec = args.string('ports') ?? args.positionals[1];
  if (portSpec === undefined) throw usageError('missing PORTS (or -p PORTS)');
  if (args.has('ports') && args.positionals.length > 1) throw usageError(`PORTS given twice: -p ${portSpec} and ${args.positionals[1]}`);
  const plan: ProbePlan = {
    ports: parsePorts(portSpec),
    rate: args.number('rate', { min: 1, max: 1_000_000 }),
    retries: args.number('retries', { integer: true, min: 0, max: 20 }),
    timeoutMs: Math.round(args.number('timeout', { min: 1, max: 600_000 })),
    backend: args.choice<Backend>('backend') ?? 'wasm',
    target: await resolveTarget(args.positionals[0]!),
  };
  if (!args.has('i-own-this-network') && ownNetworkReason(plan.target.address) === null) {
    throw usageError(`refusing to probe ${plan.target.address}: it is neither this host nor a directly connected network of a local namespace; pass --i-own-this-network if you are authorised to scan it`);
  }
  return plan;
}

async function run(plan: ProbePlan): Promise<number> {
  const { ports, rate, retries, timeoutMs, backend, target } = plan;
  const v6 = target.v6;
  const src = await sourceAddress(target);
  const sock = openRaw(6, v6, v6 ? 'TCP/IPv6 socket' : 'TCP socket');

  const engine = createEngine({ backend });
  const builder = new Builder(engine, { count: 16, bufSize: 1024, headroom: 256 });
  const wheel = new TimerWheel(engine, { capacity: ports.length + 16 });
  let sport = 40000 + randomInt(20000);
  while (ports.includes(sport)) sport = 40000 + randomInt(20000);
  const secret = randomInt(0x7FFFFFFF);
  const probes = new Map<number, Probe>();
  for (const port of ports) probes.set(port, { port, seq: (secret ^ Math.imul(port, 2654435761)) >>> 0, attempts: 0, timer: 0, state: null, reason: '' });
  const targetV6 = v6 ? parseIPv6(target.address) : null;

  // The SYN is built with its IP header so the TCP checksum covers the right pseudo-header;
  // the raw socket gets the TCP part only and the kernel prepends the same header.
  const l3 = v6 ? { ipv6: { src, dst: target.address } } : { ip: { src, dst: target.address } };
  const synFor = (p: Probe): Buffer => {
    const m = builder.build({ ...l3, tcp: { srcport: sport, dstport: p.port, seq_raw: p.seq, flags: 0x002, window_size_value: 1024, options: { mss_val: 1460 } } });
    const b = Buffer.from(builder.pool.bytes(m).subarray(builder.l4Offset));
    builder.pool.free(m);
    return b;
  };

  process.stdout.write(`synprobe ${target.name} (${target.address}) from ${src}: ${ports.length} port${ports.length === 1 ? '' : 's'}, ${rate} probes/s, timeout ${timeoutMs} ms, ${retries} ${retries === 1 ? 'retry' : 'retries'}\n`);

  const queue: number[] = [...ports];
  let pending = ports.length;
  let sent = 0;
  let finish: () => void = () => {};
  const done = new Promise<void>((resolve) => { finish = resolve; });

  const settle = (p: Probe, state: PortState, reason: string): void => {
    if (p.state !== null) return;
    p.state = state;
    p.reason = reason;
    if (p.timer !== 0) wheel.cancel(p.timer);
    pending--;
    if (pending === 0) finish();
  };

  const onSegment = (srcPort: number, dstPort: number, flags: number, ack: number): void => {
    if (dstPort !== sport) return;
    const p = probes.get(srcPort);
    if (p === undefined || p.state !== null) return;
    const acks = (flags & 0x010) !== 0;
    if (acks && ack !== ((p.seq + 1) >>> 0)) return; // not an answer to our SYN
    if ((flags & 0x012) === 0x012) settle(p, 'open', 'syn-ack');
    else if (flags & 0x004) settle(p, 'closed', 'reset'); // nmap's word
  };

  // ICMP errors: a Destination Unreachable counts when it quotes one of our SYNs exactly
  // (our port, the target, the probe's sequence number), from the target or a router.
  const targetText = v6 ? ipv6ToString(targetV6!, 0) : target.address;
  const onIcmp = (buf: Buffer, source: string): void => {
    const q = v6 ? unreachableTcp6(buf, source) : unreachableTcp4(buf);
    if (q === null || q.dst !== targetText || q.sport !== sport) return;
    const p = probes.get(q.dport);
    if (p === undefined || p.state !== null || q.seq !== p.seq) return;
    const reason = unreachableReason(v6, q.code);
    if (reason === null) return; // a code nmap ignores too: the probe waits for its timeout
    settle(p, 'filtered', q.from === targetText ? reason : `${reason} from ${q.from}`);
  };

  sock.on('message', (buf: Buffer, source: string) => {
    if (!v6) {
      const pkt = engine.decode(buf, LINKTYPE_RAW);
      if (pkt.ip?.src !== target.address || !pkt.tcp) return;
      onSegment(pkt.tcp.srcport, pkt.tcp.dstport, pkt.tcp.flags, pkt.tcp.ack_raw);
      return;
    }
    const from = parseIPv6(source);
    if (buf.length < 20 || from === null || targetV6 === null || !from.every((b, i) => b === targetV6[i])) return;
    onSegment(buf.readUInt16BE(0), buf.readUInt16BE(2), ((buf[12] & 1) << 8) | buf[13], buf.readUInt32BE(8));
  });
  // A socket failure ends the run as one error line (a throw in this callback would be
  // an uncaught exception with its stack).
  const failed: { error: PktError | null } = { error: null };
  const fatal = (e: PktError): void => { failed.error ??= e; finish(); };
  sock.on('error', (e: Error) => fatal(new PktError('E_IO', `raw socket: ${e.message}`)));
  // raw-socket closes a socket after a receive error; the ICMP one is only an extra source
  // of answers, so it is opened again rather than ending the run.
  let icmpSock: RawSocket | null = null;
  const openIcmp = (): void => {
    icmpSock = openRaw(v6 ? 58 : 1, v6, v6 ? 'ICMPv6 socket' : 'ICMP socket');
    icmpSock.on('message', onIcmp);
    icmpSock.on('error', () => {
      icmpSock = null;
      if (pending > 0) {
        try { openIcmp(); } catch { /* the timeouts still settle every probe */ }
      }
    });
  };
  openIcmp();

  const t0 = performance.now();
  const tick = (): number => Math.floor(performance.now() - t0);
  let budget = 1; // token bucket: one probe now, then `rate` per second (burst up to 1/100 s)
  let last = performance.now();
  const onExpire = (port: number): void => {
    const p = probes.get(port);
    if (p === undefined || p.state !== null) return;
    p.timer = 0;
    if (p.attempts <= retries) queue.push(port);
    else settle(p, 'filtered', 'no-response');
  };
  let pumpTimer: NodeJS.Timeout | undefined;
  const pump = (): void => {
    wheel.advance(tick(), onExpire);
    const now = performance.now();
    budget = Math.min(budget + ((now - last) * rate) / 1000, Math.max(1, rate / 100));
    last = now;
    while (queue.length > 0 && budget >= 1) {
      const p = probes.get(queue.shift()!)!;
      if (p.state !== null) continue;
      budget -= 1;
      p.attempts++;
      sent++;
      const syn = synFor(p);
      sock.send(syn, 0, syn.length, target.address, (err) => {
        if (err) fatal(new PktError('E_IO', `sending a SYN to port ${p.port}: ${err.message}`));
      });
      p.timer = wheel.schedule(timeoutMs, p.port);
    }
    if (pending > 0) pumpTimer = setTimeout(pump, queue.length > 0 ? Math.max(1, Math.min(10, 1000 / rate)) : 5);
  };
  pump();
  const onSigint = (): void => finish();
  process.on('SIGINT', onSigint);
  await done;
  process.off('SIGINT', onSigint);
  if (pumpTimer) clearTimeout(pumpTimer);
  sock.close();
  (icmpSock as RawSocket | null)?.close();
  if (failed.error !== null) throw failed.error;

  const counts = { open: 0, closed: 0, filtered: 0 };
  const whyFiltered = new Map<string, number>();
  process.stdout.write('PORT      STATE     REASON\n');
  for (const p of probes.values()) {
    const state = p.state ?? 'filtered';
    counts[state]++;
    if (state === 'filtered') {
      const why = (p.reason || 'interrupted').replace(/ from .*/, '');
      whyFiltered.set(why, (whyFiltered.get(why) ?? 0) + 1);
    }
    process.stdout.write(`${`${p.port}/tcp`.padEnd(10)}${state.padEnd(10)}${p.reason || 'interrupted'}\n`);
  }
  const secs = ((performance.now() - t0) / 1000).toFixed(2);
  const why = [...whyFiltered].map(([r, n]) => `${n} ${r}`).join(', ');
  process.stdout.write(`synprobe done: ${ports.length} ports (${counts.open} open, ${counts.closed} closed, ${counts.filtered} filtered${why ? `: ${why}` : ''}) in ${secs} s; ${sent} probes sent\n`);
  return 0;
}

if (process.argv[1] && /synprobe\.js$/.test(process.argv[1])) void runTool({ spec: SYNPROBE_SPEC, prepare, run });
