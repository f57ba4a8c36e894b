// netbench's command line: its options as specs on the tools' shared parser
// (host/cli/args.ts), which --help prints, and their reading into NetbenchArgs.
import { parseNumber, usageError, type NumberRange, type ParsedArgs, type ToolSpec } from '../cli/args.js';
import { UDP_HDR } from './udp.js';

export interface NetbenchArgs {
  role: 'server' | 'client' | 'relay';
  host: string;
  port: number;
  proto: 'tcp' | 'udp' | 'rudp';
  mode: 'bulk' | 'rr';
  time: number;
  bytes: number;
  parallel: number;
  len: number;
  interval: number;
  nodelay: boolean;
  sndbuf: number;
  rcvbuf: number;
  rateMbit: number;
  json: boolean;
  workers: number;
  serverMode: 'event' | 'workers' | 'both';
  verify: boolean;
  seed: number;
  once: boolean;
  debug: boolean;
  // relay
  to: string;
  loss: number;
  delay: number;
  reorder: number;
  dup: number;
  corrupt: number;
  relayRate: number;
  mss: number;
  /** rudp: give up on unacknowledged data after this many ms (ETIMEDOUT). */
  userTimeout: number;
  keepalive: number;
}

/** UDP payloads carry netbench's header (udp.ts), so smaller ones cannot be sent. */
const UDP_MIN_LEN = UDP_HDR;

export const NETBENCH_SPEC: ToolSpec = {
  name: 'netbench',
  command: 'node host/netbench.js',
  summary: "netbench: network throughput and latency over kernel TCP, UDP, and pktwasm's reliable UDP transport (rudp), "
    + 'measured the way iperf3 (bulk Mbit/s) and netperf (request/response latency) do; relay runs a userspace '
    + 'impairment relay (loss, delay, reordering, duplication, corruption, rate) between a client and a server.',
  synopsis: [
    'node host/netbench.js server [--port 5201] [--bind ADDR] [--proto tcp|udp|rudp] [--workers N] [--once] [--json]',
    'node host/netbench.js client HOST [--port 5201] [--proto tcp|udp|rudp] [--mode bulk|rr]',
    '      [-t SECONDS | --bytes N] [-P STREAMS] [-l MSGLEN] [-i INTERVAL] [--nodelay[=on|off]]',
    '      [--sndbuf N] [--rcvbuf N] [--rate MBIT] [--server-mode event|workers|both]',
    '      [--verify [--seed N]] [--json] [--mss N] [--user-timeout MS] [--keepalive MS]',
    'node host/netbench.js relay --port LISTEN --to HOST:PORT [--bind ADDR] [--loss P] [--delay MS]',
    '      [--reorder P] [--dup P] [--corrupt P] [--relay-rate MBIT] [--seed N]',
  ],
  description: 'bulk: Mbit/s per interval and in total, sender and receiver side (like iperf3). rr: request/response '
    + 'transactions of MSGLEN bytes: rate, latency percentiles and a histogram. --server-mode both runs the load '
    + "twice (the server's event loop, then its worker threads) and reports which was faster. Sizes (--bytes, -l, "
    + '--sndbuf, --rcvbuf) take a K, M or G suffix (powers of 1024).',
  options: [
    { name: 'port', short: 'p', value: 'N', help: "server and relay: the port to listen on (0: any free one, printed); client: the server's port.", default: 5201 },
    { name: 'bind', value: 'ADDR', help: 'server and relay: the address to listen on. Neither authenticates anyone: listen beyond loopback (0.0.0.0, or one address) only on a network you trust. The UDP server answers only senders that completed its cookie hello, holds at most 1,024 flows (idle ones expire after 30 s) and never replies with more bytes than it received; the relay holds at most 1,024 peers (idle ones expire after 60 s).', defaultText: '127.0.0.1 (loopback only)' },
    { name: 'host', value: 'ADDR', help: "client: the server's address, as the HOST operand; server and relay: as --bind." },
    { name: 'proto', short: 'u', value: 'proto', choices: ['tcp', 'udp', 'rudp'], help: "The transport: kernel TCP, UDP, or pktwasm's reliable UDP (rudp).", default: 'tcp' },
    { name: 'json', help: 'client: print the report as one JSON line instead of text; server: print a JSON line once listening.' },
    { name: 'workers', value: 'N', help: 'server: keep N worker threads that streams may ask for (--server-mode workers).', default: 0 },
    { name: 'once', short: '1', help: "Accepted for iperf3's command lines; the server serves until interrupted." },
    { name: 'mode', value: 'mode', choices: ['bulk', 'rr'], help: 'client: bulk transfer, or request/response transactions.', default: 'bulk' },
    { name: 'time', short: 't', value: 'SECONDS', help: 'client: run this long.', default: 10 },
    { name: 'bytes', short: 'n', value: 'N', help: 'client: send N bytes, then stop (instead of -t).', defaultText: 'run for -t seconds' },
    { name: 'parallel', short: 'P', value: 'STREAMS', help: 'client: parallel streams (1 to 128).', default: 1 },
    { name: 'len', short: 'l', value: 'MSGLEN', help: `client: bytes per write (bulk) or per request and reply (rr); UDP: ${UDP_MIN_LEN} to 65000.`, defaultText: '1 for rr, 1400 for UDP, 128K otherwise' },
    { name: 'interval', short: 'i', value: 'SECONDS', help: 'client: print a line every SECONDS.', default: 1 },
    { name: 'nodelay', value: 'on|off', choices: ['on', 'off'], valueOptional: true, help: 'TCP_NODELAY on the sockets (--nodelay alone: on).', default: 'off' },
    { name: 'sndbuf', value: 'N', help: 'Socket send buffer in bytes.', defaultText: "the kernel's" },
    { name: 'rcvbuf', short: 'w', value: 'N', help: 'Socket receive buffer in bytes.', defaultText: "the kernel's (UDP server: 8M)" },
    { name: 'rate', value: 'MBIT', help: 'client, UDP: the sending rate in Mbit/s, shared by the streams (UDP has no congestion control, so it must be told).', default: 1 },
    { name: 'server-mode', value: 'mode', choices: ['event', 'workers', 'both'], help: "client: serve the streams on the server's event loop, on its worker threads (the server needs --workers), or run both and compare.", default: 'event' },
    { name: 'verify', help: 'client, bulk: send a seeded pseudo-random stream and have the server check every byte arrived once, in order (sha256).' },
    { name: 'seed', value: 'N', help: "The seed of --verify's stream and of the relay's impairments.", default: 1 },
    { name: 'mss', value: 'N', help: 'rudp: the largest segment payload in bytes.', defaultText: "rudp's" },
    { name: 'user-timeout', value: 'MS', help: 'rudp: give up on unacknowledged data after MS milliseconds (ETIMEDOUT).', defaultText: "rudp's" },
    { name: 'keepalive', value: 'MS', help: 'rudp: probe an idle connection after MS milliseconds.', defaultText: 'off' },
    { name: 'to', value: 'HOST:PORT', help: 'relay: where to forward datagrams (required).' },
    { name: 'loss', value: 'P', help: 'relay: probability (0 to 1) that a datagram is dropped, each direction.', default: 0 },
    { name: 'delay', value: 'MS', help: 'relay: one-way delay in milliseconds, each direction.', default: 0 },
    { name: 'reorder', value: 'P', help: 'relay: probability that a datagram is held back so later ones overtake it.', default: 0 },
    { name: 'dup', value: 'P', help: 'relay: probability that a datagram is sent twice.', default: 0 },
    { name: 'corrupt', value: 'P', help: 'relay: probability that one byte of a datagram is flipped.', default: 0 },
    { name: 'relay-rate', value: 'MBIT', help: 'relay: rate limit toward the server in Mbit/s (0: none).', default: 0 },
  ],
  operands: [
    { name: 'ROLE', help: 'server, client or relay.' },
    { name: 'HOST', optional: true, help: "client: the server's address." },
  ],
  exitStatus: { 2: 'a usage error, or a --verify mismatch: one line on stderr' },
};

const SIZE = /^(\d+(?:\.\d*)?|\.\d+)([KMG])$/i;

/** A byte count: a number, or one with a K, M or G suffix (powers of 1024). */
function size(args: ParsedArgs, name: string, range: NumberRange): number {
  const text = args.string(name);
  const m = text === undefined ? null : SIZE.exec(text);
  if (m === null) return args.maybeNumber(name, range) ?? 0;
  const n = Number(m[1]) * { K: 1024, M: 1 << 20, G: 1 << 30 }[m[2].toUpperCase() as 'K' | 'M' | 'G'];
  return parseNumber(`--${name}`, String(n), range);
}

export function netbenchArgs(args: ParsedArgs): NetbenchArgs {
  const [role, host, ...extra] = args.positionals;
  if (role !== 'server' && role !== 'client' && role !== 'relay') throw usageError(`the first operand must be server, client or relay, not "${role}"`);
  if (extra.length > 0) throw usageError(`unexpected argument "${extra[0]}"`);
  const nonNeg = { min: 0 };
  const proto = args.choice<NetbenchArgs['proto']>('proto') ?? 'tcp';
  const mode = args.choice<NetbenchArgs['mode']>('mode') ?? 'bulk';
  const a: NetbenchArgs = {
    role, host: host ?? args.string('host') ?? args.string('bind') ?? '', port: args.number('port', { integer: true, min: 0, max: 65535 }),
    proto, mode, time: args.number('time', nonNeg), bytes: size(args, 'bytes', nonNeg),
    parallel: args.number('parallel', { integer: true, min: 1, max: 128 }), len: size(args, 'len', nonNeg),
    interval: args.number('interval', { min: 0.01 }),
    // --nodelay alone gives '' (on); absent, the default 'off'.
    nodelay: args.string('nodelay') !== 'off',
    sndbuf: size(args, 'sndbuf', nonNeg), rcvbuf: size(args, 'rcvbuf', nonNeg), rateMbit: args.number('rate', { min: 0 }),
    json: args.has('json'), workers: args.number('workers', { integer: true, min: 0, max: 256 }),
    serverMode: args.choice<NetbenchArgs['serverMode']>('server-mode') ?? 'event', verify: args.has('verify'),
    seed: args.number('seed', { integer: true, min: 0 }), once: args.has('once'), debug: args.has('debug'),
    to: args.string('to') ?? '', loss: args.number('loss', { min: 0, max: 1 }), delay: args.number('delay', nonNeg),
    reorder: args.number('reorder', { min: 0, max: 1 }), dup: args.number('dup', { min: 0, max: 1 }),
    corrupt: args.number('corrupt', { min: 0, max: 1 }), relayRate: args.number('relay-rate', nonNeg),
    mss: args.maybeNumber('mss', { integer: true, min: 0 }) ?? 0,
    userTimeout: args.maybeNumber('user-timeout', nonNeg) ?? 0, keepalive: args.maybeNumber('keepalive', nonNeg) ?? 0,
  };
  if (a.role === 'client' && args.has('bind')) throw usageError('--bind is for server and relay (the client takes the server address as HOST)');
  if (a.role === 'client' && a.host === '') throw usageError('client needs the server address: netbench client HOST');
  if (a.role === 'relay' && !/^.+:\d+$/.test(a.to)) throw usageError('relay needs --to HOST:PORT');
  if (a.time <= 0 && a.bytes <= 0) throw usageError('-t must be > 0 (or give --bytes)');
  if (a.len === 0) a.len = a.mode === 'rr' ? 1 : a.proto === 'udp' ? 1400 : 128 * 1024;
  if (a.proto === 'udp' && (a.len < UDP_MIN_LEN || a.len > 65000)) throw usageError(`-l for UDP must be ${UDP_MIN_LEN} to 65000 bytes`);
  if (a.mode === 'rr' && a.len > 1 << 20) throw usageError('-l for rr must be at most 1M');
  return a;
}
