// An endpoint owns one UDP socket and demultiplexes its datagrams to PCBs by the peer's
// address and port. The server endpoint answers opens statelessly (SYN cookies) and
// allocates a PCB only for a validated cookie, under a hard cap; a client endpoint
// carries exactly one connection on its own ephemeral port. Every datagram that does not
// parse, verify, or belong somewhere is counted and dropped.
import dgram from 'node:dgram';
import { EventEmitter } from 'node:events';
import { isIPv6 } from 'node:net';
import { transportClock, type TransportClock } from './clock.js';
import { Connection, DEFAULT_CONNECTION, S_TIME_WAIT, type ConnectionHost, type ConnectionOptions } from './connection.js';
import { CookieJar } from './cookie.js';
import { rudpError } from './errors.js';
import { F_ACK, F_HS, F_RST, F_SYN, F_TS, Segment, SegmentCodec, mssForMtu } from './header.js';
import { seqAdd } from './seq.js';

/** Endpoint counters: everything that arrived and what became of it. */
export interface EndpointCounters {
  datagramsIn: number;
  datagramsOut: number;
  malformed: number;
  badChecksum: number;
  noConnection: number;
  synReceived: number;
  synAcksSent: number;
  cookieOk: number;
  cookieBad: number;
  capRefused: number;
  rstSent: number;
  sendErrors: number;
}

export interface EndpointOptions extends Partial<ConnectionOptions> {
  /** Link MTU used to size segments when `mss` is not given (default 1500). */
  mtu?: number;
  /** Kernel socket buffer sizes for the UDP socket. */
  udpRecvBuffer?: number;
  udpSendBuffer?: number;
  clock?: TransportClock;
}

function newCounters(): EndpointCounters {
  return {
    datagramsIn: 0, datagramsOut: 0, malformed: 0, badChecksum: 0, noConnection: 0, synReceived: 0, synAcksSent: 0,
    cookieOk: 0, cookieBad: 0, capRefused: 0, rstSent: 0, sendErrors: 0,
  };
}

export function resolveOptions(o: EndpointOptions, ipv6: boolean): ConnectionOptions {
  const mss = o.mss ?? mssForMtu(o.mtu ?? 1500, ipv6);
  return { ...DEFAULT_CONNECTION, ...stripUndefined(o), mss };
}

function stripUndefined(o: EndpointOptions): Partial<ConnectionOptions> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined && k !== 'clock' && k !== 'mtu') out[k] = v;
  return out as Partial<ConnectionOptions>;
}

export class Endpoint extends EventEmitter implements ConnectionHost {
  readonly socket: dgram.Socket;
  readonly clock: TransportClock;
  readonly codec: SegmentCodec;
  readonly counters: EndpointCounters = newCounters();
  readonly conns = new Map<string, Connection>();
  private readonly seg = new Segment();
  /** Datagrams handed to the socket whose send has not completed yet. */
  private inFlight = 0;
  private onFlushed: (() => void) | null = null;
  private readonly sendCb = (err: Error | null): void => {
    if (err) this.counters.sendErrors++;
    if (--this.inFlight === 0 && this.onFlushed !== null) this.onFlushed();
  };
  protected readonly connected: boolean;
  closed = false;

  constructor(type: 'udp4' | 'udp6', connected: boolean, clock?: TransportClock) {
    super();
    this.clock = clock ?? transportClock();
    this.codec = new SegmentCodec(this.clock.engine);
    this.connected = connected;
    this.socket = dgram.createSocket({ type });
    this.socket.on('message', (msg, rinfo) => this.onDatagram(msg, rinfo.address, rinfo.port));
  }

  send(buf: Buffer, port: number, address: string): void {
    if (this.closed) return;
    this.counters.datagramsOut++;
    this.inFlight++;
    try {
      if (this.connected) this.socket.send(buf, this.sendCb);
      else this.socket.send(buf, port, address, this.sendCb);
    } catch {
      // The socket is already gone (closed under us): a send error, not a throw.
      this.inFlight--;
      this.counters.sendErrors++;
    }
  }

  /**
   * Closes the UDP socket once every datagram handed to it has been sent. dgram's send()
   * to an address resolves it first (a process.nextTick even for an IP literal), and a
   * close() in the meantime drops the datagram silently: no callback, no error. Closing
   * right after destroying connections lost exactly their RSTs (issue #20 item 1); a send
   * that the kernel queued (EAGAIN) would be cancelled by close() the same way.
   */
  closeSocket(cb?: () => void): void {
    this.closed = true;
    let done = false;
    const close = (): void => {
      if (done) return;
      done = true;
      this.onFlushed = null;
      clearTimeout(guard);
      try { this.socket.close(cb); } catch { if (cb) process.nextTick(cb); }
    };
    // A send callback that never comes must not keep the socket open forever.
    const guard = setTimeout(close, 1000);
    guard.unref();
    if (this.inFlight === 0) close();
    else this.onFlushed = close;
  }

  release(c: Connection): void {
    const key = keyOf(c.remoteAddress, c.remotePort);
    if (this.conns.get(key) === c) this.conns.delete(key);
    this.afterRelease();
  }

  protected afterRelease(): void { /* subclasses */ }

  private onDatagram(d: Buffer, address: string, port: number): void {
    const c = this.counters;
    c.datagramsIn++;
    const seg = this.seg;
    const r = this.codec.parse(d, seg);
    if (r !== 'ok') {
      if (r === 'checksum') c.badChecksum++;
      else c.malformed++;
      return;
    }
    const conn = this.conns.get(keyOf(address, port));
    if (conn !== undefined) {
      if ((seg.flags & F_SYN) !== 0 && (seg.flags & F_ACK) === 0 && conn.state === S_TIME_WAIT) {
        // A new incarnation of the same address and port: the old one is finished.
        conn.teardown();
      } else {
        conn.input(seg, d);
        return;
      }
    }
    this.unknownPeer(seg, d, address, port);
  }

  /** A datagram from an address without a PCB. */
  protected unknownPeer(_seg: Segment, _d: Buffer, _address: string, _port: number): void {
    this.counters.noConnection++;
  }

  /** A stateless reply (SYN-ACK or RST) to a peer without a PCB. */
  protected reply(flags: number, cid: number, seq: number, ack: number, wnd: number, mss: number, address: string, port: number,
    tsval = 0, tsecr = 0): void {
    this.send(this.codec.encode(flags, cid, seq, ack, wnd, mss, null, 0, null, 0, 0, tsval, tsecr), port, address);
  }
}

export function keyOf(address: string, port: number): string {
  return `${address}|${port}`;
}

export interface ServerOptions extends EndpointOptions {
  /** Hard cap on PCBs (including TIME_WAIT). */
  maxConnections?: number;
}

/** Listening endpoint: SYN cookies, the connection cap, and the accept path. */
export class ServerEndpoint extends Endpoint {
  private readonly jar = new CookieJar();
  readonly maxConnections: number;
  private readonly opts: ServerOptions;
  private connOpts: ConnectionOptions;
  accepting = true;

  constructor(type: 'udp4' | 'udp6', opts: ServerOptions) {
    super(type, false, opts.clock);
    this.opts = opts;
    this.maxConnections = opts.maxConnections ?? 1024;
    this.connOpts = resolveOptions(opts, type === 'udp6');
  }

  protected override unknownPeer(seg: Segment, d: Buffer, address: string, port: number): void {
    const c = this.counters;
    const f = seg.flags;
    if ((f & F_RST) !== 0) { c.noConnection++; return; }
    if ((f & F_SYN) !== 0 && (f & F_ACK) === 0) {
      c.synReceived++;
      if (!this.accepting) {
        c.rstSent++;
        this.reply(F_RST | F_ACK, seg.seq, 0, seqAdd(seg.seq, 1), 0, 0, address, port);
        return;
      }
      // Stateless answer: our ISN (and connection id) is the cookie; nothing is allocated.
      const cookie = this.jar.make(address, port, seg.seq);
      c.synAcksSent++;
      // Timestamps are answered in kind (RFC 7323 §3.2): still nothing kept, the client's
      // ACK|HS carries them back.
      const ts = (f & F_TS) !== 0 ? F_TS : 0;
      this.reply(F_SYN | F_ACK | ts, seg.seq, cookie, seqAdd(seg.seq, 1), this.connOpts.receiveBuffer, this.connOpts.mss, address, port,
        ts !== 0 ? (Math.floor(this.clock.nowMs()) >>> 0) || 1 : 0, seg.tsval);
      return;
    }
    if ((f & (F_ACK | F_HS)) === (F_ACK | F_HS)) {
      const clientIsn = seqAdd(seg.seq, -1);
      if (seg.cid !== seqAdd(seg.ack, -1) || !this.jar.check(address, port, clientIsn, seg.cid)) {
        c.cookieBad++;
        return;
      }
      c.cookieOk++;
      if (!this.accepting || this.conns.size >= this.maxConnections) {
        c.capRefused++;
        c.rstSent++;
        // seq = our ISN + 1 is exactly what the client expects next: it accepts the reset.
        this.reply(F_RST, clientIsn, seg.ack, seg.seq, 0, 0, address, port);
        return;
      }
      const conn = new Connection(this, address, port, true, this.connOpts);
      conn.localAddress = this.socket.address().address;
      conn.localPort = this.socket.address().port;
      conn.acceptFromCookie(seg, seg.cid);
      this.conns.set(keyOf(address, port), conn);
      this.emit('connection', conn);
      // The validated segment itself is the first of the connection (it may carry data,
      // and its HS flag asks for the ACK that confirms the handshake to the client).
      conn.input(seg, d);
      return;
    }
    c.noConnection++;
  }

  protected override afterRelease(): void {
    if (!this.accepting && this.conns.size === 0) this.emit('drained');
  }

  options(): ConnectionOptions {
    return this.connOpts;
  }
}

/** Client endpoint: one connection on a connected UDP socket. */
export class ClientEndpoint extends Endpoint {
  conn: Connection | null = null;

  constructor(type: 'udp4' | 'udp6', clock?: TransportClock) {
    super(type, true, clock);
  }

  protected override afterRelease(): void {
    if (this.conns.size === 0 && !this.closed) this.closeSocket();
  }
}

export interface ConnectOptions extends EndpointOptions {
  port: number;
  host?: string;
  /** Local address to bind. */
  localAddress?: string;
  localPort?: number;
}

/** Opens a connection: binds an ephemeral UDP port, connects it, sends the SYN. */
export function openConnection(opts: ConnectOptions): Connection {
  const host = opts.host ?? '127.0.0.1';
  const v6 = isIPv6(host);
  const ep = new ClientEndpoint(v6 ? 'udp6' : 'udp4', opts.clock);
  const conn = new Connection(ep, host, opts.port, false, resolveOptions(opts, v6));
  ep.conn = conn;
  ep.conns.set(keyOf(host, opts.port), conn);
  ep.socket.on('error', (err: NodeJS.ErrnoException) => {
    // A connected UDP socket reports ICMP port unreachable as ECONNREFUSED.
    const code = err.code === 'ECONNREFUSED' ? 'ECONNREFUSED' : 'ECONNRESET';
    if (!conn.destroyed) conn.destroy(rudpError(code, 'connect', err.message, host, opts.port));
    if (!conn.isReleased) conn.teardown();
  });
  ep.socket.bind({ address: opts.localAddress, port: opts.localPort ?? 0 }, () => {
    ep.socket.connect(opts.port, host, () => {
      try {
        if (opts.udpRecvBuffer) ep.socket.setRecvBufferSize(opts.udpRecvBuffer);
        if (opts.udpSendBuffer) ep.socket.setSendBufferSize(opts.udpSendBuffer);
      } catch { /* limited by net.core.[rw]mem_max: keep the default */ }
      const a = ep.socket.address();
      conn.localAddress = a.address;
      conn.localPort = a.port;
      if (!conn.destroyed) conn.startConnect();
    });
  });
  return conn;
}
