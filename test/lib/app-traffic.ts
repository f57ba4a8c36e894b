// Real TLS and HTTP traffic for the application-layer tests, recorded in a network
// namespace of its own: OpenSSL's s_server (TLS 1.2 and 1.3, ALPN, on 443 and on 8443 for
// detection by content) with `openssl s_client` (with and without SNI and ALPN, each
// version) and curl as clients, and python3's http.server on port 80 with curl (GET, HEAD,
// POST, 404, HTTP/1.0, a user agent, a body larger than a segment). tcpdump writes what lo
// carries. `mtu` sets lo's MTU: 65536 keeps every flight in one segment, 1500 spreads large
// ones over several (a certificate with many names makes the server's flight large).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createNetns, deleteNetns, ip } from './netns.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export interface WebCapture {
  path: string;
  /** The TLS port that only content detection finds (tshark needs -d tcp.port==N,tls). */
  tlsAltPort: number;
  /** SNI names and ALPN lists the clients offered, for the tests' sanity checks. */
  names: string[];
}

function inNs(ns: string, cmd: string, args: string[], input = ''): void {
  const r = spawnSync('ip', ['netns', 'exec', ns, 'timeout', '10', cmd, ...args], { input, encoding: 'utf8', timeout: 15_000 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} in ${ns}: exit ${r.status}: ${r.stderr}`);
}

function startIn(ns: string, cmd: string, args: string[], cwd?: string): ChildProcess {
  return spawn('ip', ['netns', 'exec', ns, cmd, ...args], { stdio: ['pipe', 'ignore', 'pipe'], cwd });
}

async function waitPort(ns: string, port: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const r = spawnSync('ip', ['netns', 'exec', ns, 'ss', '-ltnH', `sport = :${port}`], { encoding: 'utf8' });
    if (r.stdout.trim() !== '') return;
    await sleep(50);
  }
  throw new Error(`nothing listens on ${port} in ${ns}`);
}

async function stop(p: ChildProcess): Promise<void> {
  if (p.exitCode !== null || p.signalCode !== null) return;
  const done = new Promise<void>((r) => p.once('exit', () => r()));
  p.kill('SIGTERM');
  await Promise.race([done, sleep(3000)]);
  if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
}

/** Records TLS and HTTP exchanges into `dir`/web-<mtu>.pcap; needs root, tcpdump, openssl,
 *  curl and python3. */
export async function recordWeb(dir: string, mtu = 65536, what: { tls?: boolean; http?: boolean } = {}): Promise<WebCapture> {
  const withTls = what.tls ?? true;
  const withHttp = what.http ?? true;
  const ns = createNetns('web');
  const path = join(dir, `web-${mtu}.pcap`);
  const www = join(dir, `www-${mtu}`);
  mkdirSync(www, { recursive: true });
  writeFileSync(join(www, 'index.html'), '<html><body>pktwasm</body></html>\n');
  writeFileSync(join(www, 'big.txt'), 'x'.repeat(6000));
  const key = join(dir, `key-${mtu}.pem`);
  const cert = join(dir, `cert-${mtu}.pem`);
  // At MTU 1500 a certificate with many names makes the server's flight span segments.
  const keyOpt = mtu <= 1500
    ? ['-newkey', 'rsa:2048', '-addext', `subjectAltName=${Array.from({ length: 40 }, (_, i) => `DNS:host${i}.pktwasm.test`).join(',')}`]
    : ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'];
  if (withTls) {
    const g = spawnSync('openssl', ['req', '-x509', ...keyOpt, '-nodes', '-keyout', key, '-out', cert, '-days', '30', '-subj', '/CN=pktwasm.test'], { encoding: 'utf8' });
    if (g.status !== 0) throw new Error(`openssl req: ${g.stderr}`);
  }
  const procs: ChildProcess[] = [];
  const names: string[] = [];
  try {
    ip('-n', ns, 'link', 'set', 'lo', 'mtu', String(mtu));
    // lo hands whole GSO super-segments to the capture: one segment per MSS needs them off.
    if (mtu <= 1500) ip('-n', ns, 'link', 'set', 'lo', 'gso_max_segs', '1');
    ip('-n', ns, 'link', 'set', 'lo', 'up');
    const td = startIn(ns, 'tcpdump', ['-i', 'lo', '--immediate-mode', '-U', '-s', '0', '-w', path, 'tcp']);
    procs.push(td);
    let err = '';
    td.stderr?.on('data', (b: Buffer) => { err += b.toString(); });
    for (let i = 0; i < 100 && !err.includes('listening on'); i++) await sleep(50);
    if (!err.includes('listening on')) throw new Error(`tcpdump did not start: ${err}`);
    for (const port of withTls ? [443, 8443] : []) {
      procs.push(startIn(ns, 'openssl', ['s_server', '-accept', String(port), '-cert', cert, '-key', key, '-www', '-alpn', 'h2,http/1.1', '-quiet']));
      await waitPort(ns, port);
    }
    if (withHttp) {
      procs.push(startIn(ns, 'python3', ['-m', 'http.server', '80', '--bind', '127.0.0.1'], www));
      await waitPort(ns, 80);
    }

    const sc = (port: number, args: string[]): void => inNs(ns, 'openssl', ['s_client', '-connect', `127.0.0.1:${port}`, ...args], 'GET / HTTP/1.0\r\n\r\n');
    // TLS: each version with and without SNI and ALPN, s_client and curl.
    if (withTls) {
      sc(443, ['-tls1_3', '-servername', 'one.pktwasm.test', '-alpn', 'h2,http/1.1']);
      sc(443, ['-tls1_3', '-noservername']);
      sc(443, ['-tls1_2', '-servername', 'two.pktwasm.test']);
      sc(443, ['-tls1_2', '-noservername', '-alpn', 'http/1.1']);
      sc(8443, ['-tls1_3', '-servername', 'alt.pktwasm.test', '-alpn', 'http/1.1']);
      sc(8443, ['-tls1_2', '-servername', 'alt12.pktwasm.test']);
      names.push('one.pktwasm.test', 'two.pktwasm.test', 'alt.pktwasm.test', 'alt12.pktwasm.test');
      inNs(ns, 'curl', ['-sk', '--http1.1', '--resolve', 'curl.pktwasm.test:443:127.0.0.1', 'https://curl.pktwasm.test/', '-o', '/dev/null']);
      inNs(ns, 'curl', ['-sk', '--http1.1', '--tlsv1.2', '--tls-max', '1.2', '--resolve', 'curl12.pktwasm.test:443:127.0.0.1', 'https://curl12.pktwasm.test/', '-o', '/dev/null']);
      names.push('curl.pktwasm.test', 'curl12.pktwasm.test');
    }
    // HTTP/1.x.
    if (withHttp) {
      const web = (args: string[]): void => inNs(ns, 'curl', ['-s', '-o', '/dev/null', ...args]);
      web(['http://127.0.0.1/']);
      web(['-A', 'pktwasm-test/1.0 (user agent)', 'http://127.0.0.1/index.html']);
      web(['-I', 'http://127.0.0.1/']);
      web(['--http1.0', 'http://127.0.0.1/big.txt']);
      web(['http://127.0.0.1/missing?x=1&y=2']);
      web(['-X', 'POST', '--data', 'a=1&b=2', 'http://127.0.0.1/']);
      web(['-H', 'Host: named.pktwasm.test', 'http://127.0.0.1/index.html']);
    }
    await sleep(300);
  } finally {
    for (const p of procs.reverse()) await stop(p);
    deleteNetns(ns);
  }
  return { path, tlsAltPort: 8443, names };
}

/** The tools recordWeb needs that are missing. */
export function missingWebTools(): string[] {
  return ['tcpdump', 'openssl', 'curl', 'python3', 'ss'].filter((t) => spawnSync('sh', ['-c', `command -v ${t}`], { stdio: 'ignore' }).status !== 0);
}

/** True when every tool recordWeb needs is there; otherwise a throw under CI (.ci/run
 *  installs them) or one `SKIP <test>: <tools> missing` line, and false. */
export function haveWebTools(test: string): boolean {
  const missing = missingWebTools();
  if (missing.length === 0) return true;
  const msg = `SKIP ${test}: ${missing.join(', ')} missing (.ci/run installs them)`;
  if (process.env.CI === 'true') throw new Error(msg);
  console.log(msg);
  return false;
}
