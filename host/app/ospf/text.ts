// OSPFv2 as tcpdump 4.99 prints it (print-ospf.c, ospf_print), IPv4 protocol 89:
// "OSPFv<version>, <packet type>, length N", where an MD5-authenticated packet's length
// leaves out its 16-byte digest (tcpdump strips the trailer first, and its bytes are out of
// reach of every later read), and an unknown type ends the line with "unknown LS-type N".
// With -v: " [len N]" when the OSPF header's length differs, then on lines of their own the
// router id and area, the authentication, and the packet type's body (text-v2.ts). A
// byte past the capture ends the text with ' [|ospf2]'.
import type { TextState } from '../../sinks/text/state.js';
import { writeOspfV2Body, ospfLls } from './text-v2.js';

const TYPES = ['', 'Hello', 'Database Description', 'LS-Request', 'LS-Update', 'LS-Ack'];
const AUTH_TYPES = ['none', 'simple', 'MD5'];
const OSPF_AUTH_MD5 = 2;
const OSPF_AUTH_MD5_LEN = 16;

/** ospf_print() for the OSPF packet at `bp`, `length` bytes per the IP header. */
export function writeOspf(st: TextState, bp: number, length: number): void {
  const out = st.out;
  st.proto = 'ospf2';
  const snapend = st.snapend;
  try {
    const auth = st.g16(bp + 14);
    if (st.dead) return;
    if (auth === OSPF_AUTH_MD5) {
      length = (length - OSPF_AUTH_MD5_LEN) >>> 0; // an unsigned subtraction in tcpdump
      st.snapend -= OSPF_AUTH_MD5_LEN;
    }
    const type = st.g8(bp + 1);
    const version = st.g8(bp);
    if (st.dead) return;
    const known = type >= 1 && type <= 5;
    out.str('OSPFv').dec(version).str(', ').str(known ? TYPES[type] : `unknown LS-type ${type}`).str(', length ').dec(length);
    if (!known || st.vflag === 0) return;
    const ospfLen = st.g16(bp + 2);
    if (st.dead) return;
    if (length !== ospfLen) out.str(' [len ').dec(ospfLen).ch(93);
    const dataend = bp + (length > ospfLen ? ospfLen : length);
    const router = st.g32(bp + 4);
    if (st.dead) return;
    out.str('\n\tRouter-ID ').ipv4(router);
    const area = st.g32(bp + 8);
    if (st.dead) return;
    if (area !== 0) out.str(', Area ').ipv4(area); else out.str(', Backbone Area');
    if (!st.get(bp + 16, 8)) return; // ND_TCHECK_LEN of the authentication data
    out.str(', Authentication Type: ').str(AUTH_TYPES[auth] ?? 'unknown').str(' (').dec(auth).ch(41);
    if (auth === 1) {
      out.str('\n\tSimple text password: ');
      printjnp(st, bp + 16, 8);
    } else if (auth === OSPF_AUTH_MD5) {
      out.str('\n\tKey-ID: ').dec(st.m[bp + 18]).str(', Auth-Length: ').dec(st.m[bp + 19]).str(', Crypto Sequence Number: 0x')
        .hex(((st.m[bp + 20] << 24) | (st.m[bp + 21] << 16) | (st.m[bp + 22] << 8) | st.m[bp + 23]) >>> 0, 8);
    } else if (auth !== 0) return;
    if (version !== 2) { out.str(' ospf [version ').dec(version).ch(93); return; }
    writeOspfV2Body(st, bp, type, dataend);
    if (!st.dead && st.cut < 0 && length > ospfLen) ospfLls(st, bp, type, length);
  } finally {
    st.snapend = snapend;
  }
}

/** nd_printjnp(): up to n bytes, stopping at a NUL, unprintable ones as tcpdump escapes them. */
function printjnp(st: TextState, p: number, n: number): void {
  for (let i = 0; i < n; i++) {
    const c = st.g8(p + i);
    if (st.dead || c === 0) return;
    if (c >= 0x80) { st.out.str('M-'); printAscii(st, c & 0x7f); } else printAscii(st, c);
  }
}

function printAscii(st: TextState, c: number): void {
  if (c < 0x20 || c === 0x7f) st.out.ch(94).ch(c ^ 0x40); else st.out.ch(c);
}
