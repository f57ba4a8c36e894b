// Turns the sniffer's options (plain data, posted to the consumer worker) into the
// consumer's stages and its per-link-type filter. One place decides what runs.
import type { Engine } from '../engine.js';
import type { PcapCore } from '../pcap.js';
import type { BatchFilter, BatchStage } from './stages.js';
import { PcapOut } from './pcap-out.js';
import { compileBatchFilter } from './filter-stage.js';

export interface StageConfig {
  filter: string;
  count: number;
  write: { path: string; linktype: number; snaplen: number; nanosecond: boolean; pcapng: boolean } | null;
}

export interface Stages {
  stages: BatchStage[];
  filterFor: (linktype: number) => BatchFilter | null;
}

export function buildStages(engine: Engine, pcap: PcapCore, cfg: StageConfig): Stages {
  const stages: BatchStage[] = [];
  if (cfg.write !== null) stages.push(new PcapOut(engine, pcap, cfg.write));
  const filters = new Map<number, BatchFilter | null>();
  const filterFor = (linktype: number): BatchFilter | null => {
    if (cfg.filter === '') return null;
    let f = filters.get(linktype);
    if (f === undefined) {
      f = compileBatchFilter(engine, cfg.filter, linktype);
      filters.set(linktype, f);
    }
    return f;
  };
  return { stages, filterFor };
}
