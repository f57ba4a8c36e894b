// Tokenizer for the pcap-filter language, a port of libpcap's scanner.l rules. It keeps
// flex's resolution: the longest match wins, and on a tie the rule written first wins
// (keywords, then $arcnet, MAC, number, dotted host, IPv6, then plain identifiers). That
// is why "len-1" is one identifier and "1-1024" is a port range name, exactly as in tcpdump.
import { filterError } from './error.js';
import { NAMED_NUMBERS } from './names.js';
import { parseIPv6 } from '../runtime/addr.js';

export type Punct = '(' | ')' | '[' | ']' | ':' | '+' | '-' | '*' | '/' | '%' | '&' | '|' | '^' | '=' | '>' | '<' | '!';

export type TokKind =
  | 'num' // NUM: value in .num
  | 'hid' // dotted IPv4 host or network, 2 to 4 parts
  | 'hid6' // IPv6 literal
  | 'eid' // MAC address
  | 'aid' // $NN ARCnet address
  | 'id' // identifier (names, or a backslash-escaped word)
  | 'kw' // keyword: canonical word in .text
  | 'punct' // one of Punct, or geq leq neq lsh rsh (in .text)
  | 'eof';

export interface Token {
  kind: TokKind;
  text: string;
  num: number;
  /** Character offset of the token in the expression (0-based). */
  pos: number;
  end: number;
}

/** Keyword spellings mapped to their canonical grammar symbol. */
const KEYWORDS: Record<string, string> = {
  dst: 'dst', src: 'src',
  link: 'link', ether: 'link', ppp: 'link', slip: 'link', fddi: 'link', tr: 'link', wlan: 'link',
  arp: 'arp', rarp: 'rarp', ip: 'ip', sctp: 'sctp', tcp: 'tcp', udp: 'udp', icmp: 'icmp', igmp: 'igmp',
  igrp: 'igrp', pim: 'pim', vrrp: 'vrrp', carp: 'carp', radio: 'radio', ip6: 'ip6', icmp6: 'icmp6',
  ah: 'ah', esp: 'esp', atalk: 'atalk', aarp: 'aarp', decnet: 'decnet', lat: 'lat', sca: 'sca',
  moprc: 'moprc', mopdl: 'mopdl', iso: 'iso', esis: 'esis', 'es-is': 'esis', isis: 'isis', 'is-is': 'isis',
  l1: 'l1', l2: 'l2', iih: 'iih', lsp: 'lsp', snp: 'snp', csnp: 'csnp', psnp: 'psnp', clnp: 'clnp',
  stp: 'stp', ipx: 'ipx', netbeui: 'netbeui',
  host: 'host', net: 'net', mask: 'mask', port: 'port', portrange: 'portrange', proto: 'proto',
  protochain: 'protochain', gateway: 'gateway', type: 'type', subtype: 'subtype', direction: 'dir', dir: 'dir',
  address1: 'addr1', addr1: 'addr1', address2: 'addr2', addr2: 'addr2', address3: 'addr3', addr3: 'addr3',
  address4: 'addr4', addr4: 'addr4', ra: 'ra', ta: 'ta',
  less: 'less', greater: 'greater', byte: 'byte', broadcast: 'broadcast', multicast: 'multicast',
  and: 'and', or: 'or', not: '!',
  len: 'len', length: 'len', inbound: 'inbound', outbound: 'outbound', ifindex: 'ifindex',
  vlan: 'vlan', mpls: 'mpls', pppoed: 'pppoed', pppoes: 'pppoes', geneve: 'geneve',
  lane: 'lane', llc: 'llc', metac: 'metac', bcc: 'bcc', oam: 'oam', oamf4: 'oamf4', oamf4ec: 'oamf4ec',
  oamf4sc: 'oamf4sc', sc: 'sc', ilmic: 'ilmic', vpi: 'vpi', vci: 'vci', connectmsg: 'connectmsg',
  metaconnect: 'metaconnect', on: 'ifname', ifname: 'ifname', rset: 'rset', ruleset: 'rset', rnr: 'rnr',
  rulenum: 'rnr', srnr: 'srnr', subrulenum: 'srnr', reason: 'reason', action: 'action',
  fisu: 'fisu', lssu: 'lssu', lsu: 'lssu', msu: 'msu', hfisu: 'hfisu', hlssu: 'hlssu', hmsu: 'hmsu',
  sio: 'sio', opc: 'opc', dpc: 'dpc', sls: 'sls', hsio: 'hsio', hopc: 'hopc', hdpc: 'hdpc', hsls: 'hsls',
};

const TWO_CHAR: Record<string, string> = {
  '>=': 'geq', '<=': 'leq', '!=': 'neq', '==': '=', '<<': 'lsh', '>>': 'rsh', '&&': 'and', '||': 'or',
};
const ONE_CHAR = '+-*/%:[]!<>()&|^=';

const RE_AID = /\$[0-9A-Fa-f][0-9A-Fa-f]?/y;
const RE_MAC = [
  /[0-9A-Fa-f]{1,2}(?::[0-9A-Fa-f]{1,2}){5}/y,
  /[0-9A-Fa-f]{1,2}(?:-[0-9A-Fa-f]{1,2}){5}/y,
  /[0-9A-Fa-f]{1,2}(?:\.[0-9A-Fa-f]{1,2}){5}/y,
  /[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}/y,
  /[0-9A-Fa-f]{12}/y,
];
const N = '(?:0[xX][0-9A-Fa-f]+|[0-9]+)';
const RE_NUM = new RegExp(N, 'y');
const RE_HID = new RegExp(`${N}\\.${N}(?:\\.${N}(?:\\.${N})?)?`, 'y');
const RE_V6RUN = /[0-9A-Fa-f:.]+/y;
const RE_BOGUS_MAC = /[0-9A-Fa-f]{1,2}:+(?:[0-9A-Fa-f]{1,2}:+)+/y;
const RE_ID = /[A-Za-z0-9](?:[-_.A-Za-z0-9]*[.A-Za-z0-9])?/y;
const RE_ESC = /\\[^ !()\n\t]+/y;

function matchLen(re: RegExp, s: string, pos: number): number {
  re.lastIndex = pos;
  const m = re.exec(s);
  return m === null ? 0 : m[0].length;
}

/** libpcap's stou(): decimal, 0x hex, or leading-0 octal, with its overflow errors. */
function parseNumber(text: string, pos: number): number {
  let base = 10;
  let digits = text;
  if (/^0[xX]/.test(text)) {
    base = 16;
    digits = text.slice(2);
  } else if (text.length > 1 && text[0] === '0') {
    base = 8;
    digits = text.slice(1);
  }
  let n = 0;
  for (const ch of digits) {
    const d = parseInt(ch, 16);
    if (base === 8 && d > 7) throw filterError(pos, `number ${text} contains non-octal digit`);
    n = n * base + d;
    if (n > 0xFFFF_FFFF) throw filterError(pos, `number ${text} overflows 32 bits`);
  }
  return n;
}

/** Longest IPv6 literal starting at pos (0 if none), as flex's V6 patterns would take it. */
function v6Len(s: string, pos: number): number {
  const run = matchLen(RE_V6RUN, s, pos);
  for (let n = run; n >= 2; n--) {
    const t = s.slice(pos, pos + n);
    if (t.includes(':') && parseIPv6(t) !== null) return n;
  }
  return 0;
}

export function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  const push = (kind: TokKind, text: string, pos: number, end: number, num = 0): void => {
    out.push({ kind, text, num, pos, end });
  };
  while (i < src.length) {
    const c = src[i];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
      continue;
    }
    if (c === '\\') {
      const n = matchLen(RE_ESC, src, i);
      if (n > 0) {
        push('id', src.slice(i + 1, i + n), i, i + n);
        i += n;
        continue;
      }
      throw filterError(i, `unexpected character '\\'`);
    }
    // Word-like tokens: every rule's match length, then the longest (first rule on ties).
    const lenId = matchLen(RE_ID, src, i);
    const idText = src.slice(i, i + lenId);
    const cands: Array<[TokKind | 'kwnum' | 'bogus', number]> = [];
    if (lenId > 0 && KEYWORDS[idText] !== undefined) cands.push(['kw', lenId]);
    cands.push(['aid', matchLen(RE_AID, src, i)]);
    cands.push(['eid', Math.max(...RE_MAC.map((r) => matchLen(r, src, i)))]);
    cands.push(['num', matchLen(RE_NUM, src, i)]);
    cands.push(['hid', matchLen(RE_HID, src, i)]);
    cands.push(['hid6', v6Len(src, i)]);
    cands.push(['bogus', matchLen(RE_BOGUS_MAC, src, i)]);
    if (lenId > 0 && NAMED_NUMBERS[idText] !== undefined) cands.push(['kwnum', lenId]);
    cands.push(['id', lenId]);
    let best: TokKind | 'kwnum' | 'bogus' = 'id';
    let bestLen = 0;
    for (const [k, n] of cands) {
      if (n > bestLen) {
        best = k;
        bestLen = n;
      }
    }
    // Operators: flex's rule for them comes first, so they win ties ("::1" is longer than ':').
    const two = src.slice(i, i + 2);
    const opLen = TWO_CHAR[two] !== undefined ? 2 : ONE_CHAR.includes(c) ? 1 : 0;
    if (opLen > 0 && opLen >= bestLen) {
      if (opLen === 2) {
        const t = TWO_CHAR[two];
        push(t === 'and' || t === 'or' ? 'kw' : 'punct', t, i, i + 2);
      } else {
        push('punct', c, i, i + 1);
      }
      i += opLen;
      continue;
    }
    if (bestLen === 0) throw filterError(i, `unexpected character '${c}'`);
    const text = src.slice(i, i + bestLen);
    switch (best) {
      case 'kw':
        push('kw', KEYWORDS[text], i, i + bestLen);
        break;
      case 'kwnum':
        push('num', text, i, i + bestLen, NAMED_NUMBERS[text]);
        break;
      case 'num':
        push('num', text, i, i + bestLen, parseNumber(text, i));
        break;
      case 'bogus':
        throw filterError(i, `bogus ethernet address ${text}`);
      default:
        push(best, text, i, i + bestLen);
    }
    i += bestLen;
  }
  push('eof', '', src.length, src.length);
  return out;
}

/** How a token reads in an error message. */
export function describe(t: Token): string {
  if (t.kind === 'eof') return 'end of expression';
  return `'${t.text}'`;
}

export { parseNumber };
