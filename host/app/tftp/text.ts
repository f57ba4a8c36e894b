// The TFTP part of tcpdump's line (tcpdump 4.99 print-tftp.c, tftp_print): "TFTP, length N,"
// the opcode's name (tftp-#N for another, which ends the line), then RRQ/WRQ "file" mode
// and options, DATA/ACK "block N", ERROR "<code> "message"", OACK options; strings are
// printed up to their NUL with tcpdump's character escapes; a string without its NUL, or
// a field the message lacks, ends with " [|tftp]" (so does a read past the capture).
import { A_PROTO, APP_TFTP } from '../app-layout.js';
import type { AppText } from '../app-text.js';

import { snapendOf, type AppFrameView } from '../frame-view.js';
import { fnPrintChar, reader, Snapend } from '../text-chars.js';

const OPS = ['', 'RRQ', 'WRQ', 'DATA', 'ACK', 'ERROR', 'OACK'];
const ERRS = ['EUNDEF', 'ENOTFOUND', 'EACCESS', 'ENOSPACE', 'EBADOP', 'EBADID', 'EEXISTS', 'ENOUSER'];

export function tftpText(u8: Uint8Array, p: number, length: number, snapend: number): AppText {
  let out = `TFTP, length ${length}`;
  const get = reader(u8, snapend);
  /** nd_printztn: the string up to its NUL; bytes used (NUL included), or 0 when cut. */
  const ztn = (s: number, n: number): number => {
    let bytes = 0;
    for (;;) {
      if (n === 0 || s >= snapend) return 0;
      const c = get(s++);
      bytes++;
      n--;
      if (c === 0) return bytes;
      out += fnPrintChar(c);
    }
  };
  const soft = (): AppText => ({ text: `${out} [|tftp]`, trunc: 'soft' });
  try {
    if (length < 2) return soft();
    const op = (get(p) << 8) | get(p + 1);
    const name = OPS[op] ?? '';
    out += `, ${name === '' ? `tftp-#${op}` : name}`;
    if (name === '') return { text: out, trunc: 'none' };
    p += 2;
    length -= 2;
    const options = (): boolean => {
      while (length !== 0) {
        if (get(p) !== 0) out += ' ';
        const ui = ztn(p, length);
        if (ui === 0) return false;
        p += ui;
        length -= ui;
      }
      return true;
    };
    if (op === 1 || op === 2) {
      if (length === 0) return soft();
      out += ' "';
      let ui = ztn(p, length);
      out += '"';
      if (ui === 0) return soft();
      p += ui;
      length -= ui;
      if (length === 0) return soft();
      out += ' ';
      ui = ztn(p, length);
      if (ui === 0) return soft();
      p += ui;
      length -= ui;
      if (!options()) return soft();
    } else if (op === 6) {
      if (!options()) return soft();
    } else if (op === 3 || op === 4) {
      if (length < 2) return soft();
      out += ` block ${(get(p) << 8) | get(p + 1)}`;
    } else {
      if (length < 2) return soft();
      const code = (get(p) << 8) | get(p + 1);
      out += ` ${ERRS[code] ?? `tftp-err-#${code} "`}`;
      p += 2;
      length -= 2;
      if (length === 0) return soft();
      out += ' "';
      const ui = ztn(p, length);
      out += '"';
      if (ui === 0) return soft();
    }
    return { text: out, trunc: 'none' };
  } catch (e) {
    if (!(e instanceof Snapend)) throw e;
    return { text: `${out} [|tftp]`, trunc: 'jump' };
  }
}

export function tftpTextForFrame(v: AppFrameView, u8: Uint8Array, f: number, rec: number, o: { vflag: number; qflag?: boolean }): AppText | null {
  if (u8[rec + A_PROTO] !== APP_TFTP || o.qflag === true) return null;
  return tftpText(u8, f + v.payloadOff, v.payloadLen, snapendOf(v, f));
}
