// The pure-TypeScript twin of the generated WebAssembly: the same program (cfg.ts) turned
// into a graph of small closures, once, at compile time. No eval, no per-packet
// allocation. A load past caplen or a division by zero sets `abort`; evaluation may run
// on (its values are then meaningless) but the packet is reported as not matching, which
// is what bpf_filter() returning 0 means.
import { FRAME_CAPLEN, FRAME_LINKTYPE, FRAME_PTR, FRAME_SIZE, FRAME_WIRELEN } from '../runtime/layout.js';
import type { MemoryViews } from '../runtime/memory.js';
import { ACCEPT, REJECT, type Program, type Test } from './cfg.js';
import type { Val } from './ir.js';

type ValFn = (p: number, cap: number, wire: number) => number;
type PredFn = (p: number, cap: number, wire: number) => boolean;

export class TsFilter {
  private u8: Uint8Array;
  private abort = false;
  /** Scratch registers (ir.ts `store`/`reg`), all 0 at the start of each packet. */
  private readonly regs: Uint32Array;
  // `declare`d fields: only the constructor stores them, once (an emitted class field is
  // stored twice, and V8 then no longer treats it as constant in hot loops; host/lpm/lpm4.ts).
  private declare readonly root: PredFn;

  constructor(
    private readonly views: MemoryViews,
    prog: Program,
    private readonly linktype: number,
    private readonly snaplen: number,
  ) {
    this.u8 = views.refresh().u8;
    this.regs = new Uint32Array(prog.registers);
    this.root = this.graph(prog);
  }

  /** One frame: true if it matches. */
  match(ptr: number, caplen: number, wirelen: number): boolean {
    this.u8 = this.views.refresh().u8;
    return this.run(ptr, caplen, wirelen);
  }

  /** Frames of a frame table: out[i] = 0/1, returns the number of matches. */
  matchBatch(table: number, count: number, out: number): number {
    const v = this.views.refresh();
    this.u8 = v.u8;
    const u32 = v.u32;
    const u16 = v.u16;
    const u8 = v.u8;
    let n = 0;
    for (let i = 0; i < count; i++) {
      const e = table + i * FRAME_SIZE;
      let r = 0;
      if (u16[(e + FRAME_LINKTYPE) >>> 1] === this.linktype) {
        const ok = this.run(u32[(e + FRAME_PTR) >>> 2], u32[(e + FRAME_CAPLEN) >>> 2], u32[(e + FRAME_WIRELEN) >>> 2]);
        r = ok ? 1 : 0;
      }
      u8[out + i] = r;
      n += r;
    }
    return n;
  }

  private run(ptr: number, caplen: number, wirelen: number): boolean {
    this.abort = false;
    if (this.regs.length > 0) this.regs.fill(0);
    const cap = caplen < this.snaplen ? caplen : this.snaplen;
    const r = this.root(ptr, cap, wirelen);
    return r && !this.abort;
  }

  /** Each test becomes a closure that runs its comparison and calls the chosen successor. */
  private graph(prog: Program): PredFn {
    const fns = new Array<PredFn>(prog.nodes.length);
    const yes: PredFn = () => true;
    const no: PredFn = () => false;
    const succ = (x: number): PredFn => (x === ACCEPT ? yes : x === REJECT ? no : fns[x]);
    for (let i = prog.nodes.length - 1; i >= 0; i--) {
      const n = prog.nodes[i];
      const test = this.test(n);
      const t = succ(n.t);
      const f = succ(n.f);
      fns[i] = (x, c, w) => (test(x, c, w) ? t(x, c, w) : f(x, c, w));
    }
    return succ(prog.entry);
  }

  private test(p: Test): PredFn {
    const a = this.val(p.a);
    if (p.store >= 0) {
      const regs = this.regs;
      const r = p.store;
      return (x, c, w) => {
        regs[r] = a(x, c, w);
        return true;
      };
    }
    if (p.b.k === 'const') {
      const k = p.b.v;
      switch (p.op) {
        case 'eq': return (x, c, w) => a(x, c, w) === k;
        case 'gt': return (x, c, w) => a(x, c, w) > k;
        case 'ge': return (x, c, w) => a(x, c, w) >= k;
        case 'set': return (x, c, w) => (a(x, c, w) & k) !== 0;
      }
    }
    const b = this.val(p.b);
    switch (p.op) {
      case 'eq': return (x, c, w) => a(x, c, w) === b(x, c, w);
      case 'gt': return (x, c, w) => a(x, c, w) > b(x, c, w);
      case 'ge': return (x, c, w) => a(x, c, w) >= b(x, c, w);
      case 'set': return (x, c, w) => (a(x, c, w) & b(x, c, w)) !== 0;
    }
  }

  private val(v: Val): ValFn {
    switch (v.k) {
      case 'const': {
        const k = v.v;
        return () => k;
      }
      case 'len': return (_x, _c, w) => w;
      case 'msh': {
        const off = v.off;
        return (x, c) => {
          if (off + 1 > c) {
            this.abort = true;
            return 0;
          }
          return (this.u8[x + off] & 0xf) << 2;
        };
      }
      case 'load': return this.load(v.size, v.off, v.idx === null ? null : this.val(v.idx));
      case 'reg': {
        const regs = this.regs;
        const r = v.r;
        return () => regs[r];
      }
      case 'neg': {
        const a = this.val(v.a);
        return (x, c, w) => -a(x, c, w) >>> 0;
      }
      case 'bin': {
        const a = this.val(v.a);
        const b = this.val(v.b);
        switch (v.op) {
          case 'add': return (x, c, w) => (a(x, c, w) + b(x, c, w)) >>> 0;
          case 'sub': return (x, c, w) => (a(x, c, w) - b(x, c, w)) >>> 0;
          case 'mul': return (x, c, w) => Math.imul(a(x, c, w), b(x, c, w)) >>> 0;
          case 'and': return (x, c, w) => (a(x, c, w) & b(x, c, w)) >>> 0;
          case 'or': return (x, c, w) => (a(x, c, w) | b(x, c, w)) >>> 0;
          case 'xor': return (x, c, w) => (a(x, c, w) ^ b(x, c, w)) >>> 0;
          case 'lsh': return (x, c, w) => {
            const l = a(x, c, w);
            const r = b(x, c, w);
            return r < 32 ? (l << r) >>> 0 : 0;
          };
          case 'rsh': return (x, c, w) => {
            const l = a(x, c, w);
            const r = b(x, c, w);
            return r < 32 ? l >>> r : 0;
          };
          case 'div':
          case 'mod': {
            const isDiv = v.op === 'div';
            return (x, c, w) => {
              const l = a(x, c, w);
              const r = b(x, c, w);
              if (r === 0) {
                this.abort = true;
                return 0;
              }
              return isDiv ? Math.floor(l / r) >>> 0 : l % r;
            };
          }
        }
      }
    }
  }

  /** Big-endian loads, bounds-checked against caplen; the index (if any) is computed first. */
  private load(size: 1 | 2 | 4, off: number, idx: ValFn | null): ValFn {
    const end = off + size;
    if (idx === null) {
      if (size === 1) {
        return (x, c) => {
          if (end > c) { this.abort = true; return 0; }
          return this.u8[x + off];
        };
      }
      if (size === 2) {
        return (x, c) => {
          if (end > c) { this.abort = true; return 0; }
          const u8 = this.u8;
          return (u8[x + off] << 8) | u8[x + off + 1];
        };
      }
      return (x, c) => {
        if (end > c) { this.abort = true; return 0; }
        const u8 = this.u8;
        const q = x + off;
        return ((u8[q] << 24) | (u8[q + 1] << 16) | (u8[q + 2] << 8) | u8[q + 3]) >>> 0;
      };
    }
    return (x, c, w) => {
      const i = idx(x, c, w);
      // A negative constant part (a label's bottom bit before a register offset) is a
      // k of 2^32 - n, which bpf_filter() finds past caplen whatever X is.
      if (i + end > c || off < 0) { this.abort = true; return 0; }
      const u8 = this.u8;
      const q = x + off + i;
      if (size === 1) return u8[q];
      if (size === 2) return (u8[q] << 8) | u8[q + 1];
      return ((u8[q] << 24) | (u8[q + 1] << 16) | (u8[q + 2] << 8) | u8[q + 3]) >>> 0;
    };
  }
}
