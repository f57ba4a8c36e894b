// compileFilter(): a tcpdump expression compiled once for a link type, then run over a
// whole batch of frames in the shared memory in one call. The 'wasm' backend generates a
// WebAssembly module for the expression; the 'ts' backend runs the same program in
// TypeScript. Both must agree (and both give libpcap's answers).
//
//   node examples/filter-batch.mjs [file.pcap] [filter]
// Prints the numbers of the matching frames (as `tcpdump -#` numbers them) and the count
// from each backend.
import { fileURLToPath } from 'node:url';
import { createEngine, compileFilter, readCaptureFile } from 'pktwasm';

const file = process.argv[2] ?? fileURLToPath(new URL('../test/fixtures/sample.pcap', import.meta.url));
const expression = process.argv[3] ?? 'tcp or icmp or icmp6';

const engine = createEngine();
const { records, info } = readCaptureFile(file);
// One compile per expression and link type (the file's); the filter then reads the frames
// where they lie in the shared memory.
const compile = (backend) => compileFilter(expression, { linktype: info.linktype, memory: engine.memory, backend, snaplen: info.snaplen });
const filters = { wasm: compile('wasm'), ts: compile('ts') };

const CHUNK = 256;
const batch = engine.createBatch(CHUNK, CHUNK * 65536);
const out = engine.arena.alloc(CHUNK); // one result byte per frame, in the shared memory too
const matched = { wasm: [], ts: [] };
for (let first = 0; first < records.length; first += CHUNK) {
  batch.clear();
  for (const r of records.slice(first, first + CHUNK)) batch.push(r.data, r.linktype, r.wirelen);
  for (const [backend, f] of Object.entries(filters)) {
    f.matchBatch(batch.table, batch.count, out); // returns the match count; we want which ones
    const u8 = engine.views.refresh().u8;
    for (let i = 0; i < batch.count; i++) if (u8[out + i] === 1) matched[backend].push(first + i + 1);
  }
}
console.log(`frames matching "${expression}": ${matched.wasm.join(' ')}`);
console.log(`wasm ${matched.wasm.length} of ${records.length}, ts ${matched.ts.length} of ${records.length}`);
if (matched.wasm.join() !== matched.ts.join()) {
  console.error('the backends disagree');
  process.exitCode = 1;
}
