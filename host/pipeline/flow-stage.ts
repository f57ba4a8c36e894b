// --flows: every kept frame updates the flow table (protocol control blocks on the
// timer wheel). At the end: a conversation table like `tshark -q -z conv,tcp/conv,udp`,
// or, with --json, one line per flow as each one expires and for those left at the end.
//
// Costs stay linear with millions of flows (issue #19): ended records are read by address
// (FlowTable's onExpireRaw), never as FlowRecord objects. The table keeps each TCP/UDP
// conversation as 64 bytes in a ConversationStore, sorts them with a radix sort and
// formats the rows into one reused OutputBuffer; JSON lines are written byte by byte from
// memory into it and go out a megabyte (or a batch) at a time.
import { writeSync } from 'node:fs';
import type { Engine } from '../engine/engine.js';
import type { FrameBatch } from '../engine/frame-batch.js';
import { FlowTable } from '../flows/flow-table.js';
import { InnerFrames } from '../flows/inner-frames.js';
import { ConversationStore } from '../flows/conversation-store.js';
import { writeConversationTable } from '../flows/conversation-text.js';
import { FLOW_JSON_MAX, writeFlowJson } from '../flows/flow-json-text.js';
import { OutputBuffer } from '../sinks/output-buffer.js';
import type { BatchInfo, BatchStage } from '../stage/batch-stage.js';
import { SelectedFrames } from '../stage/selected.js';

/** Live flows the table holds by default; beyond, the stalest nearby flow is evicted
 *  (its record leaves early, counted and reported at the end). */
export const DEFAULT_FLOW_CAPACITY = 1 << 18;

/** sniff --workers: what a worker's flow stage hands to the worker that prints the one
 *  table (each flow lives in one worker: the fanout hash keeps a conversation together). */
export interface FlowPartial {
  /** The conversation rows (ConversationStore.packRows), null with --json (lines went out). */
  rows: ReturnType<ConversationStore['packRows']> | null;
  /** The worker's first packet time ([0, 0]: none). */
  first: [number, number];
  evicted: number;
}

const earlier = (a: readonly [number, number], b: readonly [number, number]): readonly [number, number] =>
  (b[0] === 0 && b[1] === 0) || (a[0] !== 0 || a[1] !== 0) && (a[0] < b[0] || (a[0] === b[0] && a[1] <= b[1])) ? a : b;

export class FlowStage implements BatchStage {
  readonly needsDissect = true;
  private readonly table: FlowTable;
  private readonly json: boolean;
  private readonly selected: SelectedFrames;
  private readonly out: OutputBuffer;
  private readonly store: ConversationStore | null;
  private readonly inner: InnerFrames;
  private done = false;
  /** What other workers handed over (absorb): their earliest packet and evictions. */
  private othersFirst: readonly [number, number] = [0, 0];
  private othersEvicted = 0;

  /** `fd`: where the table or the lines go (stdout; -1 keeps them in `out` for tests). */
  constructor(engine: Engine, json: boolean, capacity = DEFAULT_FLOW_CAPACITY, fd = 1) {
    this.json = json;
    this.selected = new SelectedFrames(engine);
    this.inner = new InnerFrames(engine);
    this.out = new OutputBuffer(fd);
    const views = engine.views;
    const out = this.out;
    const store = json ? null : new ConversationStore(engine.arena);
    this.store = store;
    this.table = new FlowTable(engine, {
      capacity,
      onExpireRaw: store !== null
        ? (at) => { store.add(views, at); }
        : (at) => {
          out.ensure(FLOW_JSON_MAX + 1);
          const p = writeFlowJson(out.buf, out.pos, views, at);
          out.buf[p] = 10;
          out.pos = p + 1;
        },
    });
  }

  /** The output (what was not yet written to the descriptor, all of it when fd is -1). */
  get output(): OutputBuffer {
    return this.out;
  }

  get flowTable(): FlowTable {
    return this.table;
  }

  process(batch: FrameBatch, select: number, info: BatchInfo): void {
    const kept = this.selected.of(batch, select, info);
    this.table.update(kept);
    // A tunnel's inner TCP/UDP packet counts in its own conversation too, as in tshark's.
    this.inner.forEach(kept, (b) => { this.table.update(b); });
    // JSON lines of the flows this batch ended go out with it (a live capture shows them
    // as they end); one write per batch at most.
    if (this.json) this.out.flush();
  }

  /** Live sources: end flows that went quiet even when no packet arrives. */
  idle(sec: number, nsec: number): void {
    this.table.expire(sec, nsec);
    if (this.json) this.out.flush();
  }

  /** sniff --workers, a worker that does not print: ends every flow (JSON lines go out
   *  now) and hands over the rows instead of printing them; finish() then does nothing. */
  partial(): FlowPartial {
    this.done = true;
    this.table.flush();
    this.out.flush();
    return { rows: this.store?.packRows() ?? null, first: this.table.firstTime(), evicted: this.table.stats().evicted };
  }

  /** sniff --workers, the printing worker, before finish(): the other workers' rows join
   *  this table's (one table, sorted as one), their first packet its origin. */
  absorb(parts: FlowPartial[]): void {
    for (const p of parts) {
      if (p.rows !== null) this.store?.addRows(p.rows);
      this.othersFirst = earlier(this.othersFirst, p.first);
      this.othersEvicted += p.evicted;
    }
  }

  finish(): void {
    if (this.done) return;
    this.done = true;
    // Live flows leave the table too (reason "forced"): JSON lines, or store rows.
    this.table.flush();
    const store = this.store;
    if (store !== null) {
      // The table is done: the sort works in its entries' memory (pages already present).
      const order = store.sortedOrder(this.table.retire());
      const origin = earlier(this.table.firstTime(), this.othersFirst);
      writeConversationTable(this.out, store, order, 'tcp', origin);
      writeConversationTable(this.out, store, order, 'udp', origin);
    }
    this.out.flush();
    const st = this.table.stats();
    const evicted = st.evicted + this.othersEvicted;
    if (evicted > 0 && this.out.fd >= 0) {
      // A conversation seen again after its eviction starts a second row (or record).
      writeSync(2, `flows: ${evicted} flows evicted from a full table (--flow-capacity ${st.capacity}); a conversation that went on after its eviction is listed more than once\n`);
    }
  }
}
