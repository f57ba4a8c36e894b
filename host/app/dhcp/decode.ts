// decode()'s DHCP object: Wireshark's field names as nesting (dhcp.hw.mac_addr ->
// dhcp.hw.mac_addr, dhcp.option.hostname -> dhcp.option.hostname), from the app record and
// the frame: the fixed header's fields as far as they were captured, then the options the
// record kept and every option code in order. Allocates, not for hot loops.
import {
  A_PROTO, A_VARIANT, A_FLAGS, A_OFF, A_NEXT, APP_DHCP, AF_MALFORMED, DHV_COOKIE, DHV_OVERLOAD,
  DHCP_OP, DHCP_HTYPE, DHCP_HLEN, DHCP_HOPS, DHCP_XID, DHCP_SECS, DHCP_FLAGS, DHCP_CIADDR, DHCP_YIADDR, DHCP_SIADDR,
  DHCP_GIADDR, DHCP_CHADDR, DHCP_MSG_TYPE, DHCP_OPT_COUNT, DHCP_HAVE, DHCP_REQ_IP, DHCP_SERVER_ID, DHCP_LEASE,
  DHCP_SUBNET, DHCP_HOSTNAME, DHCP_ROUTER, DHCP_DNS, DHCP_DOMAIN, DHCP_PRL, DHCP_VENDOR, DHCP_CLIENT_ID, DHCP_CODES,
  DHCP_CODE_MAX, DHH_REQ_IP, DHH_SERVER_ID, DHH_LEASE, DHH_SUBNET,
} from '../app-layout.js';
import { ipv4ToString, macToString } from '../../runtime/addr.js';
import { le16, le32, recordErrors } from '../record-reader.js';

export interface DecodedDhcpOptions {
  /** Every option code in order (pad left out, End included). */
  type: number[];
  dhcp?: number;
  hostname?: string;
  requested_ip_address?: string;
  dhcp_server_id?: string;
  ip_address_lease_time?: number;
  subnet_mask?: string;
  router?: string[];
  domain_name_server?: string[];
  domain_name?: string;
  request_list_item?: number[];
  vendor_class_id?: string;
  client_id?: string;
}

export interface DecodedDhcp {
  /** 1 BOOTREQUEST, 2 BOOTREPLY. */
  type?: number;
  hw?: { type: number; len: number; mac_addr?: string };
  hops?: number;
  id?: number;
  secs?: number;
  flags?: number;
  ip?: { client: string; your: string; server: string; relay: string };
  cookie?: string;
  option?: DecodedDhcpOptions;
  /** 'truncated', 'malformed', 'overload' (option 52: options in sname/file, not read). */
  errors?: string[];
}

const be32 = (u8: Uint8Array, p: number): number => ((u8[p] << 24) | (u8[p + 1] << 16) | (u8[p + 2] << 8) | u8[p + 3]) >>> 0;
const latin1 = (u8: Uint8Array, p: number, n: number): string => Buffer.from(u8.subarray(p, p + n)).toString('latin1');

/** pkt.dhcp for app record `rec` of the frame at `f` (addresses in `u8`), or undefined. */
export function decodeDhcp(u8: Uint8Array, f: number, rec: number): DecodedDhcp | undefined {
  if (u8[rec + A_PROTO] !== APP_DHCP) return undefined;
  const off = le16(u8, rec + A_OFF);
  const reached = le16(u8, rec + A_NEXT) - off;
  const variant = u8[rec + A_VARIANT];
  const flags = le16(u8, rec + A_FLAGS);
  const d: DecodedDhcp = {};
  // The fixed header's fields only once the client hardware address is here: Wireshark
  // reads it before it shows any field (the text printer reads what tcpdump reads of a cut
  // header from the frame itself).
  if (reached < 44) {
    d.errors = [(flags & AF_MALFORMED) !== 0 ? 'malformed' : 'truncated'];
    return d;
  }
  if (reached >= 4) {
    d.type = u8[rec + DHCP_OP];
    d.hw = { type: u8[rec + DHCP_HTYPE], len: u8[rec + DHCP_HLEN] };
    d.hops = u8[rec + DHCP_HOPS];
  }
  if (reached >= 12) {
    d.id = le32(u8, rec + DHCP_XID);
    d.secs = le16(u8, rec + DHCP_SECS);
    d.flags = le16(u8, rec + DHCP_FLAGS);
  }
  if (reached >= 28) {
    d.ip = {
      client: ipv4ToString(le32(u8, rec + DHCP_CIADDR)), your: ipv4ToString(le32(u8, rec + DHCP_YIADDR)),
      server: ipv4ToString(le32(u8, rec + DHCP_SIADDR)), relay: ipv4ToString(le32(u8, rec + DHCP_GIADDR)),
    };
  }
  const ch = le16(u8, rec + DHCP_CHADDR);
  // Wireshark shows the address as a MAC for Ethernet's and IEEE 802's types (1, 6) and length 6.
  if (ch !== 0 && d.hw !== undefined && (d.hw.type === 1 || d.hw.type === 6) && d.hw.len === 6) d.hw.mac_addr = macToString(u8, f + ch);
  if (variant & DHV_COOKIE) {
    d.cookie = '99.130.83.99';
    const o: DecodedDhcpOptions = { type: Array.from(u8.subarray(rec + DHCP_CODES, rec + DHCP_CODES + Math.min(u8[rec + DHCP_OPT_COUNT], DHCP_CODE_MAX))) };
    if (u8[rec + DHCP_MSG_TYPE] !== 0) o.dhcp = u8[rec + DHCP_MSG_TYPE];
    const have = le16(u8, rec + DHCP_HAVE);
    if (have & DHH_REQ_IP) o.requested_ip_address = ipv4ToString(le32(u8, rec + DHCP_REQ_IP));
    if (have & DHH_SERVER_ID) o.dhcp_server_id = ipv4ToString(le32(u8, rec + DHCP_SERVER_ID));
    if (have & DHH_LEASE) o.ip_address_lease_time = le32(u8, rec + DHCP_LEASE);
    if (have & DHH_SUBNET) o.subnet_mask = ipv4ToString(le32(u8, rec + DHCP_SUBNET));
    // Kept options: the data at the offset, its length the byte before it.
    const data = (slot: number): [number, number] | undefined => {
      const p = le16(u8, rec + slot);
      return p === 0 ? undefined : [f + p, u8[f + p - 1]];
    };
    const addrs = (slot: number): string[] | undefined => {
      const x = data(slot);
      if (x === undefined) return undefined;
      const out: string[] = [];
      for (let i = 0; i < x[1]; i += 4) out.push(ipv4ToString(be32(u8, x[0] + i)));
      return out;
    };
    const text = (slot: number): string | undefined => { const x = data(slot); return x === undefined ? undefined : latin1(u8, x[0], x[1]); };
    o.hostname = text(DHCP_HOSTNAME);
    o.router = addrs(DHCP_ROUTER);
    o.domain_name_server = addrs(DHCP_DNS);
    o.domain_name = text(DHCP_DOMAIN);
    const prl = data(DHCP_PRL);
    if (prl !== undefined) o.request_list_item = Array.from(u8.subarray(prl[0], prl[0] + prl[1]));
    o.vendor_class_id = text(DHCP_VENDOR);
    const cid = data(DHCP_CLIENT_ID);
    if (cid !== undefined) o.client_id = Buffer.from(u8.subarray(cid[0], cid[0] + cid[1])).toString('hex');
    for (const k of Object.keys(o) as Array<keyof DecodedDhcpOptions>) if (o[k] === undefined) delete o[k];
    d.option = o;
  }
  const errors = recordErrors(flags, (variant & DHV_OVERLOAD) !== 0 && 'overload');
  if (errors !== undefined) d.errors = errors;
  return d;
}
