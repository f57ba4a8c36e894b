// UDP mode (like iperf3 -u): the client paces datagrams at --rate carrying a sequence
// number and its send time; the server counts loss, reordering and RFC 3550 jitter, and
// answers the client's FIN datagram with its report.
import type dgram from 'node:dgram';

const MAGIC = 0x4e425531; // 'NBU1'
export const UDP_HDR = 24;
const K_DATA = 0;
const K_FIN = 1;
const K_REPORT = 2;

export interface UdpReport { received: number; lost: number; lossPct: number; outOfOrder: number; duplicates: number; jitterMs: number; bytes: number; seconds: number }

interface Flow { maxSeq: number; received: number; ooo: number; dups: number; jitter: number; lastTransit: number; bytes: number; t0: number; t1: number; seen: Set<number> }

export class UdpReceiver {
  private readonly flows = new Map<string, Flow>();
  constructor(private readonly sock: dgram.Socket, log: (l: string) => void) {
    sock.on('message', (m, r) => this.onMessage(m, r.address, r.port));
    sock.on('error', (e) => log(`udp: ${e.message}`));
  }

  private onMessage(m: Buffer, address: string, port: number): void {
    if (m.length < UDP_HDR || m.readUInt32BE(0) !== MAGIC) return;
    const key = `${address}|${port}|${m.readUInt32BE(4)}`;
    const kind = m.readUInt32BE(12);
    let f = this.flows.get(key);
    const now = performance.now() + performance.timeOrigin;
    if (f === undefined) {
      if (kind !== K_DATA) { this.report(address, port, m, emptyReport()); return; }
      f = { maxSeq: -1, received: 0, ooo: 0, dups: 0, jitter: 0, lastTransit: NaN, bytes: 0, t0: now, t1: now, seen: new Set() };
      this.flows.set(key, f);
    }
    const seq = m.readUInt32BE(8);
    if (kind === K_FIN) {
      // FIN carries the count sent; loss = sent - distinct received.
      const sent = seq;
      const r: UdpReport = {
        received: f.received, lost: Math.max(0, sent - f.received), lossPct: sent ? (100 * Math.max(0, sent - f.received)) / sent : 0,
        outOfOrder: f.ooo, duplicates: f.dups, jitterMs: f.jitter, bytes: f.bytes, seconds: (f.t1 - f.t0) / 1000,
      };
      this.report(address, port, m, r);
      return;
    }
    if (kind !== K_DATA) return;
    if (f.seen.has(seq)) { f.dups++; return; }
    f.seen.add(seq);
    f.received++;
    f.bytes += m.length;
    f.t1 = now;
    if (seq < f.maxSeq) f.ooo++;
    else f.maxSeq = seq;
    // RFC 3550 A.8: J += (|D| - J) / 16, D the change in one-way transit time.
    const transit = now - m.readDoubleBE(16);
    if (!Number.isNaN(f.lastTransit)) f.jitter += (Math.abs(transit - f.lastTransit) - f.jitter) / 16;
    f.lastTransit = transit;
  }

  private report(address: string, port: number, m: Buffer, r: UdpReport): void {
    const body = Buffer.from(JSON.stringify(r));
    const h = Buffer.alloc(UDP_HDR);
    h.writeUInt32BE(MAGIC, 0);
    h.writeUInt32BE(m.readUInt32BE(4), 4);
    h.writeUInt32BE(K_REPORT, 12);
    this.sock.send(Buffer.concat([h, body]), port, address);
  }

  close(): void { this.flows.clear(); }
}

function emptyReport(): UdpReport {
  return { received: 0, lost: 0, lossPct: 0, outOfOrder: 0, duplicates: 0, jitterMs: 0, bytes: 0, seconds: 0 };
}

/** Client side of one UDP stream: paced sending, then FIN until the report arrives. */
export async function udpStream(sock: dgram.Socket, stream: number, len: number, rateMbit: number, seconds: number,
  onBytes: (n: number) => void): Promise<UdpReport & { sent: number }> {
  const buf = Buffer.alloc(len);
  buf.writeUInt32BE(MAGIC, 0);
  buf.writeUInt32BE(stream, 4);
  buf.writeUInt32BE(K_DATA, 12);
  const pps = (rateMbit * 1e6) / 8 / len;
  const t0 = performance.now();
  let sent = 0;
  await new Promise<void>((resolve) => {
    const step = (): void => {
      const el = performance.now() - t0;
      if (el >= seconds * 1000) { resolve(); return; }
      const due = Math.floor((el / 1000) * pps) + 1;
      let burst = 0;
      while (sent < due && burst < 2000) {
        buf.writeUInt32BE(sent, 8);
        buf.writeDoubleBE(performance.now() + performance.timeOrigin, 16);
        sock.send(Buffer.from(buf));
        sent++;
        burst++;
        onBytes(len);
      }
      setTimeout(step, 1);
    };
    step();
  });
  const fin = Buffer.alloc(UDP_HDR);
  fin.writeUInt32BE(MAGIC, 0);
  fin.writeUInt32BE(stream, 4);
  fin.writeUInt32BE(sent, 8);
  fin.writeUInt32BE(K_FIN, 12);
  return new Promise((resolve, reject) => {
    let tries = 0;
    let timer: NodeJS.Timeout | null = null;
    const onMsg = (m: Buffer): void => {
      if (m.length < UDP_HDR || m.readUInt32BE(0) !== MAGIC || m.readUInt32BE(12) !== K_REPORT || m.readUInt32BE(4) !== stream) return;
      sock.off('message', onMsg);
      if (timer) clearTimeout(timer);
      try { resolve({ ...(JSON.parse(m.subarray(UDP_HDR).toString()) as UdpReport), sent }); } catch (e) { reject(e as Error); }
    };
    sock.on('message', onMsg);
    const again = (): void => {
      if (++tries > 20) { sock.off('message', onMsg); reject(Object.assign(new Error('udp: no report from the server (is it running with --proto udp?)'), { code: 'ETIMEDOUT' })); return; }
      sock.send(fin);
      timer = setTimeout(again, 150);
    };
    setTimeout(again, 200); // let the last datagrams land first
  });
}
