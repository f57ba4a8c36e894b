// Command line of host/sniff.js: tcpdump's flags (combinable short options, values
// attached or separate: -nnvX, -c10, -c 10) plus long options for what tcpdump lacks.
import { PktError } from '../runtime/errors.js';

export interface SniffOptions {
  readFile: string | null;
  writeFile: string | null;
  pcapng: boolean;
  iface: string | null;
  listInterfaces: boolean;
  count: number; // 0 = unlimited
  snaplen: number; // 0 = default (262144)
  numeric: number; // -n count
  linkHeader: boolean; // -e
  verbose: number; // -v count
  quiet: boolean; // -q
  timestamps: number; // -t count: 0 default, 1 none, 2 epoch, 3 delta, 4 date, 5 since first
  hex: number; // -x count
  hexAscii: number; // -X count
  absoluteSeq: boolean; // -S
  frameNumbers: boolean; // -#
  nano: boolean; // --nano
  json: boolean;
  flows: boolean;
  prefixes: string | null;
  stats: number; // --stats SECS, 0 = off
  raw: string | null; // --raw icmp|tcp|udp|icmp6
  backend: 'pcap' | 'cap' | null;
  engine: 'wasm' | 'ts';
  user: string | null; // -Z
  promisc: boolean;
  immediate: boolean;
  bufferSize: number; // -B KiB
  direction: 'in' | 'out' | 'inout';
  ipfix: string | null;
  ipfixDomain: number;
  activeTimeout: number;
  idleTimeout: number;
  debug: boolean;
  help: boolean;
  version: boolean;
  filter: string;
}

export function defaultOptions(): SniffOptions {
  return {
    readFile: null, writeFile: null, pcapng: false, iface: null, listInterfaces: false, count: 0, snaplen: 0,
    numeric: 0, linkHeader: false, verbose: 0, quiet: false, timestamps: 0, hex: 0, hexAscii: 0, absoluteSeq: false,
    frameNumbers: false, nano: false, json: false, flows: false, prefixes: null, stats: 0, raw: null, backend: null,
    engine: 'wasm', user: null, promisc: true, immediate: false, bufferSize: 0, direction: 'inout', ipfix: null,
    ipfixDomain: 0, activeTimeout: 1800, idleTimeout: 15, debug: false, help: false, version: false, filter: '',
  };
}

export const USAGE = `Usage: node host/sniff.js [-DenqSvxX#] [-c count] [-i interface] [-r file] [-s snaplen]
                         [-w file] [-Z user] [-B size_KiB] [-Q in|out|inout] [-t..tttt]
                         [--json] [--pcapng] [--nano] [--flows] [--prefixes FILE] [--stats SECS]
                         [--raw icmp|tcp|udp|icmp6] [--backend pcap|cap] [--engine wasm|ts]
                         [--ipfix HOST:PORT [--ipfix-domain N] [--active-timeout S] [--idle-timeout S]]
                         [--immediate] [--debug] [ expression ]`;

const WITH_VALUE = new Set(['c', 'i', 'r', 's', 'w', 'Z', 'B', 'Q']);
const LONG_WITH_VALUE = new Set(['prefixes', 'stats', 'raw', 'backend', 'engine', 'ipfix', 'ipfix-domain', 'active-timeout', 'idle-timeout', 'count', 'interface', 'read', 'write', 'snaplen']);

function num(flag: string, v: string, min = 0): number {
  const n = Number(v);
  if (!/^\d+$/.test(v) || !Number.isSafeInteger(n) || n < min) throw new PktError('E_BAD_ARGUMENT', `invalid number "${v}" for ${flag}`);
  return n;
}

export function parseArgs(argv: string[]): SniffOptions {
  const o = defaultOptions();
  const expr: string[] = [];
  const setShort = (f: string, v: string | null): void => {
    switch (f) {
      case 'c': o.count = num('-c', v!, 1); break;
      case 'i': o.iface = v; break;
      case 'r': o.readFile = v; break;
      case 's': o.snaplen = num('-s', v!); break;
      case 'w': o.writeFile = v; break;
      case 'Z': o.user = v; break;
      case 'B': o.bufferSize = num('-B', v!, 1); break;
      case 'Q':
        if (v !== 'in' && v !== 'out' && v !== 'inout') throw new PktError('E_BAD_ARGUMENT', `-Q takes in, out or inout, not "${v}"`);
        o.direction = v;
        break;
      case 'D': o.listInterfaces = true; break;
      case 'n': o.numeric++; break;
      case 'e': o.linkHeader = true; break;
      case 'v': o.verbose++; break;
      case 'q': o.quiet = true; break;
      case 't': o.timestamps++; break;
      case 'x': o.hex++; break;
      case 'X': o.hexAscii++; break;
      case 'S': o.absoluteSeq = true; break;
      case '#': o.frameNumbers = true; break;
      case 'p': o.promisc = false; break;
      case 'l': break; // stdout is flushed per batch already
      case 'h': o.help = true; break;
      default: throw new PktError('E_BAD_ARGUMENT', `unknown option -${f}\n${USAGE}`);
    }
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') { expr.push(...argv.slice(i + 1)); break; }
    if (a.startsWith('--')) {
      let name = a.slice(2);
      let value: string | null = null;
      const eq = name.indexOf('=');
      if (eq >= 0) { value = name.slice(eq + 1); name = name.slice(0, eq); }
      if (LONG_WITH_VALUE.has(name) && value === null) {
        if (i + 1 >= argv.length) throw new PktError('E_BAD_ARGUMENT', `option --${name} needs a value`);
        value = argv[++i];
      }
      switch (name) {
        case 'json': o.json = true; break;
        case 'pcapng': o.pcapng = true; break;
        case 'nano': o.nano = true; break;
        case 'flows': o.flows = true; break;
        case 'immediate': o.immediate = true; break;
        case 'debug': o.debug = true; break;
        case 'help': o.help = true; break;
        case 'version': o.version = true; break;
        case 'list-interfaces': o.listInterfaces = true; break;
        case 'prefixes': o.prefixes = value; break;
        case 'stats': o.stats = num('--stats', value!, 1); break;
        case 'raw':
          if (!['icmp', 'tcp', 'udp', 'icmp6'].includes(value!)) throw new PktError('E_BAD_ARGUMENT', `--raw takes icmp, tcp, udp or icmp6, not "${value}"`);
          o.raw = value;
          break;
        case 'backend':
          if (value !== 'pcap' && value !== 'cap') throw new PktError('E_BAD_ARGUMENT', `--backend takes pcap or cap, not "${value}"`);
          o.backend = value;
          break;
        case 'engine':
          if (value !== 'wasm' && value !== 'ts') throw new PktError('E_BAD_ARGUMENT', `--engine takes wasm or ts, not "${value}"`);
          o.engine = value;
          break;
        case 'ipfix': o.ipfix = value; break;
        case 'ipfix-domain': o.ipfixDomain = num('--ipfix-domain', value!); break;
        case 'active-timeout': o.activeTimeout = num('--active-timeout', value!, 1); break;
        case 'idle-timeout': o.idleTimeout = num('--idle-timeout', value!, 1); break;
        case 'count': o.count = num('--count', value!, 1); break;
        case 'interface': o.iface = value; break;
        case 'read': o.readFile = value; break;
        case 'write': o.writeFile = value; break;
        case 'snaplen': o.snaplen = num('--snaplen', value!); break;
        default: throw new PktError('E_BAD_ARGUMENT', `unknown option --${name}\n${USAGE}`);
      }
      continue;
    }
    if (a.startsWith('-') && a.length > 1) {
      for (let k = 1; k < a.length; k++) {
        const f = a[k];
        if (WITH_VALUE.has(f)) {
          let v = a.slice(k + 1);
          if (v === '') {
            if (i + 1 >= argv.length) throw new PktError('E_BAD_ARGUMENT', `option -${f} needs a value`);
            v = argv[++i];
          }
          setShort(f, v);
          break;
        }
        setShort(f, null);
      }
      continue;
    }
    expr.push(a);
  }
  o.filter = expr.join(' ').trim();
  if (o.readFile !== null && o.raw !== null) throw new PktError('E_BAD_ARGUMENT', '-r and --raw cannot be combined');
  if (o.readFile !== null && o.iface !== null) throw new PktError('E_BAD_ARGUMENT', '-r and -i cannot be combined');
  return o;
}
