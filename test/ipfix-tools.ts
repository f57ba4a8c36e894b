// Helpers of the IPFIX tests: a real collector (nfcapd) in a temp dir, its records read
// back with nfdump, softflowd driven over a capture, and loopback ports. Every process is
// started by pid and stopped by pid. No port is found by binding, closing and reusing the
// number (another process may take it in between): a port stays held by our own socket,
// or the start that lost the race fails with EADDRINUSE and is retried on a new one.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import net from 'node:net';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

export interface HeldPort {
  port: number;
  /** Closes the holding socket; the number is free for anyone from then on. */
  release(): Promise<void>;
}

/**
 * A loopback UDP port (`port`, or one the OS picks) held by a socket of ours that is
 * connected to 127.0.0.1:9. Nobody else can bind the number while it is held, and the
 * kernel delivers nothing from other senders to a connected socket: a datagram sent to the
 * port is refused (ICMP port unreachable) exactly as if nothing listened. That is an absent
 * collector without the race of a closed one.
 */
export async function holdUdpPort(port = 0): Promise<HeldPort> {
  const s = dgram.createSocket('udp4');
  await new Promise<void>((resolve, reject) => {
    s.once('error', reject);
    s.bind(port, '127.0.0.1', () => { s.off('error', reject); resolve(); });
  });
  const held = s.address().port;
  await new Promise<void>((r) => s.connect(9, '127.0.0.1', () => r()));
  return { port: held, release: () => new Promise<void>((r) => s.close(() => r())) };
}

/** A TCP port number free at the moment of the call (listen on 0, close). A listener that
 *  later finds it taken fails with EADDRINUSE (tcpListen rejects), never shares it. */
export async function freeTcpPort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((resolve, reject) => {
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => resolve());
  });
  const p = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return p;
}

/** Listens on `port` (127.0.0.1); rejects with the listen error (EADDRINUSE) instead of throwing it unhandled. */
export function tcpListen(server: net.Server, port: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => { server.off('error', reject); resolve(); });
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export interface Collector {
  pid: number;
  port: number;
  dir: string;
  /** SIGTERM, wait for exit (nfcapd writes its file then). */
  stop(): Promise<void>;
}

/** Starts nfcapd on `bind`:`port` writing into `dir`; resolves once it listens. `ns`
 *  runs it inside a network namespace. */
export async function startNfcapd(dir: string, port: number, bind = '127.0.0.1', ns?: string): Promise<Collector> {
  const args = ['-p', String(port), '-b', bind, '-w', dir, '-t', '3600'];
  const child: ChildProcess = ns === undefined ? spawn('nfcapd', args, { stdio: ['ignore', 'pipe', 'pipe'] })
    : spawn('ip', ['netns', 'exec', ns, 'nfcapd', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => { out += d.toString(); });
  child.stderr?.on('data', (d: Buffer) => { out += d.toString(); });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const running = (): boolean => child.exitCode === null && child.signalCode === null;
  for (let i = 0; i < 100 && !out.includes('Startup') && running(); i++) await sleep(50);
  if (!out.includes('Startup') || !running()) {
    if (running()) child.kill('SIGKILL');
    await Promise.race([exited, sleep(2000)]);
    const err = new Error(`nfcapd did not start on ${bind}:${port}: ${out.trim()}`) as Error & { code?: string };
    if (/Address already in use/.test(out)) err.code = 'EADDRINUSE';
    throw err;
  }
  const pid = child.pid ?? 0;
  return {
    pid, port, dir,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await Promise.race([exited, sleep(5000)]);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}

/**
 * nfcapd on a loopback port the OS picks. The number is found by binding and closing a
 * socket, so another process may take it before nfcapd binds: nfcapd then exits with
 * "Address already in use" and the start is retried on a new number.
 */
export async function startNfcapdOnFreePort(dir: string): Promise<Collector> {
  for (let attempt = 1; ; attempt++) {
    const held = await holdUdpPort();
    await held.release();
    try {
      return await startNfcapd(dir, held.port);
    } catch (e) {
      if ((e as { code?: string }).code !== 'EADDRINUSE' || attempt === 5) throw e;
    }
  }
}

export interface NfRow {
  ts: string; te: string; sa: string; da: string; sp: number; dp: number; pr: string; flg: string;
  pkt: number; byt: number; exp: number; inif: number; vlan: number;
}

/** Every flow nfcapd stored in `dir` (all files). */
export function readNfdump(dir: string): NfRow[] {
  const files = readdirSync(dir).filter((f) => /^nfcapd\.\d+$/.test(f));
  const rows: NfRow[] = [];
  for (const f of files) {
    const r = spawnSync('nfdump', ['-r', join(dir, f), '-q', '-N', '-6', '-o', 'fmt:%ts|%te|%sa|%da|%sp|%dp|%pr|%flg|%pkt|%byt|%exp|%in|%svln'], { encoding: 'utf8', env: { ...process.env, TZ: 'UTC' } });
    for (const line of r.stdout.split('\n')) {
      const c = line.split('|').map((x) => x.trim());
      if (c.length < 13) continue;
      rows.push({
        ts: c[0], te: c[1], sa: c[2], da: c[3], sp: Number(c[4]), dp: Number(c[5]), pr: c[6], flg: c[7],
        pkt: Number(c[8]), byt: Number(c[9]), exp: Number(c[10]), inif: Number(c[11]), vlan: Number(c[12]),
      });
    }
  }
  return rows;
}

/** SysID -> observation domain of the exporters nfcapd saw, and their sequence failures. */
export function readExporters(dir: string): Map<number, { domain: number; ip: string; flows: number; seqFailures: number }> {
  const out = new Map<number, { domain: number; ip: string; flows: number; seqFailures: number }>();
  for (const f of readdirSync(dir).filter((n) => /^nfcapd\.\d+$/.test(n))) {
    const r = spawnSync('nfdump', ['-E', join(dir, f)], { encoding: 'utf8' });
    for (const m of r.stdout.matchAll(/SysID: (\d+), IP:\s+(\S+), version: 10, ID:\s+(\d+), Sequence failures: (\d+), packets: \d+, flows: (\d+)/g)) {
      const id = Number(m[1]);
      const prev = out.get(id);
      out.set(id, { ip: m[2], domain: Number(m[3]), seqFailures: Number(m[4]) + (prev?.seqFailures ?? 0), flows: Number(m[5]) + (prev?.flows ?? 0) });
    }
  }
  return out;
}

/** One connection to softflowd's control socket asking for its statistics: reading a
 *  file, softflowd only moves on when something wakes its main loop. */
export function pokeSoftflowd(ctl: string): Promise<void> {
  return new Promise<void>((r) => {
    const s = net.connect(ctl);
    s.on('error', () => r());
    s.on('connect', () => { s.end('statistics\n'); });
    s.on('close', () => r());
    s.resume();
  });
}

/**
 * softflowd -r FILE -v 10 into `port`. softflowd 1.1.0 in -r mode blocks in accept() on
 * its control socket once per main-loop turn (a bug: it should poll), so we keep
 * connecting to that socket until it has read the file and exited (bounded).
 */
export async function runSoftflowd(file: string, port: number, tmp: string, extra: string[] = []): Promise<string> {
  const ctl = join(tmp, `sf-${port}.ctl`);
  const child = spawn('softflowd', ['-d', '-r', file, '-v', '10', '-n', `127.0.0.1:${port}`, '-c', ctl, '-p', join(tmp, `sf-${port}.pid`), ...extra], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => { out += d.toString(); });
  child.stderr?.on('data', (d: Buffer) => { out += d.toString(); });
  // 'close' comes after the last output: softflowd prints its statistics as it exits.
  const closed = new Promise<void>((r) => child.once('close', () => r()));
  const deadline = Date.now() + 60_000;
  while (child.exitCode === null && child.signalCode === null && Date.now() < deadline) {
    await pokeSoftflowd(ctl);
    await sleep(1);
  }
  if (child.exitCode === null && child.signalCode === null) {
    child.kill('SIGKILL');
    throw new Error(`softflowd did not finish ${file}: ${out}`);
  }
  await Promise.race([closed, sleep(5000)]);
  return out;
}
