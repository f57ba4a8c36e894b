// Where records go: "host:port" or "udp://host:port" (UDP, the default, as RFC 7011 §10.3
// allows and every collector accepts), "tcp://host:port" (RFC 7011 §10.4). IPv6 literals
// in brackets: "[::1]:4739".
import { isIP } from 'node:net';
import { PktError } from '../runtime/errors.js';

export type IpfixProtocol = 'udp' | 'tcp';

export interface CollectorAddress {
  protocol: IpfixProtocol;
  host: string;
  port: number;
  /** 4 or 6 when host is a literal, 0 for a name (resolved by the sender). */
  family: 0 | 4 | 6;
}

/** IANA port for IPFIX (RFC 7011 §10.3.4). */
export const IPFIX_PORT = 4739;

export function parseCollector(text: string): CollectorAddress {
  let rest = text.trim();
  let protocol: IpfixProtocol = 'udp';
  const m = /^(udp|tcp):\/\//i.exec(rest);
  if (m !== null) {
    protocol = m[1].toLowerCase() as IpfixProtocol;
    rest = rest.slice(m[0].length);
  }
  let host: string;
  let portText: string;
  const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(rest);
  if (v6 !== null) {
    host = v6[1];
    portText = v6[2] ?? String(IPFIX_PORT);
  } else {
    const colon = rest.lastIndexOf(':');
    if (colon < 0) {
      host = rest;
      portText = String(IPFIX_PORT);
    } else {
      host = rest.slice(0, colon);
      portText = rest.slice(colon + 1);
    }
  }
  const port = Number(portText);
  if (host === '' || host.includes(':') && isIP(host) !== 6 || !/^\d+$/.test(portText) || port < 1 || port > 65535) {
    throw new PktError('E_BAD_ARGUMENT', `ipfix: bad collector "${text}": expected HOST:PORT, [IPV6]:PORT or tcp://HOST:PORT`);
  }
  const fam = isIP(host);
  return { protocol, host, port, family: fam === 4 ? 4 : fam === 6 ? 6 : 0 };
}
