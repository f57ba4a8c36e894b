// IP-level capture through raw sockets (host/raw-socket/): --raw icmp|tcp|udp|icmp6. Each
// datagram is copied once into a ring slot, tagged LINKTYPE_RAW, with a timestamp taken
// on arrival in JavaScript. IPv4 raw sockets deliver the IP header; IPv6 raw sockets do
// not (RFC 3542 §3), so for icmp6 we rebuild a fixed header from what the socket tells
// us (source address, length) with the destination left unspecified (::), and say so.
import type { Engine } from '../engine/engine.js';
import type { FrameBatch } from '../engine/frame-batch.js';
import { FrameRing } from '../ring/frame-ring.js';
import { PktError } from '../runtime/errors.js';
import { parseIPv6 } from '../runtime/addr.js';
import { LINKTYPE_RAW } from '../runtime/layout.js';
import { openRaw, rawSocketError, type RawSocket } from '../raw-socket/socket.js';
import type { RingShape, Source, SourceEvent, SourceStats } from './source.js';

export type RawProto = 'icmp' | 'tcp' | 'udp' | 'icmp6';

const PROTOCOL: Readonly<Record<RawProto, number>> = { icmp: 1, tcp: 6, udp: 17, icmp6: 58 };
const MAX_DATAGRAM = 65535;

export class RawSource implements Source {
  readonly kind = 'raw' as const;
  readonly slotFormat = 'frames' as const;
  readonly filtersInKernel = false;
  readonly linktype = LINKTYPE_RAW;
  readonly snaplen = MAX_DATAGRAM;
  readonly nanosecond = true;
  /** Room for an IPv6 header we rebuild in front of the largest datagram. */
  readonly ringShape: RingShape = { slots: 4096, slotPayload: MAX_DATAGRAM + 64 };
  readonly proto: RawProto;
  readonly ended: Promise<void>;
  error: PktError | null = null;
  private readonly engine: Engine;
  private readonly sock: RawSocket;
  private readonly batch: FrameBatch;
  private ring: FrameRing | null = null;
  private onWake: ((ev: SourceEvent) => void) | undefined;
  private received = 0;
  private closed = false;
  private endResolve!: () => void;

  /** Opens the socket (root or CAP_NET_RAW); datagrams are kept from start() on. */
  constructor(engine: Engine, proto: RawProto) {
    const protocol = PROTOCOL[proto];
    if (protocol === undefined) throw new PktError('E_BAD_ARGUMENT', `raw capture: unknown protocol ${String(proto)} (icmp, tcp, udp or icmp6)`);
    this.engine = engine;
    this.proto = proto;
    this.batch = engine.createBatch(1, MAX_DATAGRAM + 1 + 64);
    const v6 = proto === 'icmp6';
    this.sock = openRaw(protocol, v6, `raw ${proto} capture`);
    this.ended = new Promise((r) => { this.endResolve = r; });
    this.sock.on('message', (buf, source) => this.onMessage(buf, source, v6, protocol));
    this.sock.on('error', (err) => {
      this.error = rawSocketError(err, `raw ${proto} capture`);
      void this.close();
    });
  }

  start(memory: WebAssembly.Memory, ring: number, onWake?: (ev: SourceEvent) => void): void {
    if (this.closed) throw new PktError('E_BAD_ARGUMENT', `raw ${this.proto} capture: already closed`);
    if (this.ring !== null) throw new PktError('E_BAD_ARGUMENT', `raw ${this.proto} capture: already started`);
    if (memory !== this.engine.memory) throw new PktError('E_BAD_ARGUMENT', `raw ${this.proto} capture: the ring must be in the engine's memory`);
    this.ring = FrameRing.attach(this.engine, ring);
    this.onWake = onWake;
  }

  private onMessage(buf: Buffer, source: string, v6: boolean, nxt: number): void {
    const ring = this.ring;
    if (this.closed || ring === null) return;
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
    if (ring.enqueue(b) > 0) this.onWake?.('batch');
  }

  stats(): SourceStats {
    return { captured: this.received, received: null, droppedKernel: null, droppedIface: null, droppedRing: this.ring?.drops ?? 0 };
  }

  async close(): Promise<SourceStats> {
    if (!this.closed) {
      this.closed = true;
      try { this.sock.close(); } catch { /* already closed */ }
      this.ring?.close();
      if (this.ring !== null) this.onWake?.('end');
      this.endResolve();
    }
    return this.stats();
  }
}

// Wall-clock nanoseconds = monotonic hrtime + this offset (fixed at start-up).
const epochOffset = BigInt(Date.now()) * 1_000_000n - process.hrtime.bigint();
