// tcpdump's character printers shared by the application printers: fn_print_char
// (util-print.c) prints a byte as text, "M-" for the high bit, "^" and the letter for a
// control character.
export function fnPrintChar(c: number): string {
  let s = '';
  if (c >= 0x80) { c &= 0x7F; s += 'M-'; }
  if (c < 0x20 || c === 0x7F) { c ^= 0x40; s += '^'; }
  return s + String.fromCharCode(c);
}

/** A read past tcpdump's snapend: its GET_ macros longjmp out with " [|proto]". */
export class Snapend extends Error {}

/** A byte reader that stops where tcpdump's snapend is. */
export function reader(u8: Uint8Array, snapend: number): (p: number) => number {
  return (p: number): number => {
    if (p >= snapend) throw new Snapend();
    return u8[p];
  };
}

/** print_unknown_data's hex_print: 16 bytes a line in 2-byte groups, each line under
 *  `indent` with its offset. The caller passes only bytes it may read. */
export function hexPrint(u8: Uint8Array, p: number, len: number, indent: string): string {
  let s = '';
  for (let i = 0; i < len; i++) {
    if (i % 16 === 0) s += `${indent}0x${i.toString(16).padStart(4, '0')}: `;
    if (i % 2 === 0) s += ' ';
    s += u8[p + i].toString(16).padStart(2, '0');
  }
  return s;
}
