// The stream transports netbench compares, behind one small interface: kernel TCP
// (node:net, with TCP_NODELAY and socket buffer options) and the reliable UDP transport.
import net from 'node:net';
import type { Duplex } from 'node:stream';
import { connect as rudpConnect, createServer as rudpCreateServer } from '../rudp/index.js';

export interface StreamOptions {
  nodelay: boolean;
  sndbuf: number;
  rcvbuf: number;
  mss: number;
  userTimeout?: number;
  keepalive?: number;
}

export interface StreamServer {
  close(): void;
  port(): number;
}

export function listenStream(proto: 'tcp' | 'rudp', host: string, port: number, o: StreamOptions,
  onConn: (s: Duplex) => void): Promise<StreamServer> {
  return new Promise((resolve, reject) => {
    if (proto === 'tcp') {
      const srv = net.createServer({ allowHalfOpen: true, noDelay: o.nodelay }, (s) => {
        s.setNoDelay(o.nodelay);
        onConn(s);
      });
      srv.once('error', reject);
      srv.listen(port, host, () => resolve({ close: () => srv.close(), port: () => (srv.address() as net.AddressInfo).port }));
    } else {
      const srv = rudpCreateServer({
        allowHalfOpen: true, ...(o.rcvbuf ? { receiveBuffer: o.rcvbuf } : {}), ...(o.sndbuf ? { sendBuffer: o.sndbuf } : {}),
        ...(o.mss ? { mss: o.mss } : {}), maxConnections: 4096, ...(o.userTimeout ? { userTimeoutMs: o.userTimeout } : {}),
        ...(o.keepalive ? { keepAliveMs: o.keepalive, keepAliveIntervalMs: Math.max(100, o.keepalive / 4), keepAliveProbes: 4 } : {}),
      }, (c) => onConn(c));
      srv.once('error', reject);
      srv.listen(port, host, () => resolve({ close: () => srv.close(), port: () => srv.address()!.port }));
    }
  });
}

export function connectStream(proto: 'tcp' | 'rudp', host: string, port: number, o: StreamOptions): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    if (proto === 'tcp') {
      const s = net.connect({ host, port, noDelay: o.nodelay });
      s.once('error', reject);
      s.once('connect', () => {
        s.off('error', reject);
        s.setNoDelay(o.nodelay);
        // Node has no portable SO_SNDBUF/SO_RCVBUF on net.Socket: we size the user-space
        // high-water marks instead and say so in the report.
        resolve(s);
      });
    } else {
      const c = rudpConnect(port, host, {
        allowHalfOpen: true, ...(o.rcvbuf ? { receiveBuffer: o.rcvbuf } : {}), ...(o.sndbuf ? { sendBuffer: o.sndbuf } : {}),
        ...(o.mss ? { mss: o.mss } : {}), ...(o.userTimeout ? { userTimeoutMs: o.userTimeout } : {}),
        ...(o.keepalive ? { keepAliveMs: o.keepalive, keepAliveIntervalMs: Math.max(100, o.keepalive / 4), keepAliveProbes: 4 } : {}),
      });
      c.once('error', reject);
      c.once('connect', () => { c.off('error', reject); resolve(c); });
    }
  });
}
