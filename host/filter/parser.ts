// Recursive-descent parser for libpcap's grammar.y. Where yacc decides with one token of
// lookahead between readings of the same tokens ("port 80 or 443": is 443 a new primitive
// or a bare id inheriting "port"?), we try the alternatives in the order yacc prefers and
// backtrack. A syntax error reports the furthest position any alternative reached and
// what would have been accepted there.
import type { Arth, ArthOp, Expr, IdValue, Qual, RelOp } from './ast.js';
import { QERR } from './ast.js';
import { FilterError } from './error.js';
import { describe, tokenize, type Token } from './lexer.js';

/** Protocol names that can qualify a primitive or index a packet (grammar "pname"). */
const PNAMES = new Set([
  'link', 'ip', 'arp', 'rarp', 'sctp', 'tcp', 'udp', 'icmp', 'igmp', 'igrp', 'pim', 'vrrp', 'carp',
  'ip6', 'icmp6', 'ah', 'esp', 'atalk', 'aarp', 'decnet', 'lat', 'sca', 'moprc', 'mopdl', 'iso',
  'esis', 'isis', 'l1', 'l2', 'iih', 'lsp', 'snp', 'csnp', 'psnp', 'clnp', 'stp', 'ipx', 'netbeui', 'radio',
]);
const DQUALS = new Set(['src', 'dst', 'addr1', 'addr2', 'addr3', 'addr4', 'ra', 'ta']);
const AQUALS = new Set(['host', 'net', 'port', 'portrange']);
/** Keywords we recognise but do not implement (tcpdump accepts some of them). */
const UNSUPPORTED_OTHER = new Set([
  'ifindex', 'ifname', 'rset', 'rnr', 'srnr', 'reason', 'action',
  'type', 'subtype', 'dir', 'lane', 'llc', 'metac', 'bcc', 'oam', 'oamf4', 'oamf4ec', 'oamf4sc', 'sc',
  'ilmic', 'vpi', 'vci', 'connectmsg', 'metaconnect', 'fisu', 'lssu', 'msu', 'hfisu', 'hlssu', 'hmsu',
  'sio', 'opc', 'dpc', 'sls', 'hsio', 'hopc', 'hdpc', 'hsls',
]);

class Fail extends Error {}

interface Res {
  node: Expr;
  /** Qualifiers a following bare id inherits (yacc's $$.q). */
  q: Qual;
}

export class Parser {
  private readonly toks: Token[];
  private i = 0;
  private farPos = -1;
  private farExpected = new Set<string>();
  private farTok: Token | null = null;

  constructor(readonly src: string) {
    this.toks = tokenize(src);
  }

  parse(): Expr {
    try {
      if (this.peek().kind === 'eof') return { k: 'true', pos: 0 };
      const r = this.expr(QERR);
      if (this.peek().kind !== 'eof') this.fail(["'and'", "'or'", 'end of expression']);
      return r.node;
    } catch (e) {
      if (!(e instanceof Fail)) throw e;
      const t = this.farTok ?? this.peek();
      const exp = [...this.farExpected];
      // A list as a sentence says it: "expected 'and', 'or' or end of expression".
      const alts = exp.slice(0, 6);
      const list = alts.length > 1 ? `${alts.slice(0, -1).join(', ')} or ${alts[alts.length - 1]}` : alts.join('');
      const what = exp.length > 0 ? `expected ${list}` : 'unexpected token';
      throw new FilterError(t.pos, `syntax error: ${what}, got ${describe(t)}`);
    }
  }

  // ---- token helpers ----
  private peek(o = 0): Token {
    return this.toks[Math.min(this.i + o, this.toks.length - 1)];
  }
  private next(): Token {
    const t = this.peek();
    if (this.i < this.toks.length - 1) this.i++;
    return t;
  }
  private is(t: Token, kind: 'kw' | 'punct', text: string): boolean {
    return t.kind === kind && t.text === text;
  }
  private isKw(text: string, o = 0): boolean {
    return this.is(this.peek(o), 'kw', text);
  }
  private isP(text: string, o = 0): boolean {
    return this.is(this.peek(o), 'punct', text);
  }
  private isNot(o = 0): boolean {
    const t = this.peek(o);
    return (t.kind === 'kw' || t.kind === 'punct') && t.text === '!';
  }
  private fail(expected: string[]): never {
    const t = this.peek();
    if (t.pos > this.farPos) {
      this.farPos = t.pos;
      this.farExpected = new Set(expected);
      this.farTok = t;
    } else if (t.pos === this.farPos) {
      for (const e of expected) this.farExpected.add(e);
    }
    throw new Fail();
  }
  private expectP(text: string): Token {
    if (!this.isP(text)) this.fail([`'${text}'`]);
    return this.next();
  }
  /** Runs alternatives in order; the first that succeeds wins, the cursor is restored between. */
  /** '(' inner ')', at the '('. */
  private parenthesized<T>(inner: () => T): T {
    this.next();
    const r = inner();
    this.expectP(')');
    return r;
  }

  private alt<T>(...fns: Array<() => T>): T {
    const save = this.i;
    for (const fn of fns) {
      try {
        return fn();
      } catch (e) {
        if (!(e instanceof Fail)) throw e;
        this.i = save;
      }
    }
    throw new Fail();
  }

  // ---- expressions ----
  // expr: term | expr and term | expr and id | expr or term | expr or id  (and/or: same precedence, left)
  private expr(ctx: Qual): Res {
    let left = this.term(ctx);
    while (this.isKw('and') || this.isKw('or')) {
      const op = this.next();
      const q = left.q;
      const right = this.alt(() => this.term(q), () => this.id(q));
      left = { node: { k: op.text as 'and' | 'or', a: left.node, b: right.node, pos: op.pos }, q: right.q };
    }
    return left;
  }

  // term: rterm | not term
  private term(ctx: Qual): Res {
    if (this.isNot()) {
      const t = this.next();
      const r = this.term(ctx);
      return { node: { k: 'not', a: r.node, pos: t.pos }, q: r.q };
    }
    return this.rterm(ctx);
  }

  private rterm(ctx: Qual): Res {
    const t = this.peek();
    if (this.isP('(')) {
      return this.alt(() => ({ node: this.parenthesized(() => this.expr(ctx)).node, q: ctx }), () => this.relation());
    }
    if (t.kind === 'kw' && PNAMES.has(t.text)) {
      const n = this.peek(1);
      if (this.is(n, 'punct', '[')) return this.relation();
      if (n.kind === 'kw' && (n.text === 'broadcast' || n.text === 'multicast')) {
        this.next();
        this.next();
        return { node: { k: n.text, proto: t.text, pos: t.pos }, q: QERR };
      }
      if (n.kind === 'kw' && (DQUALS.has(n.text) || AQUALS.has(n.text) || n.text === 'proto' || n.text === 'protochain' || n.text === 'gateway')) {
        return this.headId();
      }
      this.next();
      return { node: { k: 'pname', proto: t.text, pos: t.pos }, q: QERR };
    }
    if (t.kind === 'kw') {
      if (DQUALS.has(t.text) || AQUALS.has(t.text) || t.text === 'proto' || t.text === 'protochain' || t.text === 'gateway') {
        return this.headId();
      }
      switch (t.text) {
        case 'broadcast':
        case 'multicast':
          this.next();
          return { node: { k: t.text, proto: 'default', pos: t.pos }, q: QERR };
        case 'less':
        case 'greater': {
          this.next();
          const n = this.num();
          return { node: { k: t.text, n, pos: t.pos }, q: QERR };
        }
        case 'byte': {
          this.next();
          const idx = this.num();
          const op = this.peek();
          if (!(op.kind === 'punct' && '&|<>='.includes(op.text) && op.text.length === 1)) this.fail(["'&'", "'|'", "'<'", "'>'", "'='"]);
          this.next();
          const n = this.num();
          return { node: { k: 'byte', idx, op: op.text, n, pos: t.pos }, q: QERR };
        }
        case 'vlan': {
          this.next();
          const id = this.alt(() => this.pnum(), () => null);
          return { node: { k: 'vlan', id, pos: t.pos }, q: QERR };
        }
        case 'mpls':
        case 'geneve':
        case 'pppoes': {
          this.next();
          const id = this.alt(() => this.pnum(), () => null);
          return { node: { k: t.text, id, pos: t.pos }, q: QERR };
        }
        case 'pppoed':
          this.next();
          return { node: { k: 'pppoed', pos: t.pos }, q: QERR };
        case 'inbound':
        case 'outbound':
          this.next();
          return { node: { k: t.text, pos: t.pos }, q: QERR };
        case 'len':
          return this.relation();
        default:
          if (UNSUPPORTED_OTHER.has(t.text)) {
            this.next();
            // Consume an optional number argument so the rest still parses.
            this.alt(() => this.pnum(), () => null);
            return { node: { k: 'unsupported', what: t.text, pos: t.pos }, q: QERR };
          }
      }
    }
    if (t.kind === 'num' || this.isP('-')) return this.relation();
    this.fail(['a primitive', "'('", "'not'", 'a number']);
  }

  // head id: [pname] (dqual [aqual] | aqual | proto | protochain | gateway) id
  private headId(): Res {
    const q: Qual = { proto: 'default', dir: 'default', addr: 'default' };
    const t = this.peek();
    if (t.kind === 'kw' && PNAMES.has(t.text)) {
      q.proto = t.text;
      this.next();
    }
    const d = this.peek();
    if (d.kind === 'kw' && DQUALS.has(d.text)) {
      this.next();
      q.dir = d.text as Qual['dir'];
      if ((d.text === 'src' || d.text === 'dst') && (this.isKw('or') || this.isKw('and'))) {
        const conj = this.next();
        const other = d.text === 'src' ? 'dst' : 'src';
        if (!this.isKw(other)) this.fail([`'${other}'`]);
        this.next();
        q.dir = conj.text as 'or' | 'and';
      }
      const a = this.peek();
      if (a.kind === 'kw' && AQUALS.has(a.text)) {
        this.next();
        q.addr = a.text as Qual['addr'];
      }
    } else if (d.kind === 'kw' && (AQUALS.has(d.text) || d.text === 'proto' || d.text === 'protochain' || d.text === 'gateway')) {
      this.next();
      q.addr = d.text as Qual['addr'];
    } else {
      this.fail(["'src'", "'dst'", "'host'", "'net'", "'port'", "'portrange'", "'proto'"]);
    }
    return this.id(q);
  }

  // id: nid | pnum | paren pid ')'      nid: ID | HID/NUM | HID mask HID | HID | HID6/NUM | HID6 | EID | AID | not id
  private id(q: Qual): Res {
    if (this.isNot()) {
      const t = this.next();
      const r = this.id(q);
      return { node: { k: 'not', a: r.node, pos: t.pos }, q: r.q };
    }
    if (this.isP('(')) return this.alt(() => this.parenthesized(() => this.pid(q)), () => this.pnumId(q));
    if (this.peek().kind === 'num') return this.pnumId(q);
    return this.nid(q);
  }

  private pnumId(q: Qual): Res {
    const pos = this.peek().pos;
    const n = this.pnum();
    return { node: { k: 'id', q, v: { t: 'num', n }, pos }, q };
  }

  private nid(q: Qual): Res {
    const t = this.peek();
    let v: IdValue;
    switch (t.kind) {
      case 'id':
        this.next();
        v = { t: 'name', s: t.text };
        break;
      case 'hid': {
        this.next();
        const len = this.slashLen();
        if (len !== null) v = { t: 'hidlen', s: t.text, len };
        else if (this.isKw('mask')) {
          this.next();
          const m = this.peek();
          if (m.kind !== 'hid') this.fail(['a dotted netmask']);
          this.next();
          v = { t: 'hidmask', s: t.text, mask: m.text };
        } else v = { t: 'hid', s: t.text };
        break;
      }
      case 'hid6':
        this.next();
        v = { t: 'hid6', s: t.text, len: this.slashLen() ?? 128 };
        break;
      case 'eid':
      case 'aid':
        this.next();
        v = { t: t.kind, s: t.text };
        break;
      default:
        this.fail(['a host, network, port or number']);
    }
    return { node: { k: 'id', q, v, pos: t.pos }, q };
  }

  /** The "/len" after an address, if there is one. */
  private slashLen(): number | null {
    if (!this.isP('/')) return null;
    this.next();
    return this.num();
  }

  // pid: nid | qid and id | qid or id     qid: pnum | pid
  private pid(q: Qual): Res {
    let left: Res;
    let plainNum = false;
    if (this.isNot()) {
      left = this.id(q);
    } else if (this.peek().kind === 'num' || this.isP('(')) {
      left = this.pnumId(q);
      plainNum = true;
    } else {
      left = this.nid(q);
    }
    while (this.isKw('and') || this.isKw('or')) {
      const op = this.next();
      const right = this.id(q);
      left = { node: { k: op.text as 'and' | 'or', a: left.node, b: right.node, pos: op.pos }, q: right.q };
      plainNum = false;
    }
    // A lone number in parentheses is a pnum, not a pid: let the caller take that path.
    if (plainNum) this.fail(["'and'", "'or'"]);
    return left;
  }

  private pnum(): number {
    if (this.isP('(')) {
      this.next();
      const n = this.pnum();
      this.expectP(')');
      return n;
    }
    return this.num();
  }

  private num(): number {
    const t = this.peek();
    if (t.kind !== 'num') this.fail(['a number']);
    this.next();
    return t.num;
  }

  // ---- arithmetic: arth relop arth ----
  private relation(): Res {
    const a = this.arth();
    const t = this.peek();
    const ops: Record<string, RelOp> = { '>': '>', geq: 'geq', '=': '=', leq: 'leq', '<': '<', neq: 'neq' };
    if (t.kind !== 'punct' || ops[t.text] === undefined) this.fail(["'='", "'>'", "'<'", "'>='", "'<='", "'!='"]);
    this.next();
    const b = this.arth();
    return { node: { k: 'rel', op: ops[t.text], a, b, pos: t.pos }, q: QERR };
  }

  /** Binary precedence (grammar.y): | < & < << >> < + - < * / %. '^' has none: see operand(). */
  private static readonly PREC: Record<string, number> = { '|': 1, '&': 2, lsh: 3, rsh: 3, '+': 4, '-': 4, '*': 5, '/': 5, '%': 5 };

  private arth(minPrec = 1): Arth {
    let left = this.operand();
    for (;;) {
      const t = this.peek();
      const p = t.kind === 'punct' ? Parser.PREC[t.text] : undefined;
      if (p === undefined || p < minPrec) return left;
      this.next();
      const right = this.arth(p + 1);
      left = { k: 'bin', op: t.text as ArthOp, a: left, b: right, pos: t.pos };
    }
  }

  // '^' was given no precedence in grammar.y, so yacc resolves its conflicts by shifting:
  // the operand just before '^' is its left side and the whole rest of the arithmetic
  // expression its right side ("1 + 2 ^ 3 * 4" is 1 + (2 ^ (3 * 4))). tcpdump -d confirms.
  private operand(): Arth {
    const left = this.unary();
    if (this.isP('^')) {
      const t = this.next();
      const right = this.arth(1);
      return { k: 'bin', op: '^', a: left, b: right, pos: t.pos };
    }
    return left;
  }

  private unary(): Arth {
    const t = this.peek();
    if (this.isP('-')) {
      this.next();
      return { k: 'neg', a: this.operand(), pos: t.pos };
    }
    if (t.kind === 'num') {
      this.next();
      return { k: 'num', n: t.num, pos: t.pos };
    }
    if (this.isKw('len')) {
      this.next();
      return { k: 'len', pos: t.pos };
    }
    if (this.isP('(')) {
      this.next();
      const a = this.arth(1);
      this.expectP(')');
      return a;
    }
    if (t.kind === 'kw' && PNAMES.has(t.text) && this.isP('[', 1)) {
      this.next();
      this.next();
      const idx = this.arth(1);
      let size = 1;
      if (this.isP(':')) {
        this.next();
        const st = this.peek();
        size = this.num();
        if (size !== 1 && size !== 2 && size !== 4) throw new FilterError(st.pos, 'data size must be 1, 2, or 4');
      }
      this.expectP(']');
      return { k: 'load', proto: t.text, idx, size, pos: t.pos };
    }
    this.fail(['a number', "'len'", "'('", "'-'", 'proto[offset]']);
  }
}

export function parseFilter(src: string): Expr {
  return new Parser(src).parse();
}
