// The filter program both back ends run: a tree of short-circuit tests over unsigned
// 32-bit values read from the frame, the shape of libpcap's unoptimised BPF. Evaluation
// order is the tree's left-to-right order, and a load past caplen (or a division by
// zero) ends the whole program with "no match", exactly as bpf_filter() returns 0.
//
// The builders fold constants the way libpcap's optimiser does, because folding decides
// observable results: "x & 0" and "x * 0" drop the load of x (so it can no longer fail),
// and "1 = 2" makes the expression reject everything (which tcpdump refuses to run).

export type BinOp = 'add' | 'sub' | 'mul' | 'div' | 'mod' | 'and' | 'or' | 'xor' | 'lsh' | 'rsh';
export type CmpOp = 'eq' | 'gt' | 'ge' | 'set';

export type Val =
  | { k: 'const'; v: number }
  | { k: 'len' }
  /** Big-endian load of `size` bytes at frame offset off (+ idx when idx is not null). */
  | { k: 'load'; size: 1 | 2 | 4; off: number; idx: Val | null }
  /** 4 * (frame[off] & 0xf): the IPv4 header length (BPF ldxb msh). */
  | { k: 'msh'; off: number }
  | { k: 'bin'; op: BinOp; a: Val; b: Val }
  | { k: 'neg'; a: Val }
  /** Scratch register r (libpcap's M[r]): what the last `store` to it on this packet's
   *  path put there, 0 when none did (see `store`). */
  | { k: 'reg'; r: number };

export type Pred =
  | { k: 'true' }
  | { k: 'false' }
  | { k: 'and'; a: Pred; b: Pred }
  | { k: 'or'; a: Pred; b: Pred }
  | { k: 'not'; a: Pred }
  | { k: 'cmp'; op: CmpOp; a: Val; b: Val }
  /** Computes v into register r and holds (a load past caplen still ends the program).
   *  libpcap keeps `geneve`'s variable offsets in scratch memory this way; a primitive on
   *  a path where the store did not run (`geneve or arp` when the Geneve test failed)
   *  reads the register unset. libpcap 1.10's bpf_filter() leaves mem[] uninitialised
   *  there (stack residue: the first packet of a file reads 0, later ones whatever the
   *  stack held); we define unset as 0, tcpdump's answer on a fresh stack. */
  | { k: 'store'; r: number; v: Val };

export const TRUE: Pred = { k: 'true' };
export const FALSE: Pred = { k: 'false' };

export function konst(v: number): Val {
  return { k: 'const', v: v >>> 0 };
}

export function load(size: 1 | 2 | 4, off: number, idx: Val | null = null): Val {
  return { k: 'load', size, off, idx };
}

export class FoldError extends Error {}

/** u32 arithmetic with bpf_filter()'s rules (shifts of 32 or more give 0). */
export function applyBin(op: BinOp, a: number, b: number): number {
  switch (op) {
    case 'add': return (a + b) >>> 0;
    case 'sub': return (a - b) >>> 0;
    case 'mul': return Math.imul(a, b) >>> 0;
    case 'div': return Math.floor(a / b) >>> 0;
    case 'mod': return (a % b) >>> 0;
    case 'and': return (a & b) >>> 0;
    case 'or': return (a | b) >>> 0;
    case 'xor': return (a ^ b) >>> 0;
    case 'lsh': return b < 32 ? (a << b) >>> 0 : 0;
    case 'rsh': return b < 32 ? a >>> b : 0;
  }
}

/** libpcap's opt_stmt() folds for binary operations. */
export function bin(op: BinOp, a: Val, b: Val): Val {
  if (b.k === 'const') {
    if ((op === 'lsh' || op === 'rsh') && b.v > 31) throw new FoldError('shift by more than 31 bits');
    if (b.v === 0) {
      if (op === 'div') throw new FoldError('division by zero');
      if (op === 'mod') throw new FoldError('modulus by zero');
    }
    if (a.k === 'const') return konst(applyBin(op, a.v, b.v));
    if (b.v === 0) {
      if (op === 'add' || op === 'lsh' || op === 'rsh' || op === 'or' || op === 'xor') return a;
      if (op === 'mul' || op === 'and') return konst(0);
    }
  } else if (a.k === 'const' && a.v === 0) {
    if (op === 'add' || op === 'or' || op === 'xor') return b;
    if (op === 'mul' || op === 'div' || op === 'mod' || op === 'and' || op === 'lsh' || op === 'rsh') return konst(0);
  }
  return { k: 'bin', op, a, b };
}

export function neg(a: Val): Val {
  return a.k === 'const' ? konst(-a.v) : { k: 'neg', a };
}

export function cmp(op: CmpOp, a: Val, b: Val): Pred {
  if (a.k === 'const' && b.k === 'const') {
    const x = a.v;
    const y = b.v;
    const r = op === 'eq' ? x === y : op === 'gt' ? x > y : op === 'ge' ? x >= y : (x & y) !== 0;
    return r ? TRUE : FALSE;
  }
  return { k: 'cmp', op, a, b };
}

export function reg(r: number): Val {
  return { k: 'reg', r };
}

export function store(r: number, v: Val): Pred {
  return { k: 'store', r, v };
}

/** (load & mask) == value, without the AND when the mask is all ones (gen_mcmp). */
export function mcmp(v: Val, value: number, mask: number): Pred {
  const m = mask >>> 0;
  return cmp('eq', m === 0xFFFF_FFFF ? v : bin('and', v, konst(m)), konst(value));
}

export function and(a: Pred, b: Pred): Pred {
  // "false and b" never runs b; "true and b" is b. "a and true" is a. "a and false" is
  // false once a has run, and a's only effect is to reject: so it is plain false.
  if (a.k === 'false' || b.k === 'false') return FALSE;
  if (a.k === 'true') return b;
  if (b.k === 'true') return a;
  return { k: 'and', a, b };
}

export function or(a: Pred, b: Pred): Pred {
  // "true or b" never runs b. "a or true": both of a's exits reach the same place, so
  // libpcap's optimiser deletes a (and its loads) entirely; we do the same.
  if (a.k === 'true' || b.k === 'true') return TRUE;
  if (a.k === 'false') return b;
  if (b.k === 'false') return a;
  return { k: 'or', a, b };
}

export function not(a: Pred): Pred {
  if (a.k === 'true') return FALSE;
  if (a.k === 'false') return TRUE;
  if (a.k === 'not') return a.a;
  return { k: 'not', a };
}

/** A stable text key for a value: equal keys mean the same number on every packet. */
export function valKey(v: Val): string {
  switch (v.k) {
    case 'const': return `#${v.v}`;
    case 'len': return 'len';
    case 'load': return `[${v.off}${v.idx === null ? '' : `+${valKey(v.idx)}`}:${v.size}]`;
    case 'msh': return `msh${v.off}`;
    case 'bin': return `(${valKey(v.a)} ${v.op} ${valKey(v.b)})`;
    case 'neg': return `-${valKey(v.a)}`;
    case 'reg': return `M${v.r}`;
  }
}

/** Readable listing, for debugging and error messages. */
export function predToString(p: Pred): string {
  switch (p.k) {
    case 'true': return 'true';
    case 'false': return 'false';
    case 'and': return `(${predToString(p.a)} && ${predToString(p.b)})`;
    case 'or': return `(${predToString(p.a)} || ${predToString(p.b)})`;
    case 'not': return `!${predToString(p.a)}`;
    case 'cmp': return `${valKey(p.a)} ${p.op} ${valKey(p.b)}`;
    case 'store': return `(M${p.r} := ${valKey(p.v)})`;
  }
}
