// decode()'s DHCPv6 object: Wireshark's field names as nesting (dhcpv6.msgtype ->
// dhcpv6.msgtype, dhcpv6.option.type -> dhcpv6.option.type), from the app record and the
// frame. Option codes are listed as Wireshark lists them: each top-level option (the
// record's items) followed by the options nested in it (IA_NA, IA_TA, IA_PD, IA address
// and prefix, a relayed message), walked here inside the bounds of the option that holds
// them. Allocates, not for hot loops.
import {
  A_PROTO, A_FLAGS, A_COUNT, APP_DHCP6, AF_TRUNC, AF_MALFORMED, AF_MORE,
  DHCP6_MSG_TYPE, DHCP6_HOPS, DHCP6_XID, DHCP6_LINK, DHCP6_PEER, DHCP6_CLIENT_ID, DHCP6_SERVER_ID,
  DHCP6_ITEMS, DHCP6_ITEM_SIZE, D6I_CODE, D6I_DATA,
} from '../app-layout.js';
import { ipv6ToString } from '../../runtime/addr.js';
import { le16, recordErrors } from '../record-reader.js';

export interface DecodedDhcpv6 {
  /** The message type of each message, the relayed ones after the outer one. */
  msgtype: number[];
  xid?: number[];
  hopcount?: number;
  linkaddr?: string;
  peeraddr?: string;
  option?: { type: number[] };
  client_duid?: string;
  server_duid?: string;
  /** 'truncated', 'malformed'; absent on a sound message. */
  errors?: string[];
}

const be16 = (u8: Uint8Array, p: number): number => (u8[p] << 8) | u8[p + 1];

/** How many bytes of fixed fields come before the options nested in an option. */
const NESTED_AFTER: ReadonlyMap<number, number> = new Map([[3, 12], [4, 4], [25, 12], [5, 24], [26, 25]]);
const RELAY_MSG = 9;

/** Walks the options in [p, end), appending codes (and, for a relayed message, its type,
 *  xid and options) as Wireshark lists them; stops at an option that does not fit. */
function walk(u8: Uint8Array, p: number, end: number, d: DecodedDhcpv6, codes: number[], depth: number): void {
  while (p + 4 <= end) {
    const code = be16(u8, p);
    const len = be16(u8, p + 2);
    const data = p + 4;
    if (data + len > end) return;
    codes.push(code);
    if (depth < 4) nested(u8, code, data, data + len, d, codes, depth);
    p = data + len;
  }
}

function nested(u8: Uint8Array, code: number, data: number, end: number, d: DecodedDhcpv6, codes: number[], depth: number): void {
  const skip = NESTED_AFTER.get(code);
  if (skip !== undefined) { if (data + skip <= end) walk(u8, data + skip, end, d, codes, depth + 1); return; }
  if (code !== RELAY_MSG || data + 1 > end) return;
  const t = u8[data];
  d.msgtype.push(t);
  const hdr = t === 12 || t === 13 ? 34 : 4;
  if (hdr === 4 && data + 4 <= end) (d.xid ??= []).push(((u8[data + 1] << 16) | (u8[data + 2] << 8) | u8[data + 3]) >>> 0);
  if (data + hdr <= end) walk(u8, data + hdr, end, d, codes, depth + 1);
}

/** pkt.dhcpv6 for app record `rec` of the frame at `f` (addresses in `u8`), or undefined. */
export function decodeDhcpv6(u8: Uint8Array, f: number, rec: number): DecodedDhcpv6 | undefined {
  if (u8[rec + A_PROTO] !== APP_DHCP6) return undefined;
  const flags = le16(u8, rec + A_FLAGS);
  const count = u8[rec + A_COUNT];
  const type = u8[rec + DHCP6_MSG_TYPE];
  const d: DecodedDhcpv6 = { msgtype: [type] };
  const link = le16(u8, rec + DHCP6_LINK);
  if (link !== 0) {
    d.hopcount = u8[rec + DHCP6_HOPS];
    d.linkaddr = ipv6ToString(u8, f + link);
    d.peeraddr = ipv6ToString(u8, f + le16(u8, rec + DHCP6_PEER));
  } else if (count > 0 || (flags & (AF_TRUNC | AF_MALFORMED)) === 0) {
    d.xid = [(u8[rec + DHCP6_XID] | (u8[rec + DHCP6_XID + 1] << 8) | (u8[rec + DHCP6_XID + 2] << 16)) >>> 0];
  }
  const codes: number[] = [];
  for (let i = 0; i < count; i++) {
    const it = rec + DHCP6_ITEMS + i * DHCP6_ITEM_SIZE;
    const code = le16(u8, it + D6I_CODE);
    const data = f + le16(u8, it + D6I_DATA);
    codes.push(code);
    nested(u8, code, data, data + be16(u8, data - 2), d, codes, 0);
  }
  if (codes.length > 0) d.option = { type: codes };
  const duid = (slot: number): string | undefined => {
    const p = le16(u8, rec + slot);
    return p === 0 ? undefined : Buffer.from(u8.subarray(f + p, f + p + be16(u8, f + p - 2))).toString('hex');
  };
  const c = duid(DHCP6_CLIENT_ID);
  if (c !== undefined) d.client_duid = c;
  const s = duid(DHCP6_SERVER_ID);
  if (s !== undefined) d.server_duid = s;
  const errors = recordErrors(flags, (flags & AF_MORE) !== 0 && 'more_options');
  if (errors !== undefined) d.errors = errors;
  return d;
}
