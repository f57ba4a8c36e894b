// decode()'s QUIC object: Wireshark's field names as nesting, one entry per packet of the
// datagram (quic.header_form -> quic.packet[i].header_form, quic.dcid -> quic.packet[i].dcid),
// from the app record and the frame. A client's first Initial is decrypted
// (host/app/quic/initial.ts, RFC 9001 §5) and its ClientHello's fields given under
// quic.tls (SNI, ALPN, versions, JA3), as tshark shows tls.* inside QUIC. Allocates.
import {
  A_PROTO, A_FLAGS, A_COUNT, A_OFF, A_CAP, APP_QUIC, AF_MORE,
  QUIC_ITEMS, QUIC_ITEM_SIZE, QI_OFF, QI_LEN, QI_TYPE, QI_PN, QT_INITIAL, QT_SHORT, QT_VN, QT_UNKNOWN, QT_RETRY,
} from '../app-layout.js';
import { le16, recordErrors } from '../record-reader.js';
import type { DecodedTlsHandshake } from '../tls/decode.js';
import { initialClientHello } from './initial.js';

export interface DecodedQuicPacket {
  /** 1 long header, 0 short. */
  header_form: number;
  fixed_bit: number;
  /** Long headers: Initial 0, 0-RTT 1, Handshake 2, Retry 3 as v1 numbers them. */
  long?: { packet_type: number };
  version?: number;
  dcil?: number;
  dcid?: string;
  scil?: number;
  scid?: string;
  token_length?: number;
  /** The Length field (packet number and payload). */
  length?: number;
  /** The packet's size, header included. */
  packet_length: number;
  /** Supported versions (version negotiation). */
  supported_version?: number[];
}

export interface DecodedQuic {
  packet: DecodedQuicPacket[];
  /** The ClientHello of a client's first Initial, decrypted. */
  tls?: { handshake: DecodedTlsHandshake };
  errors?: string[];
}

const be32 = (u8: Uint8Array, p: number): number => ((u8[p] << 24) | (u8[p + 1] << 16) | (u8[p + 2] << 8) | u8[p + 3]) >>> 0;
const hex = (u8: Uint8Array, p: number, n: number): string => Buffer.from(u8.subarray(p, p + n)).toString('hex');

function varintAt(u8: Uint8Array, p: number): [number, number] {
  const n = 1 << (u8[p] >> 6);
  let v = u8[p] & 0x3F;
  for (let i = 1; i < n; i++) v = v * 256 + u8[p + i];
  return [v, p + n];
}

/** pkt.quic for app record `rec` of the frame at `f` (addresses in `u8`), or undefined. */
export function decodeQuic(u8: Uint8Array, f: number, rec: number): DecodedQuic | undefined {
  if (u8[rec + A_PROTO] !== APP_QUIC) return undefined;
  const flags = le16(u8, rec + A_FLAGS);
  const d: DecodedQuic = { packet: [] };
  // Bytes past the capture are never read: the end of what was captured, as an address.
  const capEnd = f + le16(u8, rec + A_OFF) + le16(u8, rec + A_CAP);
  for (let i = 0; i < u8[rec + A_COUNT]; i++) {
    const it = rec + QUIC_ITEMS + i * QUIC_ITEM_SIZE;
    const off = f + le16(u8, it + QI_OFF);
    const len = le16(u8, it + QI_LEN);
    const type = u8[it + QI_TYPE];
    const first = u8[off];
    const p: DecodedQuicPacket = { header_form: first >> 7, fixed_bit: (first >> 6) & 1, packet_length: len };
    if (type !== QT_SHORT) {
      // The long header's invariant part (RFC 8999 §5.1), whose bytes the decoder walked.
      const version = be32(u8, off + 1);
      const dcil = u8[off + 5];
      const scil = u8[off + 6 + dcil];
      p.version = version;
      p.dcil = dcil;
      if (dcil > 0) p.dcid = hex(u8, off + 6, dcil);
      p.scil = scil;
      if (scil > 0) p.scid = hex(u8, off + 7 + dcil, scil);
      if (type !== QT_VN && type !== QT_UNKNOWN) p.long = { packet_type: type };
      if (type === QT_VN) {
        const list: number[] = [];
        for (let q = off + 7 + dcil + scil; q + 4 <= Math.min(off + len, capEnd); q += 4) list.push(be32(u8, q));
        p.supported_version = list;
      }
      const pn = le16(u8, it + QI_PN);
      if (pn !== 0 && type !== QT_RETRY) {
        let q = off + 7 + dcil + scil;
        if (type === QT_INITIAL) {
          const [tl, after] = varintAt(u8, q);
          p.token_length = tl;
          q = after + tl;
        }
        p.length = varintAt(u8, q)[0];
        if (type === QT_INITIAL && i === 0 && d.tls === undefined && off + len <= capEnd) {
          const hello = initialClientHello(version, u8.subarray(off + 6, off + 6 + dcil), u8.subarray(off, off + len), f + pn - off);
          if (hello !== null) d.tls = { handshake: hello };
        }
      }
    }
    d.packet.push(p);
  }
  const errors = recordErrors(flags, (flags & AF_MORE) !== 0 && 'more_packets');
  if (errors !== undefined) d.errors = errors;
  return d;
}
