// node host/synprobe.js HOST PORTS [--rate N] [--retries N] [--timeout MS] [--i-own-this-network]
//
// TCP SYN probe ("half-open scan") on a raw socket: a SYN built by the engine's builder
// goes to each port; a SYN-ACK means open, a RST closed, silence after every retry
// filtered. Probes leave at a fixed rate (token pacing); each probe's timeout is a timer
// on the engine's timer wheel (1 tick = 1 ms) whose expiry re-queues or gives up.
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
import { parseIPv6 } from './runtime/addr.js';
import { numberOpt, parseCli, runTool } from './cli/args.js';
import { openRaw } from './raw-socket/socket.js';
import { ownNetworkReason, resolveTarget, sourceAddress } from './raw-socket/targets.js';

const USAGE = `usage: node host/synprobe.js HOST PORTS [--rate N] [--retries N] [--timeout MS] [--i-own-this-network] [--backend wasm|ts] [--debug]
  PORTS  e.g. 22,80,8000-8010        --rate N      probes per second (default 200)
  --retries N  re-sends after a timeout (default 1)   --timeout MS  wait per probe (default 1000)`;

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

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseCli(argv, {
    rate: { type: 'string' }, retries: { type: 'string' }, timeout: { type: 'string' },
    'i-own-this-network': { type: 'boolean' }, backend: { type: 'string' }, ports: { type: 'string', short: 'p' },
  });
  const portSpec = typeof values.ports === 'string' ? values.ports : positionals[1];
  if (positionals.length < 1 || portSpec === undefined) throw new PktError('E_BAD_ARGUMENT', 'need HOST and PORTS');
  const ports = parsePorts(portSpec);
  const rate = numberOpt(values.rate, '--rate', 200, 1, 1_000_000);
  const retries = numberOpt(values.retries, '--retries', 1, 0, 20);
  const timeoutMs = Math.round(numberOpt(values.timeout, '--timeout', 1000, 1, 600_000));
  const backend = (typeof values.backend === 'string' ? values.backend : 'wasm') as Backend;
  const target = await resolveTarget(positionals[0]!);
  if (values['i-own-this-network'] !== true && ownNetworkReason(target.address) === null) {
    throw new PktError('E_PERM', `refusing to probe ${target.address}: it is neither this host nor a directly connected network of a local namespace; pass --i-own-this-network if you are authorised to scan it`);
  }
  const v6 = target.v6;
  const src = await sourceAddress(target);
  const sock = openRaw(6, v6, 'synprobe');

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
    else if (flags & 0x004) settle(p, 'closed', 'rst');
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
  sock.on('error', (e: Error) => { throw new PktError('E_IO', `raw socket: ${e.message}`); });

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
        if (err) throw new PktError('E_IO', `sending a SYN to port ${p.port}: ${err.message}`);
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

  const counts = { open: 0, closed: 0, filtered: 0 };
  process.stdout.write('PORT      STATE     REASON\n');
  for (const p of probes.values()) {
    const state = p.state ?? 'filtered';
    counts[state]++;
    process.stdout.write(`${`${p.port}/tcp`.padEnd(10)}${state.padEnd(10)}${p.reason || 'interrupted'}\n`);
  }
  const secs = ((performance.now() - t0) / 1000).toFixed(2);
  process.stdout.write(`synprobe done: ${ports.length} ports (${counts.open} open, ${counts.closed} closed, ${counts.filtered} filtered) in ${secs} s; ${sent} probes sent\n`);
  return 0;
}

if (process.argv[1] && /synprobe\.js$/.test(process.argv[1])) runTool('synprobe', USAGE, main);
