// Flows at scale (issue #19): the sniffer's --flows path keeps no FlowRecord per flow. The
// conversation table is written from a ConversationStore (64 bytes per row, radix-sorted)
// into a reused OutputBuffer, and --flows --json lines are formatted from memory.
//  - Crafted records of every shape (IPv4/IPv6, TCP states, ICMP, no ports, VLAN, sizes up
//    to terabytes, relative starts past 10^6 s, negative durations, durations exactly
//    halfway between two printed values, equal start times) print exactly what the
//    record path (formatConversationTable, flowJsonLine) prints: that path is held to
//    tshark by test/flows-tshark.
//  - The whole sniffer on a generated capture of single-packet UDP flows: its table rows
//    are tshark's conv,udp rows, also with a table far smaller than the flows
//    (--flow-capacity; evictions counted and reported); its JSON lines carry every flow once.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEngine } from '../host/engine/engine.js';
import { readFlowRecord, type FlowRecord } from '../host/flows/flow-table.js';
import { formatConversationTable, flowJsonLine } from '../host/flows/conversations.js';
import { ConversationStore } from '../host/flows/conversation-store.js';
import { writeConversationTable } from '../host/flows/conversation-text.js';
import { flowJsonText } from '../host/flows/flow-json-text.js';
import { FlowStage } from '../host/pipeline/flow-stage.js';
import { OutputBuffer } from '../host/sinks/output-buffer.js';
import { readCaptureFile } from '../host/sources/capture-file.js';
import * as F from '../host/flows/flow-layout.js';
import { craftFlowRecord } from './lib/crafted-flows.js';
import { generateFlowCapture } from '../bench/lib/gen-capture.js';
import { Rng, haveTool, repoRoot, seed } from './lib/env.js';

const engine = createEngine({ backend: 'wasm' });
const haveTshark = haveTool('tshark', '-v');

test('crafted records: the streamed table and JSON lines are the record path\'s, byte for byte', () => {
  const rng = new Rng(seed());
  const n = 20_000;
  const base = engine.arena.alloc(n * F.FE_SIZE);
  const origin: [number, number] = [1_700_000_000, 250_000_000];
  const store = new ConversationStore();
  // The sniffer's store lays its rows in the shared memory (64-byte aligned slabs).
  const shared = new ConversationStore(engine.arena);
  const recs: FlowRecord[] = [];
  let added = 0;
  for (let i = 0; i < n; i++) {
    const at = base + i * F.FE_SIZE;
    craftFlowRecord(engine.views, rng, at, i, origin[0]);
    recs.push(readFlowRecord(engine.views, at));
    if (store.add(engine.views, at)) added++;
    shared.add(engine.views, at);
    assert.is(flowJsonText(engine.views, at), flowJsonLine(recs[i]), `record ${i}: JSON line`);
  }
  assert.ok(added > n / 2 && added < n, `TCP/UDP rows with ports kept (${added}), the others not`);
  recs.sort((x, y) => x.startSec - y.startSec || x.startNsec - y.startNsec || x.index - y.index);
  const want = formatConversationTable(recs, 'tcp', origin) + formatConversationTable(recs, 'udp', origin);
  // The sort in new arrays, and in scratch memory (FlowTable.retire()'s) that holds all
  // of its arrays (the index too: the crafted records have equal start times) or only some.
  assert.is(shared.count, added);
  for (const [where, st] of [['JS heap', store], ['shared memory', shared]] as const) {
    for (const room of [0, 5, 2.5]) {
      const scratch = room === 0 ? undefined : new Uint32Array(Math.floor(room * added)).fill(0xA5A5A5A5);
      const out = new OutputBuffer(-1, 4096); // small: the rows cross many growths
      const order = st.sortedOrder(scratch);
      writeConversationTable(out, st, order, 'tcp', origin);
      writeConversationTable(out, st, order, 'udp', origin);
      const got = Buffer.from(out.take()).toString('latin1');
      const gl = got.split('\n');
      const wl = want.split('\n');
      assert.is(gl.length, wl.length, `as many lines (${where}, scratch for ${room} arrays)`);
      for (let i = 0; i < wl.length; i++) assert.is(gl[i], wl[i], `line ${i} (${where}, scratch for ${room} arrays)`);
    }
  }
  assert.ok(/ (kB|MB|GB|TB) /.test(want) && /\s-\d/.test(want) && /\b\d{7}\.\d{9}\b/.test(want), 'the crafted table has large sizes, negative and far times');
});

/** tshark's conversation rows for one protocol, or null when tshark is not here. */
function tsharkRows(file: string, proto: 'udp' | 'tcp'): string[] {
  const out = execFileSync('tshark', ['-r', file, '-q', '-z', `conv,${proto}`], { encoding: 'utf8', maxBuffer: 256 << 20, stdio: ['ignore', 'pipe', 'ignore'] });
  return out.split('\n').filter((l) => l.includes('<->'));
}

const tmp = mkdtempSync(join(tmpdir(), 'pktwasm-flows-scale-'));
const FLOWS = 30_000;
const file = join(tmp, 'flows.pcap');
generateFlowCapture(file, FLOWS);

test('sniff --flows on 30,000 single-packet UDP flows prints tshark conv,udp rows; the stage with a 1,024-flow table too, evictions counted', () => {
  if (!haveTshark) return; // SKIP printed by haveTool (in CI: thrown)
  const want = tsharkRows(file, 'udp');
  assert.is(want.length, FLOWS, 'tshark sees every flow');
  const r = spawnSync(process.execPath, [join(repoRoot, 'host/sniff.js'), '-r', file, '--flows', '-q'], { encoding: 'utf8', maxBuffer: 256 << 20 });
  assert.is(r.status, 0, r.stderr);
  const rows = r.stdout.split('\n').filter((l) => l.includes('<->'));
  assert.equal(rows.slice().sort(), want.slice().sort(), 'sniff --flows rows');
  assert.not.match(r.stderr, /evicted/, 'no eviction with the default table');

  // --flow-capacity: a table far smaller than the flows. Single-packet flows are whole
  // when evicted, so the rows stay tshark's; stderr counts the evictions.
  const c = spawnSync(process.execPath, [join(repoRoot, 'host/sniff.js'), '-r', file, '--flows', '-q', '--flow-capacity', '1024'], { encoding: 'utf8', maxBuffer: 256 << 20 });
  assert.is(c.status, 0, c.stderr);
  assert.equal(c.stdout.split('\n').filter((l) => l.includes('<->')).sort(), want.slice().sort(), 'sniff --flows --flow-capacity 1024 rows');
  // Every flow past the table's size is evicted; a few more may be when a new flow's probe
  // window is full while entries are still free (the hash is keyed per run).
  const ev = /^flows: (\d+) flows evicted from a full table \(--flow-capacity 1024\)/m.exec(c.stderr);
  assert.ok(ev !== null, c.stderr);
  assert.ok(Number(ev[1]) >= FLOWS - 1024 && Number(ev[1]) < FLOWS, `${ev[1]} evicted`);

  // The stage itself with a table far smaller than the flows: single-packet flows are
  // whole when evicted, so the rows stay tshark's; the evictions are counted.
  const stage = new FlowStage(engine, false, 1024, -1);
  const batch = engine.createBatch(256, 256 * 128);
  const info = { firstRecord: 1, firstMatch: 1, filtered: false };
  const feed = (): void => { engine.dissect(batch); stage.process(batch, 0, info); batch.clear(); };
  for (const rec of readCaptureFile(file).records) {
    if (!batch.push(rec.data, rec.linktype, rec.wirelen)) { feed(); batch.push(rec.data, rec.linktype, rec.wirelen); }
    batch.setTime(batch.count - 1, rec.tsSec, rec.tsNsec);
  }
  feed();
  stage.finish();
  const small = Buffer.from(stage.output.take()).toString('latin1').split('\n').filter((l) => l.includes('<->'));
  assert.equal(small.slice().sort(), want.slice().sort(), 'rows with a 1,024-flow table');
  const st = stage.flowTable.stats();
  // finish() sorted the rows in the table's entries: the table refuses more work.
  assert.throws(() => { stage.flowTable.flush(); }, /used after retire/);
  assert.ok(st.evicted >= FLOWS - 1024, `${st.evicted}: every flow beyond the table evicted, and counted`);
  assert.is(st.evicted + st.flushed, FLOWS, 'each flow ended once: evicted, or flushed at the end');
});

test('sniff --flows --json: one line per flow, each tshark conversation once', () => {
  if (!haveTshark) return;
  const r = spawnSync(process.execPath, [join(repoRoot, 'host/sniff.js'), '-r', file, '--flows', '--json', '-q'], { encoding: 'utf8', maxBuffer: 256 << 20 });
  assert.is(r.status, 0, r.stderr);
  const lines = r.stdout.split('\n').filter((l) => l !== '');
  assert.is(lines.length, FLOWS);
  const keys = lines.map((l) => {
    const f = (JSON.parse(l) as { flow: { a: { addr: string; port: number }; b: { addr: string; port: number }; a_to_b: { frames: number } } }).flow;
    assert.is(f.a_to_b.frames, 1);
    return `${f.a.addr}:${f.a.port} <-> ${f.b.addr}:${f.b.port}`;
  });
  const want = tsharkRows(file, 'udp').map((l) => l.replace(/^(\S+)\s+<->\s+(\S+).*$/, '$1 <-> $2'));
  assert.equal(keys.sort(), want.sort());
});

test.after(() => rmSync(tmp, { recursive: true, force: true }));
test.run();
