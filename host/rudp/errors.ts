// Node-style socket errors (err.code, err.errno, err.syscall, address, port), as net
// raises them, so callers can branch on ECONNREFUSED / ETIMEDOUT / ECONNRESET alike.
import { constants } from 'node:os';

export type RudpErrorCode = 'ECONNREFUSED' | 'ETIMEDOUT' | 'ECONNRESET' | 'EPIPE' | 'ERR_SERVER_NOT_RUNNING'
  | 'ERR_SOCKET_CLOSED' | 'EADDRINUSE' | 'EINVAL';

export interface RudpError extends Error {
  code: RudpErrorCode;
  errno?: number;
  syscall?: string;
  address?: string;
  port?: number;
}

export function rudpError(code: RudpErrorCode, syscall: string, message: string, address?: string, port?: number): RudpError {
  const where = address !== undefined ? ` ${address}:${port}` : '';
  const e = new Error(`${syscall} ${code}${where}${message ? ` (${message})` : ''}`) as RudpError;
  e.code = code;
  const errno = (constants.errno as Record<string, number>)[code];
  if (errno !== undefined) e.errno = -errno;
  e.syscall = syscall;
  if (address !== undefined) {
    e.address = address;
    e.port = port;
  }
  return e;
}
