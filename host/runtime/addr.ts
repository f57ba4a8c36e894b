// Address formatting and parsing, kept off the hot path: descriptors hold numbers and
// offsets; strings are made only when a caller asks for them.

/** Dotted-quad text of an IPv4 address held as a u32 (network order as a number). */
export function ipv4ToString(v: number): string {
  return `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`;
}

/** An IPv4 address as a u32, or null if `s` is not a dotted quad. */
export function parseIPv4(s: string): number | null {
  const parts = s.split('.');
  if (parts.length !== 4) return null;
  let v = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return null;
    const n = Number(p);
    if (n > 255) return null;
    v = v * 256 + n;
  }
  return v >>> 0;
}

/** RFC 5952 text form: lowercase, longest run of two or more zero groups as "::". */
export function ipv6ToString(b: Uint8Array, off: number): string {
  const g: number[] = [];
  for (let i = 0; i < 8; i++) g.push((b[off + 2 * i] << 8) | b[off + 2 * i + 1]);
  // IPv4-mapped addresses print with a dotted quad, as tshark and tcpdump do.
  if (g[0] === 0 && g[1] === 0 && g[2] === 0 && g[3] === 0 && g[4] === 0 && g[5] === 0xffff) {
    return `::ffff:${ipv4ToString(((g[6] << 16) | g[7]) >>> 0)}`;
  }
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8;) {
    if (g[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) { bestStart = i; bestLen = j - i; }
    i = j;
  }
  if (bestStart < 0) return g.map((x) => x.toString(16)).join(':');
  const head = g.slice(0, bestStart).map((x) => x.toString(16)).join(':');
  const tail = g.slice(bestStart + bestLen).map((x) => x.toString(16)).join(':');
  return `${head}::${tail}`;
}

/** The 16 bytes of an IPv6 address (any RFC 4291 text form), or null. */
export function parseIPv6(s: string): Uint8Array | null {
  let text = s;
  const out = new Uint8Array(16);
  // A trailing dotted quad (::ffff:1.2.3.4) fills the last 32 bits.
  const lastColon = text.lastIndexOf(':');
  let tailV4: number | null = null;
  if (text.includes('.')) {
    tailV4 = parseIPv4(text.slice(lastColon + 1));
    if (tailV4 === null) return null;
    text = text.slice(0, lastColon + 1) + '0:0';
  }
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const parse = (part: string): number[] | null => {
    if (part === '') return [];
    const groups = part.split(':');
    const vals: number[] = [];
    for (const x of groups) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(x)) return null;
      vals.push(parseInt(x, 16));
    }
    return vals;
  };
  const head = parse(halves[0]);
  const tail = halves.length === 2 ? parse(halves[1]) : [];
  if (head === null || tail === null) return null;
  if (halves.length === 1 && head.length !== 8) return null;
  if (head.length + tail.length > (halves.length === 2 ? 7 : 8)) return null;
  const groups = [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
  for (let i = 0; i < 8; i++) {
    out[2 * i] = groups[i] >>> 8;
    out[2 * i + 1] = groups[i] & 255;
  }
  if (tailV4 !== null) {
    out[12] = tailV4 >>> 24; out[13] = (tailV4 >>> 16) & 255; out[14] = (tailV4 >>> 8) & 255; out[15] = tailV4 & 255;
  }
  return out;
}

/** "aa:bb:cc:dd:ee:ff" of the 6 bytes at `off`. */
export function macToString(b: Uint8Array, off: number): string {
  let s = '';
  for (let i = 0; i < 6; i++) {
    const x = b[off + i];
    s += (i ? ':' : '') + (x < 16 ? '0' : '') + x.toString(16);
  }
  return s;
}

/** The 6 bytes of a MAC address written as six hex pairs separated by ":", "-" or ".", or null. */
export function parseMac(s: string): Uint8Array | null {
  const parts = s.split(/[:.-]/);
  if (parts.length !== 6 || !parts.every((p) => /^[0-9a-fA-F]{1,2}$/.test(p))) return null;
  return Uint8Array.from(parts.map((p) => parseInt(p, 16)));
}
