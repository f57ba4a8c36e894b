// decode()'s IGMP object: Wireshark's field names (igmp.type -> type, igmp.mtrace.q_id ->
// mtrace.q_id) and what tshark 4.0 shows of each message: the fields whose bytes are in the
// message, in order, up to the first that is not (Wireshark stops there). Types Wireshark
// hands to other protocols (DVMRP 0x13, PIMv1 0x14, IGAP 0x40-0x42) and a query too short
// to tell its version give no object. A v3 report's group records are nested (records[]).
// max_resp is the v2 byte, or v3's code decoded (RFC 3376 §4.1.1), in tenths of a second.
import { ipv4ToString } from '../../runtime/addr.js';
import {
  A_PROTO, A_FLAGS, A_COUNT, A_CAP, A_NEXT, A_OFF, APP_IGMP, IGMP_TYPE, IGMP_VERSION, IGMP_CODE, IGMP_CHECKSUM,
  IGMP_NUM, IGMP_GROUP, IGMP_WORD8, IGMP_ITEMS, IGMP_ITEM_SIZE, IGV_NONE,
} from '../app-layout.js';
import { le16, le32, be16, be32, recordErrors } from '../record-reader.js';

export interface IgmpGroupRecord { record_type: number; aux_data_len: number; num_src: number; maddr: string; saddr: string[] }
export interface IgmpMtrace { max_hops?: number; saddr?: string; raddr?: string; rspaddr?: string; resp_ttl?: number; q_id?: number }

export interface DecodedIgmp {
  type: number;
  /** As Wireshark tells it (absent for mtrace and unknown types). */
  version?: number;
  max_resp?: number;
  checksum?: number;
  maddr?: string;
  /** v0 (RFC 988). */
  identifier?: number;
  group_type?: number;
  reply?: number;
  reply_pending?: number;
  /** v3 query. */
  s?: number;
  qrv?: number;
  qqic?: number;
  num_src?: number;
  saddr?: string[];
  /** v3 report. */
  num_grp_recs?: number;
  records?: IgmpGroupRecord[];
  mtrace?: IgmpMtrace;
  errors?: string[];
}

/** Wireshark's other protocols on IGMP types. */
const ELSEWHERE = new Set([0x13, 0x14, 0x40, 0x41, 0x42]);

/** RFC 3376 §4.1.1: a max response code of 128 or more is a floating-point value. */
export function igmpV3MaxResp(code: number): number {
  return code < 128 ? code : ((code & 0x0f) | 0x10) << (((code & 0x70) >> 4) + 3);
}

/** pkt.igmp for app record `rec` of the frame at `f` (addresses in `u8`), or undefined. */
export function decodeIgmp(u8: Uint8Array, f: number, rec: number): DecodedIgmp | undefined {
  if (u8[rec + A_PROTO] !== APP_IGMP) return undefined;
  const cap = le16(u8, rec + A_CAP);
  const type = u8[rec + IGMP_TYPE];
  const version = u8[rec + IGMP_VERSION];
  if (cap < 1 || ELSEWHERE.has(type) || (type === 0x11 && version === IGV_NONE)) return undefined;
  const fits = (o: number, n: number): boolean => o + n <= cap;
  const code = u8[rec + IGMP_CODE];
  const group = ipv4ToString(le32(u8, rec + IGMP_GROUP));
  const word8 = le32(u8, rec + IGMP_WORD8);
  const d: DecodedIgmp = { type };
  if (version !== IGV_NONE) d.version = version;
  const checksum = (): boolean => { if (!fits(2, 2)) return false; d.checksum = le16(u8, rec + IGMP_CHECKSUM); return true; };
  const next = f + le16(u8, rec + A_NEXT);
  if (version === 0) {
    if (fits(1, 1)) {
      if (type === 1) d.group_type = code;
      else if ((type & 1) === 0) { if (code < 5) d.reply = code; else d.reply_pending = code; }
      if (checksum() && fits(4, 4)) {
        d.identifier = le32(u8, rec + IGMP_GROUP);
        if (fits(8, 4)) d.maddr = ipv4ToString(word8);
      }
    }
  } else if (version === 1 || version === 2) {
    if (fits(1, 1)) {
      if (version === 2) d.max_resp = code;
      if (checksum() && fits(4, 4)) d.maddr = group;
    }
  } else if (version === 3 && type === 0x11) {
    if (fits(10, 2)) {
      d.max_resp = igmpV3MaxResp(code);
      checksum();
      d.maddr = group;
      d.s = (word8 >>> 27) & 1;
      d.qrv = (word8 >>> 24) & 7;
      d.qqic = (word8 >>> 16) & 0xff;
      d.num_src = le16(u8, rec + IGMP_NUM);
      const saddr: string[] = [];
      for (let p = f + le16(u8, rec + A_OFF) + 12; p + 4 <= next && saddr.length < d.num_src; p += 4) saddr.push(ipv4ToString(be32(u8, p)));
      if (saddr.length > 0) d.saddr = saddr;
    }
  } else if (version === 3) {
    if (fits(1, 1) && checksum() && fits(4, 4)) {
      d.num_grp_recs = le16(u8, rec + IGMP_NUM);
      const records: IgmpGroupRecord[] = [];
      for (let i = 0; i < u8[rec + A_COUNT]; i++) {
        const r = f + le16(u8, rec + IGMP_ITEMS + i * IGMP_ITEM_SIZE);
        const g: IgmpGroupRecord = { record_type: u8[r], aux_data_len: u8[r + 1], num_src: be16(u8, r + 2), maddr: ipv4ToString(be32(u8, r + 4)), saddr: [] };
        for (let p = r + 8; p + 4 <= next && g.saddr.length < g.num_src; p += 4) g.saddr.push(ipv4ToString(be32(u8, p)));
        records.push(g);
      }
      if (records.length > 0) d.records = records;
    }
  } else if (type === 0x1e || type === 0x1f) {
    const t: IgmpMtrace = {};
    const m = f + le16(u8, rec + A_OFF);
    if (fits(1, 1)) {
      t.max_hops = code;
      if (checksum() && fits(4, 4)) {
        d.maddr = group;
        if (fits(8, 4)) t.saddr = ipv4ToString(word8);
        if (fits(12, 4)) t.raddr = ipv4ToString(be32(u8, m + 12));
        if (fits(16, 4)) t.rspaddr = ipv4ToString(be32(u8, m + 16));
        if (fits(20, 1)) t.resp_ttl = u8[m + 20];
        if (fits(21, 3)) t.q_id = (u8[m + 21] << 16) | (u8[m + 22] << 8) | u8[m + 23];
      }
    }
    d.mtrace = t;
  }
  const errors = recordErrors(le16(u8, rec + A_FLAGS));
  if (errors !== undefined) d.errors = errors;
  return d;
}
