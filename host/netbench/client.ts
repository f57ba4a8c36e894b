// netbench client: P parallel streams of bulk data or request/response transactions over
// TCP or rudp, or paced UDP; per-interval and total figures, sender and receiver side.
import { createHash } from 'node:crypto';
import dgram from 'node:dgram';
import { isIPv6 } from 'node:net';
import type { Duplex } from 'node:stream';
import type { NetbenchArgs } from './args.js';
import { encodeHello, MODE_BULK, MODE_RR } from './hello.js';
import type { BulkResult } from './server.js';
import { SeededStream, summarize, type LatencySummary } from './stats.js';
import { connectStream } from './transport.js';
import { udpStream, type UdpReport } from './udp.js';

export interface Interval { start: number; end: number; bytes: number; mbps: number }

export interface ClientReport {
  proto: string;
  mode: string;
  streams: number;
  len: number;
  serverMode: 'event' | 'workers';
  nodelay: boolean;
  intervals: Interval[];
  sent: { bytes: number; seconds: number; mbps: number };
  received?: { bytes: number; seconds: number; mbps: number; cpuMs: number };
  verify?: { ok: boolean; streams: { sent: string; received: string | null }[] };
  latency?: LatencySummary & { transactionsPerSec: number };
  udp?: UdpReport & { sent: number };
  /** Client process CPU (user + system) during the run, ms. */
  clientCpuMs: number;
}

function readResultLine(s: Duplex): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    s.on('data', (b: Buffer) => { text += b.toString(); });
    s.once('end', () => resolve(text));
    s.once('error', reject);
  });
}

export async function runClient(a: NetbenchArgs, serverMode: 'event' | 'workers', tick: (iv: Interval) => void): Promise<ClientReport> {
  let counted = 0;
  const t0 = performance.now();
  const intervals: Interval[] = [];
  let lastT = t0;
  let lastBytes = 0;
  const ivTimer = setInterval(() => {
    const now = performance.now();
    const iv = { start: (lastT - t0) / 1000, end: (now - t0) / 1000, bytes: counted - lastBytes, mbps: ((counted - lastBytes) * 8) / ((now - lastT) * 1000) };
    intervals.push(iv);
    tick(iv);
    lastT = now;
    lastBytes = counted;
  }, a.interval * 1000);
  const onBytes = (n: number): void => { counted += n; };
  const cpu0 = process.cpuUsage();
  const report: ClientReport = {
    proto: a.proto, mode: a.mode, streams: a.parallel, len: a.len, serverMode, nodelay: a.nodelay, intervals,
    sent: { bytes: 0, seconds: 0, mbps: 0 }, clientCpuMs: 0,
  };
  try {
    if (a.proto === 'udp') {
      const results = await Promise.all(Array.from({ length: a.parallel }, async (_, i) => {
        const sock = dgram.createSocket(isIPv6(a.host) ? 'udp6' : 'udp4');
        await new Promise<void>((res, rej) => { sock.once('error', rej); sock.connect(a.port, a.host, () => { sock.off('error', rej); res(); }); });
        try { if (a.sndbuf) sock.setSendBufferSize(a.sndbuf); } catch { /* capped */ }
        try { return await udpStream(sock, i + 1, a.len, a.rateMbit / a.parallel, a.time, onBytes); } finally { sock.close(); }
      }));
      const u = results.reduce((acc, r) => ({
        received: acc.received + r.received, lost: acc.lost + r.lost, lossPct: 0, outOfOrder: acc.outOfOrder + r.outOfOrder,
        duplicates: acc.duplicates + r.duplicates, jitterMs: Math.max(acc.jitterMs, r.jitterMs), bytes: acc.bytes + r.bytes,
        seconds: Math.max(acc.seconds, r.seconds), sent: acc.sent + r.sent,
      }));
      u.lossPct = u.sent ? (100 * u.lost) / u.sent : 0;
      report.udp = u;
      const secs = (performance.now() - t0) / 1000;
      report.sent = { bytes: counted, seconds: secs, mbps: (counted * 8) / secs / 1e6 };
      report.received = { bytes: u.bytes, seconds: u.seconds, mbps: u.seconds ? (u.bytes * 8) / u.seconds / 1e6 : 0, cpuMs: 0 };
      return report;
    }
    const opts = { nodelay: a.nodelay, sndbuf: a.sndbuf, rcvbuf: a.rcvbuf, mss: a.mss, userTimeout: a.userTimeout, keepalive: a.keepalive };
    const socks = await Promise.all(Array.from({ length: a.parallel }, () => connectStream(a.proto as 'tcp' | 'rudp', a.host, a.port, opts)));
    const deadline = t0 + a.time * 1000;
    if (a.mode === 'bulk') {
      const perStream = a.bytes > 0 ? Math.ceil(a.bytes / a.parallel) : Infinity;
      const outs = await Promise.all(socks.map((s, i) => bulkStream(s, i + 1, a, perStream, deadline, serverMode, onBytes)));
      const secs = (performance.now() - t0) / 1000;
      report.sent = { bytes: counted, seconds: secs, mbps: (counted * 8) / secs / 1e6 };
      const rb = outs.reduce((n, o) => n + o.result.bytes, 0);
      const rs = Math.max(...outs.map((o) => o.result.seconds));
      report.received = { bytes: rb, seconds: rs, mbps: rs > 0 ? (rb * 8) / rs / 1e6 : 0, cpuMs: outs.reduce((n, o) => n + o.result.cpuUserMs + o.result.cpuSystemMs, 0) };
      if (a.verify) {
        const streams = outs.map((o) => ({ sent: o.sha, received: o.result.sha256 }));
        report.verify = { ok: streams.every((x) => x.sent === x.received) && rb === counted, streams };
      }
    } else {
      const all: number[] = [];
      await Promise.all(socks.map((s, i) => rrStream(s, i + 1, a, deadline, serverMode, all, onBytes)));
      const secs = (performance.now() - t0) / 1000;
      report.sent = { bytes: counted, seconds: secs, mbps: (counted * 8) / secs / 1e6 };
      report.latency = { ...summarize(all), transactionsPerSec: all.length / secs };
    }
    return report;
  } finally {
    clearInterval(ivTimer);
    const c = process.cpuUsage(cpu0);
    report.clientCpuMs = (c.user + c.system) / 1000;
  }
}

async function bulkStream(s: Duplex, stream: number, a: NetbenchArgs, limit: number, deadline: number, serverMode: string,
  onBytes: (n: number) => void): Promise<{ result: BulkResult; sha: string }> {
  const resultP = readResultLine(s);
  s.write(encodeHello({ mode: MODE_BULK, workers: serverMode === 'workers', verify: a.verify, len: a.len, seed: a.seed + stream, stream }));
  const gen = a.verify ? new SeededStream(a.seed + stream) : null;
  const hash = a.verify ? createHash('sha256') : null;
  const fixed = Buffer.alloc(a.len, 0xa5);
  let sent = 0;
  let err: Error | null = null;
  s.once('error', (e: Error) => { err = e; });
  while (err === null && sent < limit && performance.now() < deadline) {
    const n = Math.min(a.len, limit - sent);
    const b = gen !== null ? gen.fill(Buffer.allocUnsafe(n)) : n === a.len ? fixed : fixed.subarray(0, n);
    hash?.update(b);
    sent += n;
    onBytes(n);
    if (!s.write(b)) {
      await new Promise<void>((res) => {
        const done = (): void => { clearTimeout(t); s.off('drain', done); s.off('error', done); res(); };
        const t = setTimeout(done, Math.max(1, deadline - performance.now()));
        s.on('drain', done);
        s.on('error', done);
      });
    }
  }
  if (err !== null) throw err;
  s.end();
  const line = await resultP;
  if (err !== null) throw err;
  let result: BulkResult;
  try { result = JSON.parse(line.trim()) as BulkResult; } catch { throw Object.assign(new Error(`stream ${stream}: the server sent no result (got ${JSON.stringify(line.slice(0, 60))})`), { code: 'E_PROTOCOL' }); }
  return { result, sha: hash ? hash.digest('hex') : '' };
}

async function rrStream(s: Duplex, stream: number, a: NetbenchArgs, deadline: number, serverMode: string, out: number[],
  onBytes: (n: number) => void): Promise<void> {
  s.write(encodeHello({ mode: MODE_RR, workers: serverMode === 'workers', verify: false, len: a.len, seed: 0, stream }));
  const req = Buffer.alloc(a.len, 0x33);
  await new Promise<void>((resolve, reject) => {
    let have = 0;
    let t = 0;
    const next = (): void => {
      if (performance.now() >= deadline) { s.end(); return; }
      t = performance.now();
      s.write(req);
    };
    s.on('data', (b: Buffer) => {
      have += b.length;
      while (have >= a.len) {
        have -= a.len;
        out.push((performance.now() - t) * 1000);
        onBytes(a.len);
        next();
      }
    });
    s.once('end', () => resolve());
    s.once('error', reject);
    next();
  });
}
