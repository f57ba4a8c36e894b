// PPP, PPPoE and MPLS as tcpdump 4.99 prints them (print-ppp.c: ppp_print, handle_ppp, the
// control protocols' first line; print-pppoe.c; print-mpls.c). The dissector located the
// IP header behind them (D_L3_OFF); these printers read the fields they print where the
// headers put them and hand the IP header to the IP printers.
import type { TextState } from './state.js';
import { writeIp4 } from './ip.js';
import { writeIp6 } from './ip6.js';
import { ip6cpOption, ipcpOption } from './ppp-ncp.js';

/** ppptype2str: the PPP protocol names tcpdump prints (the EtherTypes handle_ppp() also
 *  takes, 0x0800 and 0x86dd, have none). */
export const PPP_NAMES = new Map<number, string>([
  [0x0021, 'IP'], [0x0023, 'OSI'], [0x0025, 'NS'], [0x0027, 'DECNET'], [0x0029, 'APPLE'], [0x002b, 'IPX'],
  [0x002d, 'VJC IP'], [0x002f, 'VJNC IP'], [0x0031, 'BRPDU'], [0x0033, 'STII'], [0x0035, 'VINES'],
  [0x0281, 'MPLS'], [0x0283, 'MPLS'], [0x00fd, 'Compressed'], [0x003d, 'MLPPP'], [0x0057, 'IP6'],
  [0x0201, 'HELLO'], [0x0231, 'LUXCOM'], [0x0233, 'SNS'],
  [0x8021, 'IPCP'], [0x8023, 'OSICP'], [0x8025, 'NSCP'], [0x8027, 'DECNETCP'], [0x8029, 'APPLECP'],
  [0x802b, 'IPXCP'], [0x8033, 'STIICP'], [0x8035, 'VINESCP'], [0x8057, 'IP6CP'], [0x8281, 'MPLSCP'],
  [0xc021, 'LCP'], [0xc023, 'PAP'], [0xc025, 'LQM'], [0xc223, 'CHAP'], [0xc227, 'EAP'], [0xc027, 'SPAP'],
  [0xc123, 'Old-SPAP'], [0xc02b, 'BACP'], [0xc02d, 'BAP'], [0x803d, 'MLPPP-CP'], [0x80fd, 'CCP'],
]);

/** cpcodes: the control protocols' codes (RFC 1661 and extensions). */
const CP_CODES = new Map<number, string>([
  [1, 'Conf-Request'], [2, 'Conf-Ack'], [3, 'Conf-Nack'], [4, 'Conf-Reject'], [5, 'Term-Request'],
  [6, 'Term-Ack'], [7, 'Code-Reject'], [8, 'Prot-Reject'], [9, 'Echo-Request'], [10, 'Echo-Reply'],
  [11, 'Disc-Req'], [12, 'Ident'], [13, 'Time-Rem'], [14, 'Reset-Req'],
  [15, 'Reset-Ack'], [0, 'Vendor-Extension'],
]);

/** lcpconfopts: LCP option names by number. */
const LCP_OPTS = [
  'Vend-Ext', 'MRU', 'ACCM', 'Auth-Prot', 'Qual-Prot', 'Magic-Num', 'deprecated(6)', 'PFC', 'ACFC', 'FCS-Alt',
  'SDP', 'Num-Mode', 'deprecated(12)', 'Call-Back', 'deprecated(14)', 'deprecated(15)', 'deprecated(16)', 'MRRU',
  '12-Bit seq #', 'End-Disc', 'Proprietary', 'DCE-Id', 'MP+', 'Link-Disc', 'LCP-Auth-Opt', 'COBS',
  'Prefix-elision', 'Multilink-header-Form', 'I18N', 'SDL-over-SONET/SDH', 'PPP-Muxing',
];
const CALLBACK_OPS = new Map<number, string>([[0, 'UserAuth'], [1, 'DialString'], [2, 'LocalID'], [3, 'E.164'], [4, 'X.500'], [6, 'CBCP']]);
const AUTH_ALGS = new Map<number, string>([[5, 'MD5'], [128, 'MS-CHAPv1'], [129, 'MS-CHAPv2']]);

const CONTROL = new Set([0xc021, 0x8021, 0x8023, 0x8281, 0x8057, 0x80fd, 0xc02b]);

/** ppp_print(): `bp` at the address and control field if any. -e prints the protocol. */
export function writePpp(st: TextState, bp: number, length: number): void {
  const out = st.out;
  st.proto = 'ppp';
  const olen = length;
  let p = bp;
  let len = length;
  if (len < 2) { st.markTrunc(); return; }
  const hdr = st.g16(p);
  if (st.dead) return;
  if (hdr === 0x0003 || hdr === 0x0103 || hdr === 0xff03) {
    if (st.eflag && hdr !== 0xff03) out.str(hdr === 0x0003 ? 'In  ' : 'Out ');
    p += 2; len -= 2;
  }
  if (len < 2) { st.markTrunc(); return; }
  let proto = st.g8(p);
  if (st.dead) return;
  if (proto % 2) { p += 1; len -= 1; } else {
    proto = st.g16(p);
    if (st.dead) return;
    p += 2; len -= 2;
  }
  if (st.eflag) {
    const name = PPP_NAMES.get(proto);
    out.str(name ?? 'unknown').str(' (0x').hex(proto, 4).str('), length ').dec(olen);
    if (name === undefined) return;
    out.str(': ');
  }
  handlePpp(st, proto, p, len);
}

/** handle_ppp(): what a PPP protocol field announces. */
export function handlePpp(st: TextState, proto: number, p: number, length: number): void {
  const out = st.out;
  if ((proto & 0xff00) === 0x7e00) {
    // An escape code: tcpdump un-escapes RFC 1662 octet stuffing and guesses again.
    st.markCut();
    out.str('(protocol 0x').hex(proto, 4).str(' escaped)');
    return;
  }
  if (CONTROL.has(proto)) { writeControl(st, proto, p, length); return; }
  switch (proto) {
    case 0x0800: case 0x002f: case 0x0021: writeIp4(st, p, length); return;
    case 0x86dd: case 0x0057: writeIp6(st, p, length); return;
    case 0x0281: case 0x0283: writeMpls(st, p, length); return;
    case 0x00fd: out.str('compressed PPP data'); return;
    default:
      st.markCut();
      if (proto === 0x003d || proto === 0xc223 || proto === 0xc023 || proto === 0xc02d
        || proto === 0x002b || proto === 0x8137 || proto === 0x0023) {
        // MLPPP, CHAP, PAP, BAP, IPX, OSI have printers of their own: the name is tcpdump's too.
        out.str(PPP_NAMES.get(proto) ?? '');
        return;
      }
      out.str(PPP_NAMES.get(proto) ?? 'unknown PPP protocol (0x' + proto.toString(16).padStart(4, '0') + ')').ch(32);
      st.unknownData(p, length);
  }
}

/** handle_ctrl_proto()'s first line; its options (-v) are printed generically. */
function writeControl(st: TextState, proto: number, p: number, length: number): void {
  const out = st.out;
  const name = PPP_NAMES.get(proto) ?? 'unknown';
  if (length < 4) { out.str(name).str(', [|').str(name).ch(93); return; }
  const code = st.g8(p);
  if (st.dead) return;
  const id = st.g8(p + 1);
  if (st.dead) return;
  // The length printed is what the frame leaves for the packet, plus 2 (tcpdump's own
  // arithmetic); the packet's length field is -v's "encoded length".
  out.str(name).str(', ').str(CP_CODES.get(code) ?? 'Unknown Opcode').str(' (0x').hex(code, 2).str('), id ').dec(id).str(', length ').dec(length + 2);
  if (!st.vflag) return;
  const len = st.g16(p + 2);
  if (st.dead) return;
  if (len < 4) { out.str('\n\tencoded length ').dec(len).str(' (< 4))'); return; }
  if (len > length) { out.str('\n\tencoded length ').dec(len).str(' (> packet length ').dec(length).str('))'); return; }
  out.str('\n\tencoded length ').dec(len).str(' (=Option(s) length ').dec(len - 4).ch(41);
  if (len === 4) return;
  if (st.vflag > 1) st.unknownData(p - 2, 6, '\n\t');
  const options = proto === 0xc021 ? lcpOption : proto === 0x8021 ? ipcpOption : proto === 0x8057 ? ip6cpOption : undefined;
  if (code >= 1 && code <= 4 && options !== undefined) {
    // The options, each given the whole encoded length as its bound (as tcpdump does).
    let tlen = len - 4;
    let q = p + 4;
    do {
      const adv = options(st, q, len);
      if (adv === 0 || st.dead) break;
      if (tlen < adv) { out.str(' [remaining options length ').dec(tlen).str(' < ').dec(adv).str('] (invalid)'); break; }
      tlen -= adv;
      q += adv;
    } while (tlen !== 0);
    return;
  }
  if (code === 9 || code === 10 || code === 11) {
    if (len < 8) return;
    out.str('\n\t  Magic-Num 0x').hex(st.g32(p + 4), 8);
    if (len > 8) { st.markCut(); }
    return;
  }
  // CCP and BACP options and the other codes: tcpdump's printers of their own.
  st.markCut();
}

/** print_lcp_config_options() (tcpdump 4.99): one option at q; its length, or 0 to stop. */
function lcpOption(st: TextState, q: number, length: number): number {
  const out = st.out;
  if (length < 2) return 0;
  if (!st.has(q, 2)) { out.str('[|lcp]'); return 0; }
  const opt = st.m[q];
  const len = st.m[q + 1];
  if (length < len) return 0;
  const name = LCP_OPTS[opt];
  if (len < 2) {
    if (name !== undefined) out.str('\n\t  ').str(name).str(' Option (0x').hex(opt, 2).str('), length ').dec(len).str(' (length bogus, should be >= 2)');
    else out.str('\n\tunknown LCP option 0x').hex(opt, 2);
    return 0;
  }
  if (name === undefined) { out.str('\n\tunknown LCP option 0x').hex(opt, 2); return len; }
  out.str('\n\t  ').str(name).str(' Option (0x').hex(opt, 2).str('), length ').dec(len);
  const bogus = (should: string, ret: number): number => { out.str(' (length bogus, should be ').str(should).ch(41); return ret; };
  switch (opt) {
    case 1: if (len !== 4) return bogus('= 4', len); out.str(': ').dec(st.g16(q + 2)); break;
    case 2: if (len !== 6) return bogus('= 6', len); out.str(': 0x').hex(st.g32(q + 2), 8); break;
    case 3: {
      if (len < 4) return bogus('>= 4', len);
      const ap = st.g16(q + 2);
      out.str(': ').str(PPP_NAMES.get(ap) ?? 'Unknown Auth Proto (0x04x)');
      if (ap === 0xc223) { const alg = st.g8(q + 4); out.str(', ').str(AUTH_ALGS.get(alg) ?? `Unknown Auth Alg ${alg}`); }
      else if (ap !== 0xc023 && ap !== 0xc227 && ap !== 0xc027 && ap !== 0xc123) st.unknownData(q, len, '\n\t');
      break;
    }
    case 4: if (len < 4) return bogus('>= 4', 0); out.str(st.g16(q + 2) === 0xc025 ? ': LQR' : ': unknown'); break;
    case 5: if (len !== 6) return bogus('= 6', 0); out.str(': 0x').hex(st.g32(q + 2), 8); break;
    case 7: case 8: break;
    case 23: if (len !== 4) return bogus('= 4', 0); out.str(': 0x').hex(st.g16(q + 2), 4); break;
    case 13: {
      if (len < 3) return bogus('>= 3', 0);
      const op = st.g8(q + 2);
      out.str(': : Callback Operation ').str(CALLBACK_OPS.get(op) ?? 'Unknown').str(' (').dec(op).ch(41);
      break;
    }
    case 17: if (len !== 4) return bogus('= 4', 0); out.str(': ').dec(st.g16(q + 2)); break;
    case 19: {
      if (len < 3) return bogus('>= 3', 0);
      const cls = st.g8(q + 2);
      if (cls === 0) out.str(': Null');
      else if (cls === 1) out.str(': Local');
      else if (cls === 2) { if (len !== 7) return bogus('= 7', 0); if (!st.get(q + 3, 4)) return 0; out.str(': IPv4 ').ipv4At(st.m, q + 3); }
      else if (cls === 3) { if (len !== 9) return bogus('= 9', 0); if (!st.get(q + 3, 6)) return 0; out.str(': MAC ').macAt(st.m, q + 3); }
      else if (cls === 4) out.str(': Magic-Num-Block');
      else if (cls === 5) out.str(': PSNDN');
      else out.str(': Unknown class ').dec(cls);
      break;
    }
    case 0: st.markCut(); return 0; // vendor extension: the OUI's name (tcpdump's oui table)
    default: if (st.vflag < 2) st.unknownData(q + 2, len - 2, '\n\t    ');
  }
  if (st.vflag > 1) st.unknownData(q + 2, len - 2, '\n\t    ');
  return len;
}

/** pppoecode2str and pppoetag2str. */
const PPPOE_CODES = new Map<number, string>([[0x09, 'PADI'], [0x07, 'PADO'], [0x19, 'PADR'], [0x65, 'PADS'], [0xa7, 'PADT'], [0, '']]);
const PPPOE_TAGS = new Map<number, string>([
  [0, 'EOL'], [0x0101, 'Service-Name'], [0x0102, 'AC-Name'], [0x0103, 'Host-Uniq'], [0x0104, 'AC-Cookie'],
  [0x0105, 'Vendor-Specific'], [0x0110, 'Relay-Session-ID'], [0x0120, 'PPP-Max-Payload'],
  [0x0201, 'Service-Name-Error'], [0x0202, 'AC-System-Error'], [0x0203, 'Generic-Error'],
]);

/** pppoe_print(): the header, a discovery packet's tags, or the PPP frame of a session. */
export function writePppoe(st: TextState, bp: number, length0: number): void {
  const out = st.out;
  st.proto = 'pppoe';
  if (length0 < 6) { out.str('truncated-pppoe ').dec(length0); return; }
  let length = length0 - 6;
  if (!st.need(bp, 6)) return;
  const m = st.m;
  const ver = m[bp] >> 4;
  const type = m[bp] & 15;
  const code = m[bp + 1];
  const session = (m[bp + 2] << 8) | m[bp + 3];
  let plen = (m[bp + 4] << 8) | m[bp + 5];
  const payload = bp + 6;
  if (ver !== 1) out.str(' [ver ').dec(ver).ch(93);
  if (type !== 1) out.str(' [type ').dec(type).ch(93);
  const name = PPPOE_CODES.get(code);
  out.str('PPPoE ').str(name ?? 'PAD-' + code.toString(16));
  if (code === 0x09 && plen > 1484 - 6) out.str(' [len ').dec(plen).str('!]');
  if (plen > length) { out.str(' [len ').dec(plen).str(' > ').dec(length).str('!]'); plen = length; }
  if (session !== 0) out.str(' [ses 0x').hex(session).ch(93);
  if (code === 0) {
    out.ch(32);
    writePpp(st, payload, plen);
    return;
  }
  let tagType = 0xffff;
  let p = payload;
  while (tagType !== 0 && p < payload + plen) {
    if (!st.need(p, 4)) return;
    tagType = (m[p] << 8) | m[p + 1];
    const tagLen = (m[p + 2] << 8) | m[p + 3];
    p += 4;
    const tname = PPPOE_TAGS.get(tagType) ?? 'TAG-0x' + tagType.toString(16);
    if (tagLen !== 0) {
      if (!st.need(p, tagLen)) return;
      let ascii = 0;
      let garbage = 0;
      let text = '';
      for (let q = p; q < p + tagLen && text.length < 79; q++) {
        const c = m[q];
        if (c >= 0x20 && c < 0x7f) { text += String.fromCharCode(c); ascii++; } else { text += '.'; garbage++; }
      }
      if (ascii > garbage) out.str(' [').str(tname).str(' "').str(text).str('"]');
      else {
        out.str(' [').str(tname).str(' 0x');
        for (let q = p; q < p + tagLen; q++) out.str(m[q].toString(16).toUpperCase().padStart(2, '0'));
        out.ch(93);
      }
    } else {
      out.str(' [').str(tname).ch(93);
    }
    p += tagLen;
  }
}

const MPLS_LABEL_NAMES = ['IPv4 explicit NULL', 'router alert', 'IPv6 explicit NULL', 'implicit NULL'];

/** mpls_print(): the label stack, then the payload by tcpdump's guess (the dissector's too). */
export function writeMpls(st: TextState, bp: number, length0: number): void {
  const out = st.out;
  st.proto = 'mpls';
  let p = bp;
  let length = length0;
  let depth = 0;
  let entry = 0;
  out.str('MPLS');
  do {
    if (!st.get(p, 4)) return;
    if (length < 4) { out.str('[|MPLS], length ').dec(length); return; }
    entry = st.g32(p);
    const label = entry >>> 12;
    out.str(depth > 0 && st.vflag ? '\n\t' : ' ').str('(label ').dec(label);
    depth++;
    if (st.vflag && label < 16) out.str(' (').str(MPLS_LABEL_NAMES[label] ?? 'rsvd').ch(41);
    out.str(', tc ').dec((entry >>> 9) & 7);
    if (entry & 0x100) out.str(', [S]');
    out.str(', ttl ').dec(entry & 0xff).ch(41);
    p += 4;
    length -= 4;
  } while ((entry & 0x100) === 0);
  const label = entry >>> 12;
  let pt = 0;
  if (label === 0 || label === 3) pt = 4;
  else if (label === 2) pt = 6;
  else {
    if (length < 1) return;
    const b = st.g8(p);
    if (st.dead) return;
    if (b >= 0x45 && b <= 0x4f) pt = 4;
    else if (b >= 0x60 && b <= 0x6f) pt = 6;
    else if (b >= 0x81 && b <= 0x83) pt = 1;
  }
  if (pt === 0) { st.markCut(); st.defaultData(p, length); return; }
  out.str(st.vflag ? '\n\t' : ' ');
  if (pt === 4) writeIp4(st, p, length);
  else if (pt === 6) writeIp6(st, p, length);
  else { st.markCut(); out.str('OSI'); }
}
