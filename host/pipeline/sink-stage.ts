// Adapts the sinks of host/sinks/ (text, JSON, pcapng) to the consumer loop's stage
// shape. Text and JSON read descriptors; pcapng only copies frames.
import type { Engine } from '../engine/engine.js';
import type { FrameBatch } from '../engine/frame-batch.js';
import type { PacketView } from '../dissect/packet-view.js';
import type { PacketSink } from '../sinks/sink.js';
import type { BatchInfo, BatchStage } from '../stage/batch-stage.js';

export class SinkStage implements BatchStage {
  readonly needsDissect: boolean;
  /** Text and JSON print the application layer (host/app/) of what they dissect. */
  readonly needsApp: boolean;
  private readonly sink: PacketSink;
  private readonly engine: Engine;
  private readonly view: PacketView;
  private readonly numberBy: 'match' | 'record';
  private done = false;

  constructor(engine: Engine, sink: PacketSink, needsDissect: boolean, numberBy: 'match' | 'record') {
    this.engine = engine;
    this.sink = sink;
    this.needsDissect = needsDissect;
    this.needsApp = needsDissect;
    this.view = engine.createView();
    this.numberBy = numberBy;
  }

  process(batch: FrameBatch, select: number, info: BatchInfo): void {
    const keep = info.filtered ? this.engine.views.refresh().u8.subarray(select, select + batch.count) : null;
    this.sink.writeBatch(batch, this.view, this.numberBy === 'match' ? info.firstMatch : info.firstRecord, keep);
  }

  finish(): void {
    if (this.done) return;
    this.done = true;
    this.sink.flush();
    this.sink.close();
  }
}
