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
