// Syntax tree of a pcap-filter expression. It keeps libpcap's qualifier triple
// (protocol, direction, address kind) on every bare identifier, already resolved by the
// parser's abbreviation rules ("host a or b" gives b the qualifiers of "host a"), so the
// code generator never has to look back.

/** Protocol qualifiers (libpcap Q_*), in grammar spelling. 'default' = none given. */
export type ProtoQ = string;
export type DirQ = 'default' | 'src' | 'dst' | 'or' | 'and' | 'addr1' | 'addr2' | 'addr3' | 'addr4' | 'ra' | 'ta' | 'undef';
export type AddrQ = 'default' | 'host' | 'net' | 'port' | 'portrange' | 'proto' | 'protochain' | 'gateway' | 'undef';

export interface Qual {
  proto: ProtoQ | 'undef';
  dir: DirQ;
  addr: AddrQ;
}

/** libpcap's qerr: what a primitive that is not "head id" leaves for a following bare id. */
export const QERR: Qual = { proto: 'undef', dir: 'undef', addr: 'undef' };

export type IdValue =
  | { t: 'num'; n: number }
  | { t: 'name'; s: string }
  | { t: 'hid'; s: string }
  | { t: 'hidlen'; s: string; len: number }
  | { t: 'hidmask'; s: string; mask: string }
  | { t: 'hid6'; s: string; len: number }
  | { t: 'eid'; s: string }
  | { t: 'aid'; s: string };

export type ArthOp = '+' | '-' | '*' | '/' | '%' | '&' | '|' | '^' | 'lsh' | 'rsh';
export type RelOp = '>' | 'geq' | '=' | 'leq' | '<' | 'neq';

export type Arth =
  | { k: 'num'; n: number; pos: number }
  | { k: 'len'; pos: number }
  | { k: 'load'; proto: ProtoQ; idx: Arth; size: number; pos: number }
  | { k: 'bin'; op: ArthOp; a: Arth; b: Arth; pos: number }
  | { k: 'neg'; a: Arth; pos: number };

export type Expr =
  | { k: 'true'; pos: number }
  | { k: 'and' | 'or'; a: Expr; b: Expr; pos: number }
  | { k: 'not'; a: Expr; pos: number }
  | { k: 'id'; q: Qual; v: IdValue; pos: number }
  | { k: 'pname'; proto: ProtoQ; pos: number }
  | { k: 'rel'; op: RelOp; a: Arth; b: Arth; pos: number }
  | { k: 'broadcast' | 'multicast'; proto: ProtoQ; pos: number }
  | { k: 'less' | 'greater'; n: number; pos: number }
  | { k: 'byte'; idx: number; op: string; n: number; pos: number }
  | { k: 'vlan'; id: number | null; pos: number }
  | { k: 'mpls' | 'pppoes' | 'geneve'; id: number | null; pos: number }
  | { k: 'pppoed'; pos: number }
  | { k: 'inbound' | 'outbound'; pos: number }
  | { k: 'unsupported'; what: string; pos: number };
