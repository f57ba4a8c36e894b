// node host/ping.js [-c count] [-i interval] [-s size] [-W timeout] [-t ttl] [-q] [-4|-6] HOST
//
// ICMP / ICMPv6 echo on a raw socket, with the echo requests built by the engine's builder
// in a pool buffer. Output follows iputils ping: a header, one line per reply, and the
// statistics block (transmitted, received, loss, rtt min/avg/max/mdev). Exit status 0
// if any reply came back, 1 if none did, 2 on an error.
import { performance } from 'node:perf_hooks';
import { createEngine, type Backend } from './engine/engine.js';
import { Builder } from './builder/builder.js';
import { LINKTYPE_RAW } from './runtime/layout.js';
import { PktError } from './runtime/errors.js';
import { numberOpt, parseCli, runTool } from './cli/args.js';
import { openRaw, rawModule, type RawSocket } from './raw-socket/socket.js';
import { resolveTarget } from './raw-socket/targets.js';

const USAGE = `usage: node host/ping.js [-c count] [-i interval] [-s packetsize] [-W timeout] [-t ttl] [-q] [-4|-6] [--backend wasm|ts] [--debug] HOST
  -c N   stop after N echo requests      -i S   seconds between requests (default 1)
  -s N   data bytes per request (56)     -W S   seconds to wait for late replies (10)
  -t N   IP time to live / hop limit     -q     only the header and the statistics`;

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

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseCli(argv, {
    count: { type: 'string', short: 'c' }, interval: { type: 'string', short: 'i' }, size: { type: 'string', short: 's' },
    timeout: { type: 'string', short: 'W' }, ttl: { type: 'string', short: 't' }, quiet: { type: 'boolean', short: 'q' },
    ipv4: { type: 'boolean', short: '4' }, ipv6: { type: 'boolean', short: '6' }, backend: { type: 'string' },
  });
  if (positionals.length !== 1) throw new PktError('E_BAD_ARGUMENT', positionals.length ? `one HOST only, got ${positionals.join(' ')}` : 'missing HOST');
  const count = numberOpt(values.count, '-c count', Infinity, 1, 2 ** 31);
  const interval = numberOpt(values.interval, '-i interval', 1, 0.002, 3600) * 1000;
  const size = numberOpt(values.size, '-s packetsize', 56, 0, 65507);
  const waitMs = numberOpt(values.timeout, '-W timeout', 10, 0, 3600) * 1000;
  const ttl = values.ttl === undefined ? undefined : numberOpt(values.ttl, '-t ttl', 64, 1, 255);
  const backend = (typeof values.backend === 'string' ? values.backend : 'wasm') as Backend;
  const quiet = values.quiet === true;
  const target = await resolveTarget(positionals[0]!, values.ipv4 ? 4 : values.ipv6 ? 6 : undefined);
  const v6 = target.v6;

  const engine = createEngine({ backend });
  const builder = new Builder(engine, { count: 16, bufSize: size + 512, headroom: 256 });
  const raw = rawModule();
  const open = (): RawSocket => {
    const s = openRaw(v6 ? 58 : 1, v6, 'ping');
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

if (process.argv[1] && /ping\.js$/.test(process.argv[1])) runTool('ping', USAGE, main);
