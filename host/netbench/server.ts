// netbench server: accepts streams (TCP or rudp) and UDP datagrams. Each stream starts
// with a hello; bulk streams are counted (and hashed with --verify) and answered with a
// JSON result line after the client's FIN; rr streams echo every MSGLEN-byte request.
// Per connection the work runs on the event loop or on a worker thread, as the client asks.
// Listens on 127.0.0.1 unless --bind says otherwise (nothing here authenticates anyone).
import { createHash, type Hash } from 'node:crypto';
import dgram from 'node:dgram';
import { isIPv6 } from 'node:net';
import type { Duplex } from 'node:stream';
import { Worker } from 'node:worker_threads';
import type { NetbenchArgs } from './args.js';
import { decodeHello, HELLO_LEN, MODE_BULK, type Hello } from './hello.js';
import { listenStream } from './transport.js';
import { UdpReceiver, type UdpServerStats } from './udp.js';

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

/** Stream server counters (the UDP server has its own, UdpServerStats). */
export interface StreamServerStats { streams: number; badHellos: number; rrPauses: number }

export interface RunningServer {
  port: number;
  stop(): void;
  stats(): StreamServerStats | UdpServerStats;
}

/** rr replies are this many bytes of 0x5a at most per write (one shared, never-written block). */
const RR_BLOCK = 64 * 1024;

function serveStream(s: Duplex, subscribe: (cb: (b: Buffer) => void) => void, pool: WorkerPool | null, log: (l: string) => void,
  stats: StreamServerStats): void {
  let hello: Hello | null = null;
  let head = Buffer.alloc(0);
  let bytes = 0;
  let t0 = 0;
  let hash: Hash | null = null;
  let rrHave = 0;
  let rrBlock: Buffer | null = null;
  let paused = false;
  stats.streams++;
  const id = ++connIds;
  // n replies of MSGLEN bytes, in as few writes as the shared block allows. A client that
  // sends requests without reading the replies must not grow our heap: when the socket's
  // write buffer is full, stop reading its requests until the replies drain (they back up
  // into the kernel's buffers and the client's writes block, as with any TCP peer).
  const sendReplies = (n: number): void => {
    const blk = rrBlock!;
    let left = n * hello!.len;
    let ok = true;
    while (left > 0) {
      const k = Math.min(left, blk.length);
      ok = s.write(k === blk.length ? blk : blk.subarray(0, k));
      left -= k;
    }
    if (!ok && !paused) {
      paused = true;
      stats.rrPauses++;
      s.pause();
      s.once('drain', () => { paused = false; s.resume(); });
    }
  };
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
    const n = Math.floor(rrHave / hello!.len);
    if (n === 0) return;
    rrHave -= n * hello!.len;
    if (worker !== null) worker.postMessage({ id, kind: 'rr', n });
    else sendReplies(n);
  };
  subscribe((b: Buffer) => {
    if (hello === null) {
      head = Buffer.concat([head, b]);
      if (head.length < HELLO_LEN) return;
      hello = decodeHello(head);
      if (hello === null) { stats.badHellos++; log(`stream ${id}: bad hello, closing`); s.destroy(); return; }
      t0 = performance.now();
      if (hello.verify) hash = createHash('sha256');
      if (hello.mode !== MODE_BULK) rrBlock = Buffer.alloc(hello.len * Math.max(1, Math.floor(RR_BLOCK / hello.len)), 0x5a);
      if (hello.workers && pool !== null) {
        worker = pool.assign(id, (m) => {
          if (m.kind === 'rr') sendReplies(m.n ?? 1);
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

export async function runServer(a: NetbenchArgs, log: (l: string) => void): Promise<RunningServer> {
  const host = a.host || '127.0.0.1';
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
    const port = sock.address().port;
    log(`netbench server: udp on ${host}:${port}`);
    return { port, stop: () => { rx.close(); sock.close(); pool?.close(); }, stats: () => ({ ...rx.stats }) };
  }
  const stats: StreamServerStats = { streams: 0, badHellos: 0, rrPauses: 0 };
  const srv = await listenStream(a.proto, host, a.port, { nodelay: a.nodelay, sndbuf: a.sndbuf, rcvbuf: a.rcvbuf, mss: a.mss, userTimeout: a.userTimeout, keepalive: a.keepalive },
    (s, sub) => serveStream(s, sub, pool, log, stats));
  log(`netbench server: ${a.proto} on ${host}:${srv.port()}${pool ? `, ${a.workers} worker threads available` : ''}`);
  return { port: srv.port(), stop: () => { srv.close(); pool?.close(); }, stats: () => ({ ...stats }) };
}
