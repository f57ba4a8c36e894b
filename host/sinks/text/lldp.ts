// LLDP (IEEE 802.1AB, EtherType 0x88cc) as tcpdump 4.99 prints it (print-lldp.c):
// "LLDP, length N" (and ": <system name>"), and with -v one line per TLV: chassis and port IDs by subtype, TTL,
// port and system descriptions, system name, capabilities, management addresses, End.
// With -vv (or a TLV tcpdump does not decode) the TLV's bytes follow as hex; IEEE 802.1
// TLVs of subtypes 1-4 (VLAN IDs and name, protocol identity), IEEE 802.3 link aggregation
// and maximum frame size. Not written: the 802.1 subtypes 7-14, 802.3 MAC/PHY status and
// power via MDI, and the organisation-specific TLVs of TIA (LLDP-MED) and DCBX,
// which tcpdump decodes; their first line is printed and the rest is marked generic (the
// line is then not tcpdump's).
import { writeCharEscaped } from './escape.js';
import { OUI_NAMES } from './llc.js';
import { bitNames } from './names.js';
import type { TextState } from './state.js';

const TLV_NAMES: Record<number, string> = {
  0: 'End', 1: 'Chassis ID', 2: 'Port ID', 3: 'Time to Live', 4: 'Port Description', 5: 'System Name',
  6: 'System Description', 7: 'System Capabilities', 8: 'Management Address', 127: 'Organization specific',
};
const CHASSIS_SUBTYPES: Record<number, string> = {
  1: 'Chassis component', 2: 'Interface alias', 3: 'Port component', 4: 'MAC address', 5: 'Network address',
  6: 'Interface name', 7: 'Local',
};
const PORT_SUBTYPES: Record<number, string> = {
  1: 'Interface alias', 2: 'Port component', 3: 'MAC address', 4: 'Network Address', 5: 'Interface Name',
  6: 'Agent circuit ID', 7: 'Local',
};
const CAPABILITIES: ReadonlyArray<readonly [number, string]> = [
  [0x01, 'Other'], [0x02, 'Repeater'], [0x04, 'Bridge'], [0x08, 'WLAN AP'], [0x10, 'Router'], [0x20, 'Telephone'],
  [0x40, 'Docsis'], [0x80, 'Station Only'],
];
const INTERFACE_NUMBERING: Record<number, string> = { 1: 'Unknown', 2: 'Interface Index', 3: 'System Port Number' };
/** tcpdump's af_values (address family numbers). */
const AF_NAMES: Record<number, string> = {
  0: 'Reserved', 1: 'IPv4', 2: 'IPv6', 3: 'NSAP', 4: 'HDLC', 5: 'BBN 1822', 6: '802', 7: 'E.163', 8: 'E.164', 9: 'F.69',
  10: 'X.121', 11: 'Novell IPX', 12: 'Appletalk', 13: 'Decnet IV', 14: 'Banyan Vines', 15: 'E.164 with NSAP subaddress',
};
/** The OUIs whose TLVs tcpdump decodes further (802.1, 802.3, TIA, IETF DCBX). */
const DECODED_OUIS = new Set([0x0080c2, 0x00120f, 0x0012bb, 0x001b21]);

/** nd_printjnp(): n bytes as escaped text, stopping at a NUL. */
function writeText(st: TextState, p: number, n: number): void {
  for (let i = 0; i < n; i++) {
    const c = st.m[p + i];
    if (c === 0) return;
    writeCharEscaped(st.out, c);
  }
}

/** The address length of the families tcpdump prints (IPv4, IPv6, 802), else 0. */
function afSize(af: number): number {
  return af === 1 ? 4 : af === 2 ? 16 : af === 6 ? 6 : 0;
}

/** Whether lldp_network_addr_print() has an address to print in `len` bytes at p. */
function addrFits(st: TextState, p: number, len: number): boolean {
  return len >= 1 && len - 1 >= afSize(st.m[p]);
}

/** lldp_network_addr_print(): false when the address is shorter than its family's. */
function writeNetworkAddr(st: TextState, p: number, len: number): boolean {
  if (!addrFits(st, p, len)) return false;
  const af = st.m[p];
  const size = afSize(af);
  const out = st.out;
  out.str('AFI ').str(AF_NAMES[af] ?? 'Unknown').str(' (').dec(af).ch(41);
  if (size === 0) { out.str(', no AF printer !'); return true; }
  out.str(': ');
  if (af === 1) out.ipv4At(st.m, p + 1);
  else if (af === 2) out.ipv6At(st.m, p + 1);
  else out.macAt(st.m, p + 1);
  return true;
}

/** A chassis or port ID: subtype, then the ID by its subtype; true when tcpdump dumps it. */
function writeId(st: TextState, p: number, len: number, names: Record<number, string>, mac: number, net: number): boolean | null {
  if (len < 2) return null;
  const subtype = st.m[p];
  st.out.str('\n\t  Subtype ').str(names[subtype] ?? 'Unknown').str(' (').dec(subtype).str('): ');
  if (subtype === mac) {
    if (len < 7) return null;
    st.out.macAt(st.m, p + 1);
  } else if (subtype === net) {
    if (!writeNetworkAddr(st, p + 1, len - 1)) return null;
  } else if (subtype >= 1 && subtype <= 7) {
    writeText(st, p + 1, len - 1);
  } else {
    return true;
  }
  return false;
}

/** lldp_mgmt_addr_tlv_print(): false when the TLV is too short for what it announces. */
function writeMgmtAddr(st: TextState, p0: number, len: number): boolean {
  const m = st.m;
  const out = st.out;
  if (len < 1) return false;
  const addrLen = m[p0];
  let p = p0 + 1;
  let rest = len - 1;
  if (rest < addrLen) return false;
  if (!addrFits(st, p, addrLen)) return false;
  out.str('\n\t  Management Address length ').dec(addrLen).str(', ');
  writeNetworkAddr(st, p, addrLen);
  p += addrLen;
  rest -= addrLen;
  if (rest < 5) return false;
  const subtype = m[p];
  out.str('\n\t  ').str(INTERFACE_NUMBERING[subtype] ?? 'Unknown').str(' Interface Numbering (').dec(subtype).str('): ')
    .dec(((m[p + 1] << 24) | (m[p + 2] << 16) | (m[p + 3] << 8) | m[p + 4]) >>> 0);
  p += 5;
  rest -= 5;
  if (rest > 0) {
    const oidLen = m[p];
    if (rest < 1 + oidLen) return false;
    if (oidLen > 0) {
      out.str('\n\t  OID length ').dec(oidLen);
      writeText(st, p + 1, oidLen);
    }
  }
  return true;
}

/** An organisation TLV's subtype line (after the OUI); -1 when the TLV has no subtype. */
function subtypeLine(st: TextState, p: number, len: number, names: Record<number, string>): number {
  if (len < 4) return -1;
  const subtype = st.m[p + 3];
  st.out.str('\n\t  ').str(names[subtype] ?? 'unknown').str(' Subtype (').dec(subtype).ch(41);
  return subtype;
}

const SUBTYPES_8021: Record<number, string> = {
  1: 'Port VLAN Id', 2: 'Port and Protocol VLAN ID', 3: 'VLAN name', 4: 'Protocol Identity', 7: 'Link aggregation',
  8: 'Congestion Notification', 9: 'ETS Configuration', 10: 'ETS Recommendation', 11: 'Priority Flow Control Configuration',
  12: 'Application Priority', 13: 'EVB', 14: 'CDCP',
};
const PPVID_FLAGS: ReadonlyArray<readonly [number, string]> = [[0x02, 'supported'], [0x04, 'enabled']];

/** lldp_private_8021_print(): the IEEE 802.1 TLVs (VLAN IDs, VLAN name, protocol identity);
 *  true when tcpdump dumps the bytes after, null for the subtypes not written here (7-14:
 *  link aggregation, congestion notification, ETS, PFC, application priority, EVB, CDCP). */
function write8021(st: TextState, p: number, len: number): boolean | null {
  const m = st.m;
  const out = st.out;
  const subtype = subtypeLine(st, p, len, SUBTYPES_8021);
  if (subtype < 0) return false;
  switch (subtype) {
    case 1:
      if (len < 6) return false;
      out.str('\n\t    port vlan id (PVID): ').dec((m[p + 4] << 8) | m[p + 5]);
      return false;
    case 2:
      if (len < 7) return false;
      out.str('\n\t    port and protocol vlan id (PPVID): ').dec((m[p + 5] << 8) | m[p + 6]).str(', flags [')
        .str(bitNames(m[p + 4], PPVID_FLAGS)).str('] (0x').hex(m[p + 4], 2).ch(41);
      return false;
    case 3: {
      if (len < 6) return false;
      out.str('\n\t    vlan id (VID): ').dec((m[p + 4] << 8) | m[p + 5]);
      if (len < 7) return false;
      const n = m[p + 6];
      if (len < 7 + n) return false;
      out.str('\n\t    vlan name: ');
      writeText(st, p + 7, n);
      return false;
    }
    case 4: {
      if (len < 5) return false;
      const n = m[p + 4];
      if (len < 5 + n) return false;
      out.str('\n\t    protocol identity: ');
      writeText(st, p + 5, n);
      return false;
    }
    default:
      return SUBTYPES_8021[subtype] === undefined ? true : null;
  }
}

const SUBTYPES_8023: Record<number, string> = {
  1: 'MAC/PHY configuration/status', 2: 'Power via MDI', 3: 'Link aggregation', 4: 'Max frame size',
};
const AGGREGATION_FLAGS: ReadonlyArray<readonly [number, string]> = [[0x01, 'supported'], [0x02, 'enabled']];

/** lldp_private_8023_print(): link aggregation and maximum frame size; null for MAC/PHY
 *  status and power via MDI (not written here). */
function write8023(st: TextState, p: number, len: number): boolean | null {
  const m = st.m;
  const out = st.out;
  const subtype = subtypeLine(st, p, len, SUBTYPES_8023);
  if (subtype < 0) return false;
  switch (subtype) {
    case 1: case 2: return null;
    case 3:
      if (len < 9) return false;
      out.str('\n\t    aggregation status [').str(bitNames(m[p + 4], AGGREGATION_FLAGS)).str('], aggregation port ID ')
        .dec(((m[p + 5] << 24) | (m[p + 6] << 16) | (m[p + 7] << 8) | m[p + 8]) >>> 0);
      return false;
    case 4:
      if (len < 6) return false;
      out.str('\n\t    MTU size ').dec((m[p + 4] << 8) | m[p + 5]);
      return false;
    default:
      return true;
  }
}

/** lldp_print(): `p` is the first TLV, `length` what the frame has left. */
export function writeLldp(st: TextState, p0: number, length: number): void {
  const out = st.out;
  const m = st.m;
  st.proto = 'lldp';
  out.str('LLDP, length ').dec(length);
  // Without -v the TLVs are still walked (and bounds-checked): only the system name prints.
  const v = st.vflag > 0;
  let p = p0;
  let rest = length;
  while (rest >= 2) {
    if (!st.need(p, 2)) return;
    const tlv = (m[p] << 8) | m[p + 1];
    const type = tlv >>> 9;
    const len = tlv & 0x1ff;
    rest -= 2;
    p += 2;
    if (v) out.str('\n\t').str(TLV_NAMES[type] ?? 'Unknown').str(' TLV (').dec(type).str('), length ').dec(len);
    if (type === 0 || len === 0) return;
    if (!st.need(p, len)) return;
    if (rest < len) { st.trunc(); return; }
    let hexdump: boolean | null = false;
    switch (v || type === 5 ? type : -1) {
      case -1: break;
      case 1: hexdump = writeId(st, p, len, CHASSIS_SUBTYPES, 4, 5); break;
      case 2: hexdump = writeId(st, p, len, PORT_SUBTYPES, 3, 4); break;
      case 3:
        if (len < 2) { hexdump = null; break; }
        out.str(': TTL ').dec((m[p] << 8) | m[p + 1]).ch(115);
        break;
      case 4: out.str(': '); writeText(st, p, len); break;
      case 5: out.str(': '); writeText(st, p, len); break;
      case 6: out.str('\n\t  '); writeText(st, p, len); break;
      case 7: {
        if (len < 4) { hexdump = null; break; }
        const cap = (m[p] << 8) | m[p + 1];
        const ena = (m[p + 2] << 8) | m[p + 3];
        out.str('\n\t  System  Capabilities [').str(bitNames(cap, CAPABILITIES)).str('] (0x').hex(cap, 4).ch(41);
        out.str('\n\t  Enabled Capabilities [').str(bitNames(ena, CAPABILITIES)).str('] (0x').hex(ena, 4).ch(41);
        break;
      }
      case 8: if (!writeMgmtAddr(st, p, len)) hexdump = null; break;
      case 127: {
        if (len < 3) { hexdump = null; break; }
        const oui = (m[p] << 16) | (m[p + 1] << 8) | m[p + 2];
        out.str(': OUI ').str(OUI_NAMES[oui] ?? 'Unknown').str(' (0x').hex(oui, 6).ch(41);
        if (oui === 0x0080c2 || oui === 0x00120f) {
          const r = oui === 0x0080c2 ? write8021(st, p, len) : write8023(st, p, len);
          if (r === null) { st.markCut(); return; }
          hexdump = r;
          break;
        }
        if (DECODED_OUIS.has(oui)) { st.markCut(); return; }
        hexdump = true;
        break;
      }
      default: hexdump = true;
    }
    if (hexdump === null) { st.trunc(); return; }
    if (st.vflag > 1 || (v && hexdump)) st.unknownData(p, len, '\n\t  ');
    rest -= len;
    p += len;
  }
}
