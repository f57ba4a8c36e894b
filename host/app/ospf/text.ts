// OSPFv2 as tcpdump 4.99 prints it by default (print-ospf.c, ospf_print), IPv4 protocol 89:
// "OSPFv<version>, <packet type>, length N", where an MD5-authenticated packet's length
// leaves out its 16-byte digest (tcpdump strips the trailer first), and an unknown type
// ends the line with "unknown LS-type N". With -v tcpdump goes on with " [len N]" when the
// OSPF header's length differs, then the router id, area, authentication and the packet
// type's body on lines of their own: only " [len N]" is done, the rest of the line is
// marked generic. A byte past the capture ends the line with ' [|ospf2]'.
import type { TextState } from '../../sinks/text/state.js';

const TYPES = ['', 'Hello', 'Database Description', 'LS-Request', 'LS-Update', 'LS-Ack'];
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
    st.markCut(); // the router id, area, authentication and body lines: not done
  } finally {
    st.snapend = snapend;
  }
}
