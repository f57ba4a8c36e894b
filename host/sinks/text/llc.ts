// IEEE 802.3 frames and the 802.2 LLC / SNAP headers they carry, as tcpdump 4.99 prints
// them (print-ether.c's length branch, print-llc.c): the header fields with -e, then the
// payload's printer, or tcpdump's generic LLC line ("Unnumbered, ui, Flags [Command],
// length N", "SNAP, oui ..., pid ..., length N: ") and the bytes. The descriptor says where
// the 802.2 header is, how long it is with its SNAP header (L3_HDR_LEN), whether SNAP
// follows (L_SNAP) and whether a spanning-tree BPDU follows at PAYLOAD_OFF (L_STP).
import type { TextState } from './state.js';
import { writeStp } from './stp.js';
import { writeDtp } from './dtp.js';
import { writeCdp } from './cdp.js';
import { writeIpx, writeIpxEthertype } from './ipx.js';
import { ethertypeName } from './names.js';
import { L_SNAP, L_STP } from '../../runtime/layout.js';

const SAP_NAMES: Record<number, string> = {
  0x00: 'Null', 0xff: 'Global', 0x02: '802.1B I', 0x03: '802.1B G', 0x06: 'IP', 0x04: 'SNA', 0x0e: 'ProWay NM',
  0x42: 'STP', 0x4e: 'RS511', 0x7e: 'ISO8208', 0x8e: 'ProWay', 0xaa: 'SNAP', 0xe0: 'IPX', 0xf0: 'NetBeui', 0xfe: 'OSI',
};
const U_COMMANDS: Record<number, string> = {
  0x03: 'ui', 0xe3: 'test', 0xaf: 'xid', 0x63: 'ua', 0x43: 'disc', 0x0f: 'dm', 0x6f: 'sabme', 0x87: 'frmr',
};
/** llc_flag_values: C/R bit of the SSAP with the poll/final bit (U 0x10, I and S 0x100). */
const LLC_FLAGS: Record<number, string> = { 0: 'Command', 1: 'Response', 0x10: 'Poll', 0x11: 'Final', 0x100: 'Poll', 0x101: 'Final' };
const SUPERVISORY = ['Receiver Ready', 'Receiver not Ready', 'Reject'];
/** tcpdump's oui_values. */
export const OUI_NAMES: Record<number, string> = {
  0x000000: 'Ethernet', 0x00000c: 'Cisco', 0x00005e: 'IANA', 0x000081: 'Nortel Networks SONMP', 0x0000f8: 'Cisco bridged',
  0x0080c2: 'Ethernet bridged', 0x00a03e: 'ATM Forum', 0x00e02f: 'DOCSIS Spanning Tree', 0x080007: 'Appletalk',
  0x009069: 'Juniper', 0x080009: 'Hewlett-Packard', 0x00120f: 'IEEE 802.3 Private', 0x0012bb: 'ANSI/TIA', 0x001b21: 'DCBX',
  0x002320: 'Nicira Networks', 0x5c16c7: 'Big Switch Networks', 0xb0d2f5: 'Vello Systems', 0x002481: 'HP',
  0x0004ea: 'HP-Labs', 0x748771: 'Infoblox Inc', 0xa42305: 'Open Networking Lab', 0x00049f: 'Freescale',
  0x0015ad: 'Netronome', 0x001018: 'Broadcom', 0x00e004: 'PMC-Sierra', 0xd0f0db: 'Ericsson',
};
const CISCO_PIDS: Record<number, string> = { 0x2000: 'CDP', 0x2003: 'VTP', 0x2004: 'DTP', 0x0111: 'UDLD', 0x010b: 'PVST', 0x010c: 'VLAN Bridge' };
const BRIDGED_PIDS: Record<number, string> = {
  0x0001: 'Ethernet + FCS', 0x0007: 'Ethernet w/o FCS', 0x0002: '802.4 + FCS', 0x0008: '802.4 w/o FCS',
  0x0003: 'Token Ring + FCS', 0x0009: 'Token Ring w/o FCS', 0x0004: 'FDDI + FCS', 0x000a: 'FDDI w/o FCS',
  0x0005: '802.6 + FCS', 0x000b: '802.6 w/o FCS', 0x000e: 'BPDU',
};

/** oui_to_struct_tok(): the PID names of an organisation. */
function pidName(oui: number, pid: number): string {
  switch (oui) {
    case 0x000000: case 0x0000f8: case 0x080007: return ethertypeName(pid) ?? 'Unknown';
    case 0x00000c: return CISCO_PIDS[pid] ?? 'Unknown';
    case 0x0080c2: return BRIDGED_PIDS[pid] ?? 'Unknown';
    default: return 'Unknown';
  }
}

/** The length branch of ether_common_print(): `p` is after the length field, `length` what
 *  the frame has left there, `lengthType` the field; `printedLength` when a VLAN tag already
 *  printed the frame length. Returns what the LLC/SNAP headers add to the link header. */
export function writeEther8023(st: TextState, p: number, length0: number, lengthType: number, printedLength: boolean): number {
  let length = length0;
  if (lengthType < length) length = lengthType;
  if (p + length < st.snapend) st.snapend = p + length; // the payload ends where the length says
  if (st.eflag) {
    st.out.str('802.3');
    if (!printedLength) st.out.str(', length ').dec(length).str(': ');
  }
  const n = writeLlc(st, p, length, true);
  if (n >= 0) return n;
  st.defaultData(p, st.snapend - p);
  return -n;
}

/** An LLC header cut short by the capture or the length: tcpdump's marker, then the bytes
 *  there are (ND_DEFAULTPRINT); the line ends there. */
function shortLlc(st: TextState, p: number, length: number): number {
  const have = st.snapend - p;
  st.markTrunc();
  st.defaultData(p, have);
  if (!st.dead) { st.dead = true; st.deadPos = st.out.pos; }
  return have < length ? have : length;
}

/** llc_print(): the 802.2 header at `p` (the descriptor's L3_OFF) and what follows, in
 *  `length` bytes. `macs`: the frame has MAC addresses (Ethernet) to print in the generic
 *  forms. Returns the header length, negated when tcpdump would dump the bytes instead. */
export function writeLlc(st: TextState, p: number, length: number, macs: boolean): number {
  const v = st.v;
  const out = st.out;
  const m = st.m;
  st.proto = 'llc';
  if (!st.has(p, 3) || length < 3) return shortLlc(st, p, length);
  const dsapField = m[p];
  const ssapField = m[p + 1];
  let control = m[p + 2];
  const isU = (control & 3) === 3;
  // The dissector's header length counts a SNAP header's 5 bytes too.
  const hdrlen = (v.layers & L_SNAP) !== 0 ? 3 : v.l3HdrLen;
  if (!isU) {
    if (!st.has(p, 4) || length < 4) return shortLlc(st, p, length);
    control = m[p + 2] | (m[p + 3] << 8); // little-endian
  }
  if (dsapField === 0xff && ssapField === 0xff) {
    // Novell's raw 802.3: no LLC header, the IPX header's unused checksum (0xffff) here.
    if (st.eflag) out.str('IPX 802.3: ');
    writeIpx(st, p);
    return 0;
  }
  const dsap = dsapField & 0xFE;
  const ssap = ssapField & 0xFE;
  if (st.eflag) {
    out.str('LLC, dsap ').str(SAP_NAMES[dsap] ?? 'Unknown').str(' (0x').hex(dsap, 2).str(') ').str(dsapField & 1 ? 'Group' : 'Individual')
      .str(', ssap ').str(SAP_NAMES[ssap] ?? 'Unknown').str(' (0x').hex(ssap, 2).str(') ').str(ssapField & 1 ? 'Response' : 'Command')
      .str(', ctrl 0x').hex(control, isU ? 2 : 4).str(': ');
  }
  const body = p + hdrlen;
  const rest = length - hdrlen;
  if ((v.layers & L_SNAP) !== 0) return writeSnap(st, body, rest, macs) ? hdrlen + 5 : -(hdrlen + 5);
  if ((v.layers & L_STP) !== 0) { writeStp(st, st.f + v.payloadOff, rest); return hdrlen; }
  if (ssap === 0xe0 && dsap === 0xe0 && control === 0x03) {
    if (st.eflag) out.str('IPX 802.2: ');
    writeIpx(st, body);
    return hdrlen;
  }
  // IP (RFC 948), NetBEUI and OSI over 802.2 have printers of their own in tcpdump.
  st.markCut();
  if (!st.eflag) {
    if (ssap === dsap) {
      if (macs) out.macAt(m, st.f + 6).str(' > ').macAt(m, st.f).ch(32);
      writeSapName(st, dsap, 'DSAP');
    } else {
      if (macs) out.macAt(m, st.f + 6).ch(32);
      writeSapName(st, ssap, 'SSAP');
      out.str(' > ');
      if (macs) out.macAt(m, st.f).ch(32);
      writeSapName(st, dsap, 'DSAP');
    }
    out.ch(32);
  }
  if (isU) {
    const cmd = control & 0xef;
    out.str('Unnumbered, ');
    const name = U_COMMANDS[cmd];
    if (name !== undefined) out.str(name); else out.hex(cmd, 2);
    out.str(', Flags [').str(LLC_FLAGS[(ssapField & 1) | (control & 0x10)] ?? '?').str('], length ').dec(rest + hdrlen);
    if ((control & ~0x10) === 0xaf) { // XID
      if (rest === 0) return hdrlen;
      if (!st.has(body, 1)) { st.trunc(); return hdrlen; }
      if (m[body] === 0x81) {
        if (!st.has(body, 3) || rest < 3) st.trunc();
        else out.str(': ').hex2(m[body + 1]).ch(32).hex2(m[body + 2]);
        return hdrlen;
      }
    }
  } else if ((control & 1) === 1) {
    out.str('Supervisory, ').str(SUPERVISORY[(control >> 2) & 3] ?? '?').str(', rcv seq ').dec((control >> 9) & 0x7f)
      .str(', Flags [').str(LLC_FLAGS[(ssapField & 1) | (control & 0x100)] ?? '?').str('], length ').dec(rest + hdrlen);
    return hdrlen;
  } else {
    out.str('Information, send seq ').dec((control >> 1) & 0x7f).str(', rcv seq ').dec((control >> 9) & 0x7f)
      .str(', Flags [').str(LLC_FLAGS[(ssapField & 1) | (control & 0x100)] ?? '?').str('], length ').dec(rest + hdrlen);
  }
  return -hdrlen;
}

function writeSapName(st: TextState, sap: number, which: string): void {
  const name = SAP_NAMES[sap];
  if (name !== undefined) st.out.str(name);
  else st.out.str('Unknown ').str(which).str(' 0x').hex(sap, 2);
}

/** snap_print(): the SNAP header at `p`; true when it (or its payload's printer) printed the
 *  packet, false when tcpdump dumps the bytes after the generic SNAP line. */
function writeSnap(st: TextState, p: number, length: number, macs: boolean): boolean {
  const v = st.v;
  const out = st.out;
  const m = st.m;
  st.proto = 'snap';
  if (!st.has(p, 5) || length < 5) { st.trunc(); return true; }
  const oui = (m[p] << 16) | (m[p + 1] << 8) | m[p + 2];
  const pid = (m[p + 3] << 8) | m[p + 4];
  if (st.eflag) {
    out.str('oui ').str(OUI_NAMES[oui] ?? 'Unknown').str(' (0x').hex(oui, 6).str('), ').str(oui === 0 ? 'ethertype' : 'pid')
      .ch(32).str(pidName(oui, pid)).str(' (0x').hex(pid, 4).str('), length ').dec(length - 5).str(': ');
  }
  if ((v.layers & L_STP) !== 0) { writeStp(st, st.f + v.payloadOff, length - 5); return true; }
  if (oui === 0x00000c && pid === 0x2004) { writeDtp(st, p + 5, length - 5); return true; }
  if (oui === 0x00000c && pid === 0x2000) { writeCdp(st, p + 5, length - 5); return true; }
  if (oui === 0 && pid === 0x8137) { writeIpxEthertype(st, p + 5); return true; }
  // VTP, UDLD, bridged frames and EtherTypes inside SNAP have printers of their own.
  st.markCut();
  if (!st.eflag) {
    if (macs) out.macAt(m, st.f + 6).str(' > ').macAt(m, st.f).ch(32);
    if (oui === 0) {
      out.str('SNAP, ethertype ').str(ethertypeName(pid) ?? 'Unknown').str(' (0x').hex(pid, 4).str('), length ').dec(length - 5).str(': ');
    } else {
      out.str('SNAP, oui ').str(OUI_NAMES[oui] ?? 'Unknown').str(' (0x').hex(oui, 6).str('), pid ').str(pidName(oui, pid))
        .str(' (0x').hex(pid, 4).str('), length ').dec(length - 5).str(': ');
    }
  }
  return false;
}
