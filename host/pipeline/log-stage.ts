// --log KIND[,KIND]: the metadata logs of host/app/log/ as a pipeline stage. It asks the
// runner for the application layer (needsApp), hands each kept frame whose app record
// belongs to a log to that log, moves the logs' clocks by packet time (and by the wall
// clock while live input is quiet), and writes their JSON lines to stdout, once per batch.
import { writeSync } from 'node:fs';
import { writeAllText } from '../sinks/write-all.js';
import type { Engine } from '../engine/engine.js';
import type { FrameBatch } from '../engine/frame-batch.js';
import type { PacketView } from '../dissect/packet-view.js';
import type { BatchInfo, BatchStage } from '../stage/batch-stage.js';
import { LOG_KINDS, type TransactionLog } from '../app/log/transaction-log.js';
import { APP_SIZE, A_PROTO } from '../app/app-layout.js';
import { DESC_SIZE, FRAME_SIZE, FRAME_W_PTR, TIME_SIZE, TIME_W_NSEC, TIME_W_SEC } from '../runtime/layout.js';
import { PktError } from '../runtime/errors.js';

export class LogStage implements BatchStage {
  readonly needsDissect = true;
  readonly needsApp = true;
  private readonly engine: Engine;
  private readonly logs: TransactionLog[];
  /** Log by APP_* id (undefined: no log reads that protocol). */
  private readonly byProto: Array<TransactionLog | undefined> = [];
  private readonly view: PacketView;
  private readonly fd: number;
  /** Lines not yet written (a string grows as a rope; joined once when written). */
  private pending = '';
  private done = false;

  constructor(engine: Engine, kinds: readonly string[], fd = 1) {
    this.engine = engine;
    this.fd = fd;
    this.view = engine.createView();
    const emit = (line: string): void => {
      this.pending += `${line}\n`;
      if (this.pending.length >= 1 << 16) this.flush();
    };
    this.logs = kinds.map((k) => {
      const kind = LOG_KINDS.get(k);
      if (kind === undefined) throw new PktError('E_BAD_ARGUMENT', `--log: unknown log "${k}" (${[...LOG_KINDS.keys()].join(', ')})`);
      return kind.create(engine, emit);
    });
    for (const l of this.logs) for (const p of l.protos) this.byProto[p] = l;
  }

  process(batch: FrameBatch, select: number, info: BatchInfo): void {
    if (batch.apps === 0) return;
    const u8 = this.engine.views.refresh().u8;
    const u32 = this.engine.views.u32;
    const v = this.view;
    let sec = 0;
    let nsec = 0;
    let kept = 0;
    for (let i = 0; i < batch.count; i++) {
      if (info.filtered && u8[select + i] === 0) continue;
      kept++;
      const t = (batch.times + i * TIME_SIZE) >>> 2;
      sec = u32[t + TIME_W_SEC];
      nsec = u32[t + TIME_W_NSEC];
      const rec = batch.apps + i * APP_SIZE;
      const log = this.byProto[u8[rec + A_PROTO]];
      if (log === undefined) continue;
      v.desc = batch.descs + i * DESC_SIZE;
      v.frame = u32[((batch.table + i * FRAME_SIZE) >>> 2) + FRAME_W_PTR];
      v.app = rec;
      log.frame({ u8, view: v, sec, nsec });
    }
    // Every log's clock moves with the traffic, not only with its own protocol's frames.
    if (kept > 0) for (const l of this.logs) l.advance(sec, nsec);
    this.flush();
  }

  idle(sec: number, nsec: number): void {
    for (const l of this.logs) l.advance(sec, nsec);
    this.flush();
  }

  finish(): void {
    if (this.done) return;
    this.done = true;
    for (const l of this.logs) l.finish();
    this.flush();
    // The CLI's exit summary (as --ipfix and --flows give theirs).
    if (this.fd === 1) for (const l of this.logs) writeSync(2, `${l.summary()}\n`);
  }

  private flush(): void {
    if (this.pending === '') return;
    const text = this.pending;
    this.pending = '';
    writeAllText(this.fd, text);
  }
}
