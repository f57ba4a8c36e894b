// A hand-driven rudp peer for tests: a plain UDP socket that builds and parses segments
// with the codec, so a test can play either side of the handshake and then send exactly
// the segment it wants (a forged RST, an overlapping datagram) from the address the real
// peer knows.
import dgram from 'node:dgram';
import { randomBytes } from 'node:crypto';
import { createEngine } from '../../host/engine/engine.js';
import { F_ACK, F_HS, F_SYN, F_TS, Segment, SegmentCodec } from '../../host/rudp/header.js';

export interface Received { flags: number; cid: number; seq: number; ack: number; wnd: number; mss: number; tsval: number; tsecr: number; payload: Buffer; from: number }

function isn(): number {
  return (randomBytes(4).readUInt32BE(0) | 1) >>> 0;
}

export class RawPeer {
  readonly sock: dgram.Socket;
  readonly codec = new SegmentCodec(createEngine({ backend: 'ts' }));
  private readonly seg = new Segment();
  private readonly inbox: Received[] = [];
  private waiter: (() => void) | null = null;
  /** The peer's port once talking (a client endpoint answers from its own port). */
  peerPort = 0;

  private constructor() {
    this.sock = dgram.createSocket('udp4');
    this.sock.on('message', (m, r) => {
      if (this.codec.parse(m, this.seg) !== 'ok') return;
      const s = this.seg;
      this.inbox.push({ flags: s.flags, cid: s.cid, seq: s.seq, ack: s.ack, wnd: s.wnd, mss: s.mss, tsval: s.tsval, tsecr: s.tsecr, payload: Buffer.from(m.subarray(s.off)), from: r.port });
      this.waiter?.();
    });
  }

  static async open(): Promise<RawPeer> {
    const p = new RawPeer();
    await new Promise<void>((r) => p.sock.bind(0, '127.0.0.1', () => r()));
    return p;
  }

  get port(): number {
    return this.sock.address().port;
  }

  /** With F_TS in `flags`, `tsval` and `tsecr` go out as the timestamps. */
  send(port: number, flags: number, cid: number, seq: number, ack: number, wnd: number, mss = 0, payload: Buffer | null = null,
    tsval = 0, tsecr = 0): void {
    const d = this.codec.encode(flags, cid, seq, ack, wnd, mss, null, 0, payload, 0, payload?.length ?? 0, tsval, tsecr);
    this.sock.send(d, port, '127.0.0.1');
  }

  /** The next segment matching `pred` (earlier non-matching ones are discarded). */
  async next(pred: (r: Received) => boolean, ms = 3000): Promise<Received> {
    const t0 = Date.now();
    for (;;) {
      while (this.inbox.length > 0) {
        const r = this.inbox.shift()!;
        if (pred(r)) return r;
      }
      const left = ms - (Date.now() - t0);
      if (left <= 0) throw new Error('RawPeer: no matching segment arrived');
      await new Promise<void>((res) => {
        const t = setTimeout(() => { this.waiter = null; res(); }, left);
        this.waiter = () => { clearTimeout(t); this.waiter = null; res(); };
      });
    }
  }

  /** Drops everything received so far. */
  clear(): void {
    this.inbox.length = 0;
  }

  /** Client side: SYN, SYN-ACK, ACK|HS, confirming ACK. Returns the numbers both sides now use. */
  async connectTo(port: number, wnd = 1 << 20, mss = 1416): Promise<{ cid: number; sndNxt: number; rcvNxt: number }> {
    const mine = isn();
    this.send(port, F_SYN, 0, mine, 0, wnd, mss);
    const sa = await this.next((r) => (r.flags & (F_SYN | F_ACK)) === (F_SYN | F_ACK) && r.cid === mine);
    const cookie = sa.seq;
    const sndNxt = (mine + 1) >>> 0;
    const rcvNxt = (cookie + 1) >>> 0;
    this.send(port, F_ACK | F_HS, cookie, sndNxt, rcvNxt, wnd, mss);
    await this.next((r) => (r.flags & F_ACK) !== 0 && r.cid === mine && r.ack === sndNxt);
    this.peerPort = port;
    return { cid: cookie, sndNxt, rcvNxt };
  }

  /** Server side for one client: answers its SYN and waits for the handshake ACK. */
  async acceptOne(wnd = 1 << 20, mss = 1416): Promise<{ cid: number; sndNxt: number; rcvNxt: number }> {
    const syn = await this.next((r) => (r.flags & ~F_TS) === F_SYN);
    const mine = isn();
    const rcvNxt = (syn.seq + 1) >>> 0;
    this.send(syn.from, F_SYN | F_ACK, syn.seq, mine, rcvNxt, wnd, mss);
    const sndNxt = (mine + 1) >>> 0;
    await this.next((r) => (r.flags & (F_ACK | F_HS)) === (F_ACK | F_HS) && r.cid === mine && r.ack === sndNxt);
    // Any segment confirms the handshake to the client.
    this.send(syn.from, F_ACK, syn.seq, sndNxt, rcvNxt, wnd);
    this.peerPort = syn.from;
    return { cid: syn.seq, sndNxt, rcvNxt };
  }

  close(): void {
    this.sock.close();
  }
}
