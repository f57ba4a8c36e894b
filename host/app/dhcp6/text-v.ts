// DHCPv6 with -v, as tcpdump 4.99.3 prints it (print-dhcp6.c: dhcp6_print, dhcp6opt_print):
// "dhcp6 <type> (xid=<hex>" or, for relay messages, "(linkaddr=<a> peeraddr=<a>", then
// every option in parentheses (nested ones inside their IA, IA address, prefix, relayed
// message, lease-query and client-data options), then ")". Where an option runs past the
// message or the capture tcpdump prints " [|dhcp6]" and returns from that level of
// options, so the enclosing ones still close their parentheses; a read its GET macros make
// past the capture ends the whole text (a jump).
import type { AppText } from '../app-text.js';
import { fnPrintChar } from '../text-chars.js';
import { fqdnText, ipv6Text } from '../dns/text.js';
import { DHCP6_TYPE_NAMES } from './text.js';

const TRUNC = ' [|dhcp6]';
const OPTION_NAMES: Record<number, string> = {
  1: 'client-ID', 2: 'server-ID', 3: 'IA_NA', 4: 'IA_TA', 5: 'IA_ADDR', 6: 'option-request', 7: 'preference', 8: 'elapsed-time',
  9: 'relay-message', 11: 'authentication', 12: 'server-unicast', 13: 'status-code', 14: 'rapid-commit', 15: 'user-class',
  16: 'vendor-class', 17: 'vendor-specific-info', 18: 'interface-ID', 19: 'reconfigure-message', 20: 'reconfigure-accept',
  21: 'SIP-servers-domain', 22: 'SIP-servers-address', 23: 'DNS-server', 24: 'DNS-search-list', 25: 'IA_PD', 26: 'IA_PD-prefix',
  27: 'NIS-server', 28: 'NIS+-server', 29: 'NIS-domain-name', 30: 'NIS+-domain-name', 31: 'SNTP-servers', 32: 'lifetime',
  33: 'BCMCS-domain-name', 34: 'BCMCS-server', 36: 'Geoconf-Civic', 37: 'Remote-ID', 38: 'Subscriber-ID', 39: 'Client-FQDN',
  40: 'PANA-agent', 41: 'POSIX-timezone', 42: 'POSIX-tz-database', 43: 'Echo-request-option', 44: 'Lease-query',
  45: 'LQ-client-data', 46: 'Clt-time', 47: 'LQ-relay-data', 48: 'LQ-client-link', 56: 'NTP-server', 64: 'AFTR-Name', 112: 'MUD-URL',
};
const STATUS = ['Success', 'UnspecFail', 'NoAddrsAvail', 'NoBinding', 'NotOnLink', 'UseMulticast', 'NoPrefixAvail', 'UnknownQueryType',
  'MalformedQuery', 'NotConfigured', 'NotAllowed'];
const ADDRESS_LISTS = new Set([22, 23, 31, 27, 28, 34, 40, 48]);

const optName = (t: number): string => OPTION_NAMES[t] ?? `opt_${t}`;
const hex2 = (b: number): string => b.toString(16).padStart(2, '0');

/** A GET macro's read past the capture: unwinds the whole printer. */
class Jump extends Error {}

class Out {
  s = '';
  constructor(readonly u8: Uint8Array, public snapend: number) {}
  u8at(p: number): number { if (p + 1 > this.snapend) throw new Jump(); return this.u8[p]; }
  u16(p: number): number { if (p + 2 > this.snapend) throw new Jump(); return (this.u8[p] << 8) | this.u8[p + 1]; }
  u32(p: number): number { if (p + 4 > this.snapend) throw new Jump(); return ((this.u8[p] << 24) | (this.u8[p + 1] << 16) | (this.u8[p + 2] << 8) | this.u8[p + 3]) >>> 0; }
  ip6(p: number): string { if (p + 16 > this.snapend) throw new Jump(); return ipv6Text(this.u8.subarray(p, p + 16)); }
  /** nd_printjnp: up to n characters, stopping at a NUL. */
  printjnp(p: number, n: number): void {
    for (let i = 0; i < n; i++) {
      const c = this.u8at(p + i);
      if (c === 0) return;
      this.s += fnPrintChar(c);
    }
  }
  /** fqdn_print(); false where tcpdump's returns NULL. */
  fqdn(cp: number, bp: number): number | null {
    const r = fqdnText(this.u8, cp, bp, this.snapend);
    this.s += r.text;
    if (r.jumped) throw new Jump();
    return r.next;
  }
}

/** dhcp6_print() with -v for the message at `p` (`length` bytes of UDP payload). */
export function dhcp6VerboseText(u8: Uint8Array, p: number, length: number, snapend: number): AppText {
  const o = new Out(u8, snapend);
  o.s = 'dhcp6';
  if (p + 4 > snapend) return { text: `dhcp6${TRUNC}`, trunc: 'soft' };
  const ep = Math.min(snapend, p + length);
  try {
    const type = o.u8at(p);
    o.s += ` ${DHCP6_TYPE_NAMES[type] || `msgtype-${type}`} (`;
    if (type !== 12 && type !== 13) {
      o.s += `xid=${(o.u32(p) & 0xffffff).toString(16)}`;
      options(o, p + 4, ep);
    } else {
      o.s += `linkaddr=${o.ip6(p + 2)}`;
      o.s += ` peeraddr=${o.ip6(p + 18)}`;
      options(o, p + 34, ep);
    }
    o.s += ')';
    return { text: o.s, trunc: 'none' };
  } catch (e) {
    if (!(e instanceof Jump)) throw e;
    return { text: o.s + TRUNC, trunc: 'jump' };
  }
}

/** dhcp6opt_print(): the options in [cp, ep). */
function options(o: Out, cp: number, ep: number): void {
  while (cp < ep) {
    if (ep < cp + 4 || cp + 4 > o.snapend) { o.s += TRUNC; return; }
    const len = o.u16(cp + 2);
    if (ep < cp + 4 + len) { o.s += TRUNC; return; }
    const type = o.u16(cp);
    o.s += ` (${optName(type)}`;
    if (cp + 4 + len > o.snapend) { o.s += TRUNC; return; }
    if (!option(o, type, cp + 4, len, cp)) { o.s += TRUNC; return; }
    cp += 4 + len;
  }
}

/** One option's data and its closing parenthesis; false where tcpdump's "goto trunc". */
function option(o: Out, type: number, tp: number, len: number, cp: number): boolean {
  const bad = (): boolean => { o.s += ' ?)'; return true; };
  const end = tp + len;
  switch (type) {
    case 1: case 2: { // DUID (RFC 8415 §11)
      if (len < 2) return bad();
      const duid = o.u16(tp);
      if (duid === 1) {
        if (len < 8) return bad();
        const hw = o.u16(tp + 2), time = o.u32(tp + 4);
        o.s += ` hwaddr/time type ${hw} time ${time} `;
        for (let i = 8; i < len; i++) o.s += hex2(o.u8at(tp + i));
        o.s += ')';
      } else if (duid === 2) {
        if (len < 10) return bad();
        o.s += ' vid ';
        for (let i = 2; i < 10; i++) o.s += hex2(o.u8at(tp + i));
        o.s += ')';
      } else if (duid === 3) {
        if (len < 4) return bad();
        o.s += ` hwaddr type ${o.u16(tp + 2)} `;
        for (let i = 4; i < len; i++) o.s += hex2(o.u8at(tp + i));
        o.s += ')';
      } else o.s += ` type ${duid})`;
      return true;
    }
    case 5: { // IA address
      if (len < 24) return bad();
      o.s += ` ${o.ip6(tp)}`;
      const pl = o.u32(tp + 16), vl = o.u32(tp + 20);
      o.s += ` pltime:${pl} vltime:${vl}`;
      if (len > 24) options(o, tp + 24, end);
      o.s += ')';
      return true;
    }
    case 6: case 43: // option request, echo request
      if (len % 2 !== 0) return bad();
      for (let i = 0; i < len; i += 2) o.s += ` ${optName(o.u16(tp + i))}`;
      o.s += ')';
      return true;
    case 7:
      if (len !== 1) return bad();
      o.s += ` ${o.u8at(tp)})`;
      return true;
    case 8:
      if (len !== 2) return bad();
      o.s += ` ${o.u16(tp)})`;
      return true;
    case 9: { // relay message: the nested message, its snapend cut at the option's end
      o.s += ' (';
      const save = o.snapend;
      o.snapend = Math.min(end, save);
      try {
        nested(o, tp, len);
      } finally {
        o.snapend = save;
      }
      o.s += ')';
      return true;
    }
    case 11: return auth(o, tp, len);
    case 14: case 20:
      o.s += ')';
      return true;
    case 18: case 38: // interface id, subscriber id: the first 10 bytes in hex
      o.s += ' ';
      for (let i = 0; i < len && i < 10; i++) o.s += hex2(o.u8at(tp + i));
      o.s += '...)';
      return true;
    case 19: {
      if (len !== 1) return bad();
      const t = o.u8at(tp);
      o.s += t === 5 ? ' for renew)' : t === 11 ? ' for inf-req)' : ` for ???(${hex2(t)}))`;
      return true;
    }
    case 21: case 24: // domain lists (RFC 1035 names)
      for (let q: number | null = tp; q < cp + 4 + len;) {
        o.s += ' ';
        q = o.fqdn(q, cp + 4 + len);
        if (q === null) return false;
      }
      o.s += ')';
      return true;
    case 13: {
      if (len < 2) return bad();
      const code = o.u16(tp);
      o.s += ` ${code > 255 ? 'INVALID code' : STATUS[code] ?? `code${code}`})`;
      return true;
    }
    case 3: case 25: { // IA_NA, IA_PD
      if (len < 12) return bad();
      const id = o.u32(tp), t1 = o.u32(tp + 4), t2 = o.u32(tp + 8);
      o.s += ` IAID:${id} T1:${t1} T2:${t2}`;
      if (len > 12) options(o, tp + 12, end);
      o.s += ')';
      return true;
    }
    case 4:
      if (len < 4) return bad();
      o.s += ` IAID:${o.u32(tp)}`;
      if (len > 4) options(o, tp + 4, end);
      o.s += ')';
      return true;
    case 26: { // IA_PD prefix
      if (len < 25) return bad();
      const prefix = o.ip6(tp + 9), plen = o.u8at(tp + 8);
      o.s += ` ${prefix}/${plen}`;
      const pl = o.u32(tp), vl = o.u32(tp + 4);
      o.s += ` pltime:${pl} vltime:${vl}`;
      if (len > 25) options(o, tp + 25, end);
      o.s += ')';
      return true;
    }
    case 32: case 46:
      if (len !== 4) return bad();
      o.s += ` ${o.u32(tp)})`;
      return true;
    case 37: // remote id: enterprise number, then 10 bytes in hex
      if (len < 4) return bad();
      o.s += ` ${o.u32(tp)} `;
      for (let i = 4; i < len && i < 14; i++) o.s += hex2(o.u8at(tp + i));
      o.s += '...)';
      return true;
    case 44: { // lease query
      if (len < 17) return bad();
      const q = o.u8at(tp);
      o.s += q === 1 ? ' by-address' : q === 2 ? ' by-clientID' : ` type_${q}`;
      o.s += ` ${o.ip6(tp + 1)}`;
      if (len > 17) options(o, tp + 17, end);
      o.s += ')';
      return true;
    }
    case 45:
      if (len > 0) options(o, tp, end);
      o.s += ')';
      return true;
    case 47: // relay data: peer address, then 10 bytes in hex
      if (len < 16) return bad();
      o.s += ` ${o.ip6(tp)} `;
      for (let i = 16; i < len && i < 26; i++) o.s += hex2(o.u8at(tp + i));
      o.s += '...)';
      return true;
    case 56: { // NTP server suboptions (RFC 5908)
      if (len < 4) return bad();
      let q = tp;
      while (q < cp + 4 + len - 4) {
        const code = o.u16(q);
        const sublen = o.u16(q + 2);
        q += 4;
        if (q + sublen > cp + 4 + len) return false;
        o.s += ` subopt:${code}`;
        if (code === 1 || code === 2) {
          if (sublen !== 16) o.s += ' ?';
          else o.s += ` ${o.ip6(q)}`;
        } else if (code === 3) {
          o.s += ' ';
          if (o.fqdn(q, q + sublen) === null) return false;
        } else o.s += ' ?';
        q += sublen;
      }
      o.s += ')';
      return true;
    }
    case 64: { // AFTR name (RFC 6334): labels, not compressed
      if (len < 3) return bad();
      let q = tp;
      let remain = len;
      o.s += ' ';
      while (remain !== 0 && o.u8at(q) !== 0) {
        const l = o.u8at(q);
        q++;
        if (l < remain - 1) {
          o.printjnp(q, l);
          q += l;
          remain -= l + 1;
          if (o.u8at(q) !== 0) o.s += '.';
        } else {
          o.s += ' ?';
          break;
        }
      }
      o.s += ')';
      return true;
    }
    case 41: case 42: case 112:
      if (len < 5) return bad();
      o.s += ' ';
      o.printjnp(tp, len);
      o.s += ')';
      return true;
    default:
      if (ADDRESS_LISTS.has(type)) {
        if (len % 16 !== 0) return bad();
        for (let i = 0; i < len; i += 16) o.s += ` ${o.ip6(tp + i)}`;
        o.s += ')';
        return true;
      }
      o.s += ')';
      return true;
  }
}

/** dhcp6_print() for a relayed message (its own ND_TCHECK_4 prints the marker). */
function nested(o: Out, p: number, length: number): void {
  o.s += 'dhcp6';
  const ep = Math.min(o.snapend, p + length);
  if (p + 4 > o.snapend) { o.s += TRUNC; return; }
  const type = o.u8at(p);
  o.s += ` ${DHCP6_TYPE_NAMES[type] || `msgtype-${type}`} (`;
  if (type !== 12 && type !== 13) {
    o.s += `xid=${(o.u32(p) & 0xffffff).toString(16)}`;
    options(o, p + 4, ep);
  } else {
    o.s += `linkaddr=${o.ip6(p + 2)}`;
    o.s += ` peeraddr=${o.ip6(p + 18)}`;
    options(o, p + 34, ep);
  }
  o.s += ')';
}

/** The authentication option (RFC 8415 §21.11). */
function auth(o: Out, tp: number, len: number): boolean {
  if (len < 11) { o.s += ' ?)'; return true; }
  const proto = o.u8at(tp);
  o.s += proto === 2 ? ' proto: delayed' : proto === 3 ? ' proto: reconfigure' : ` proto: ${proto}`;
  const alg = o.u8at(tp + 1);
  o.s += alg === 1 ? ', alg: HMAC-MD5' : `, alg: ${alg}`;
  const rdm = o.u8at(tp + 2);
  o.s += rdm === 0 ? ', RDM: mono' : `, RDM: ${rdm}`;
  o.s += ', RD:';
  let q = tp + 3;
  for (let i = 0; i < 4; i++, q += 2) o.s += ` ${o.u16(q).toString(16).padStart(4, '0')}`;
  const info = len - 11;
  if (proto === 2) {
    if (info !== 0) {
      if (info < 20) o.s += ' ??';
      else {
        const realm = info - 20;
        if (realm > 0) o.s += ', realm: ';
        for (let i = 0; i < realm; i++, q++) o.s += hex2(o.u8at(q));
        o.s += `, key ID: ${o.u32(q).toString(16).padStart(8, '0')}`;
        q += 4;
        o.s += ', HMAC-MD5:';
        for (let i = 0; i < 4; i++, q += 4) o.s += ` ${o.u32(q).toString(16).padStart(8, '0')}`;
      }
    }
  } else if (proto === 3) {
    if (info !== 17) o.s += ' ??';
    else {
      const t = o.u8at(q);
      o.s += t === 1 ? ' reconfig-key' : t === 2 ? ' type: HMAC-MD5' : ' type: ??';
      q++;
      o.s += ' value:';
      for (let i = 0; i < 4; i++, q += 4) o.s += ` ${o.u32(q).toString(16).padStart(8, '0')}`;
    }
  } else o.s += ' ??';
  o.s += ')';
  return true;
}
