// IP-level capture through raw sockets (npm raw-socket): --raw icmp|tcp|udp|icmp6. Each
// datagram is copied once into a ring slot, tagged LINKTYPE_RAW, with a timestamp taken
// on arrival in JavaScript. IPv4 raw sockets deliver the IP header; IPv6 raw sockets do
// not (RFC 3542 §3), so for icmp6 we rebuild a fixed header from what the socket tells
// us (source address, length) with the destination left unspecified (::), and say so.
import { createRequire } from 'node:module';
import type { Engine } from '../engine/engine.js';
import type { FrameRing } from '../ring/frame-ring.js';
import type { FrameBatch } from '../engine/frame-batch.js';
import { PktError } from '../runtime/errors.js';
import { parseIPv6 } from '../runtime/addr.js';
import { LINKTYPE_RAW } from '../runtime/layout.js';

interface RawSocket {
  on(ev: 'message', fn: (buf: Buffer, source: string) => void): void;
  on(ev: 'error', fn: (err: Error) => void): void;
  close(): void;
}
interface RawModule {
  createSocket(o: { protocol: number; addressFamily: number; bufferSize?: number }): RawSocket;
  Protocol: Record<string, number>;
  AddressFamily: Record<string, number>;
}

export type RawProto = 'icmp' | 'tcp' | 'udp' | 'icmp6';

export interface RawCaptureStats { received: number; droppedRing: number }

export class RawSource {
  readonly proto: RawProto;
  readonly linktype = LINKTYPE_RAW;
  private readonly sock: RawSocket;
  private readonly ring: FrameRing;
  private readonly batch: FrameBatch;
  private received = 0;
  private closed = false;
  private endResolve!: () => void;
  readonly ended: Promise<void>;
  error: PktError | null = null;

  constructor(engine: Engine, ring: FrameRing, proto: RawProto) {
    const require = createRequire(import.meta.url);
    let raw: RawModule;
    try {
      raw = require('raw-socket') as RawModule;
    } catch {
      throw new PktError('E_NOT_FOUND', 'raw sockets: the raw-socket package is not installed or did not build (npm install)');
    }
    this.proto = proto;
    this.ring = ring;
    this.batch = engine.createBatch(1, 65536 + 64);
    const v6 = proto === 'icmp6';
    const protocol = { icmp: 1, tcp: 6, udp: 17, icmp6: 58 }[proto];
    try {
      this.sock = raw.createSocket({ protocol, addressFamily: v6 ? raw.AddressFamily.IPv6 : raw.AddressFamily.IPv4, bufferSize: 65535 });
    } catch (e) {
      const msg = (e as Error).message;
      if (/not permitted|EPERM|EACCES/i.test(msg)) throw new PktError('E_PERM', `raw sockets need root or CAP_NET_RAW (${msg})`);
      throw new PktError('E_IO', `raw socket: ${msg}`);
    }
    this.ended = new Promise((r) => { this.endResolve = r; });
    this.sock.on('message', (buf, source) => this.onMessage(buf, source, v6, protocol));
    this.sock.on('error', (err) => {
      this.error = new PktError(/not permitted|EPERM|EACCES/i.test(err.message) ? 'E_PERM' : 'E_IO', `raw socket: ${err.message}`);
      this.close();
    });
  }

  private onMessage(buf: Buffer, source: string, v6: boolean, nxt: number): void {
    if (this.closed) return;
    this.received++;
    const now = process.hrtime.bigint() + epochOffset;
    const b = this.batch;
    b.clear();
    let frame: Uint8Array = buf;
    if (v6) {
      const h = Buffer.alloc(40 + buf.length);
      h[0] = 0x60;
      h.writeUInt16BE(buf.length & 0xFFFF, 4);
      h[6] = nxt;
      const src = parseIPv6(source.replace(/%.*$/, ''));
      if (src) h.set(src, 8);
      h.set(buf, 40);
      frame = h;
    }
    b.push(frame, LINKTYPE_RAW, frame.length);
    b.setTime(0, Number(now / 1_000_000_000n), Number(now % 1_000_000_000n));
    this.ring.enqueue(b);
  }

  stats(): RawCaptureStats {
    return { received: this.received, droppedRing: this.ring.drops };
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    try { this.sock.close(); } catch { /* already closed */ }
    this.ring.close();
    this.endResolve();
  }
}

// Wall-clock nanoseconds = monotonic hrtime + this offset (fixed at start-up).
const epochOffset = BigInt(Date.now()) * 1_000_000n - process.hrtime.bigint();
