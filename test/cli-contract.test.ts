// The tools' one CLI contract (issue #13 item 6, issue #18's CLI part), for sniff, ping,
// synprobe, replay and netbench alike:
//   --help describes every option the tool took before the shared parser (the lists
//   below are that record, not read from the specs) with its default, and every option
//   it describes is accepted; --version prints package.json's version;
//   a usage error is one line `tool: ...` (the name once, no internal E_ code, no stack)
//   and exit 2; a runtime error is one such line and exit 1; --debug adds the stack;
//   a closed standard output (`| head`) ends the tool quietly with 141, as SIGPIPE ends
//   Unix filters. Plus: filter syntax errors read as a sentence, an unusable --ipfix
//   target fails before any reading, and the package exports only its entry point.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { haveTool, isRoot, needRoot, repoRoot } from './lib/env.js';
import { runNode, runNodeAsync, type ToolResult } from './lib/run-tool.js';
import { pool } from './lib/parallel.js';
import { createNetns, deleteNetns, nsExec } from './lib/netns.js';
import type { ToolSpec } from '../host/cli/args.js';
import { SNIFF_SPEC } from '../host/cli/sniff-options.js';
import { PING_SPEC } from '../host/ping.js';
import { SYNPROBE_SPEC } from '../host/synprobe.js';
import { REPLAY_SPEC } from '../host/replay.js';
import { NETBENCH_SPEC } from '../host/netbench/args.js';

const TOOLS = ['sniff', 'ping', 'synprobe', 'replay', 'netbench'] as const;
type ToolName = typeof TOOLS[number];

const SPECS: Record<ToolName, ToolSpec> = { sniff: SNIFF_SPEC, ping: PING_SPEC, synprobe: SYNPROBE_SPEC, replay: REPLAY_SPEC, netbench: NETBENCH_SPEC };

// What each tool accepted before the shared parser (its old usage text, the README's flag
// list for sniff, netbench's old option table): every one must still be there, described.
const ACCEPTED: Record<ToolName, string[]> = {
  sniff: ['-c', '-i', '-r', '-s', '-w', '-Z', '-B', '-Q', '-D', '-n', '-e', '-v', '-q', '-t', '-x', '-X', '-S', '-#', '-p', '-l', '-h',
    '--json', '--pcapng', '--nano', '--flows', '--prefixes', '--stats', '--raw', '--backend', '--engine', '--ipfix', '--ipfix-domain',
    '--active-timeout', '--idle-timeout', '--immediate', '--debug', '--help', '--version', '--list-interfaces', '--count',
    '--interface', '--read', '--write', '--snaplen'],
  ping: ['-c', '-i', '-s', '-W', '-t', '-q', '-4', '-6', '-h', '--backend', '--debug', '--help'],
  synprobe: ['-p', '--ports', '--rate', '--retries', '--timeout', '--i-own-this-network', '--backend', '--debug', '--help'],
  replay: ['-i', '-t', '-x', '-l', '--interface', '--pps', '--topspeed', '--multiplier', '--loop', '--backend', '--debug', '--help'],
  netbench: ['-p', '-t', '-n', '-P', '-l', '-i', '-w', '-u', '-1', '--port', '--time', '--bytes', '--parallel', '--len', '--interval',
    '--sndbuf', '--rcvbuf', '--rate', '--workers', '--seed', '--loss', '--delay', '--reorder', '--dup', '--corrupt', '--relay-rate',
    '--mss', '--user-timeout', '--keepalive', '--proto', '--mode', '--server-mode', '--nodelay', '--to', '--host', '--bind', '--json',
    '--verify', '--once', '--debug', '--help'],
};

const tmp = mkdtempSync(join(tmpdir(), 'pktwasm-cli-'));

// The runs that depend on nothing but their arguments start when this file loads, a few
// at a time (test/lib/parallel.ts); the tests below take their results (ran()), so their
// start-up costs overlap instead of adding up. Runs that time something stay in the tests.
const USAGE_CASES: Array<[ToolName, string[], RegExp]> = [
  ['sniff', ['-c', 'x', '-r', 'f'], /invalid number "x" for -c/],
  ['sniff', ['-Q', 'sideways'], /invalid value "sideways" for -Q: expected in, out or inout/],
  ['sniff', ['-r', 'a.pcap', '-i', 'lo'], /-r and -i cannot be combined/],
  ['ping', [], /missing HOST/],
  ['ping', ['no.such.host.invalid'], /no\.such\.host\.invalid/],
  ['synprobe', ['127.0.0.1', '80-x'], /bad port/],
  ['replay', ['x.pcap'], /missing -i IFACE/],
  ['netbench', ['client', 'x', '-P', '0'], /invalid number "0" for -P/],
  // A name that does not resolve is the user's to fix, as for ping and synprobe (netbench
  // found it at connect time and exited 1).
  ['netbench', ['client', 'no.such.host.invalid', '-t', '1'], /no\.such\.host\.invalid: Name or service not known/],
  ['netbench', ['relay', '--port', '0', '--to', 'no.such.host.invalid:5201'], /no\.such\.host\.invalid: Name or service not known/],
];
const DISPATCHER_CASES: Array<[string[], RegExp]> = [
  [[], /^pktwasm: missing TOOL: one of sniff, ping, synprobe, replay, netbench/],
  [['--frobnicate'], /^pktwasm: unknown option --frobnicate/],
  [['frobnicate'], /^pktwasm: unknown tool 'frobnicate'/],
];
const early = new Map<string, Promise<ToolResult>>();
{
  const list: Array<[string, string[]]> = [
    ...TOOLS.flatMap((t): Array<[string, string[]]> => [[t, ['--help']], [t, ['--version']], [t, ['--frobnicate']]]),
    ...USAGE_CASES.map(([t, a]): [string, string[]] => [t, a]),
    ...DISPATCHER_CASES.map(([a]): [string, string[]] => ['cli/pktwasm', a]),
    ['cli/pktwasm', ['--help']], ['cli/pktwasm', ['sniff', '--frobnicate']], ['cli/pktwasm', ['sniff', '-r', join(tmp, 'missing.pcap')]],
  ];
  const jobs = list.map(([tool, args]) => {
    let settle!: (r: ToolResult) => void;
    early.set(JSON.stringify([tool, args]), new Promise<ToolResult>((r) => { settle = r; }));
    return async (): Promise<void> => settle(await runNodeAsync(tool, args));
  });
  void pool(jobs);
}

/** The result of `node host/<tool>.js args`: started at load when listed above. */
function ran(tool: string, args: string[]): Promise<ToolResult> {
  return early.get(JSON.stringify([tool, args])) ?? runNodeAsync(tool, args);
}
const version = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;

/** --help's option entries: header line ("  -c count, --count=count") -> description. */
function helpEntries(help: string): Map<string, string> {
  const entries = new Map<string, string>();
  const lines = help.split('\n');
  const start = lines.indexOf('Options:');
  assert.ok(start >= 0, 'an Options: section');
  let header: string | null = null;
  let body: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (/^\S/.test(line)) break; // the next section
    if (/^ {2}-/.test(line)) {
      if (header !== null) entries.set(header, body.join(' '));
      header = line.trim();
      body = [];
    } else if (line.trim() !== '') body.push(line.trim());
  }
  if (header !== null) entries.set(header, body.join(' '));
  return entries;
}

/** The one stderr line of a failed run, checked against the contract. */
function oneErrorLine(tool: ToolName | 'pktwasm', r: ToolResult, what: string): string {
  const lines = r.stderr.split('\n').filter((l) => l !== '');
  const own = lines.filter((l) => l.startsWith(`${tool}:`));
  assert.is(own.length, 1, `${what}: one "${tool}:" line in ${JSON.stringify(r.stderr)}`);
  const line = own[0];
  assert.is(line.split(`${tool}:`).length - 1, 1, `${what}: the tool's name once: ${line}`);
  assert.not.match(line, /\bE_[A-Z_]+\b/, `${what}: no internal code: ${line}`);
  assert.not.match(r.stderr, /\n\s+at /, `${what}: no stack trace`);
  return line;
}

for (const tool of TOOLS) {
  test(`${tool} --help describes every option it accepts, with its default`, async () => {
    const r = await ran(tool, ['--help']);
    assert.is(r.status, 0, r.stderr);
    assert.is(r.stderr, '');
    assert.match(r.stdout, /^Usage: /);
    const entries = helpEntries(r.stdout);
    const names = (header: string): string[] => header.split(', ').map((p) => p.split(/[ =[]/)[0]);
    for (const opt of ACCEPTED[tool]) {
      const hit = [...entries].find(([h]) => names(h).includes(opt));
      assert.ok(hit !== undefined, `${tool} --help lists ${opt}`);
      assert.ok(hit![1].length >= 15, `${tool} --help describes ${opt}: "${hit![1]}"`);
    }
    for (const s of SPECS[tool].options) {
      const [, text] = [...entries].find(([h]) => names(h).includes(`--${s.name}`)) ?? ['', ''];
      const def = s.defaultText ?? (s.default === undefined ? undefined : String(s.default));
      if (def !== undefined) assert.ok(text.replace(/\s+/g, ' ').includes(`Default: ${def}.`), `${tool} --${s.name}: default ${def} in "${text}"`);
    }
    assert.match(r.stdout, /\nExit status:\n {2}0 [\s\S]*\n {2}1 [\s\S]*\n {2}2 [\s\S]*\n {2}141 /);
    // Everything listed is accepted: all the long options at once, then --help, parse
    // (an option the parser did not know would be a usage error, exit 2).
    const argv: string[] = [];
    for (const header of entries.keys()) {
      for (const part of header.split(', ').filter((p) => p.startsWith('--'))) {
        const m = /^(--[\w-]+)(?:\[?=([^\]]+)\]?)?$/.exec(part);
        assert.ok(m !== null, `an option header part: ${part}`);
        argv.push(m![2] === undefined ? m![1] : `${m![1]}=${m![2].includes('|') ? m![2].split('|')[0] : '1'}`);
      }
    }
    const all = await ran(tool, [...argv, '--help']);
    assert.is(all.status, 0, `${tool} ${argv.join(' ')}: ${all.stderr}`);
  });

  test(`${tool} --version prints package.json's version`, async () => {
    const r = await ran(tool, ['--version']);
    assert.is(r.status, 0, r.stderr);
    assert.is(r.stdout, `pktwasm ${tool} ${version}\n`);
  });

  test(`${tool}: an unknown option is one line, the name once, exit 2`, async () => {
    const r = await ran(tool, ['--frobnicate']);
    assert.is(r.status, 2, r.stderr);
    assert.is(r.stdout, '');
    assert.match(oneErrorLine(tool, r, '--frobnicate'), /unknown option --frobnicate/);
  });
}

test('bad values and missing operands are usage errors: one line, exit 2', async () => {
  for (const [tool, args, re] of USAGE_CASES) {
    const r = await ran(tool, args);
    assert.is(r.status, 2, `${tool} ${args.join(' ')}: ${r.stderr}`);
    assert.match(oneErrorLine(tool, r, `${tool} ${args.join(' ')}`), re);
  }
});

test('pktwasm <tool>: its own usage errors are one line, exit 2; the tool\'s errors name the tool', async () => {
  for (const [args, re] of DISPATCHER_CASES) {
    const r = await ran('cli/pktwasm', args);
    assert.is(r.status, 2, `pktwasm ${args.join(' ')}: ${r.stderr}`);
    assert.is(r.stdout, '', `pktwasm ${args.join(' ')}: nothing on stdout`);
    assert.match(oneErrorLine('pktwasm', r, `pktwasm ${args.join(' ')}`), re);
  }
  const help = await ran('cli/pktwasm', ['--help']);
  assert.is(help.status, 0);
  assert.match(help.stdout, /^Usage: pktwasm <tool>/);
  const bad = await ran('cli/pktwasm', ['sniff', '--frobnicate']);
  assert.is(bad.status, 2);
  assert.match(oneErrorLine('sniff', bad, 'pktwasm sniff --frobnicate'), /^sniff: unknown option --frobnicate/);
  assert.not.match(bad.stderr, /pktwasm:/, 'the tool\'s name only');
  const missing = await ran('cli/pktwasm', ['sniff', '-r', join(tmp, 'missing.pcap')]);
  assert.is(missing.status, 1);
  assert.match(oneErrorLine('sniff', missing, 'pktwasm sniff -r missing.pcap'), /missing\.pcap: No such file or directory/);
});

/** A TCP port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

test('runtime errors are one line, the name once, exit 1; --debug adds the stack', async () => {
  // Raw sockets refused: without root as it is, with root by taking CAP_NET_RAW away.
  const noRaw = isRoot() ? (haveTool('setpriv', '--version') ? ['setpriv', '--bounding-set', '-net_raw'] : null) : [];
  const runNoRaw = (tool: ToolName, args: string[]): ToolResult => {
    if (noRaw === null || noRaw.length === 0) return runNode(tool, args);
    const r = spawnSync(noRaw[0], [...noRaw.slice(1), process.execPath, join(repoRoot, 'host', `${tool}.js`), ...args], { cwd: repoRoot, encoding: 'utf8', timeout: 30_000 });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr, signal: r.signal };
  };
  const cases: Array<[ToolName, string[], RegExp]> = [
    ['sniff', ['-r', join(tmp, 'missing.pcap')], /missing\.pcap: No such file or directory/],
    ['replay', ['-i', 'lo', join(tmp, 'missing.pcap')], /missing\.pcap/],
    ['netbench', ['client', '127.0.0.1', '--port', String(await closedPort()), '-t', '1'], /^netbench: ECONNREFUSED: /],
  ];
  if (noRaw !== null) {
    cases.push(['ping', ['-c', '1', '127.0.0.1'], /^ping: ICMP socket: raw sockets need root or CAP_NET_RAW/]);
    cases.push(['synprobe', ['127.0.0.1', '80'], /^synprobe: TCP socket: raw sockets need root or CAP_NET_RAW/]);
  }
  for (const [tool, args, re] of cases) {
    const r = tool === 'ping' || tool === 'synprobe' ? runNoRaw(tool, args) : runNode(tool, args);
    assert.is(r.status, 1, `${tool} ${args.join(' ')}: ${r.stderr}`);
    assert.match(oneErrorLine(tool, r, `${tool} ${args.join(' ')}`), re);
  }
  const d = runNode('sniff', ['-r', join(tmp, 'missing.pcap'), '--debug']);
  assert.is(d.status, 1);
  const lines = d.stderr.split('\n');
  assert.match(lines[0], /^sniff: .*missing\.pcap/, 'the one line first');
  assert.match(d.stderr, /\n\s+at /, '--debug: the stack follows');
});

test('a warning is one line naming the tool: the libpcap addon\'s cap fallback in sniff and replay', async () => {
  if (!needRoot('live capture and injection on lo')) return;
  const env = { PKTWASM_NO_NATIVE: '1' }; // the addon refused: the library warns and falls back to cap
  const rep = runNode('replay', ['-i', 'lo', '--topspeed', join(repoRoot, 'test/fixtures/sample.pcap')], { env });
  assert.is(rep.status, 0, rep.stderr);
  assert.match(rep.stderr, /^replay: disabled by PKTWASM_NO_NATIVE; injecting through cap/m);
  assert.not.match(rep.stderr, /pktwasm:/, `the tool's name, not the library's: ${rep.stderr}`);
  // sniff -i lo waits for packets: stopped with SIGINT once it says it is listening.
  const child = spawn(process.execPath, [join(repoRoot, 'host/sniff.js'), '-i', 'lo', '-c', '1', 'udp port 9'], { cwd: repoRoot, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  const exit = new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
  await new Promise<void>((resolve) => {
    const t = setTimeout(resolve, 15_000);
    child.stderr!.on('data', (d: Buffer) => { stderr += d.toString(); if (stderr.includes('listening on')) { clearTimeout(t); resolve(); } });
  });
  child.kill('SIGINT');
  await exit;
  assert.match(stderr, /^sniff: disabled by PKTWASM_NO_NATIVE; using the cap fallback/m);
  assert.not.match(stderr, /pktwasm:/, `the tool's name, not the library's: ${stderr}`);
});

test('filter syntax errors read as a sentence (exit 2)', () => {
  const r = runNode('sniff', ['-r', join(repoRoot, 'test/fixtures/sample.pcap'), 'tcp', 'udp']);
  assert.is(r.status, 2, r.stderr);
  assert.match(oneErrorLine('sniff', r, 'tcp udp'), /syntax error: expected 'and', 'or' or end of expression, got 'udp' \(at character 5\)/);
  const r2 = runNode('sniff', ['-r', join(repoRoot, 'test/fixtures/sample.pcap'), 'tcp and']);
  assert.not.match(oneErrorLine('sniff', r2, 'tcp and'), / or '\(' or /, 'a list, not "x or y or z"');
});

test('an unusable --ipfix target is one line and exit 2 before any packet is read', () => {
  const sample = join(repoRoot, 'test/fixtures/sample.pcap');
  for (const target of ['nosuchhost.invalid:4739', 'localhost:notaport', 'tcp://:4739']) {
    const t0 = Date.now();
    const r = runNode('sniff', ['-r', sample, '--ipfix', target]);
    assert.is(r.status, 2, `${target}: ${r.stderr}`);
    assert.ok(oneErrorLine('sniff', r, target).includes(target), `${target}: named in ${r.stderr}`);
    assert.not.match(r.stderr, /reading from file/, `${target}: refused before reading`);
    assert.ok(Date.now() - t0 < 5000, `${target}: at once, not after the exporter's retries`);
  }
});

test('a prefixes file written as --help describes it is read', () => {
  const help = runNode('sniff', ['--help']).stdout;
  const entry = [...helpEntries(help)].find(([h]) => h.includes('--prefixes'))![1];
  assert.match(entry, /one network per line/);
  assert.match(entry, /lines starting with # are ignored/);
  const file = join(tmp, 'prefixes.txt');
  writeFileSync(file, '# home networks\n\n192.0.2.0/24 the client side\n198.51.100.0/24\n2001:db8::/32 documentation\n');
  const r = runNode('sniff', ['-r', join(repoRoot, 'test/fixtures/sample.pcap'), '--prefixes', file]);
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stdout, /^192\.0\.2\.0\/24\s+the client side\s+\d+/m);
});

// ---- closed pipes ----------------------------------------------------------------------

interface PipeRun { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }

/** Runs cmd, closes our end of its stdout once `lines` lines came (0: at once), as head
 *  does, and waits for it to end. */
function closeAfter(cmd: string, args: string[], lines: number, timeoutMs = 30_000): Promise<PipeRun> {
  return new Promise((resolve, reject) => {
    const child: ChildProcess = spawn(cmd, args, { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let closed = false;
    const close = (): void => { if (!closed) { closed = true; child.stdout!.destroy(); } };
    if (lines === 0) close();
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.split('\n').length > lines) close();
    });
    child.stderr!.on('data', (d: Buffer) => { err += d.toString(); });
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`${cmd} ${args.join(' ')}: no exit after ${timeoutMs} ms; stderr ${err}`)); }, timeoutMs);
    child.on('exit', (code, signal) => { clearTimeout(timer); resolve({ code, signal, stdout: out, stderr: err }); });
  });
}

function assertQuiet(tool: ToolName, r: PipeRun, what: string): void {
  assert.is(r.code, 141, `${what}: exit ${r.code} (${r.signal}): ${r.stderr}`);
  assert.not.match(r.stderr, new RegExp(`^${tool}:`, 'm'), `${what}: no error line: ${r.stderr}`);
  assert.not.match(r.stderr, /\n\s+at |Error|EPIPE/, `${what}: no stack, no error: ${r.stderr}`);
}

/** An Ethernet/IPv4/UDP capture of n frames of 60 bytes. */
function udpCapture(path: string, n: number): void {
  const hdr = Buffer.alloc(24);
  hdr.writeUInt32LE(0xa1b2c3d4, 0); hdr.writeUInt16LE(2, 4); hdr.writeUInt16LE(4, 6); hdr.writeUInt32LE(65535, 16); hdr.writeUInt32LE(1, 20);
  const f = Buffer.alloc(60);
  f.fill(0xff, 0, 6); f.set([2, 0, 0, 0, 0, 1], 6); f.writeUInt16BE(0x0800, 12);
  f[14] = 0x45; f.writeUInt16BE(46, 16); f[22] = 64; f[23] = 17; f.set([10, 0, 0, 1], 26); f.set([10, 0, 0, 2], 30);
  f.writeUInt16BE(1000, 34); f.writeUInt16BE(2000, 36); f.writeUInt16BE(26, 38);
  const rec = Buffer.alloc(16);
  rec.writeUInt32LE(60, 8); rec.writeUInt32LE(60, 12);
  const recs: Buffer[] = [];
  for (let i = 0; i < n; i++) { const r = Buffer.from(rec); r.writeUInt32LE(i, 4); recs.push(r, f); }
  writeFileSync(path, Buffer.concat([hdr, ...recs]));
}

test('closed pipe: sniff (text and --json) stops quietly with 141', async () => {
  const big = join(tmp, 'big.pcap');
  udpCapture(big, 50_000); // ~3 MB of text: far more than a pipe holds
  for (const extra of [['-nn'], ['--json']]) {
    const r = await closeAfter(process.execPath, ['host/sniff.js', ...extra, '-r', big], 1);
    assertQuiet('sniff', r, `sniff ${extra.join(' ')} | head -1`);
  }
});

test('closed pipe: netbench client stops quietly with 141', async () => {
  const port = await closedPort();
  const srv = spawn(process.execPath, ['host/netbench.js', 'server', '--port', String(port)], { cwd: repoRoot, stdio: ['ignore', 'ignore', 'pipe'] });
  try {
    let said = '';
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`netbench server did not start: ${said}`)), 10_000);
      srv.stderr!.on('data', (d: Buffer) => { said += d.toString(); if (said.includes(`${port}`)) { clearTimeout(t); resolve(); } });
    });
    const r = await closeAfter(process.execPath, ['host/netbench.js', 'client', '127.0.0.1', '--port', String(port), '-t', '5', '-i', '0.1'], 1);
    assertQuiet('netbench', r, 'netbench client | head -1');
  } finally {
    srv.kill('SIGINT');
  }
});

test('closed pipe: ping, synprobe and replay in a namespace stop quietly with 141', async () => {
  if (!needRoot('namespaces and raw sockets')) return;
  const ns = createNetns('cli');
  try {
    assert.is(nsExec(ns, 'ip', ['link', 'set', 'lo', 'up']).status, 0);
    const inNs = (tool: string, args: string[]): [string, string[]] => ['ip', ['netns', 'exec', ns, process.execPath, `host/${tool}.js`, ...args]];
    const ping = await closeAfter(...inNs('ping', ['-i', '0.01', '-c', '200', '127.0.0.1']), 2);
    assertQuiet('ping', ping, 'ping | head -2');
    // What the help says the defaults are is what ping does: -s 56 -> "56(84) bytes".
    const pingHelp = helpEntries(runNode('ping', ['--help']).stdout);
    const size = /Default: (\d+)\./.exec([...pingHelp].find(([h]) => h.startsWith('-s '))![1])![1];
    assert.match(ping.stdout, new RegExp(`^PING 127\\.0\\.0\\.1 \\(127\\.0\\.0\\.1\\) ${size}\\(${Number(size) + 28}\\) bytes`));
    const probe = await closeAfter(...inNs('synprobe', ['127.0.0.1', '1-20', '--timeout', '200']), 1);
    assertQuiet('synprobe', probe, 'synprobe | head -1');
    const synHelp = helpEntries(runNode('synprobe', ['--help']).stdout);
    const rate = /Default: (\d+)\./.exec([...synHelp].find(([h]) => h.startsWith('--rate'))![1])![1];
    assert.match(probe.stdout, new RegExp(`: 20 ports, ${rate} probes/s`));
    const cap = join(tmp, 'small.pcap');
    udpCapture(cap, 50);
    const replay = await closeAfter(...inNs('replay', ['-i', 'lo', '--topspeed', cap]), 0);
    assertQuiet('replay', replay, 'replay >&-');
  } finally {
    deleteNetns(ns);
  }
});

test('the package exports its entry point and package.json, nothing else', async () => {
  // Specifiers in variables: tsc would otherwise resolve the package's own types as an
  // input (host/index.d.ts, one of its outputs) and refuse to write it.
  const self = 'pktwasm';
  const main = await import(self) as Record<string, unknown>;
  assert.type(main.createEngine, 'function');
  assert.type(main.compileFilter, 'function');
  const pkgPath = 'pktwasm/package.json';
  const pkg = await import(pkgPath, { with: { type: 'json' } }) as { default: { version: string } };
  assert.is(pkg.default.version, version);
  for (const inner of ['pktwasm/host/engine/engine.js', 'pktwasm/host/cli/args.js']) {
    try {
      await import(inner);
      assert.unreachable(`${inner} is importable`);
    } catch (e) {
      assert.is((e as { code?: string }).code, 'ERR_PACKAGE_PATH_NOT_EXPORTED', inner);
    }
  }
});

test.after(() => rmSync(tmp, { recursive: true, force: true }));

test.run();
