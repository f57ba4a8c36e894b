// The program as a flow graph of tests, and the part of libpcap's optimiser whose effects
// are observable. BPF rejects a packet when any load *that runs* is past caplen, and the
// optimiser decides which loads run: it threads jumps whose outcome is already known on
// every path (fold_edge in optimize.c: the same test on the same value gives the same
// answer; a value known equal to constant c fails "= d") and deletes tests whose two
// branches lead to the same place. So "tcp[100:4] = 0 or ip" matches a short IPv4 packet
// in tcpdump: once `ip` is known true, the tcp test cannot change the answer and is gone.
// We run the same two rewrites to a fixpoint; a graph whose entry is REJECT is tcpdump's
// "expression rejects all packets".
import { valKey, type CmpOp, type Pred, type Val } from './ir.js';

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
}

export interface Program {
  /** Tests in a topological order; node 0 is the entry (unless `entry` is a terminal). */
  nodes: Test[];
  entry: number;
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
        nodes.push({ a: n.a, op: n.op, b: n.b, t: T, f: F, aKey, key: `${aKey} ${n.op} ${valKey(n.b)}`, bConst: n.b.k === 'const' });
        return nodes.length - 1;
      }
    }
  };
  const entry = go(p, ACCEPT, REJECT);
  return { nodes, entry };
}

/** Facts known on an edge: test key -> outcome, and value key -> the constant it equals. */
interface Facts {
  outcome: Map<string, boolean>;
  equals: Map<string, string>;
}

function withFact(f: Facts, n: Test, result: boolean): Facts {
  const outcome = new Map(f.outcome);
  outcome.set(n.key, result);
  const equals = new Map(f.equals);
  if (result && n.op === 'eq' && n.bConst) equals.set(n.aKey, n.key);
  return { outcome, equals };
}

function intersect(a: Facts, b: Facts): Facts {
  const outcome = new Map<string, boolean>();
  for (const [k, v] of a.outcome) if (b.outcome.get(k) === v) outcome.set(k, v);
  const equals = new Map<string, string>();
  for (const [k, v] of a.equals) if (b.equals.get(k) === v) equals.set(k, v);
  return { outcome, equals };
}

function known(f: Facts, n: Test): boolean | null {
  const o = f.outcome.get(n.key);
  if (o !== undefined) return o;
  if (n.op === 'eq' && n.bConst) {
    const eq = f.equals.get(n.aKey);
    if (eq !== undefined && eq !== n.key) return false;
  }
  return null;
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

export function optimize(p: Pred): Program {
  const g = build(p);
  const nodes = g.nodes;
  let entry = g.entry;
  for (let round = 0; round < 1000; round++) {
    let changed = false;
    // Tests whose branches meet are deleted (with their loads).
    const skip = (i: number): number => {
      while (i >= 0 && nodes[i].t === nodes[i].f) i = nodes[i].t;
      return i;
    };
    entry = skip(entry);
    const topo = order(nodes, entry);
    for (const i of topo) {
      const n = nodes[i];
      const t = skip(n.t);
      const f = skip(n.f);
      if (t !== n.t || f !== n.f) changed = true;
      n.t = t;
      n.f = f;
    }
    // Must-facts at each node: the intersection over every incoming edge.
    const factsIn = new Map<number, Facts>();
    if (entry >= 0) factsIn.set(entry, { outcome: new Map(), equals: new Map() });
    for (const i of order(nodes, entry)) {
      const n = nodes[i];
      const fin = factsIn.get(i);
      if (fin === undefined) continue;
      for (const result of [true, false]) {
        const ef = withFact(fin, n, result);
        let v = result ? n.t : n.f;
        while (v >= 0) {
          const k = known(ef, nodes[v]);
          if (k === null) break;
          v = k ? nodes[v].t : nodes[v].f;
        }
        if (v !== (result ? n.t : n.f)) {
          changed = true;
          if (result) n.t = v;
          else n.f = v;
        }
        if (v >= 0) {
          const prev = factsIn.get(v);
          factsIn.set(v, prev === undefined ? ef : intersect(prev, ef));
        }
      }
    }
    if (!changed) break;
  }
  // Renumber the reachable nodes in topological order, entry first.
  const topo = order(nodes, entry);
  const index = new Map<number, number>();
  topo.forEach((old, i) => index.set(old, i));
  const map = (x: number): number => (x < 0 ? x : index.get(x)!);
  const out = topo.map((old) => ({ ...nodes[old], t: map(nodes[old].t), f: map(nodes[old].f) }));
  return { nodes: out, entry: map(entry) };
}

export function programToString(p: Program): string {
  const name = (x: number): string => (x === ACCEPT ? 'accept' : x === REJECT ? 'reject' : `L${x}`);
  if (p.entry < 0) return name(p.entry);
  return p.nodes.map((n, i) => `L${i}: ${n.key} ? ${name(n.t)} : ${name(n.f)}`).join('\n');
}
