// The packet inside a tunnel (IP-in-IP, protocols 4 and 41; GRE, VXLAN, Geneve through
// withInnerFrame), which tcpdump prints after the outer header. A descriptor covers one
// encapsulation level (assembly/layout.ts, D_TUNNEL...), so the inner bytes are handed to the
// same dissector on a scratch memory and printed from that descriptor like any other; then
// the state returns to the outer packet. Nesting deeper than tunnelDepth() falls back to
// tcpdump's generic form.
import type { TextState } from './state.js';
import { scratchDissector } from './record-dissector.js';
import { writeIp4 } from './ip.js';
import { writeIp6 } from './ip6.js';
import { LINKTYPE_IPV4 } from '../../runtime/layout.js';
import { tunnelDepth } from '../../dissect/tunnel-depth.js';

let depth = 0;

export function writeInnerIp(st: TextState, bp: number, length: number, linktype: number, nh: number): void {
  const done = withInnerFrame(st, bp, length, linktype, () => {
    if (linktype === LINKTYPE_IPV4) writeIp4(st, st.f + st.v.l3Off, length);
    else writeIp6(st, st.f + st.v.l3Off, length);
  });
  if (!done) {
    st.markCut();
    st.out.str(' ip-proto-').dec(nh).ch(32).dec(length);
  }
}

/** Runs `print` with the state pointed at the bytes from `bp` on, dissected as a frame of
 *  `linktype` `length` bytes long (a tunnel's inner packet: GRE, VXLAN, Geneve, IP-in-IP),
 *  then points it back at the outer packet. False, without printing, past tunnelDepth(). */
export function withInnerFrame(st: TextState, bp: number, length: number, linktype: number, print: () => void): boolean {
  if (depth >= tunnelDepth()) return false;
  const scratch = scratchDissector();
  const caplen = st.snapend > bp ? st.snapend - bp : 0;
  const v = st.v;
  const m = st.m;
  const f = st.f;
  const snapend = st.snapend;
  const hdrlen = st.hdrlen;
  const iv = scratch.dissect(st.m.subarray(bp, bp + caplen), linktype, length, depth);
  st.v = iv;
  st.m = scratch.bytes();
  st.f = iv.frame;
  st.snapend = iv.frame + caplen;
  depth++;
  try {
    print();
  } finally {
    depth--;
    st.v = v;
    st.m = m;
    st.f = f;
    st.snapend = snapend;
    st.hdrlen = hdrlen;
  }
  return true;
}
