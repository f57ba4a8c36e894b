// Filter program -> a small WebAssembly module, built at run time. It imports the
// engine's shared memory (env.memory) and exports
//   match(ptr, caplen, wirelen) -> i32                 one frame
//   match_batch(frameTable, count, out) -> i32         a frame table: out[i] = 0/1, returns matches
// The flow graph of tests (cfg.ts) becomes forward branches out of nested blocks; a load
// past caplen or a zero divisor branches to the reject block (bpf_filter's "return 0"). Big-endian loads of a
// value only compared for equality or bit test skip the byte swap: the constant is
// swapped at compile time instead. Bounds checks already implied by an earlier check on
// every path to a load are left out.
import { FRAME_CAPLEN, FRAME_LINKTYPE, FRAME_PTR, FRAME_SIZE, FRAME_WIRELEN } from '../runtime/layout.js';
import { DEFAULT_MAXIMUM_PAGES } from '../runtime/memory.js';
import { ACCEPT, REJECT, type Program, type Test } from './cfg.js';
import type { Val } from './ir.js';
import { Bytes, EMPTY, I32, OP } from './wasm-encode.js';

interface Locals {
  ptr: number;
  cap: number;
  wire: number;
  /** Scratch for indices and divisors. */
  t: number;
  /** Scratch for byte swaps. */
  t2: number;
  /** The program's scratch registers (ir.ts `store`/`reg`), one local each. */
  regs: number[];
}

function swap16(v: number): number {
  return ((v & 0xff) << 8) | ((v >>> 8) & 0xff);
}
function swap32(v: number): number {
  return (((v & 0xff) << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | (v >>> 24)) >>> 0;
}

class BodyGen {
  readonly code = new Bytes();
  /** br depth of the reject block from the code being emitted. */
  private depth = 0;

  constructor(private readonly L: Locals) {}

  private op(b: number): void {
    this.code.byte(b);
  }
  private get(i: number): void {
    this.code.byte(OP.local_get).u32(i);
  }
  private set(i: number): void {
    this.code.byte(OP.local_set).u32(i);
  }
  private i32(v: number): void {
    this.code.byte(OP.i32_const).s32(v);
  }
  private mem(opcode: number, offset: number): void {
    this.code.byte(opcode).u32(0).u32(offset);
  }

  /** Leaves the frame's block with result 0. */
  private abortIf(): void {
    // stack: [cond]
    this.code.byte(OP.if).byte(EMPTY);
    this.i32(0);
    this.code.byte(OP.br).u32(this.depth + 1); // +1: this `if`
    this.op(OP.end);
  }

  private checkEnd(end: number, known: number): number {
    if (end <= known) return known;
    this.get(this.L.cap);
    this.i32(end);
    this.op(OP.i32_lt_u);
    this.abortIf();
    return end;
  }

  private swap(size: number): void {
    if (size === 1) return;
    const t2 = this.L.t2;
    this.set(t2);
    if (size === 2) {
      this.get(t2); this.i32(8); this.op(OP.i32_shr_u);
      this.get(t2); this.i32(8); this.op(OP.i32_shl);
      this.op(OP.i32_or);
      this.i32(0xffff); this.op(OP.i32_and);
    } else {
      this.get(t2); this.i32(0x00ff00ff); this.op(OP.i32_and); this.i32(8); this.op(OP.i32_rotr);
      this.get(t2); this.i32(8); this.op(OP.i32_rotl); this.i32(0x00ff00ff); this.op(OP.i32_and);
      this.op(OP.i32_or);
    }
  }

  /** A load left in memory (little-endian) byte order; returns the new known caplen bound. */
  private rawLoad(v: Extract<Val, { k: 'load' }>, known: number): number {
    const opc = v.size === 1 ? OP.i32_load8_u : v.size === 2 ? OP.i32_load16_u : OP.i32_load;
    if (v.idx === null) {
      known = this.checkEnd(v.off + v.size, known);
      this.get(this.L.ptr);
      this.mem(opc, v.off);
      return known;
    }
    known = this.val(v.idx, known);
    const t = this.L.t;
    this.set(t);
    // idx + off + size > caplen, in 64 bits so that no sum wraps.
    this.get(t); this.op(OP.i64_extend_i32_u);
    this.code.byte(OP.i64_const).s64(v.off + v.size);
    this.op(OP.i64_add);
    this.get(this.L.cap); this.op(OP.i64_extend_i32_u);
    this.op(OP.i64_gt_u);
    this.abortIf();
    if (v.off < 0) {
      // A negative constant part (a label's bottom bit before a register offset) is a k
      // of 2^32 - n, which bpf_filter() finds past caplen whatever X is.
      this.i32(1);
      this.abortIf();
    }
    this.get(this.L.ptr); this.get(t); this.op(OP.i32_add);
    this.mem(opc, Math.max(0, v.off));
    return Math.max(known, v.off + v.size);
  }

  val(v: Val, known: number): number {
    switch (v.k) {
      case 'const':
        this.i32(v.v);
        return known;
      case 'len':
        this.get(this.L.wire);
        return known;
      case 'reg':
        this.get(this.L.regs[v.r]);
        return known;
      case 'msh':
        known = this.checkEnd(v.off + 1, known);
        this.get(this.L.ptr);
        this.mem(OP.i32_load8_u, v.off);
        this.i32(15); this.op(OP.i32_and);
        this.i32(2); this.op(OP.i32_shl);
        return known;
      case 'load':
        known = this.rawLoad(v, known);
        this.swap(v.size);
        return known;
      case 'neg':
        this.i32(0);
        known = this.val(v.a, known);
        this.op(OP.i32_sub);
        return known;
      case 'bin': {
        known = this.val(v.a, known);
        known = this.val(v.b, known);
        const t = this.L.t;
        switch (v.op) {
          case 'add': this.op(OP.i32_add); break;
          case 'sub': this.op(OP.i32_sub); break;
          case 'mul': this.op(OP.i32_mul); break;
          case 'and': this.op(OP.i32_and); break;
          case 'or': this.op(OP.i32_or); break;
          case 'xor': this.op(OP.i32_xor); break;
          case 'div':
          case 'mod':
            this.set(t);
            this.get(t); this.op(OP.i32_eqz);
            this.abortIf();
            this.get(t);
            this.op(v.op === 'div' ? OP.i32_div_u : OP.i32_rem_u);
            break;
          case 'lsh':
          case 'rsh':
            // BPF gives 0 for shifts of 32 or more; WebAssembly would shift modulo 32.
            this.set(t);
            this.get(t);
            this.op(v.op === 'lsh' ? OP.i32_shl : OP.i32_shr_u);
            this.i32(0);
            this.get(t); this.i32(32); this.op(OP.i32_lt_u);
            this.op(OP.select);
            break;
        }
        return known;
      }
    }
  }

  /** eq / bit test of a load (optionally masked) against a constant, without swapping the load. */
  private rawCompare(p: Test, known: number): number | null {
    if (p.b.k !== 'const' || (p.op !== 'eq' && p.op !== 'set')) return null;
    let ld: Val = p.a;
    let mask: number | null = null;
    if (ld.k === 'bin' && ld.op === 'and' && ld.b.k === 'const') {
      mask = ld.b.v;
      ld = ld.a;
    }
    if (ld.k !== 'load') return null;
    const lim = ld.size === 1 ? 0xff : ld.size === 2 ? 0xffff : 0xFFFF_FFFF;
    if (p.op === 'eq' && p.b.v > lim) return null;
    const sw = (x: number): number => (ld.size === 1 ? x & 0xff : ld.size === 2 ? swap16(x & 0xffff) : swap32(x));
    known = this.rawLoad(ld, known);
    if (mask !== null) {
      this.i32(sw(mask));
      this.op(OP.i32_and);
    }
    if (p.op === 'eq') {
      this.i32(sw(p.b.v));
      this.op(OP.i32_eq);
    } else {
      this.i32(sw(p.b.v));
      this.op(OP.i32_and);
      this.i32(0);
      this.op(OP.i32_ne);
    }
    return known;
  }

  /** The comparison of one test, leaving 0 or 1; returns the caplen bound after it. */
  private test(p: Test, known: number): number {
    if (p.store >= 0) {
      known = this.val(p.a, known);
      this.set(this.L.regs[p.store]);
      this.i32(1);
      return known;
    }
    const raw = this.rawCompare(p, known);
    if (raw !== null) return raw;
    known = this.val(p.a, known);
    known = this.val(p.b, known);
    switch (p.op) {
      case 'eq': this.op(OP.i32_eq); break;
      case 'gt': this.op(OP.i32_gt_u); break;
      case 'ge': this.op(OP.i32_ge_u); break;
      case 'set': this.op(OP.i32_and); this.i32(0); this.op(OP.i32_ne); break;
    }
    return known;
  }

  /**
   * The flow graph as forward branches (BPF only jumps forward): test i's code follows
   * the end of block L_i, so "go to test j" is a br to L_j; ACCEPT and REJECT are two
   * blocks around all of them.
   *   block $reject  block $accept  block L_{n-1} … block L_1  test 0  end  test 1 … end
   * Falls out of $accept with the frame accepted, out of $reject with it rejected.
   */
  graph(prog: Program, onAccept: () => void, onReject: () => void): void {
    const n = prog.nodes.length;
    if (prog.entry < 0) {
      this.i32(prog.entry === ACCEPT ? 1 : 0);
      return;
    }
    this.raw(OP.block, EMPTY, OP.block, EMPTY);
    for (let i = 1; i < n; i++) this.raw(OP.block, EMPTY);
    // Lower bound on caplen at each test's entry, over every path to it.
    const knownIn = new Array<number>(n).fill(Infinity);
    knownIn[0] = 0;
    for (let i = 0; i < n; i++) {
      const t = prog.nodes[i];
      this.depth = n - i;
      const k = this.test(t, knownIn[i]);
      for (const s of [t.t, t.f]) if (s >= 0) knownIn[s] = Math.min(knownIn[s], k);
      const next = i + 1 < n ? i + 1 : ACCEPT;
      const depthOf = (x: number): number => (x === ACCEPT ? n - 1 - i : x === REJECT ? n - i : x - i - 1);
      if (t.f === next) {
        this.code.byte(OP.br_if).u32(depthOf(t.t));
      } else if (t.t === next) {
        this.op(OP.i32_eqz);
        this.code.byte(OP.br_if).u32(depthOf(t.f));
      } else {
        this.code.byte(OP.br_if).u32(depthOf(t.t));
        this.code.byte(OP.br).u32(depthOf(t.f));
      }
      this.op(OP.end); // closes L_{i+1}, or $accept after the last test
    }
    onAccept();
    this.op(OP.end); // $reject
    onReject();
  }

  /** caplen = min(caplen, snaplen), as libpcap clamps records longer than the snapshot length. */
  clamp(snaplen: number): void {
    if (snaplen >= 0xFFFF_FFFF) return;
    this.get(this.L.cap);
    this.i32(snaplen);
    this.get(this.L.cap); this.i32(snaplen); this.op(OP.i32_lt_u);
    this.op(OP.select);
    this.set(this.L.cap);
  }

  raw(...b: number[]): void {
    for (const x of b) this.code.byte(x);
  }
  local(op: number, i: number): void {
    this.code.byte(op).u32(i);
  }
  constI32(v: number): void {
    this.i32(v);
  }
  memop(opcode: number, offset: number): void {
    this.mem(opcode, offset);
  }
}

/** Local indices first..first+n-1, for the program's registers. */
function registerLocals(first: number, n: number): number[] {
  return Array.from({ length: n }, (_, i) => first + i);
}

function matchBody(prog: Program, snaplen: number): Bytes {
  // Locals start at 0 on every call, which is what the registers need.
  const L: Locals = { ptr: 0, cap: 1, wire: 2, t: 3, t2: 4, regs: registerLocals(5, prog.registers) };
  const g = new BodyGen(L);
  g.clamp(snaplen);
  g.graph(prog, () => g.raw(OP.i32_const, 1, OP.return), () => g.raw(OP.i32_const, 0));
  g.raw(OP.end);
  const body = new Bytes();
  body.u32(1).u32(2 + prog.registers).byte(I32); // t, t2 and the registers
  body.bytes(g.code.toArray());
  return body;
}

/** How many frames ahead match_batch touches a frame's first bytes (see batchBody). */
export const TOUCH_AHEAD = 8;

function batchBody(prog: Program, linktype: number, snaplen: number): Bytes {
  // params: 0 table, 1 count, 2 out; locals: 3 i, 4 n, 5 ptr, 6 cap, 7 wire, 8 t, 9 t2, 10 e, 11 ahead, 12.. registers
  const L: Locals = { ptr: 5, cap: 6, wire: 7, t: 8, t2: 9, regs: registerLocals(12, prog.registers) };
  const g = new BodyGen(L);
  const E = 10;
  const A = 11;
  g.raw(OP.block, EMPTY);
  g.local(OP.local_get, 1); g.raw(OP.i32_eqz); g.raw(OP.br_if, 0);
  g.raw(OP.loop, EMPTY);
  // Touch ahead: read the first byte of frame min(i + TOUCH_AHEAD, count - 1) and drop it.
  // WASM has no prefetch, but a load whose value nobody waits for lets the CPU run this
  // frame's tests while that frame's first cache line comes from DRAM: several misses in
  // flight instead of one at a time. A frame with caplen 0 may carry any pointer: address
  // 0 is read instead (always inside the memory).
  g.local(OP.local_get, 3); g.constI32(TOUCH_AHEAD); g.raw(OP.i32_add); g.local(OP.local_tee, A);
  g.local(OP.local_get, 1); g.constI32(1); g.raw(OP.i32_sub);
  g.local(OP.local_get, A); g.local(OP.local_get, 1); g.raw(OP.i32_lt_u);
  g.raw(OP.select);
  g.constI32(Math.log2(FRAME_SIZE)); g.raw(OP.i32_shl); g.local(OP.local_get, 0); g.raw(OP.i32_add); g.local(OP.local_tee, A);
  g.memop(OP.i32_load, FRAME_PTR);
  g.constI32(0);
  g.local(OP.local_get, A); g.memop(OP.i32_load, FRAME_CAPLEN);
  g.raw(OP.select);
  g.memop(OP.i32_load8_u, 0);
  g.raw(OP.drop);
  // e = table + i * FRAME_SIZE
  g.local(OP.local_get, 0); g.local(OP.local_get, 3); g.constI32(Math.log2(FRAME_SIZE)); g.raw(OP.i32_shl); g.raw(OP.i32_add);
  g.local(OP.local_set, E);
  g.local(OP.local_get, E); g.memop(OP.i32_load, FRAME_PTR); g.local(OP.local_set, L.ptr);
  g.local(OP.local_get, E); g.memop(OP.i32_load, FRAME_CAPLEN); g.local(OP.local_set, L.cap);
  g.local(OP.local_get, E); g.memop(OP.i32_load, FRAME_WIRELEN); g.local(OP.local_set, L.wire);
  g.clamp(snaplen);
  // Each frame starts with its registers unset (0).
  for (const r of L.regs) { g.constI32(0); g.local(OP.local_set, r); }
  // store address first, then the result
  g.local(OP.local_get, 2); g.local(OP.local_get, 3); g.raw(OP.i32_add);
  g.local(OP.local_get, E); g.memop(OP.i32_load16_u, FRAME_LINKTYPE); g.constI32(linktype); g.raw(OP.i32_eq);
  g.raw(OP.if, I32);
  // Accept leaves the `if` (two blocks out: $reject, then the if) with 1.
  g.graph(prog, () => g.raw(OP.i32_const, 1, OP.br, 1), () => g.raw(OP.i32_const, 0));
  g.raw(OP.else);
  g.constI32(0);
  g.raw(OP.end);
  g.local(OP.local_tee, L.t);
  g.memop(OP.i32_store8, 0);
  g.local(OP.local_get, 4); g.local(OP.local_get, L.t); g.raw(OP.i32_add); g.local(OP.local_set, 4);
  g.local(OP.local_get, 3); g.constI32(1); g.raw(OP.i32_add); g.local(OP.local_tee, 3);
  g.local(OP.local_get, 1); g.raw(OP.i32_lt_u); g.raw(OP.br_if, 0);
  g.raw(OP.end, OP.end);
  g.local(OP.local_get, 4);
  g.raw(OP.end);
  const body = new Bytes();
  body.u32(1).u32(9 + prog.registers).byte(I32);
  body.bytes(g.code.toArray());
  return body;
}

/** The module's bytes. snaplen >= 2^32-1 means "no clamp". */
export function emitFilterModule(prog: Program, linktype: number, snaplen: number): Uint8Array<ArrayBuffer> {
  const m = new Bytes();
  m.bytes([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);
  const fnType = new Bytes().byte(0x60).u32(3).byte(I32).byte(I32).byte(I32).u32(1).byte(I32);
  m.section(1, new Bytes().vec([fnType]));
  const imp = new Bytes().name('env').name('memory').byte(0x02).byte(0x03).u32(1).u32(DEFAULT_MAXIMUM_PAGES);
  m.section(2, new Bytes().vec([imp]));
  m.section(3, new Bytes().u32(2).u32(0).u32(0));
  const ex1 = new Bytes().name('match').byte(0x00).u32(0);
  const ex2 = new Bytes().name('match_batch').byte(0x00).u32(1);
  m.section(7, new Bytes().vec([ex1, ex2]));
  const b1 = matchBody(prog, snaplen);
  const b2 = batchBody(prog, linktype, snaplen);
  const code = new Bytes().u32(2);
  code.u32(b1.length).bytes(b1.toArray());
  code.u32(b2.length).bytes(b2.toArray());
  m.section(10, code);
  return m.toArray().slice() as Uint8Array<ArrayBuffer>;
}
