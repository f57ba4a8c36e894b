// Userspace impairment relay for UDP (this kernel has no netem): listens on one address,
// forwards every datagram to a target, and the target's answers back to their sender.
// Per direction it applies, from a seeded generator: random loss, fixed delay, reordering
// (a chosen datagram is held back by an extra delay so later ones overtake it),
// duplication, corruption (one byte flipped), and a rate limit with a bounded queue (tail
// drop). Each client address gets its own upstream socket, so the target sees distinct
// peers. Used by the tests and the benchmarks (and `netbench relay`).
//
// Anyone who can reach the relay makes it allocate a peer (a socket), so it listens on
// loopback unless told otherwise, and peers are bounded: at most maxPeers, a peer silent
// for peerIdleMs is dropped, and a new peer at the cap evicts the longest-silent one if
// that one has been silent for a second (otherwise the newcomer is refused). A burst of
// spoofed sources can no longer lock real clients out for good.
import dgram from 'node:dgram';
import { isIPv6 } from 'node:net';
import { MinHeap } from '../runtime/min-heap.js';
import { Xorshift32 } from '../runtime/xorshift.js';

export interface Impairment {
  /** Probability a datagram is dropped (0..1). */
  loss?: number;
  /** One-way delay, ms. */
  delayMs?: number;
  /** Probability a datagram is held back by reorderMs so later ones pass it. */
  reorder?: number;
  reorderMs?: number;
  duplicate?: number;
  corrupt?: number;
  /** Link rate in Mbit/s (0 = unlimited) and the most queueing delay before tail drop. */
  rateMbit?: number;
  queueMs?: number;
}

export interface RelayOptions {
  listenPort: number;
  listenHost?: string;
  targetPort: number;
  targetHost: string;
  seed?: number;
  /** Client -> target. */
  forward?: Impairment;
  /** Target -> client. */
  backward?: Impairment;
  /** Most peers (client addresses, each with an upstream socket) at once (default 1024). */
  maxPeers?: number;
  /** A peer silent this long is dropped (default 60 s). */
  peerIdleMs?: number;
}

/** Peer-table counters. */
export interface PeerStats {
  peers: number;
  created: number;
  expired: number;
  evicted: number;
  /** Datagrams from new peers refused because every held peer was active. */
  refused: number;
}

interface Peer { sock: dgram.Socket; ready: boolean; waiting: Buffer[]; lastSeen: number; ordered: number }

/** A peer active this recently is never evicted for a newcomer. */
const PROTECT_MS = 1000;
/** A peer's place in the eviction order is refreshed at most this often (a Map re-insert). */
const REORDER_MS = 100;

export interface DirectionStats {
  in: number;
  out: number;
  dropped: number;
  queueDrops: number;
  duplicated: number;
  corrupted: number;
  reordered: number;
}

interface Held { at: number; buf: Buffer; send: (b: Buffer) => void }

/** Seeded draws in [0, 1) (reproducible impairments). */
class Rand extends Xorshift32 {
  next(): number { return this.u32() / 4294967296; }
}

/** One direction: its impairments, its link clock and its release queue (a min-heap). */
class Direction {
  readonly stats: DirectionStats = { in: 0, out: 0, dropped: 0, queueDrops: 0, duplicated: 0, corrupted: 0, reordered: 0 };
  private readonly imp: Required<Impairment>;
  private readonly rnd: Rand;
  private linkFree = 0;
  private readonly heap = new MinHeap<Held>((a, b) => a.at < b.at);
  private timer: NodeJS.Timeout | null = null;
  private timerAt = Infinity;
  private readonly flushFn = (): void => this.flush();

  constructor(imp: Impairment | undefined, seed: number) {
    this.imp = { loss: 0, delayMs: 0, reorder: 0, reorderMs: 5, duplicate: 0, corrupt: 0, rateMbit: 0, queueMs: 50, ...imp };
    this.rnd = new Rand(seed);
  }

  /** When set, everything is dropped (a peer that vanished without a word). */
  blackhole = false;

  handle(buf: Buffer, send: (b: Buffer) => void): void {
    const s = this.stats;
    const imp = this.imp;
    s.in++;
    if (this.blackhole) { s.dropped++; return; }
    if (imp.loss > 0 && this.rnd.next() < imp.loss) { s.dropped++; return; }
    let copies = 1;
    if (imp.duplicate > 0 && this.rnd.next() < imp.duplicate) { copies = 2; s.duplicated++; }
    for (let k = 0; k < copies; k++) {
      let b = buf;
      if (imp.corrupt > 0 && this.rnd.next() < imp.corrupt) {
        b = Buffer.from(buf);
        const i = Math.floor(this.rnd.next() * b.length);
        b[i] ^= 1 + Math.floor(this.rnd.next() * 255);
        s.corrupted++;
      }
      const now = performance.now();
      let at = now + imp.delayMs;
      if (imp.rateMbit > 0) {
        // Serialisation on a link of rateMbit: a queue longer than queueMs tail-drops.
        const start = Math.max(this.linkFree, now);
        if (start - now > imp.queueMs) { s.queueDrops++; continue; }
        this.linkFree = start + (b.length * 8) / (imp.rateMbit * 1000);
        at = this.linkFree + imp.delayMs;
      }
      if (imp.reorder > 0 && this.rnd.next() < imp.reorder) { at += imp.reorderMs; s.reordered++; }
      if (at <= now + 0.05 && this.heap.size === 0) {
        s.out++;
        send(b);
      } else {
        this.push({ at, buf: b, send });
      }
    }
  }

  private push(h: Held): void {
    this.heap.push(h);
    this.schedule();
  }

  private schedule(): void {
    const next = this.heap.peek();
    if (next === undefined) return;
    const at = next.at;
    if (this.timer !== null && at >= this.timerAt) return;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(this.flushFn, Math.max(0, at - performance.now()));
  }

  private flush(): void {
    this.timer = null;
    this.timerAt = Infinity;
    const now = performance.now() + 0.5;
    while (this.heap.size > 0 && this.heap.peek()!.at <= now) {
      const h = this.heap.pop();
      this.stats.out++;
      h.send(h.buf);
    }
    this.schedule();
  }

  close(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.heap.clear();
  }
}

export class Relay {
  readonly opts: RelayOptions;
  private readonly front: dgram.Socket;
  /** Client address -> its upstream; Map order is (roughly) least recently active first. */
  private readonly upstream = new Map<string, Peer>();
  readonly forward: Direction;
  readonly backward: Direction;
  private readonly maxPeers: number;
  private readonly peerIdleMs: number;
  private readonly sweeper: NodeJS.Timeout;
  private readonly peerStats: PeerStats = { peers: 0, created: 0, expired: 0, evicted: 0, refused: 0 };

  constructor(opts: RelayOptions) {
    this.opts = opts;
    const seed = opts.seed ?? 1;
    this.forward = new Direction(opts.forward, seed);
    this.backward = new Direction(opts.backward, (seed * 2654435761) >>> 0);
    this.maxPeers = opts.maxPeers ?? 1024;
    this.peerIdleMs = opts.peerIdleMs ?? 60_000;
    this.front = dgram.createSocket(isIPv6(opts.listenHost ?? '127.0.0.1') ? 'udp6' : 'udp4');
    this.front.on('message', (msg, r) => this.fromClient(msg, r.address, r.port));
    this.sweeper = setInterval(() => this.expire(), Math.max(10, Math.min(this.peerIdleMs / 2, 5000)));
    this.sweeper.unref();
  }

  listen(): Promise<number> {
    return new Promise((resolve, reject) => {
      this.front.once('error', reject);
      this.front.bind(this.opts.listenPort, this.opts.listenHost ?? '127.0.0.1', () => {
        try { this.front.setRecvBufferSize(8 << 20); this.front.setSendBufferSize(8 << 20); } catch { /* capped */ }
        resolve(this.front.address().port);
      });
    });
  }

  private dropPeer(key: string, p: Peer): void {
    this.upstream.delete(key);
    p.waiting.length = 0;
    try { p.sock.close(); } catch { /* already closed */ }
  }

  /** Drops peers silent for peerIdleMs (the Map's front holds the least recently active). */
  private expire(): void {
    const limit = performance.now() - this.peerIdleMs;
    for (const [k, p] of this.upstream) {
      if (p.lastSeen >= limit) {
        if (p.ordered >= limit) break; // everything behind it was active later still
        continue;
      }
      this.dropPeer(k, p);
      this.peerStats.expired++;
    }
  }

  /** Room for one more peer: evicts the longest-silent peer if it is not recently active. */
  private admit(now: number): boolean {
    if (this.upstream.size < this.maxPeers) return true;
    for (let i = 0; i < 8; i++) {
      const first = this.upstream.entries().next();
      if (first.done === true) return true;
      const [k, p] = first.value;
      if (now - p.lastSeen >= PROTECT_MS) {
        this.dropPeer(k, p);
        this.peerStats.evicted++;
        return true;
      }
      // Active, its place in the order was stale: move it back and look again.
      this.upstream.delete(k);
      this.upstream.set(k, p);
      p.ordered = now;
    }
    this.peerStats.refused++;
    return false;
  }

  private fromClient(msg: Buffer, address: string, port: number): void {
    const key = `${address}|${port}`;
    const now = performance.now();
    let up = this.upstream.get(key);
    if (up !== undefined) {
      up.lastSeen = now;
      if (now - up.ordered > REORDER_MS) {
        this.upstream.delete(key);
        this.upstream.set(key, up);
        up.ordered = now;
      }
    } else {
      if (!this.admit(now)) return;
      const sock = dgram.createSocket(isIPv6(this.opts.targetHost) ? 'udp6' : 'udp4');
      // Datagrams that arrive while the upstream socket is still connecting wait for it:
      // the relay loses only what its impairments say.
      const waiting: Buffer[] = [];
      const entry: Peer = { sock, ready: false, waiting, lastSeen: now, ordered: now };
      up = entry;
      this.upstream.set(key, entry);
      this.peerStats.created++;
      sock.on('message', (m) => this.backward.handle(m, (b) => this.front.send(b, port, address)));
      sock.on('error', () => { /* ICMP errors from the target: the client's timers handle it */ });
      sock.connect(this.opts.targetPort, this.opts.targetHost, () => {
        if (this.upstream.get(key) !== entry) return; // dropped while connecting
        try { sock.setRecvBufferSize(8 << 20); sock.setSendBufferSize(8 << 20); } catch { /* capped */ }
        entry.ready = true;
        for (const b of waiting) sock.send(b);
        waiting.length = 0;
      });
    }
    const u = up;
    this.forward.handle(msg, (b) => {
      if (!u.ready) { if (u.waiting.length < 1024) u.waiting.push(b); return; }
      try { u.sock.send(b); } catch { /* closed: a loss */ }
    });
  }

  /** Silently drops everything from now on, both ways (no ICMP, no RST: a dead peer). */
  blackhole(on = true): void {
    this.forward.blackhole = on;
    this.backward.blackhole = on;
  }

  stats(): { forward: DirectionStats; backward: DirectionStats; peers: number; peerTable: PeerStats } {
    return { forward: { ...this.forward.stats }, backward: { ...this.backward.stats }, peers: this.upstream.size,
      peerTable: { ...this.peerStats, peers: this.upstream.size } };
  }

  close(): void {
    clearInterval(this.sweeper);
    this.forward.close();
    this.backward.close();
    for (const s of this.upstream.values()) s.sock.close();
    this.upstream.clear();
    this.front.close();
  }
}
