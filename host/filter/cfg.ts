// The program as a flow graph of tests, and the part of libpcap's optimiser whose effects
// are observable. BPF rejects a packet when any load *that runs* is past caplen, and the
// optimiser decides which loads run, and in which order: it threads jumps whose outcome is
// already known (fold_edge in optimize.c: the same test on the same value gives the same
// answer; a value known equal to constant c fails "= d"), deletes tests whose two branches
// lead to the same place, and pulls a test of a value that is already loaded up a chain of
// or'ed (and'ed) tests (or_pullup/and_pullup). So "tcp[100:4] = 0 or ip" matches a short
// IPv4 packet in tcpdump (once `ip` is known true the tcp test cannot change the answer and
// is gone), and "port 53 or 22" accepts a frame cut after the source port when that port
// is 22 (both source-port tests run before the destination port is loaded).
//
// We run the same rewrites, in libpcap's order, on blocks of one test each: libpcap's
// blocks are exactly that before its second loop, which only edits statements. A load
// that libpcap leaves out because the value is already in a register is one that already
// succeeded on every path to it, so re-running it (as our evaluators do) cannot fail.
// A graph whose entry is REJECT is tcpdump's "expression rejects all packets".
import { konst, valKey, type CmpOp, type Pred, type Val } from './ir.js';

export const ACCEPT = -1;
export const REJECT = -2;

export interface Test {
  a: Val;
  op: CmpOp;
  b: Val;
  /** Successor when the test holds / fails: a node index, ACCEPT or REJECT. */
  t: number;
  f: number;
  key: string;
  aKey: string;
  bConst: boolean;
  /** A store (ir.ts): `a` goes into register `store` and the test holds (its f edge is
   *  never taken); -1 for a comparison. */
  store: number;
}

export interface Program {
  /** Tests in a topological order; node 0 is the entry (unless `entry` is a terminal). */
  nodes: Test[];
  entry: number;
  /** Scratch registers the stores use (0..registers-1); each packet starts with all 0. */
  registers: number;
}

/** Lowers the tree the way libpcap's gen_and/gen_or/gen_not backpatch jumps. */
function build(p: Pred): { nodes: Test[]; entry: number } {
  const nodes: Test[] = [];
  const go = (n: Pred, T: number, F: number): number => {
    switch (n.k) {
      case 'true': return T;
      case 'false': return F;
      case 'not': return go(n.a, F, T);
      case 'and': return go(n.a, go(n.b, T, F), F);
      case 'or': return go(n.a, T, go(n.b, T, F));
      case 'cmp': {
        const aKey = valKey(n.a);
        nodes.push({ a: n.a, op: n.op, b: n.b, t: T, f: F, aKey, key: `${aKey} ${n.op} ${valKey(n.b)}`, bConst: n.b.k === 'const', store: -1 });
        return nodes.length - 1;
      }
      case 'store': {
        // Each store its own value: no other test is ever "the same test" as a store.
        const key = `M${n.r} := ${valKey(n.v)} #${nodes.length}`;
        nodes.push({ a: n.v, op: 'ge', b: konst(0), t: T, f: F, aKey: key, key, bConst: true, store: n.r });
        return nodes.length - 1;
      }
    }
  };
  const entry = go(p, ACCEPT, REJECT);
  return { nodes, entry };
}

/** Reachable nodes from entry in reverse postorder (a topological order). */
function order(nodes: Test[], entry: number): number[] {
  const seen = new Set<number>();
  const post: number[] = [];
  const visit = (i: number): void => {
    if (i < 0 || seen.has(i)) return;
    seen.add(i);
    visit(nodes[i].t);
    visit(nodes[i].f);
    post.push(i);
  };
  visit(entry);
  return post.reverse();
}

function intersect(into: Uint32Array, from: Uint32Array): void {
  for (let i = 0; i < into.length; i++) into[i] &= from[i];
}

/** A reference to one outgoing edge of a block: its true (jt) or false (jf) successor. */
interface Ref {
  blk: number;
  t: boolean;
}

/**
 * libpcap's first optimiser loop (opt_loop(ic, 0) in optimize.c) over the blocks of the
 * flow graph, one block per test. Everything that moves branches lives there; the second
 * loop (do_stmts) only rewrites statements inside blocks, which cannot change which loads
 * run on a path. Each pass, like opt_blks():
 *   1. levels, dominators and edge dominators of the graph as it is at the start of the pass
 *      (find_levels, find_dom, find_edom); they stay stale for the rest of the pass;
 *   2. opt_j on every edge, lowest level first: an edge to a test whose branches meet goes
 *      straight to their target, and an edge dominated by an edge whose test decides this
 *      one (fold_edge) jumps over it;
 *   3. or_pullup / and_pullup on every block, lowest level first: in a chain of tests that
 *      share a true (or false) target, a test of the value the predecessors already hold is
 *      moved up before the tests of other values. This is what makes "port 53 or 22" test
 *      the source port against both numbers before loading the destination port.
 * Values are identified by their text key (valKey), which is what libpcap's value
 * numbering gives: equal keys are equal value numbers.
 */
function libpcapLoop(tests: Test[], entry: number): { jt: Int32Array; jf: Int32Array; root: number; acc: number; rej: number } {
  const n = tests.length;
  const acc = n;
  const rej = n + 1;
  const N = n + 2;
  const NIL = -1;
  const jt = new Int32Array(N).fill(NIL);
  const jf = new Int32Array(N).fill(NIL);
  const leaf = (x: number): number => (x === ACCEPT ? acc : x === REJECT ? rej : x);
  // Per block: the branch code (operator and operand kind), the value in A and the operand.
  const code: string[] = [];
  const aval: string[] = [];
  const oval: string[] = [];
  tests.forEach((t, i) => {
    jt[i] = leaf(t.t);
    jf[i] = leaf(t.f);
    code.push(`${t.op}/${t.bConst ? 'k' : 'x'}`);
    aval.push(t.aKey);
    oval.push(valKey(t.b));
  });
  code.push('ret', 'ret');
  aval.push('', '');
  oval.push('#accept', '#reject');
  const root = leaf(entry);

  // number_blks_r(): ids in depth-first preorder (true branch first), fixed for the whole
  // optimisation; edge k < nIds is the true edge of block k, nIds + k its false edge.
  const id = new Int32Array(N).fill(NIL);
  const byId: number[] = [];
  const number = (b: number): void => {
    if (b === NIL || id[b] !== NIL) return;
    id[b] = byId.length;
    byId.push(b);
    number(jt[b]);
    number(jf[b]);
  };
  number(root);
  const nIds = byId.length;
  const nEdges = 2 * nIds;

  const MAX_PASSES = 10_000;
  let branchOnly = 0;
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    let done = true;
    let nonBranch = false;

    // find_levels(): each level's list in libpcap's order (blocks are pushed on its front).
    const level = new Int32Array(N).fill(NIL);
    const levels: number[][] = [];
    const visit = (b: number): void => {
      if (level[b] !== NIL) return;
      level[b] = 0; // marked
      let lv = 0;
      if (jt[b] !== NIL) {
        visit(jt[b]);
        visit(jf[b]);
        lv = Math.max(level[jt[b]], level[jf[b]]) + 1;
      }
      level[b] = lv;
      (levels[lv] ??= []).unshift(b);
    };
    visit(root);
    const maxLevel = level[root];
    const at = (lv: number): number[] => levels[lv] ?? [];

    // find_dom(): bit y of domOf(x) is set when block y dominates block x.
    const domWords = (N + 31) >>> 5;
    const dom = byId.map(() => new Uint32Array(domWords).fill(0xFFFF_FFFF));
    const domOf = (b: number): Uint32Array => dom[id[b]];
    domOf(root).fill(0);
    for (let lv = maxLevel; lv >= 0; lv--) {
      for (const b of at(lv)) {
        const d = domOf(b);
        d[b >>> 5] |= 1 << (b & 31);
        if (jt[b] === NIL) continue;
        intersect(domOf(jt[b]), d);
        intersect(domOf(jf[b]), d);
      }
    }

    // find_edom(): the edges that lie on every path to an edge, the edge itself included.
    const edgeWords = (nEdges + 31) >>> 5;
    const edom = Array.from({ length: nEdges }, () => new Uint32Array(edgeWords).fill(0xFFFF_FFFF));
    const edgeOf = (b: number, t: boolean): number => (t ? id[b] : nIds + id[b]);
    edom[edgeOf(root, true)].fill(0);
    edom[edgeOf(root, false)].fill(0);
    for (let lv = maxLevel; lv >= 0; lv--) {
      for (const b of at(lv)) {
        for (const t of [true, false]) {
          const e = edgeOf(b, t);
          edom[e][e >>> 5] |= 1 << (e & 31);
          const s = t ? jt[b] : jf[b];
          if (s === NIL) continue;
          intersect(edom[edgeOf(s, true)], edom[e]);
          intersect(edom[edgeOf(s, false)], edom[e]);
        }
      }
    }

    // fold_edge(): where the test `child` goes when edge k was taken, or NIL if unknown.
    const foldEdge = (child: number, k: number): number => {
      const sense = k < nIds;
      const pred = byId[sense ? k : k - nIds];
      if (code[child] !== code[pred] || aval[child] !== aval[pred]) return NIL;
      if (oval[child] === oval[pred]) return sense ? jt[child] : jf[child];
      if (sense && code[pred] === 'eq/k') return jf[child];
      return NIL;
    };
    const get = (r: Ref): number => (r.t ? jt[r.blk] : jf[r.blk]);
    const set = (r: Ref, v: number): void => {
      if (r.t) jt[r.blk] = v;
      else jf[r.blk] = v;
    };

    // opt_j(): the edges' rewrites. There is no data dependency between our blocks (each
    // loads what it tests), so libpcap's use_conflict() never objects.
    const optJ = (r: Ref): void => {
      let succ = get(r);
      if (jt[succ] === NIL) return;
      if (jt[succ] === jf[succ]) {
        succ = jt[succ];
        set(r, succ);
        done = false;
        nonBranch = true;
      }
      const ed = edom[edgeOf(r.blk, r.t)];
      top: for (;;) {
        for (let k = 0; k < nEdges; k++) {
          if ((ed[k >>> 5] & (1 << (k & 31))) === 0) continue;
          const target = foldEdge(get(r), k);
          if (target === NIL) continue;
          set(r, target);
          done = false;
          if (jt[target] !== NIL) continue top;
          return;
        }
        return;
      }
    };
    for (let lv = 1; lv <= maxLevel; lv++) {
      for (const b of at(lv)) {
        optJ({ blk: b, t: true });
        optJ({ blk: b, t: false });
      }
    }

    // find_inedges(): from the levels found at the start of the pass, first edge = last linked.
    const inEdges: Ref[][] = Array.from({ length: N }, () => []);
    for (let lv = maxLevel; lv > 0; lv--) {
      for (const b of at(lv)) {
        inEdges[jt[b]].unshift({ blk: b, t: true });
        inEdges[jf[b]].unshift({ blk: b, t: false });
      }
    }

    // or_pullup() (chains along false edges sharing the true target) and and_pullup()
    // (chains along true edges sharing the false target), literally, stale sets and all.
    const pullup = (b: number, isOr: boolean): void => {
      const ins = inEdges[b];
      if (ins.length === 0) return;
      const val = aval[ins[0].blk];
      for (const e of ins) if (aval[e.blk] !== val) return;
      const same = (x: number): number => (isOr ? jt[x] : jf[x]);
      const chainDir = !isOr;
      const dominated = (x: number): boolean => id[x] !== NIL && (domOf(x)[b >>> 5] & (1 << (b & 31))) !== 0;
      let diffp: Ref = { blk: ins[0].blk, t: jt[ins[0].blk] === b };
      let atTop = true;
      for (;;) {
        const d = get(diffp);
        if (d === NIL || same(d) !== same(b) || !dominated(d)) return;
        if (aval[d] !== val) break;
        diffp = { blk: d, t: chainDir };
        atTop = false;
      }
      let samep: Ref = { blk: get(diffp), t: chainDir };
      for (;;) {
        const s = get(samep);
        if (s === NIL || same(s) !== same(b) || !dominated(s)) return;
        if (aval[s] === val) break;
        samep = { blk: s, t: chainDir };
      }
      const pull = get(samep);
      set(samep, get({ blk: pull, t: chainDir }));
      set({ blk: pull, t: chainDir }, get(diffp));
      if (atTop) {
        for (const e of ins) {
          if (jt[e.blk] === b) jt[e.blk] = pull;
          else jf[e.blk] = pull;
        }
      } else {
        set(diffp, pull);
      }
      done = false;
    };
    for (let lv = 1; lv <= maxLevel; lv++) {
      for (const b of at(lv)) {
        pullup(b, true);
        pullup(b, false);
      }
    }

    if (done) break;
    // libpcap gives up after 100 passes in a row that only moved branches (a cycle).
    branchOnly = nonBranch ? 0 : branchOnly + 1;
    if (branchOnly >= 100) break;
  }
  // opt_root(): a root whose branches meet is skipped.
  let r = root;
  while (jt[r] !== NIL && jt[r] === jf[r]) r = jt[r];
  return { jt, jf, root: r, acc, rej };
}

/** The flow graph of `p`, through libpcap's optimiser unless `noOptimize` (libpcap sets
 *  no_optimize for `geneve`, whose offset code has a bare jump; tcpdump -d then prints the
 *  same program as tcpdump -O -d). `registers`: how many the stores in `p` use. */
export function optimize(p: Pred, registers = 0, noOptimize = false): Program {
  const g = build(p);
  if (g.entry < 0) return { nodes: [], entry: g.entry, registers };
  let nodes = g.nodes;
  let entry = g.entry;
  if (!noOptimize) {
    const r = libpcapLoop(g.nodes, g.entry);
    const back = (x: number): number => (x === r.acc ? ACCEPT : x === r.rej ? REJECT : x);
    nodes = g.nodes.map((t, i) => ({ ...t, t: back(r.jt[i]), f: back(r.jf[i]) }));
    entry = back(r.root);
  }
  // Renumber the reachable nodes in topological order, entry first.
  const topo = order(nodes, entry);
  const index = new Map<number, number>();
  topo.forEach((old, i) => index.set(old, i));
  const map = (x: number): number => (x < 0 ? x : index.get(x)!);
  const out = topo.map((old) => ({ ...nodes[old], t: map(nodes[old].t), f: map(nodes[old].f) }));
  return { nodes: out, entry: map(entry), registers };
}

export function programToString(p: Program): string {
  const name = (x: number): string => (x === ACCEPT ? 'accept' : x === REJECT ? 'reject' : `L${x}`);
  if (p.entry < 0) return name(p.entry);
  return p.nodes.map((n, i) => `L${i}: ${n.key} ? ${name(n.t)} : ${name(n.f)}`).join('\n');
}
