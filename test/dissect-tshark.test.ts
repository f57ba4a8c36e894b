// Oracle: decode() on every frame of every corpus capture, on both backends, against the
// corpus's tshark reference dissections (TShark 4.0.17). The SETS of fields are compared
// per frame over the vocabulary decode() can emit (test/lib/tshark-fields.ts): a field
// only tshark gives, a field only we give, and a different value are all differences.
// The only differences accepted are in test/lib/tshark-allowlist.ts, each with its RFC or
// tshark reason (section a) or the open issue that will close it (section b); an entry
// that no longer matches exactly its count of differences fails, so fixing a gap forces
// its removal. Floors per protocol layer keep the comparison from passing on frame
// lengths alone.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createEngine } from '../host/engine/engine.js';
import { corpusCaptures, corpusDir } from './lib/env.js';
import { allowanceProblems, compareCorpus, decodeWithReassembly, describe, layerFloorProblems, type Comparison } from './lib/tshark-compare.js';

const wasm = createEngine({ backend: 'wasm' });
const twin = createEngine({ backend: 'ts', memory: wasm.memory });
const files = corpusCaptures();
// Absent corpus outside CI: corpusCaptures() printed the SKIP line (in CI it threw).
const skipped = corpusDir() === null;

const passes: Comparison[] = [];

for (const [name, engine] of [['wasm', wasm], ['ts twin', twin]] as const) {
  test(`${name}: decode() gives exactly tshark's fields on every corpus frame, but for the allow-list`, () => {
    if (skipped) return;
    const c = compareCorpus(files, corpusDir() ?? '', decodeWithReassembly(engine));
    passes.push(c);
    console.log(`\n${describe(`dissect-tshark ${name}`, c).join('\n')}`);
    const problems = [...c.problems, ...allowanceProblems(c), ...layerFloorProblems(c)];
    if (problems.length) console.log(problems.slice(0, 80).join('\n'));
    assert.is(problems.length, 0, `${problems.length} differences from tshark outside the allow-list, stale entries or floors missed`);
  });
}

test('both backends saw the same corpus', () => {
  if (skipped) return;
  assert.is(passes.length, 2);
  const [w, t] = passes;
  assert.equal([t.captures, t.frames, [...t.agreed]], [w.captures, w.frames, [...w.agreed]]);
});

test.run();
