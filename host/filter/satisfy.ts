// "expression rejects all packets": tcpdump refuses a filter that libpcap's optimiser
// proves can never match, so we must refuse the same ones. The optimiser's proof is jump
// threading with one rule (fold_edge in optimize.c): a test on a value already tested the
// same way gives the same answer, and a value known to equal constant c fails "= d" for
// any d != c. We follow every path through the program carrying those facts and report
// whether any path reaches "match". Nothing cleverer: a smarter proof would refuse
// filters that tcpdump accepts.
import { valKey, type Pred } from './ir.js';

interface Fact {
  a: string;
  op: string;
  b: string;
  /** b is a constant (for the "equals another constant" rule). */
  bConst: boolean;
  result: boolean;
}

const BUDGET = 200_000;

export function canMatch(p: Pred): boolean {
  let steps = 0;
  let gaveUp = false;
  const walk = (n: Pred, facts: readonly Fact[], k: (r: boolean, f: readonly Fact[]) => boolean): boolean => {
    if (++steps > BUDGET) {
      gaveUp = true;
      return true;
    }
    switch (n.k) {
      case 'true': return k(true, facts);
      case 'false': return k(false, facts);
      case 'not': return walk(n.a, facts, (r, f) => k(!r, f));
      case 'and': return walk(n.a, facts, (r, f) => (r ? walk(n.b, f, k) : k(false, f)));
      case 'or': return walk(n.a, facts, (r, f) => (r ? k(true, f) : walk(n.b, f, k)));
      case 'cmp': {
        const a = valKey(n.a);
        const b = valKey(n.b);
        const bConst = n.b.k === 'const';
        for (const f of facts) {
          if (f.a !== a || f.op !== n.op) continue;
          if (f.b === b) return k(f.result, facts);
          if (f.result && n.op === 'eq' && f.bConst && bConst) return k(false, facts);
        }
        const t = [...facts, { a, op: n.op, b, bConst, result: true }];
        if (k(true, t)) return true;
        return k(false, [...facts, { a, op: n.op, b, bConst, result: false }]);
      }
    }
  };
  const r = walk(p, [], (r) => r);
  return r || gaveUp;
}
