// tcpdump's -x / -X hex dumps and -A text (hex_print / hex_and_ascii_print with the "\n\t" prefix):
//   \t0x0000:  4500 003c 1b68 4000 4006 2152 7f00 0001  E..<.h@.@.!R....
// 16 bytes a line in 2-byte groups, each group preceded by a space; with ASCII, the hex
// column is padded to 8 groups and followed by two spaces and the bytes, '.' for anything
// outside 0x21..0x7e (tcpdump's ND_ASCII_ISGRAPH: a space prints as '.' too). Each line starts with
// the indent (a newline and a tab unless a printer asks for more): the caller ends the packet's text.
import type { TextBuffer } from './buffer.js';

const HEX_COLUMN = 40; // 8 groups of " xxxx"

export function writeHexDump(out: TextBuffer, m: Uint8Array, off: number, len: number, ascii: boolean, indent = '\n\t'): void {
  for (let line = 0; line < len; line += 16) {
    const n = len - line < 16 ? len - line : 16;
    out.str(indent).str('0x').hex(line, 4).ch(58).ch(32);
    let col = 0;
    for (let i = 0; i < n; i += 2) {
      out.ch(32).hex2(m[off + line + i]);
      col += 3;
      if (i + 1 < n) { out.hex2(m[off + line + i + 1]); col += 2; }
    }
    if (ascii) {
      for (; col < HEX_COLUMN; col++) out.ch(32);
      out.ch(32).ch(32);
      for (let i = 0; i < n; i++) {
        const c = m[off + line + i];
        out.ch(c > 0x20 && c < 0x7f ? c : 46);
      }
    }
  }
}

/** tcpdump's -A (ascii_print): a newline, then the bytes as text: printable characters,
 *  tab, space and newline as they are, anything else as '.'. A CR before a LF (or among
 *  the last two bytes) is left out, so CRLF text reads as lines; elsewhere it is a '.'. */
export function writeAsciiText(out: TextBuffer, m: Uint8Array, off: number, len: number): void {
  out.ensure(len + 1);
  out.ch(10);
  for (let i = 0; i < len; i++) {
    const c = m[off + i];
    const left = len - i - 1;
    if (c === 13) {
      if (left > 1 && m[off + i + 1] !== 10) out.ch(46);
    } else {
      out.ch((c > 0x20 && c < 0x7f) || c === 9 || c === 32 || c === 10 ? c : 46);
    }
  }
}
