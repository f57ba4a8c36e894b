// The rows of a --prefixes file as numbers: a full routing table is a million prefixes,
// so IPv4 rows are parsed without a regular expression into growing typed arrays (masked
// address, length), labels share one empty string unless given, and duplicates are found
// by sorting numeric keys instead of a Set of a million strings. IPv6 rows (few) keep
// their parsed bytes. What is accepted is exactly what parsePrefix4/parsePrefix6 accept
// (anything the fast path does not take goes to them) and the lines are prefixLines'.
import { PktError } from '../runtime/errors.js';
import { ipv4ToString } from '../runtime/addr.js';
import { parsePrefix4, parsePrefix6, prefixLines, type ParsedPrefix6 } from './prefix.js';

/** Characters JS's `.` does not match: lines holding them take prefixLines' own path. */
const ODD_LINE = /[\r\u2028\u2029]/;
const SPACE = /\s/;

export class PrefixRows {
  addr4: Uint32Array;
  depth: Uint8Array;
  readonly labels: string[] = [];
  /** IPv6 rows: [row, masked prefix]. */
  readonly v6: [number, ParsedPrefix6][] = [];
  count = 0;

  constructor(expected = 1024) {
    this.addr4 = new Uint32Array(Math.max(16, expected));
    this.depth = new Uint8Array(this.addr4.length);
  }

  /** Parses the lines of a networks file ("prefix [label ...]", '#' comments). */
  static fromText(text: string): PrefixRows {
    const rows = new PrefixRows(1024);
    let line = 0;
    let from = 0;
    while (from <= text.length) {
      let to = text.indexOf('\n', from);
      if (to < 0) to = text.length;
      line++;
      const raw = text.slice(from, to);
      from = to + 1;
      if (ODD_LINE.test(raw)) {
        for (const l of prefixLines(raw)) rows.addLine(l.prefix, l.rest, line);
        continue;
      }
      const hash = raw.indexOf('#');
      const s = (hash < 0 ? raw : raw.slice(0, hash)).trim();
      if (s === '') continue;
      const sp = s.search(SPACE);
      rows.addLine(sp < 0 ? s : s.slice(0, sp), sp < 0 ? '' : s.slice(sp).trimStart(), line);
    }
    return rows;
  }

  private addLine(prefix: string, label: string, line: number): void {
    if (!this.add(prefix, label)) {
      throw new PktError('E_BAD_ARGUMENT', `prefixes file line ${line}: "${prefix}" is not an IPv4 or IPv6 prefix`);
    }
  }

  /** Adds one row; false if `prefix` is no IPv4 or IPv6 prefix. */
  add(prefix: string, label: string): boolean {
    const row = this.count;
    if (row === this.addr4.length) {
      const a = new Uint32Array(row * 2);
      a.set(this.addr4);
      this.addr4 = a;
      const d = new Uint8Array(row * 2);
      d.set(this.depth);
      this.depth = d;
    }
    if (!fastPrefix4(prefix, this.addr4, this.depth, row)) {
      const a4 = parsePrefix4(prefix);
      if (a4 !== null) {
        this.addr4[row] = (a4.addr & (a4.depth === 0 ? 0 : (0xFFFFFFFF << (32 - a4.depth)))) >>> 0;
        this.depth[row] = a4.depth;
      } else {
        const a = parsePrefix6(prefix);
        if (a === null) return false;
        for (let i = 0; i < 16; i++) {
          const bits = a.depth - i * 8;
          a.addr[i] = bits >= 8 ? a.addr[i] : bits <= 0 ? 0 : a.addr[i] & (0xFF << (8 - bits)) & 0xFF;
        }
        this.v6.push([row, a]);
        this.depth[row] = 0;
      }
    }
    this.labels.push(label);
    this.count = row + 1;
    return true;
  }

  /** Throws for the first prefix (in sort order) listed twice; `text(row)` names it. */
  checkDuplicates(text: (row: number) => string): void {
    const v6rows = new Set(this.v6.map(([r]) => r));
    const keys = new Float64Array(this.count - v6rows.size);
    let k = 0;
    for (let i = 0; i < this.count; i++) if (!v6rows.has(i)) keys[k++] = this.addr4[i] * 64 + this.depth[i];
    keys.sort();
    for (let i = 1; i < keys.length; i++) {
      if (keys[i] === keys[i - 1]) {
        const depth = keys[i] % 64;
        throw new PktError('E_BAD_ARGUMENT', `prefix stats: ${ipv4ToString((keys[i] - depth) / 64)}/${depth} is listed twice`);
      }
    }
    const seen = new Set<string>();
    for (const [r] of this.v6) {
      const t = text(r);
      if (seen.has(t)) throw new PktError('E_BAD_ARGUMENT', `prefix stats: ${t} is listed twice`);
      seen.add(t);
    }
  }
}

/** "a.b.c.d" or "a.b.c.d/len" (1-3 digit octets up to 255, length up to 32) into row
 *  `row`, masked; false for anything else (parsePrefix4/6 decide then). */
function fastPrefix4(s: string, addr: Uint32Array, depth: Uint8Array, row: number): boolean {
  let v = 0;
  let i = 0;
  const n = s.length;
  for (let octet = 0; octet < 4; octet++) {
    let x = 0;
    let digits = 0;
    while (i < n) {
      const c = s.charCodeAt(i) - 48;
      if (c < 0 || c > 9) break;
      x = x * 10 + c;
      digits++;
      i++;
    }
    if (digits === 0 || digits > 3 || x > 255) return false;
    v = v * 256 + x;
    if (octet < 3) {
      if (i >= n || s.charCodeAt(i) !== 46) return false;
      i++;
    }
  }
  let d = 32;
  if (i < n) {
    if (s.charCodeAt(i) !== 47) return false;
    i++;
    d = 0;
    let digits = 0;
    while (i < n) {
      const c = s.charCodeAt(i) - 48;
      if (c < 0 || c > 9) return false;
      d = d * 10 + c;
      digits++;
      i++;
    }
    if (digits === 0 || digits > 3 || d > 32) return false;
  }
  addr[row] = (v & (d === 0 ? 0 : (0xFFFFFFFF << (32 - d)))) >>> 0;
  depth[row] = d;
  return true;
}
