// Typed access to npm raw-socket (CommonJS, untyped), the one wrapper for every user:
// ping, synprobe and the raw capture source. An IPv4 raw socket delivers whole IP
// packets (header included); an IPv6 one delivers the payload after the IPv6 header
// (RFC 3542 §3), with the source as a string.
import { createRequire } from 'node:module';
import { PktError } from '../runtime/errors.js';

export interface RawSocket {
  send(buf: Buffer, offset: number, length: number, address: string, cb: (err: Error | null, bytes: number) => void): void;
  on(ev: 'message', cb: (buf: Buffer, source: string) => void): void;
  on(ev: 'error', cb: (err: Error) => void): void;
  on(ev: 'close', cb: () => void): void;
  setOption(level: number, option: number, value: number): void;
  close(): void;
  pauseRecv(): void;
}

interface RawModule {
  createSocket(opts: { protocol: number; addressFamily: number; bufferSize?: number }): RawSocket;
  AddressFamily: { IPv4: number; IPv6: number };
  SocketLevel: Record<string, number>;
  SocketOption: Record<string, number>;
}

let mod: RawModule | null = null;

/** The raw-socket package; a PktError E_NOT_FOUND when it is not installed or did not build. */
export function rawModule(): RawModule {
  if (mod === null) {
    try {
      mod = createRequire(import.meta.url)('raw-socket') as RawModule;
    } catch {
      throw new PktError('E_NOT_FOUND', 'raw sockets: the raw-socket package is not installed or did not build (npm install)');
    }
  }
  return mod;
}

/** Maps a raw-socket creation failure to a clear PktError: `${what}: why`. */
export function rawSocketError(err: unknown, what: string): PktError {
  const msg = (err as Error).message ?? String(err);
  if (/not permitted|EPERM|EACCES|permission/i.test(msg)) {
    // Issue #21 item 1: never advise the capability on the system node (every local user's
    // scripts could then forge packets); SECURITY.md lists the safe setups.
    return new PktError('E_PERM', `${what}: raw sockets need root or CAP_NET_RAW (${msg}); run as root, or give CAP_NET_RAW to a dedicated node copy executable only by a pcap group or to a systemd unit (AmbientCapabilities), never to the system node (SECURITY.md)`);
  }
  return new PktError('E_IO', `${what}: ${msg}`);
}

/** A raw socket for `protocol` (1 ICMP, 6 TCP, 17 UDP, 58 ICMPv6) of one family; `what`
 *  names it in the error ("ICMP socket"). */
export function openRaw(protocol: number, v6: boolean, what: string): RawSocket {
  const raw = rawModule();
  try {
    return raw.createSocket({ protocol, addressFamily: v6 ? raw.AddressFamily.IPv6 : raw.AddressFamily.IPv4, bufferSize: 65536 });
  } catch (e) {
    throw rawSocketError(e, what);
  }
}
