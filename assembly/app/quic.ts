// QUIC (RFC 9000 §17, QUIC v2 RFC 9369, invariants RFC 8999) into the app record
// (app-layout.ts): the long-header packets coalesced in a UDP datagram (§12.2) as items,
// each with its type, version, connection ids, Initial token, Length and the offset of its
// protected packet number; a short-header packet, a version negotiation or a long header
// of an unknown version ends the walk as the datagram's last item (their sizes are not in
// their headers). A connection id over 20 bytes in v1/v2, a varint or Length past the
// datagram is AF_MALFORMED; past the captured bytes, AF_TRUNC. Nothing is decrypted here.
// host/app/quic/twin.ts is the same code in TypeScript.
import {
  A_COUNT, APP_QUIC, AF_TRUNC, AF_MALFORMED, AF_MORE,
  QV_SHORT, QV_VN, QUIC_FIRST, QUIC_DCIL, QUIC_SCIL, QUIC_TYPE, QUIC_VERSION, QUIC_DCID, QUIC_SCID, QUIC_TOKEN,
  QUIC_TOKEN_LEN, QUIC_LENGTH, QUIC_PN, QUIC_ITEMS, QUIC_ITEM_SIZE, QUIC_ITEM_MAX, QI_OFF, QI_LEN, QI_TYPE, QI_PN,
  QT_INITIAL, QT_RETRY, QT_SHORT, QT_VN, QT_UNKNOWN,
} from "./app-layout";
import { u8at, be32, beginWalk, endRecord, cutFlag, gFlags, gCapEnd, gDeclEnd, short } from "./record";

const V1: u32 = 0x00000001;
const V2: u32 = 0x6b3343cf;

let gVarint: u64 = 0;

/** Reads the varint at `p` into gVarint; the offset after it, or 0 (flags say why). */
function varint(f: usize, p: u32): u32 {
  if (p >= gCapEnd) { short(p); return 0; }
  let b = u8at(f + p);
  let n: u32 = 1 << (b >> 6);
  if (p + n > gCapEnd) { gFlags |= cutFlag(p + n, gDeclEnd); return 0; }
  let v: u64 = <u64>(b & 0x3F);
  for (let i: u32 = 1; i < n; i++) v = (v << 8) | <u64>u8at(f + p + i);
  gVarint = v;
  return p + n;
}

@inline function item(a: usize, n: u32, off: u32, len: u32, type: u32, pn: u32): void {
  let it = a + QUIC_ITEMS + n * QUIC_ITEM_SIZE;
  store<u16>(it + QI_OFF, <u16>off);
  store<u16>(it + QI_LEN, <u16>len);
  store<u8>(it + QI_TYPE, <u8>type);
  store<u8>(it + QI_TYPE + 1, 0);
  store<u16>(it + QI_PN, <u16>pn);
}

/**
 * Decodes the QUIC packets of the UDP payload at frame offset `pay` (`payLen` bytes per
 * the headers, captured up to frame offset `capEnd`) into the app record at `a`.
 */
export function quic_decode(f: usize, pay: u32, payLen: u32, capEnd: u32, variant: u32, a: usize): void {
  capEnd = beginWalk(a, APP_QUIC, pay, payLen, capEnd, QUIC_FIRST, QUIC_ITEMS);
  let declEnd = gDeclEnd;
  let p = pay;
  let n: u32 = 0;
  while (p < declEnd) {
    if (p >= capEnd) { gFlags |= AF_TRUNC; break; }
    if (n >= <u32>QUIC_ITEM_MAX) { gFlags |= AF_MORE; break; }
    let first = u8at(f + p);
    if (n == 0) store<u8>(a + QUIC_FIRST, <u8>first);
    if ((first & 0x80) == 0) {
      // A short header runs to the end of the datagram (§12.2: it comes last).
      if (n == 0) { variant |= QV_SHORT; store<u8>(a + QUIC_TYPE, <u8>QT_SHORT); }
      item(a, n, p, declEnd - p, QT_SHORT, 0);
      n++;
      p = declEnd;
      break;
    }
    if (p + 6 > capEnd) { gFlags |= cutFlag(p + 6, declEnd); break; }
    let version = be32(f + p + 1);
    let dcil = u8at(f + p + 5);
    let known = version == V1 || version == V2;
    if (known && dcil > 20) { gFlags |= AF_MALFORMED; break; }
    let dcid = p + 6;
    if (dcid + dcil + 1 > capEnd) { gFlags |= cutFlag(dcid + dcil + 1, declEnd); break; }
    let scil = u8at(f + dcid + dcil);
    let scid = dcid + dcil + 1;
    if (known && scil > 20) { gFlags |= AF_MALFORMED; break; }
    if (scid + scil > capEnd) { gFlags |= cutFlag(scid + scil, declEnd); break; }
    let bits = (first >> 4) & 3;
    // QUIC v2 numbers the long types differently (RFC 9369 §3.2): Initial 1, 0-RTT 2, Handshake 3, Retry 0.
    let type: u32 = version == 0 ? <u32>QT_VN : !known ? <u32>QT_UNKNOWN : version == V2 ? (bits + 3) & 3 : bits;
    if (n == 0) {
      store<u8>(a + QUIC_TYPE, <u8>type);
      store<u32>(a + QUIC_VERSION, version);
      store<u8>(a + QUIC_DCIL, <u8>dcil);
      store<u8>(a + QUIC_SCIL, <u8>scil);
      store<u16>(a + QUIC_DCID, <u16>dcid);
      store<u16>(a + QUIC_SCID, <u16>scid);
      if (version == 0) variant |= QV_VN;
    }
    let q = scid + scil;
    if (type == <u32>QT_VN || type == <u32>QT_UNKNOWN || type == <u32>QT_RETRY) {
      // Their size is the rest of the datagram (a Retry's token and integrity tag, a
      // version negotiation's version list, another version's unknown layout).
      item(a, n, p, declEnd - p, type, 0);
      n++;
      p = declEnd;
      break;
    }
    if (type == <u32>QT_INITIAL) {
      let t = varint(f, q);
      if (t == 0) break;
      if (<u64>t + gVarint > <u64>declEnd) { gFlags |= AF_MALFORMED; break; }
      if (n == 0) { store<u16>(a + QUIC_TOKEN, <u16>t); store<u16>(a + QUIC_TOKEN_LEN, <u16>gVarint); }
      q = t + <u32>gVarint;
    }
    let l = varint(f, q);
    if (l == 0) break;
    let length = gVarint;
    if (<u64>l + length > <u64>declEnd) {
      // A Length past the datagram: the packet is listed as far as the datagram goes.
      gFlags |= AF_MALFORMED;
      if (n == 0) { store<u32>(a + QUIC_LENGTH, length > 0xFFFFFFFF ? 0xFFFFFFFF : <u32>length); store<u16>(a + QUIC_PN, <u16>l); }
      item(a, n, p, declEnd - p, type, l);
      n++;
      p = declEnd;
      break;
    }
    let end = l + <u32>length;
    if (n == 0) { store<u32>(a + QUIC_LENGTH, <u32>length); store<u16>(a + QUIC_PN, <u16>l); }
    item(a, n, p, end - p, type, l);
    n++;
    p = end;
  }
  store<u8>(a + A_COUNT, <u8>n);
  endRecord(a, p > capEnd ? capEnd : p, variant, gFlags);
}
