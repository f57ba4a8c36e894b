// node host/ping.js [-c count] [-i interval] [-s size] [-W timeout] [-t ttl] [-q] [-4|-6] HOST
//
// ICMP / ICMPv6 echo on a raw socket, with the echo requests built by the engine's builder
// in a pool buffer. Output follows iputils ping: a header, one line per reply, and the
// statistics block (transmitted, received, loss, rtt min/avg/max/mdev). Exit status 0
// if any reply came back, 1 if none did (or on a runtime error), 2 on a usage error.
import { performance } from 'node:perf_hooks';
import { createEngine, type Backend } from './engine/engine.js';
import { Builder } from './builder/builder.js';
import { LINKTYPE_RAW } from './runtime/layout.js';
import { usageError, type ParsedArgs, type ToolSpec } from './cli/args.js';
import { runTool } from './cli/run-tool.js';
import { openRaw, rawModule, type RawSocket } from './raw-socket/socket.js';
import { resolveTarget, type Target } from './raw-socket/targets.js';

export const PING_SPEC: ToolSpec = {
  name: 'ping',
  command: 'node host/ping.js',
  summary: 'ping: send ICMP (IPv4) or ICMPv6 echo requests to HOST and print each reply and a summary, as iputils ping '
    + 'does. The requests are built by the pktwasm engine; the replies are read on a raw socket (root or CAP_NET_RAW).',
  options: [
    { name: 'count', short: 'c', value: 'count', help: 'Stop after sending count requests (and waiting for their replies, see -W).', defaultText: 'until interrupted (Ctrl-C)' },
    { name: 'interval', short: 'i', value: 'interval', help: 'Wait interval seconds between requests (0.002 to 3600).', default: 1 },
    { name: 'size', short: 's', value: 'packetsize', help: 'Data bytes per request, after the 8-byte ICMP header (0 to 65507).', default: 56 },
    { name: 'timeout', short: 'W', value: 'timeout', help: 'After the last request, wait up to timeout seconds for its reply.', default: 10 },
    { name: 'ttl', short: 't', value: 'ttl', help: 'IPv4 time to live, IPv6 hop limit of the requests (1 to 255).', defaultText: "the kernel's (net.ipv4.ip_default_ttl, usually 64)" },
    { name: 'quiet', short: 'q', help: 'Print only the header line and the summary.' },
    { name: 'ipv4', short: '4', help: 'Use IPv4 only (HOST must resolve to an IPv4 address).' },
    { name: 'ipv6', short: '6', help: 'Use IPv6 only (HOST must resolve to an IPv6 address). Replies show no ttl: an IPv6 raw socket hands over the ICMPv6 message without the IPv6 header, and the hop limit would come as IPV6_HOPLIMIT ancillary data (IPV6_RECVHOPLIMIT), which the raw-socket module cannot read (it has no recvmsg). Errors (Address unreachable for a neighbour that never answers, and the others) are the ICMPv6 messages the kernel or a router sends back.' },
    { name: 'backend', value: 'backend', choices: ['wasm', 'ts'], help: 'Build and decode the packets in WebAssembly or in the TypeScript twin.', default: 'wasm' },
  ],
  operands: [{ name: 'HOST', help: 'A host name, an IPv4 or an IPv6 address.' }],
  exitStatus: { 0: 'at least one reply came back', 1: 'no reply came back, or a runtime error (one line on stderr)' },
};

interface PingPlan {
  count: number;
  intervalMs: number;
  size: number;
  waitMs: number;
  ttl: number | undefined;
  backend: Backend;
  quiet: boolean;
  target: Target;
}

/** The command line, checked, and HOST resolved (a name that does not resolve is a usage error). */
async function prepare(args: ParsedArgs): Promise<PingPlan> {
  if (args.has('ipv4') && args.has('ipv6')) throw usageError('-4 and -6 exclude each other');
  return {
    count: args.maybeNumber('count', { integer: true, min: 1, max: 2 ** 31 }) ?? Infinity,
    intervalMs: args.number('interval', { min: 0.002, max: 3600 }) * 1000,
    size: args.number('size', { integer: true, min: 0, max: 65507 }),
    waitMs: args.number('timeout', { min: 0, max: 3600 }) * 1000,
    ttl: args.maybeNumber('ttl', { integer: true, min: 1, max: 255 }),
    backend: args.choice<Backend>('backend') ?? 'wasm',
    quiet: args.has('quiet'),
    target: await resolveTarget(args.positionals[0]!, args.has('ipv4') ? 4 : args.has('ipv6') ? 6 : undefined),
  };
}

const UNREACH4: Record<number, string> = {
  0: 'Destination Net Unreachable', 1: 'Destination Host Unreachable', 2: 'Destination Protocol Unreachable',
  3: 'Destination Port Unreachable', 4: 'Frag needed', 9: 'Destination Net Prohibited', 10: 'Destination Host Prohibited',
  13: 'Packet filtered',
};
const UNREACH6: Record<number, string> = {
  0: 'Destination unreachable: No route', 1: 'Destination unreachable: Administratively prohibited',
  3: 'Destination unreachable: Address unreachable', 4: 'Destination unreachable: Port unreachable',
};

/** iputils' rtt formatting: three significant digits or so. */
export function formatRtt(ms: number): string {
  if (ms >= 99.95) return ms.toFixed(0);
  if (ms >= 9.995) return ms.toFixed(1);
  if (ms >= 1) return ms.toFixed(2);
  return ms.toFixed(3);
}

export interface PingStats { transmitted: number; received: number; errors: number; dups: number; rtts: number[]; elapsedMs: number }

/** The statistics block, as iputils prints it. */
export function formatSummary(name: string, s: PingStats): string {
  const loss = s.transmitted === 0 ? 0 : ((s.transmitted - s.received) * 100) / s.transmitted;
  let out = `\n--- ${name} ping statistics ---\n`;
  out += `${s.transmitted} packets transmitted, ${s.received} received`;
  if (s.dups) out += `, +${s.dups} duplicates`;
  if (s.errors) out += `, +${s.errors} errors`;
  out += `, ${Number(loss.toPrecision(6))}% packet loss, time ${Math.round(s.elapsedMs)}ms\n`;
  if (s.rtts.length > 0) {
    const n = s.rtts.length;
    let sum = 0;
    let sum2 = 0;
    let min = Infinity;
    let max = 0;
    for (const r of s.rtts) { sum += r; sum2 += r * r; if (r < min) min = r; if (r > max) max = r; }
    const avg = sum / n;
    const mdev = Math.sqrt(Math.max(0, sum2 / n - avg * avg));
    out += `rtt min/avg/max/mdev = ${min.toFixed(3)}/${avg.toFixed(3)}/${max.toFixed(3)}/${mdev.toFixed(3)} ms\n`;
  }
  return out;
}

async function run(plan: PingPlan): Promise<number> {
  const { count, intervalMs: interval, size, waitMs, ttl, backend, quiet, target } = plan;
  const v6 = target.v6;

  const engine = createEngine({ backend });
  const builder = new Builder(engine, { count: 16, bufSize: size + 512, headroom: 256 });
  const raw = rawModule();
  const open = (): RawSocket => {
    const s = openRaw(v6 ? 58 : 1, v6, v6 ? 'ICMPv6 socket' : 'ICMP socket');
    if (ttl !== undefined) {
      if (v6) s.setOption(raw.SocketLevel.IPPROTO_IPV6, raw.SocketOption.IPV6_UNICAST_HOPS, ttl);
      else s.setOption(raw.SocketLevel.IPPROTO_IP, raw.SocketOption.IP_TTL, ttl);
    }
    return s;
  };

  const ident = process.pid & 0xFFFF;
  const sentAt = new Map<number, number>(); // seq -> time sent (ms)
  const seen = new Set<number>();
  const stats: PingStats = { transmitted: 0, received: 0, errors: 0, dups: 0, rtts: [], elapsedMs: 0 };
  const start = performance.now();
  const out = (line: string): void => { if (!quiet) process.stdout.write(`${line}\n`); };

  process.stdout.write(v6
    ? `PING ${target.name}(${target.address}) ${size} data bytes\n`
    : `PING ${target.name} (${target.address}) ${size}(${size + 28}) bytes of data.\n`);

  let sock: RawSocket;
  let finish: () => void = () => {};
  const done = new Promise<void>((resolve) => { finish = resolve; });

  const onReply = (seq: number, from: string, bytes: number, hops: number | null): void => {
    const t0 = sentAt.get(seq);
    if (t0 === undefined) return; // not one of ours (or from an earlier run)
    const rtt = performance.now() - t0;
    const dup = seen.has(seq);
    if (dup) stats.dups++;
    else { seen.add(seq); stats.received++; stats.rtts.push(rtt); }
    out(`${bytes} bytes from ${from}: icmp_seq=${seq}${hops === null ? '' : ` ttl=${hops}`} time=${formatRtt(rtt)} ms${dup ? ' (DUP!)' : ''}`);
    maybeDone();
  };
  const onError = (seq: number, from: string, text: string): void => {
    if (!sentAt.has(seq)) return;
    stats.errors++;
    out(`From ${from} icmp_seq=${seq} ${text}`);
  };

  const onMessage = (buf: Buffer, source: string): void => {
    if (!v6) {
      const pkt = engine.decode(buf, LINKTYPE_RAW);
      const ic = pkt.icmp;
      if (!pkt.ip || !ic) return;
      if (ic.type === 0 && ic.ident === ident && ic.seq !== undefined) {
        onReply(ic.seq, pkt.ip.src, pkt.ip.len - pkt.ip.hdr_len, pkt.ip.ttl);
      } else if (ic.type === 3 || ic.type === 11) {
        // The error quotes our request: IP header, then the echo's first 8 bytes.
        const inner = pkt.ip.hdr_len + 8;
        if (buf.length < inner + 20) return;
        const ihl = (buf[inner] & 15) * 4;
        const e = inner + ihl;
        if (buf.length < e + 8 || buf[e] !== 8 || buf.readUInt16BE(e + 4) !== ident) return;
        onError(buf.readUInt16BE(e + 6), pkt.ip.src, ic.type === 11 ? 'Time to live exceeded' : UNREACH4[ic.code] ?? `Dest Unreachable, Bad Code: ${ic.code}`);
      }
      return;
    }
    // IPv6 raw sockets hand over the ICMPv6 message only; the source comes separately.
    if (buf.length < 8) return;
    if (buf[0] === 129 && buf.readUInt16BE(4) === ident) onReply(buf.readUInt16BE(6), source, buf.length, null);
    else if ((buf[0] === 1 || buf[0] === 3) && buf.length >= 56 && buf[48] === 128 && buf.readUInt16BE(52) === ident) {
      onError(buf.readUInt16BE(54), source, buf[0] === 3 ? 'Time exceeded: Hop limit' : UNREACH6[buf[1]] ?? `Destination unreachable: code ${buf[1]}`);
    }
  };

  const attach = (): void => {
    sock = open();
    sock.on('message', onMessage);
    // raw-socket closes a socket after a receive error (a fatal ICMP error such as host
    // unreachable is reported that way): count it and open a fresh one.
    sock.on('error', (e: Error) => {
      stats.errors++;
      out(`ping: ${e.message}`);
      attach();
    });
  };
  attach();

  let seq = 0;
  let timer: NodeJS.Timeout | undefined;
  let lastSend = 0;
  let lingerTimer: NodeJS.Timeout | undefined;
  const payload = new Uint8Array(size);
  for (let k = 16; k < size; k++) payload[k] = k & 0xFF; // iputils' pattern after the timestamp

  function maybeDone(): void {
    if (stats.transmitted >= count && stats.received + stats.errors >= stats.transmitted) finish();
  }

  const sendOne = (): void => {
    seq = (seq + 1) & 0xFFFF;
    const now = Date.now();
    if (size >= 16) {
      // struct timeval as iputils puts it at the start of the data (little-endian 64-bit).
      const dv = new DataView(payload.buffer);
      dv.setBigUint64(0, BigInt(Math.floor(now / 1000)), true);
      dv.setBigUint64(8, BigInt((now % 1000) * 1000), true);
    }
    // ICMPv6: the kernel computes the checksum for raw ICMPv6 sockets (RFC 3542 §3.1).
    const m = builder.build(v6 ? { icmpv6: { type: 128, ident, seq }, payload } : { icmp: { type: 8, ident, seq }, payload });
    const bytes = Buffer.from(builder.pool.bytes(m));
    builder.pool.free(m);
    sentAt.set(seq, performance.now());
    seen.delete(seq);
    stats.transmitted++;
    lastSend = performance.now();
    const thisSeq = seq;
    sock.send(bytes, 0, bytes.length, target.address, (err) => {
      if (err) { stats.errors++; out(`ping: sendmsg: ${err.message} (icmp_seq=${thisSeq})`); maybeDone(); }
    });
    if (stats.transmitted >= count) {
      // Wait for the stragglers up to -W after the last request.
      lingerTimer = setTimeout(finish, waitMs);
      return;
    }
    timer = setTimeout(sendOne, Math.max(0, start + stats.transmitted * interval - performance.now()));
  };

  const onSigint = (): void => finish();
  process.on('SIGINT', onSigint);
  sendOne();
  await done;
  process.off('SIGINT', onSigint);
  if (timer) clearTimeout(timer);
  if (lingerTimer) clearTimeout(lingerTimer);
  stats.elapsedMs = Math.max(lastSend, performance.now()) - start;
  sock!.close();
  process.stdout.write(formatSummary(target.name, stats));
  return stats.received > 0 ? 0 : 1;
}

if (process.argv[1] && /ping\.js$/.test(process.argv[1])) void runTool({ spec: PING_SPEC, prepare, run });
