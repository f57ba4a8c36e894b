// Helpers of the IPFIX tests: a real collector (nfcapd) in a temp dir, its records read
// back with nfdump, softflowd driven over a capture, and free loopback ports. Every
// process is started by pid and stopped by pid.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import net from 'node:net';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

export async function freeUdpPort(): Promise<number> {
  const s = dgram.createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  const p = s.address().port;
  await new Promise<void>((r) => s.close(() => r()));
  return p;
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
  for (let i = 0; i < 100 && !out.includes('Startup'); i++) await sleep(50);
  if (!out.includes('Startup')) {
    child.kill('SIGKILL');
    throw new Error(`nfcapd did not start: ${out}`);
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
  const deadline = Date.now() + 60_000;
  while (child.exitCode === null && child.signalCode === null && Date.now() < deadline) {
    await new Promise<void>((r) => {
      const s = net.connect(ctl);
      s.on('error', () => r());
      s.on('connect', () => { s.end('statistics\n'); });
      s.on('close', () => r());
      s.resume();
    });
    await sleep(1);
  }
  if (child.exitCode === null && child.signalCode === null) {
    child.kill('SIGKILL');
    throw new Error(`softflowd did not finish ${file}: ${out}`);
  }
  return out;
}
