// Pure-TS twin of assembly/app/quic.ts: the same walk, the same bounds checks, the same
// record bytes (test/app-quic.test.ts fuzzes both on mutated frames). Varints are read as
// doubles: exact to 2^53, and any larger value is past every datagram anyway.
import { WalkingDecoderTwin, cutFlag } from '../twin-memory.js';
import {
  A_COUNT, APP_QUIC, AF_TRUNC, AF_MALFORMED, AF_MORE,
  QV_SHORT, QV_VN, QUIC_FIRST, QUIC_DCIL, QUIC_SCIL, QUIC_TYPE, QUIC_VERSION, QUIC_DCID, QUIC_SCID, QUIC_TOKEN,
  QUIC_TOKEN_LEN, QUIC_LENGTH, QUIC_PN, QUIC_ITEMS, QUIC_ITEM_SIZE, QUIC_ITEM_MAX, QI_OFF, QI_LEN, QI_TYPE, QI_PN,
  QT_INITIAL, QT_RETRY, QT_SHORT, QT_VN, QT_UNKNOWN,
} from '../app-layout.js';

const V1 = 0x00000001;
const V2 = 0x6b3343cf;

export class QuicTwin extends WalkingDecoderTwin {
  private value = 0;

  private varint(f: number, p: number): number {
    const m = this.mem.m;
    if (p >= this.capEnd) { this.short(p); return 0; }
    const b = m[f + p];
    const n = 1 << (b >> 6);
    if (p + n > this.capEnd) { this.flags |= cutFlag(p + n, this.declEnd); return 0; }
    let v = b & 0x3F;
    for (let i = 1; i < n; i++) v = v * 256 + m[f + p + i];
    this.value = v;
    return p + n;
  }

  private item(a: number, n: number, off: number, len: number, type: number, pn: number): void {
    const mem = this.mem;
    const it = a + QUIC_ITEMS + n * QUIC_ITEM_SIZE;
    mem.put16(it + QI_OFF, off);
    mem.put16(it + QI_LEN, len);
    mem.put8(it + QI_TYPE, type);
    mem.put8(it + QI_TYPE + 1, 0);
    mem.put16(it + QI_PN, pn);
  }

  /** quic_decode(f, pay, payLen, capEnd, variant, a) of assembly/app/quic.ts. */
  decode(f: number, pay: number, payLen: number, capEnd: number, variant: number, a: number): void {
    const mem = this.mem;
    const m = mem.m;
    capEnd = this.beginWalk(a, APP_QUIC, pay, payLen, capEnd, QUIC_FIRST, QUIC_ITEMS);
    const declEnd = this.declEnd;
    let p = pay;
    let n = 0;
    while (p < declEnd) {
      if (p >= capEnd) { this.flags |= AF_TRUNC; break; }
      if (n >= QUIC_ITEM_MAX) { this.flags |= AF_MORE; break; }
      const first = m[f + p];
      if (n === 0) mem.put8(a + QUIC_FIRST, first);
      if ((first & 0x80) === 0) {
        if (n === 0) { variant |= QV_SHORT; mem.put8(a + QUIC_TYPE, QT_SHORT); }
        this.item(a, n, p, declEnd - p, QT_SHORT, 0);
        n++;
        p = declEnd;
        break;
      }
      if (p + 6 > capEnd) { this.flags |= cutFlag(p + 6, declEnd); break; }
      const version = mem.be32(f + p + 1);
      const dcil = m[f + p + 5];
      const known = version === V1 || version === V2;
      if (known && dcil > 20) { this.flags |= AF_MALFORMED; break; }
      const dcid = p + 6;
      if (dcid + dcil + 1 > capEnd) { this.flags |= cutFlag(dcid + dcil + 1, declEnd); break; }
      const scil = m[f + dcid + dcil];
      const scid = dcid + dcil + 1;
      if (known && scil > 20) { this.flags |= AF_MALFORMED; break; }
      if (scid + scil > capEnd) { this.flags |= cutFlag(scid + scil, declEnd); break; }
      const bits = (first >> 4) & 3;
      const type = version === 0 ? QT_VN : !known ? QT_UNKNOWN : version === V2 ? (bits + 3) & 3 : bits;
      if (n === 0) {
        mem.put8(a + QUIC_TYPE, type);
        mem.put32(a + QUIC_VERSION, version);
        mem.put8(a + QUIC_DCIL, dcil);
        mem.put8(a + QUIC_SCIL, scil);
        mem.put16(a + QUIC_DCID, dcid);
        mem.put16(a + QUIC_SCID, scid);
        if (version === 0) variant |= QV_VN;
      }
      let q = scid + scil;
      if (type === QT_VN || type === QT_UNKNOWN || type === QT_RETRY) {
        this.item(a, n, p, declEnd - p, type, 0);
        n++;
        p = declEnd;
        break;
      }
      if (type === QT_INITIAL) {
        const t = this.varint(f, q);
        if (t === 0) break;
        if (t + this.value > declEnd) { this.flags |= AF_MALFORMED; break; }
        if (n === 0) { mem.put16(a + QUIC_TOKEN, t); mem.put16(a + QUIC_TOKEN_LEN, this.value); }
        q = t + this.value;
      }
      const l = this.varint(f, q);
      if (l === 0) break;
      const length = this.value;
      if (l + length > declEnd) {
        this.flags |= AF_MALFORMED;
        if (n === 0) { mem.put32(a + QUIC_LENGTH, length > 0xFFFFFFFF ? 0xFFFFFFFF : length); mem.put16(a + QUIC_PN, l); }
        this.item(a, n, p, declEnd - p, type, l);
        n++;
        p = declEnd;
        break;
      }
      const end = l + length;
      if (n === 0) { mem.put32(a + QUIC_LENGTH, length); mem.put16(a + QUIC_PN, l); }
      this.item(a, n, p, end - p, type, l);
      n++;
      p = end;
    }
    mem.put8(a + A_COUNT, n);
    mem.endRecord(a, p > capEnd ? capEnd : p, variant, this.flags);
  }
}
