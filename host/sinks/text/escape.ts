// tcpdump's fn_print_char(): a byte as printable ASCII, "M-" for the high bit and "^X" for
// control characters (DEL as "^?"). Used where tcpdump prints payload text (RST data,
// spanning-tree configuration names, DTP domains).
import type { TextBuffer } from './buffer.js';

export function writeCharEscaped(out: TextBuffer, c0: number): void {
  let c = c0;
  if (c & 0x80) { out.str('M-'); c &= 0x7F; }
  if (c < 0x20 || c === 0x7F) { out.ch(94); c ^= 0x40; }
  out.ch(c);
}
