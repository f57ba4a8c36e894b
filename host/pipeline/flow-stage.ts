// --flows: every kept frame updates the flow table (protocol control blocks on the
// timer wheel). At the end: a conversation table like `tshark -q -z conv,tcp/conv,udp`,
// or, with --json, one line per flow as each one expires and for those left at the end.
import { writeSync } from 'node:fs';
import type { Engine } from '../engine/engine.js';
import type { FrameBatch } from '../engine/frame-batch.js';
import { FlowTable } from '../flows/flow-table.js';
import { allFlows, flowJsonLine, formatConversationTable } from '../flows/conversations.js';
import type { BatchInfo, BatchStage } from '../stage/batch-stage.js';
import { SelectedFrames } from '../stage/selected.js';

export class FlowStage implements BatchStage {
  readonly needsDissect = true;
  private readonly table: FlowTable;
  private readonly json: boolean;
  private readonly selected: SelectedFrames;
  private done = false;

  constructor(engine: Engine, json: boolean, capacity = 1 << 18) {
    this.json = json;
    this.selected = new SelectedFrames(engine);
    this.table = new FlowTable(engine, {
      capacity,
      keepEnded: !json,
      onExpire: json ? (r) => writeSync(1, `${flowJsonLine(r)}\n`) : undefined,
    });
  }

  process(batch: FrameBatch, select: number, info: BatchInfo): void {
    this.table.update(this.selected.of(batch, select, info));
  }

  /** Live sources: end flows that went quiet even when no packet arrives. */
  idle(sec: number, nsec: number): void {
    this.table.expire(sec, nsec);
  }

  finish(): void {
    if (this.done) return;
    this.done = true;
    if (this.json) {
      this.table.flush();
      return;
    }
    const records = allFlows(this.table);
    const origin = this.table.firstTime();
    writeSync(1, formatConversationTable(records, 'tcp', origin) + formatConversationTable(records, 'udp', origin));
  }
}
