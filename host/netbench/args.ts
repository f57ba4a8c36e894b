// Command-line parsing for netbench: a small explicit table, one-line errors.
import { UDP_HDR } from './udp.js';

export class UsageError extends Error {
  readonly code = 'E_USAGE';
}

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

const NUM = new Set(['port', 'time', 'bytes', 'parallel', 'len', 'interval', 'sndbuf', 'rcvbuf', 'rate', 'workers', 'seed', 'loss', 'delay', 'reorder', 'dup', 'corrupt', 'relay-rate', 'mss', 'user-timeout', 'keepalive']);
const ALIAS: Record<string, string> = { p: 'port', t: 'time', n: 'bytes', P: 'parallel', l: 'len', i: 'interval', w: 'rcvbuf', u: 'proto' };

export function parseArgs(argv: string[]): NetbenchArgs {
  const a: NetbenchArgs = {
    role: 'client', host: '', port: 5201, proto: 'tcp', mode: 'bulk', time: 10, bytes: 0, parallel: 1, len: 0, interval: 1,
    nodelay: false, sndbuf: 0, rcvbuf: 0, rateMbit: 1, json: false, workers: 0, serverMode: 'event', verify: false, seed: 1,
    once: false, debug: false, to: '', loss: 0, delay: 0, reorder: 0, dup: 0, corrupt: 0, relayRate: 0, mss: 0, userTimeout: 0, keepalive: 0,
  };
  const role = argv[0];
  if (role !== 'server' && role !== 'client' && role !== 'relay') throw new UsageError(`first argument must be server, client or relay (got ${role ?? 'nothing'}); see --help`);
  a.role = role;
  let rateGiven = false;
  for (let i = 1; i < argv.length; i++) {
    const t = argv[i];
    if (!t.startsWith('-')) {
      if (a.host !== '') throw new UsageError(`unexpected argument "${t}"`);
      a.host = t;
      continue;
    }
    let key = t.replace(/^--?/, '');
    let val: string | undefined;
    const eq = key.indexOf('=');
    if (eq >= 0) { val = key.slice(eq + 1); key = key.slice(0, eq); }
    key = ALIAS[key] ?? key;
    const flag = (): boolean => val === undefined || val === 'on' || val === 'true' || val === '1';
    const need = (): string => {
      if (val !== undefined) return val;
      const v = argv[++i];
      if (v === undefined) throw new UsageError(`option --${key} needs a value`);
      return v;
    };
    if (NUM.has(key)) {
      const raw = need();
      const m = /^([0-9.]+)([KMG]?)$/i.exec(raw);
      if (m === null) throw new UsageError(`option --${key}: "${raw}" is not a number`);
      const mult = { '': 1, K: 1024, M: 1 << 20, G: 1 << 30 }[m[2].toUpperCase() as '' | 'K' | 'M' | 'G'];
      const v = Number(m[1]) * (key === 'rate' || key === 'relay-rate' ? 1 : mult);
      switch (key) {
        case 'rate': a.rateMbit = v; rateGiven = true; break;
        case 'relay-rate': a.relayRate = v; break;
        case 'user-timeout': a.userTimeout = v; break;
        default: (a as unknown as Record<string, number>)[key] = v;
      }
      continue;
    }
    switch (key) {
      case 'proto': {
        const v = need();
        if (v !== 'tcp' && v !== 'udp' && v !== 'rudp') throw new UsageError(`--proto must be tcp, udp or rudp (got ${v})`);
        a.proto = v;
        break;
      }
      case 'mode': {
        const v = need();
        if (v !== 'bulk' && v !== 'rr') throw new UsageError(`--mode must be bulk or rr (got ${v})`);
        a.mode = v;
        break;
      }
      case 'server-mode': {
        const v = need();
        if (v !== 'event' && v !== 'workers' && v !== 'both') throw new UsageError(`--server-mode must be event, workers or both (got ${v})`);
        a.serverMode = v;
        break;
      }
      case 'nodelay': {
        if (val === undefined && (argv[i + 1] === 'on' || argv[i + 1] === 'off')) val = argv[++i];
        a.nodelay = val === 'off' ? false : flag();
        break;
      }
      case 'to': a.to = need(); break;
      case 'host': case 'bind':
        if (a.role === 'client' && key === 'bind') throw new UsageError('--bind is for server and relay (the client takes the server address as HOST)');
        a.host = need();
        break;
      case 'json': a.json = true; break;
      case 'verify': a.verify = true; break;
      case 'once': case '1': a.once = true; break;
      case 'debug': a.debug = true; break;
      default: throw new UsageError(`unknown option ${t}; see --help`);
    }
  }
  if (a.role === 'client' && a.host === '') throw new UsageError('client needs the server address: netbench client HOST');
  if (a.role === 'relay' && !/^.+:\d+$/.test(a.to)) throw new UsageError('relay needs --to HOST:PORT');
  if (!Number.isInteger(a.port) || a.port < 0 || a.port > 65535) throw new UsageError(`--port ${a.port} is not a port`);
  if (a.parallel < 1 || a.parallel > 128 || !Number.isInteger(a.parallel)) throw new UsageError('-P must be 1..128');
  if (a.time <= 0 && a.bytes <= 0) throw new UsageError('-t must be > 0 (or give --bytes)');
  if (a.len === 0) a.len = a.mode === 'rr' ? 1 : a.proto === 'udp' ? 1400 : 128 * 1024;
  if (a.proto === 'udp' && (a.len < UDP_HDR || a.len > 65000)) throw new UsageError(`-l for UDP must be ${UDP_HDR}..65000 bytes`);
  if (a.mode === 'rr' && a.len > 1 << 20) throw new UsageError('-l for rr must be <= 1 MiB');
  if (!rateGiven && a.proto === 'udp') a.rateMbit = 1;
  return a;
}

export const HELP = `netbench: network throughput and latency (TCP, UDP, and pktwasm's reliable UDP transport)

  node host/netbench.js server [--port 5201] [--bind ADDR] [--proto tcp|udp|rudp] [--workers N] [--once] [--json]
  node host/netbench.js client HOST [--port 5201] [--proto tcp|udp|rudp] [--mode bulk|rr]
        [-t SECONDS | --bytes N] [-P STREAMS] [-l MSGLEN] [-i INTERVAL] [--nodelay on|off]
        [--sndbuf N] [--rcvbuf N] [--rate MBIT (udp)] [--server-mode event|workers|both]
        [--verify --seed N] [--json] [--mss N] [--user-timeout MS] [--keepalive MS] (rudp)
  node host/netbench.js relay --port LISTEN --to HOST:PORT [--bind ADDR] [--loss P] [--delay MS]
        [--reorder P] [--dup P] [--corrupt P] [--relay-rate MBIT] [--seed N]

--bind ADDR: the server and the relay listen on 127.0.0.1 unless told otherwise; neither
authenticates anyone, so expose them (--bind 0.0.0.0, or one address) only on a network
you trust. The UDP server answers only senders that completed its cookie hello, holds at
most 1,024 flows (idle ones expire after 30 s) and never replies with more bytes than it
received; the relay holds at most 1,024 peers (idle ones expire after 60 s).

bulk: Mbit/s per interval and in total, sender and receiver side (like iperf3).
rr:   request/response transactions of MSGLEN bytes: rate, latency percentiles, histogram.
--server-mode both runs the load twice (the server's event loop, then its worker threads)
and reports which one was faster. Exit status is non-zero on any error.`;
