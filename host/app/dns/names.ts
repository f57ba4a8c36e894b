// Domain names out of the frame, as Wireshark shows them (dns.qry.name and friends): labels
// joined by dots (a dot inside a label is not escaped, as in Wireshark), no trailing dot,
// the root as "<Root>", the bytes through wiresharkText(). Followed by the decoder's rules
// (pointers strictly backwards, at most 64 of them, labels <= 63, names <= 255 bytes), and
// never past `capEnd`: a name that breaks them reads as far as it held together.

const MAX_JUMPS = 64;
const MAX_NAME = 255;

const utf8 = new TextDecoder('utf-8');
const C_ESCAPES: ReadonlyMap<number, string> = new Map([[7, 'a'], [8, 'b'], [9, 't'], [10, 'n'], [11, 'v'], [12, 'f'], [13, 'r']]);

/**
 * Raw name or string bytes as Wireshark shows them (its format_text): UTF-8, an invalid
 * sequence as U+FFFD, a control character as its C escape (\t, \n ...) or \ooo octal.
 */
export function wiresharkText(bytes: Uint8Array): string {
  let s = '';
  for (const ch of utf8.decode(bytes)) {
    const c = ch.codePointAt(0) ?? 0;
    if (c >= 0x20 && c !== 0x7F) s += ch;
    else s += `\\${C_ESCAPES.get(c) ?? c.toString(8).padStart(3, '0')}`;
  }
  return s;
}

/** Where the name at frame offset `p` ends in place, pointers not followed: for a name whose
 *  RDATA was checked sound, so it stops only at `capEnd`, not at the rules above. */
export function nameEnd(u8: Uint8Array, f: number, p: number, capEnd: number): number {
  let pos = p;
  while (pos < capEnd) {
    const l = u8[f + pos];
    if ((l & 0xC0) === 0xC0) return pos + 2;
    if (l === 0) return pos + 1;
    pos += l + 1;
  }
  return pos;
}

export interface NameRead {
  text: string;
  /** false when the name broke a rule or ran past the capture. */
  ok: boolean;
}

/** The name at frame offset `p` of the message at frame offset `msg`; `f` is the frame's
 *  address in `u8`, `capEnd` the frame offset where the captured message ends. */
export function readName(u8: Uint8Array, f: number, msg: number, p: number, capEnd: number): NameRead {
  const bytes: number[] = [];
  const text = (): string => wiresharkText(Uint8Array.from(bytes));
  let pos = p;
  let limit = p;
  let wire = 1;
  let jumps = 0;
  for (;;) {
    if (pos >= capEnd) return { text: text(), ok: false };
    const l = u8[f + pos];
    const kind = l & 0xC0;
    if (kind === 0xC0) {
      if (pos + 1 >= capEnd) return { text: text(), ok: false };
      const target = msg + (((l & 0x3F) << 8) | u8[f + pos + 1]);
      if (target >= limit || ++jumps > MAX_JUMPS) return { text: text(), ok: false };
      limit = target;
      pos = target;
      continue;
    }
    if (kind !== 0) return { text: text(), ok: false };
    if (l === 0) return { text: bytes.length === 0 ? '<Root>' : text(), ok: true };
    wire += l + 1;
    if (wire > MAX_NAME || pos + 1 + l > capEnd) return { text: text(), ok: false };
    if (bytes.length > 0) bytes.push(0x2E);
    for (let i = 0; i < l; i++) bytes.push(u8[f + pos + 1 + i]);
    pos += l + 1;
  }
}
