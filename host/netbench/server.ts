// netbench server: accepts streams (TCP or rudp) and UDP datagrams. Each stream starts
// with a hello; bulk streams are counted (and hashed with --verify) and answered with a
// JSON result line after the client's FIN; rr streams echo every MSGLEN-byte request.
// Per connection the work runs on the event loop or on a worker thread, as the client asks.
import { createHash, type Hash } from 'node:crypto';
import dgram from 'node:dgram';
import { isIPv6 } from 'node:net';
import type { Duplex } from 'node:stream';
import { Worker } from 'node:worker_threads';
import type { NetbenchArgs } from './args.js';
import { decodeHello, HELLO_LEN, MODE_BULK, type Hello } from './hello.js';
import { listenStream } from './transport.js';
import { UdpReceiver } from './udp.js';

export interface BulkResult { bytes: number; seconds: number; sha256: string | null; serverMode: 'event' | 'workers'; cpuUserMs: number; cpuSystemMs: number }

class WorkerPool {
  private readonly workers: Worker[] = [];
  private next = 0;
  private readonly waiting = new Map<number, (m: { kind: string; bytes?: number; sha256?: string | null; n?: number }) => void>();
  constructor(n: number) {
    for (let i = 0; i < n; i++) {
      const w = new Worker(new URL('./worker.js', import.meta.url));
      w.on('message', (m: { id: number; kind: string }) => this.waiting.get(m.id)?.(m));
      w.unref();
      this.workers.push(w);
    }
  }
  assign(id: number, cb: (m: { kind: string; bytes?: number; sha256?: string | null; n?: number }) => void): Worker {
    this.waiting.set(id, cb);
    return this.workers[this.next++ % this.workers.length];
  }
  done(id: number): void { this.waiting.delete(id); }
  close(): void { for (const w of this.workers) void w.terminate(); }
}

let connIds = 0;

function serveStream(s: Duplex, subscribe: (cb: (b: Buffer) => void) => void, pool: WorkerPool | null, log: (l: string) => void): void {
  let hello: Hello | null = null;
  let head = Buffer.alloc(0);
  let bytes = 0;
  let t0 = 0;
  let hash: Hash | null = null;
  let rrHave = 0;
  let rrReply: Buffer | null = null;
  const id = ++connIds;
  let worker: Worker | null = null;
  const cpu0 = process.cpuUsage();
  s.on('error', (e: NodeJS.ErrnoException) => log(`stream ${id}: ${e.code ?? ''} ${e.message}`));
  const onPayload = (b: Buffer): void => {
    if (b.length === 0) return;
    bytes += b.length;
    if (hello!.mode === MODE_BULK) {
      if (worker !== null) worker.postMessage({ id, kind: 'data', buf: Buffer.from(b), verify: hello!.verify });
      else hash?.update(b);
      return;
    }
    rrHave += b.length;
    while (rrHave >= hello!.len) {
      rrHave -= hello!.len;
      if (worker !== null) worker.postMessage({ id, kind: 'rr', n: 1 });
      else s.write(rrReply!);
    }
  };
  subscribe((b: Buffer) => {
    if (hello === null) {
      head = Buffer.concat([head, b]);
      if (head.length < HELLO_LEN) return;
      hello = decodeHello(head);
      if (hello === null) { log(`stream ${id}: bad hello, closing`); s.destroy(); return; }
      t0 = performance.now();
      if (hello.verify) hash = createHash('sha256');
      rrReply = Buffer.alloc(hello.len, 0x5a);
      if (hello.workers && pool !== null) {
        worker = pool.assign(id, (m) => {
          if (m.kind === 'rr') s.write(rrReply!);
          else if (m.kind === 'end') { pool.done(id); finish(m.sha256 ?? null); }
        });
      }
      onPayload(head.subarray(HELLO_LEN));
      return;
    }
    onPayload(b);
  });
  const finish = (sha: string | null): void => {
    const c = process.cpuUsage(cpu0);
    const r: BulkResult = {
      bytes, seconds: (performance.now() - t0) / 1000, sha256: sha, serverMode: worker !== null ? 'workers' : 'event',
      cpuUserMs: c.user / 1000, cpuSystemMs: c.system / 1000,
    };
    s.end(`${JSON.stringify(r)}\n`);
  };
  s.on('end', () => {
    if (hello === null) { s.end(); return; }
    if (hello.mode !== MODE_BULK) { s.end(); return; }
    if (worker !== null) worker.postMessage({ id, kind: 'end' });
    else finish(hash ? hash.digest('hex') : null);
  });
}

export async function runServer(a: NetbenchArgs, log: (l: string) => void): Promise<() => void> {
  const host = a.host || (a.proto === 'udp' ? '0.0.0.0' : '0.0.0.0');
  const pool = a.workers > 0 ? new WorkerPool(a.workers) : null;
  if (a.proto === 'udp') {
    const sock = dgram.createSocket(isIPv6(host) ? 'udp6' : 'udp4');
    const rx = new UdpReceiver(sock, log);
    await new Promise<void>((resolve, reject) => {
      sock.once('error', reject);
      sock.bind(a.port, host, () => {
        try { sock.setRecvBufferSize(a.rcvbuf || 8 << 20); } catch { /* capped by rmem_max */ }
        resolve();
      });
    });
    log(`netbench server: udp on ${host}:${sock.address().port}`);
    return () => { rx.close(); sock.close(); pool?.close(); };
  }
  const srv = await listenStream(a.proto, host, a.port, { nodelay: a.nodelay, sndbuf: a.sndbuf, rcvbuf: a.rcvbuf, mss: a.mss, userTimeout: a.userTimeout, keepalive: a.keepalive },
    (s, sub) => serveStream(s, sub, pool, log));
  log(`netbench server: ${a.proto} on ${host}:${srv.port()}${pool ? `, ${a.workers} worker threads available` : ''}`);
  return () => { srv.close(); pool?.close(); };
}
