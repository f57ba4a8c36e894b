// Public API, shaped like node:net: createServer(opts, onConnection) -> Server with
// listen(port, host) / close() / address(); connect(port, host) -> a Duplex Connection
// with back-pressure, end(), destroy(), errors with codes.
import { EventEmitter } from 'node:events';
import { isIPv6 } from 'node:net';
import type { Connection } from './connection.js';
import { openConnection, ServerEndpoint, type ConnectOptions, type EndpointCounters, type ServerOptions } from './endpoint.js';
import { rudpError } from './errors.js';

export { Connection, STATE_NAMES, type ConnectionOptions, type ConnectionCounters } from './connection.js';
export type { ConnectOptions, ServerOptions, EndpointCounters } from './endpoint.js';
export { rudpError, type RudpError, type RudpErrorCode } from './errors.js';
export { transportClock, TransportClock } from './clock.js';

export interface AddressInfo { address: string; family: string; port: number }

export interface Server extends EventEmitter {
  on(ev: 'connection', l: (c: Connection) => void): this;
  on(ev: 'listening' | 'close', l: () => void): this;
  on(ev: 'error', l: (e: Error) => void): this;
  on(ev: string, l: (...a: never[]) => void): this;
}

export class Server extends EventEmitter {
  private ep: ServerEndpoint | null = null;
  private readonly opts: ServerOptions;
  listening = false;

  constructor(opts: ServerOptions = {}, onConnection?: (c: Connection) => void) {
    super();
    this.opts = opts;
    if (onConnection) this.on('connection', onConnection);
  }

  listen(port: number, host = '0.0.0.0', cb?: () => void): this {
    if (this.ep !== null) throw rudpError('EINVAL', 'listen', 'server is already listening');
    const ep = new ServerEndpoint(isIPv6(host) ? 'udp6' : 'udp4', this.opts);
    this.ep = ep;
    ep.on('connection', (c: Connection) => this.emit('connection', c));
    ep.socket.on('error', (err) => this.emit('error', err));
    if (cb) this.once('listening', cb);
    ep.socket.bind(port, host, () => {
      try {
        ep.socket.setRecvBufferSize(this.opts.udpRecvBuffer ?? 4 << 20);
        ep.socket.setSendBufferSize(this.opts.udpSendBuffer ?? 4 << 20);
      } catch { /* capped by net.core.[rw]mem_max */ }
      this.listening = true;
      this.emit('listening');
    });
    return this;
  }

  address(): AddressInfo | null {
    if (this.ep === null || !this.listening) return null;
    return this.ep.socket.address();
  }

  /** Live PCBs (established, closing and TIME_WAIT). */
  get connections(): number {
    return this.ep?.conns.size ?? 0;
  }

  get endpoint(): ServerEndpoint | null {
    return this.ep;
  }

  stats(): EndpointCounters {
    return this.ep !== null ? { ...this.ep.counters } : ({} as EndpointCounters);
  }

  /** Stops accepting; 'close' follows once every connection is gone (as net.Server). */
  close(cb?: (err?: Error) => void): this {
    const ep = this.ep;
    if (ep === null || ep.closed) {
      if (cb) process.nextTick(cb, rudpError('ERR_SERVER_NOT_RUNNING', 'close', 'server is not running'));
      return this;
    }
    ep.accepting = false;
    const finish = (): void => {
      if (ep.closed) return;
      this.listening = false;
      // The RSTs of connections destroyed just before must leave before the socket closes.
      ep.closeSocket(() => {
        this.emit('close');
        if (cb) cb();
      });
    };
    if (ep.conns.size === 0) finish();
    else ep.once('drained', finish);
    return this;
  }
}

export function createServer(opts?: ServerOptions | ((c: Connection) => void), onConnection?: (c: Connection) => void): Server {
  if (typeof opts === 'function') return new Server({}, opts);
  return new Server(opts ?? {}, onConnection);
}

/** connect(port, host?, opts?) or connect({ port, host, ... }); 'connect' fires when established. */
export function connect(portOrOpts: number | ConnectOptions, host?: string, opts: Omit<ConnectOptions, 'port' | 'host'> = {}): Connection {
  const o: ConnectOptions = typeof portOrOpts === 'number' ? { ...opts, port: portOrOpts, host } : portOrOpts;
  if (!Number.isInteger(o.port) || o.port < 1 || o.port > 65535) throw rudpError('EINVAL', 'connect', `bad port ${o.port}`);
  return openConnection(o);
}
