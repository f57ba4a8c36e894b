// LINKTYPE_VSOCK (271, Linux's vsockmon) as tcpdump 4.99's vsock_if_print() prints it: the
// transport's name (VIRTIO, NO_INFO, UNKNOWN), with -v the virtio header's fields, then
// "src_cid.src_port > dst_cid.dst_port OP, length <caplen>"; with -vv a payload's bytes.
// All header fields are little-endian (the monitor's host order).
import type { TextState } from './state.js';

export const LINKTYPE_VSOCK = 271;
const MON_HDR = 32; // struct af_vsockmon_hdr
const VIRTIO_HDR = 44; // struct virtio_vsock_hdr
const TRANSPORTS = ['UNKNOWN', 'NO_INFO', 'VIRTIO'];
const MON_OPS = ['UNKNOWN', 'CONNECT', 'DISCONNECT', 'CONTROL', 'PAYLOAD'];
const VIRTIO_OPS = ['INVALID', 'REQUEST', 'RESPONSE', 'RST', 'SHUTDOWN', 'RW', 'CREDIT UPDATE', 'CREDIT REQUEST'];

const le16 = (m: Uint8Array, p: number): number => m[p] | (m[p + 1] << 8);
const le32 = (m: Uint8Array, p: number): number => (m[p] | (m[p + 1] << 8) | (m[p + 2] << 16) | (m[p + 3] << 24)) >>> 0;
const le64 = (m: Uint8Array, p: number): bigint => BigInt(le32(m, p)) | (BigInt(le32(m, p + 4)) << 32n);

/** vsock_if_print(); returns the link header length (for -x). */
export function writeVsock(st: TextState): number {
  const out = st.out;
  const m = st.m;
  const p = st.f;
  const caplen = st.v.capLen;
  st.proto = 'vsock';
  if (caplen < MON_HDR) { st.trunc(); return caplen; }
  const transport = le16(m, p + 26);
  out.str(TRANSPORTS[transport] ?? `Invalid transport (${transport})`);
  const hdrSize = transport === 2 ? VIRTIO_HDR : 0;
  let cut = false;
  if (st.vflag) {
    if (caplen < MON_HDR + hdrSize) cut = true;
    else {
      if (transport === 2) {
        const h = p + MON_HDR;
        const type = le16(m, h + 28);
        const op = le16(m, h + 30);
        out.str(' (len ').dec(le32(m, h + 24)).str(', type ').str(type === 1 ? 'STREAM' : `Invalid type (${type})`)
          .str(', op ').str(VIRTIO_OPS[op] ?? `Invalid op (${op})`).str(', flags ').hex(le32(m, h + 32))
          .str(', buf_alloc ').dec(le32(m, h + 36)).str(', fwd_cnt ').dec(le32(m, h + 40)).ch(41);
      }
      out.str('\n\t');
    }
  } else out.ch(32);
  const op = le16(m, p + 24);
  out.str(le64(m, p).toString()).ch(46).dec(le32(m, p + 16)).str(' > ').str(le64(m, p + 8).toString()).ch(46).dec(le32(m, p + 20))
    .ch(32).str(MON_OPS[op] ?? ` invalid op (${op})`).str(', length ').dec(caplen);
  if (cut) { st.trunc(); return MON_HDR; }
  const total = MON_HDR + hdrSize;
  if (st.vflag > 1 && op === 4) {
    // print_unknown_data() with the indent "\t" after one newline: a second line of bytes
    // follows the first on the same line, as in tcpdump.
    if (caplen > total) { out.ch(10); st.unknownData(p + total, caplen - total, '\t'); } else st.trunc();
  }
  return MON_HDR;
}
