// --prefixes FILE: packets and bytes per matching prefix and direction (longest-prefix
// match in the engine), printed as a top-N table at exit, or as one JSON line. A tunnel's
// inner IP packet is charged to its own prefixes too, with the whole frame's length, as
// --flows counts inner conversations (host/flows/inner-frames.ts).
import { readFileSync } from 'node:fs';
import { writeAllText } from '../sinks/write-all.js';
import type { Engine } from '../engine/engine.js';
import type { FrameBatch } from '../engine/frame-batch.js';
import { fileError } from '../runtime/errors.js';
import { PrefixStats } from '../lpm/prefix-stats.js';
import type { BatchInfo, BatchStage } from '../stage/batch-stage.js';
import { SelectedFrames } from '../stage/selected.js';
import { InnerFrames } from '../flows/inner-frames.js';

/** sniff --workers: a worker's counters, summed into the printing worker's (absorb). */
export interface PrefixPartial { counters: Float64Array; unmatchedPackets: number; unmatchedBytes: number }

export class PrefixStage implements BatchStage {
  readonly needsDissect = true;
  private readonly stats: PrefixStats;
  private readonly json: boolean;
  private readonly selected: SelectedFrames;
  private readonly inner: InnerFrames;
  private done = false;

  constructor(engine: Engine, path: string, json: boolean) {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (e) {
      throw fileError(e, `--prefixes ${path}`);
    }
    this.stats = PrefixStats.fromText(engine, text);
    this.json = json;
    this.selected = new SelectedFrames(engine);
    this.inner = new InnerFrames(engine);
  }

  process(batch: FrameBatch, select: number, info: BatchInfo): void {
    const kept = this.selected.of(batch, select, info);
    this.stats.account(kept);
    this.inner.forEach(kept, (b) => { this.stats.account(b); });
  }

  /** sniff --workers, a worker that does not print: its counters; finish() then does nothing. */
  partial(): PrefixPartial {
    this.done = true;
    const s = this.stats;
    return { counters: s.counters.slice(), unmatchedPackets: s.unmatchedPackets, unmatchedBytes: s.unmatchedBytes };
  }

  /** sniff --workers, the printing worker, before finish(): adds the others' counters
   *  (the same prefix file, so the same rows). */
  absorb(parts: PrefixPartial[]): void {
    const c = this.stats.counters;
    for (const p of parts) {
      for (let i = 0; i < c.length; i++) c[i] += p.counters[i];
      this.stats.unmatchedPackets += p.unmatchedPackets;
      this.stats.unmatchedBytes += p.unmatchedBytes;
    }
  }

  finish(): void {
    if (this.done) return;
    this.done = true;
    if (this.json) writeAllText(1, `${JSON.stringify({ prefixes: this.stats.json(20) })}\n`);
    else writeAllText(1, `${this.stats.lines(20).join('\n')}\n`);
  }
}
