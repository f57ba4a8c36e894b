// NTP with -v as tcpdump 4.99 prints it (print-ntp.c: ntp_print, ntp_time_print,
// ntp_control_print, p_sfix, p_poll, p_ntp_delta; ntp.c: p_ntp_time): after "NTPv<v>,
// <mode>, length N" the leap indicator on a line of its own, then for the time modes the
// stratum, poll and precision, root delay and dispersion, the reference id as the stratum
// says, the four timestamps (with their UTC date) and the two differences, and what follows
// the 48-byte header (a key id and digest of 4, 20 or 24 bytes, else a count); for a
// control message its header. A read past the capture ends the text with " [|ntp]".
import type { AppText } from '../app-text.js';

const MODES = ['unspecified', 'symmetric active', 'symmetric passive', 'Client', 'Server', 'Broadcast', 'Control Message', 'Reserved'];
const LEAP: Record<number, string> = { 0x00: '', 0x40: '+1s', 0x80: '-1s', 0xc0: 'clock unsynchronized' };
const HEADER = 48;
const JAN_1970 = 2208988800;

/** Thrown by a read past the capture: tcpdump's longjmp (a GET_ macro). */
class Cut extends Error {}
/** Thrown by ntp_time_print's own checks (ND_TCHECK_SIZE, "goto trunc"): the marker, and
 *  the printer returns normally. */
class SoftCut extends Error {}

const pad = (n: number, w: number): string => String(n).padStart(w, '0');

/** p_ntp_time(): seconds.nanoseconds, then the UTC date when the seconds are not 0. */
function ntpTime(i: number, uf: number): string {
  let s = `${i}.${pad(Math.floor((uf / 4294967296) * 1e9), 9)}`;
  if (i !== 0) {
    const d = new Date((i - JAN_1970) * 1000);
    s += ` (${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)}T${pad(d.getUTCHours(), 2)}:${pad(d.getUTCMinutes(), 2)}:${pad(d.getUTCSeconds(), 2)}Z)`;
  }
  return s;
}

/** fn_print_char(): how tcpdump escapes a byte it prints as text. */
function printChar(c: number): string {
  let s = '';
  if (c >= 0x80) { s = 'M-'; c &= 0x7f; }
  if (c < 0x20 || c === 0x7f) return `${s}^${String.fromCharCode(c ^ 0x40)}`;
  return s + String.fromCharCode(c);
}

export function ntpVerboseText(u8: Uint8Array, p: number, length: number, snapend: number): AppText {
  let out = '';
  const need = (q: number, n: number): void => { if (q + n > snapend) throw new Cut(); };
  const g8 = (q: number): number => { need(q, 1); return u8[q]; };
  const s8 = (q: number): number => (g8(q) << 24) >> 24;
  const g16 = (q: number): number => { need(q, 2); return (u8[q] << 8) | u8[q + 1]; };
  const g32 = (q: number): number => { need(q, 4); return ((u8[q] << 24) | (u8[q + 1] << 16) | (u8[q + 2] << 8) | u8[q + 3]) >>> 0; };
  const ipv4 = (q: number): string => { need(q, 4); return `${u8[q]}.${u8[q + 1]}.${u8[q + 2]}.${u8[q + 3]}`; };
  const sfix = (q: number): string => `${g16(q)}.${pad(Math.trunc((g16(q + 2) / 65536) * 1000000), 6)}`;
  const time = (q: number): string => { const i = g32(q); return ntpTime(i, g32(q + 4)); };
  try {
    const status = g8(p);
    const mode = status & 7;
    out += `NTPv${(status >>> 3) & 7}, ${MODES[mode]}, length ${length}\n`;
    const leap = status & 0xc0;
    out += `\tLeap indicator: ${LEAP[leap]} (${leap})`;
    if (mode <= 5) {
      if (length < HEADER) {
        out += ' (invalid)';
        need(p, length);
        return { text: out, trunc: 'none' };
      }
      const stratum = g8(p + 1);
      out += `, Stratum ${stratum} (${stratum === 0 ? 'unspecified' : stratum === 1 ? 'primary reference' : stratum <= 15 ? 'secondary reference' : 'reserved'})`;
      const poll = s8(p + 2);
      out += `, poll ${poll}`;
      if (poll > -32 && poll < 32) out += poll >= 0 ? ` (${2 ** poll}s)` : ` (1/${2 ** -poll}s)`;
      out += `, precision ${s8(p + 3)}`;
      const check = (q: number, n: number): void => { if (q + n > snapend) throw new SoftCut(); };
      check(p + 4, 4);
      out += '\n\tRoot Delay: ';
      out += sfix(p + 4);
      check(p + 8, 4);
      out += ', Root dispersion: ';
      out += sfix(p + 8);
      check(p + 12, 4);
      out += ', Reference-ID: ';
      if (stratum === 0) { out += '(unspec)'; need(p + 12, 4); } else if (stratum === 1) {
        for (let i = 0; i < 4; i++) out += printChar(g8(p + 12 + i));
      } else if (stratum === 62 || stratum === 63) {
        out += `${ipv4(p + 12)} ${stratum === 62 ? 'INFO_QUERY' : 'INFO_REPLY'}`;
        return { text: out, trunc: 'none' };
      } else out += `0x${g32(p + 12).toString(16).padStart(8, '0')}`;
      // Each timestamp is checked before its label is printed; the differences read only
      // what was checked.
      const labels: Array<[string, number, number]> = [['\n\t  Reference Timestamp:  ', 16, 0], ['\n\t  Originator Timestamp: ', 24, 0],
        ['\n\t  Receive Timestamp:    ', 32, 0], ['\n\t  Transmit Timestamp:   ', 40, 0],
        ['\n\t    Originator - Receive Timestamp:  ', 24, 32], ['\n\t    Originator - Transmit Timestamp: ', 24, 40]];
      for (const [label, a, b] of labels) {
        if (b === 0) check(p + a, 8);
        out += label;
        out += b === 0 ? time(p + a) : delta(g32, p + a, p + b);
      }
      const hex8 = (q: number): string => g32(q).toString(16).padStart(8, '0');
      if (length === HEADER + 4) out += `\n\tKey id: ${g32(p + 48)}`;
      else if (length === HEADER + 20 || length === HEADER + 24) {
        out += `\n\tKey id: ${g32(p + 48)}`;
        // One printf: every word is read before anything of the line is printed.
        const words = length === HEADER + 20 ? 4 : 5;
        let a = '';
        for (let i = 0; i < words; i++) a += hex8(p + 52 + i * 4);
        out += `\n\tAuthentication: ${a}`;
      } else if (length > HEADER) out += `\n\t(${length - HEADER} more bytes after the header)`;
    } else if (mode === 6) {
      if (length < 12) {
        out += ' (invalid)';
        need(p, length);
        return { text: out, trunc: 'none' };
      }
      const c = g8(p + 1);
      out += `, ${c & 0x80 ? 'Response' : 'Request'}, ${c & 0x40 ? 'Error' : 'OK'}, ${c & 0x20 ? 'More' : 'Last'}, OpCode=${c & 0x1f}\n`;
      out += `\tSequence=${g16(p + 2)}`;
      const st = g16(p + 4);
      out += `, Status=${st === 0 ? '0' : `0x${st.toString(16)}`}`;
      out += `, Assoc.=${g16(p + 6)}`;
      out += `, Offset=${g16(p + 8)}`;
      const count = g16(p + 10);
      out += `, Count=${count}`;
      if (12 + count > length) {
        out += ' (invalid)';
        need(p, length);
      } else if (count !== 0) {
        need(p + 12, count);
        out += '\n\tTO-BE-DONE: data not interpreted';
      }
    }
    return { text: out, trunc: 'none' };
  } catch (e) {
    if (e instanceof SoftCut) return { text: `${out} [|ntp]`, trunc: 'soft' };
    if (!(e instanceof Cut)) throw e;
    return { text: `${out} [|ntp]`, trunc: 'jump' };
  }
}

/** p_ntp_delta(): the signed difference of the timestamps at `lp` and `olp`, or the one at
 *  `lp` when the one at `olp` is 0. */
function delta(g32: (q: number) => number, olp: number, lp: number): string {
  const u = g32(lp);
  const ou = g32(olp);
  const uf = g32(lp + 4);
  const ouf = g32(olp + 4);
  if (ou === 0 && ouf === 0) return ntpTime(u, uf);
  let sign: boolean;
  let i: number;
  let f: number;
  if (u > ou) {
    sign = false; i = u - ou; f = (uf - ouf) >>> 0;
    if (ouf > uf) i -= 1;
  } else if (u < ou) {
    sign = true; i = ou - u; f = (ouf - uf) >>> 0;
    if (uf > ouf) i -= 1;
  } else {
    i = 0;
    if (uf > ouf) { sign = false; f = uf - ouf; } else { sign = true; f = ouf - uf; }
  }
  return `${sign ? '-' : '+'}${i}.${pad(Math.floor((f / 4294967296) * 1e9), 9)}`;
}
