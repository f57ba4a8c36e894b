// Prefix text: "10.0.0.0/8", "2001:db8::/32" or a plain address, and the lines of a
// prefix file (route files, --prefixes files).
import { parseIPv4, parseIPv6 } from '../runtime/addr.js';

export interface ParsedPrefix4 { addr: number; depth: number }
export interface ParsedPrefix6 { addr: Uint8Array; depth: number }

/** '10.0.0.0/8' or '10.1.2.3' (a /32); null when it is not an IPv4 prefix. */
export function parsePrefix4(s: string): ParsedPrefix4 | null {
  return parsePrefix(s, parseIPv4, 32);
}

/** '2001:db8::/32' or a plain address (a /128); null when it is not an IPv6 prefix. */
export function parsePrefix6(s: string): ParsedPrefix6 | null {
  return parsePrefix(s, parseIPv6, 128);
}

/** 'address/length' or a plain address (a host prefix of `bits`), either family. */
function parsePrefix<A>(s: string, parseAddr: (text: string) => A | null, bits: number): { addr: A; depth: number } | null {
  const slash = s.indexOf('/');
  const addr = parseAddr(slash < 0 ? s : s.slice(0, slash));
  if (addr === null) return null;
  const depth = slash < 0 ? bits : parseLen(s.slice(slash + 1), bits);
  return depth === null ? null : { addr, depth };
}

function parseLen(s: string, max: number): number | null {
  if (!/^\d{1,3}$/.test(s)) return null;
  const n = Number(s);
  return n <= max ? n : null;
}

/** Lines of a prefix file: "prefix rest...", '#' comments and blank lines skipped. */
export function* prefixLines(text: string): IterableIterator<{ prefix: string; rest: string; line: number }> {
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const s = lines[i].replace(/#.*/, '').trim();
    if (s === '') continue;
    const m = /^(\S+)\s*(.*)$/.exec(s);
    if (m !== null) yield { prefix: m[1], rest: m[2], line: i + 1 };
  }
}
