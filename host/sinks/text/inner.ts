// The packet inside an IP-in-IP tunnel (IPv4 or IPv6 in IPv4 or IPv6, protocols 4 and 41),
// which tcpdump prints after the outer header. The descriptor covers the outer packet only
// (inner layers are issue #15's), so the inner bytes are handed to the same dissector on a
// scratch memory and printed from that descriptor like any other; then the state returns
// to the outer packet. Nesting deeper than MAX_DEPTH falls back to tcpdump's generic form.
import type { TextState } from './state.js';
import { scratchDissector } from './record-dissector.js';
import { writeIp4 } from './ip.js';
import { writeIp6 } from './ip6.js';
import { LINKTYPE_IPV4 } from '../../runtime/layout.js';

const MAX_DEPTH = 4;
let depth = 0;

export function writeInnerIp(st: TextState, bp: number, length: number, linktype: number, nh: number): void {
  if (depth >= MAX_DEPTH) {
    st.markCut();
    st.out.str(' ip-proto-').dec(nh).ch(32).dec(length);
    return;
  }
  const scratch = scratchDissector();
  const caplen = st.snapend > bp ? st.snapend - bp : 0;
  const v = st.v;
  const m = st.m;
  const f = st.f;
  const snapend = st.snapend;
  const iv = scratch.dissect(st.m.subarray(bp, bp + caplen), linktype, length, depth);
  st.v = iv;
  st.m = scratch.bytes();
  st.f = iv.frame;
  st.snapend = iv.frame + caplen;
  depth++;
  try {
    if (linktype === LINKTYPE_IPV4) writeIp4(st, st.f + iv.l3Off, length);
    else writeIp6(st, st.f + iv.l3Off, length);
  } finally {
    depth--;
    st.v = v;
    st.m = m;
    st.f = f;
    st.snapend = snapend;
  }
}
