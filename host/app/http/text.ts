// The HTTP part of tcpdump's line (tcpdump 4.99: print-http.c's http_print, which is
// util-print.c's txtproto_print with HTTP's request names): on TCP port 80 or 8080 every
// segment with a payload prints "HTTP"; when its first token is one of tcpdump's request
// names (case-insensitive) or its second token is a 3-digit code, ": " and the first line
// follow (with -v: ", length: N" and every printable line on its own "\n\t" line). A line
// is printed only once its end (LF or CR LF) is seen; a CR before anything but LF, or a
// byte that is not printable ASCII or a tab, stops the printing silently; a line without
// an end in the payload is printed and followed by " [|http]"; a read past the captured
// bytes (or the IP packet's end, tcpdump's snapend) ends the packet with " [|http]".
import { A_PROTO, APP_HTTP } from '../app-layout.js';
import type { AppText } from '../app-text.js';
import { snapendOf, type AppFrameView } from '../frame-view.js';
import { E_TRUNC_L4 } from '../../runtime/layout.js';

/** tcpdump's httpcmds[] (print-http.c), WebDAV included. */
const HTTP_CMDS = new Set([
  'GET', 'PUT', 'COPY', 'HEAD', 'LOCK', 'MOVE', 'POLL', 'POST', 'BCOPY', 'BMOVE', 'MKCOL', 'TRACE', 'LABEL', 'MERGE',
  'DELETE', 'SEARCH', 'UNLOCK', 'REPORT', 'UPDATE', 'NOTIFY', 'BDELETE', 'CONNECT', 'OPTIONS', 'CHECKIN', 'PROPFIND',
  'CHECKOUT', 'CCM_POST', 'SUBSCRIBE', 'PROPPATCH', 'BPROPFIND', 'BPROPPATCH', 'UNCHECKOUT', 'MKACTIVITY', 'MKWORKSPACE',
  'UNSUBSCRIBE', 'RPC_CONNECT', 'VERSION-CONTROL', 'BASELINE-CONTROL',
]);

/** tcpdump's HTTP ports (print-tcp.c). */
export const TCPDUMP_HTTP_PORTS = [80, 8080];

const MAX_TOKEN = 128;
const TCP_RST = 0x04;

export interface HttpFrameView extends AppFrameView {
  readonly tcpFlags: number;
  readonly srcPort: number;
  readonly dstPort: number;
}

const printable = (c: number): boolean => c >= 0x20 && c <= 0x7E;

/** The packet ended in the middle of a read (tcpdump's longjmp to " [|http]"). */
class Truncated extends Error {}

/** txtproto_print over the payload at `p` (`len` bytes per the headers), reading no byte
 *  at or past `snapend`. */
export function txtprotoText(u8: Uint8Array, p: number, len: number, snapend: number, vflag: number, proto: string, cmds: Set<string>): AppText {
  const get = (i: number): number => {
    if (p + i >= snapend) throw new Truncated();
    return u8[p + i];
  };
  /** fetch_token: [index after the token and the blanks after it, token], or [0, ''] */
  const fetchToken = (idx: number): [number, string] => {
    let tok = '';
    for (; idx < len; idx++) {
      if (p + idx >= snapend) return [0, ''];
      const c = u8[p + idx];
      if (c >= 0x80) return [0, ''];
      if (c === 0x20 || c === 0x09 || c === 0x0D || c === 0x0A) break;
      if (!printable(c)) return [0, ''];
      if (tok.length + 2 > MAX_TOKEN + 1) return [0, ''];
      tok += String.fromCharCode(c);
    }
    if (tok === '') return [0, ''];
    for (; idx < len; idx++) {
      if (p + idx >= snapend) break;
      const c = u8[p + idx];
      if (c === 0x0D || c === 0x0A) break;
      if (!printable(c)) break;
      if (c !== 0x20 && c !== 0x09) break;
    }
    return [idx, tok];
  };
  let out = proto.toUpperCase();
  let printThis = false;
  let [idx, tok] = fetchToken(0);
  if (idx !== 0) {
    if (cmds.has(tok.toUpperCase())) printThis = true;
    [idx, tok] = fetchToken(idx);
    if (idx !== 0 && /^[0-9]{3}$/.test(tok)) printThis = true;
  }
  if (!printThis) return { text: out, trunc: 'none' };
  let trunc: AppText['trunc'] = 'none';
  /** print_txt_line: appends the line; the index after its end, or 0. */
  const line = (prefix: string, start: number): number => {
    let i = start;
    while (i < len) {
      const c = get(i);
      if (c === 0x0A) { out += prefix + latin1(u8, p + start, i - start); return i + 1; }
      if (c === 0x0D) {
        if (i + 1 >= len) return 0;
        if (get(i + 1) === 0x0A) { out += prefix + latin1(u8, p + start, i - start); return i + 2; }
        return 0;
      }
      if (!printable(c) && c !== 0x09) return 0;
      i++;
    }
    out += prefix + latin1(u8, p + start, i - start) + ` [|${proto}]`;
    trunc = 'soft';
    return 0;
  };
  try {
    if (vflag > 0) {
      out += `, length: ${len}`;
      for (let i = 0; i < len;) {
        const e = line('\n\t', i);
        if (e === 0) break;
        i = e;
      }
    } else {
      line(': ', 0);
    }
  } catch (e) {
    if (!(e instanceof Truncated)) throw e;
    out += ` [|${proto}]`;
    trunc = 'jump';
  }
  return { text: out, trunc };
}

function latin1(u8: Uint8Array, p: number, n: number): string {
  return Buffer.from(u8.subarray(p, p + n)).toString('latin1');
}

/**
 * The HTTP part of tcpdump's line (from the ": " after ", length N") for a frame whose app
 * record `rec` says HTTP, or null
 * where tcpdump prints none: not on its HTTP ports, -q, a RST with -v (tcp_print gives a
 * RST's payload to print_tcp_rst_data then; without -v it goes to the port's printer, as
 * any segment's: tcp_rst_data.pcap's "length 58: HTTP"), a TCP header cut short. `f` is the frame's address in `u8`.
 */
export function httpTextForFrame(v: HttpFrameView, u8: Uint8Array, f: number, rec: number, o: { vflag: number; qflag?: boolean }): AppText | null {
  if (u8[rec + A_PROTO] !== APP_HTTP || o.qflag === true) return null;
  if (!TCPDUMP_HTTP_PORTS.includes(v.srcPort) && !TCPDUMP_HTTP_PORTS.includes(v.dstPort)) return null;
  if ((v.errors & E_TRUNC_L4) !== 0 || ((v.tcpFlags & TCP_RST) !== 0 && o.vflag > 0) || v.payloadLen === 0) return null;
  const snapend = snapendOf(v, f);
  const t = txtprotoText(u8, f + v.payloadOff, v.payloadLen, snapend, o.vflag, 'http', HTTP_CMDS);
  return { text: `: ${t.text}`, trunc: t.trunc }; // tcp_print's ": " before the port's printer
}
