// Turns the sniffer's options (plain data, posted to the consumer worker) into the
// consumer's stages and its per-link-type filter. One place decides what runs.
import type { Engine } from '../engine/engine.js';
import type { PcapExports } from '../pcap/exports.js';
import type { BatchFilter, BatchStage } from './stages.js';
import type { TextOptions } from '../sinks/text/format.js';
import { PcapOut } from './pcap-out.js';
import { SinkStage } from './sink-stage.js';
import { compileBatchFilter } from './filter-stage.js';


export interface StageConfig {
  filter: string;
  count: number;
  write: { path: string; linktype: number; snaplen: number; cut: number; nanosecond: boolean; pcapng: boolean } | null;
  /** Text lines to stdout (unless JSON or writing a file). */
  text: TextOptions | null;
  json: boolean;
  flows: boolean;
  prefixes: string | null;
  ipfix: { collector: string; domain: number; activeTimeout: number; idleTimeout: number } | null;
}

export interface Stages {
  stages: BatchStage[];
  filterFor: (linktype: number) => BatchFilter | null;
}

type IpfixFactory = (engine: Engine, cfg: { collector: string; domain: number; activeTimeout: number; idleTimeout: number }) => BatchStage;

export async function buildStages(engine: Engine, pcap: PcapExports, cfg: StageConfig): Promise<Stages> {
  const stages: BatchStage[] = [];
  const w = cfg.write;
  // Stages load their modules only when asked for: a plain -r/-w run loads none of them.
  const sinks = cfg.json || cfg.text !== null || (w !== null && w.pcapng) ? await import('../sinks/sink.js') : null;
  if (w !== null && w.pcapng) {
    const sink = sinks!.PcapngSink.open(engine.views, w.path, { linktype: w.linktype, snaplen: w.cut > 0 ? w.cut : undefined, nanosecond: w.nanosecond });
    stages.push(new SinkStage(engine, sink, false, 'record'));
  } else if (w !== null) {
    stages.push(new PcapOut(engine, pcap, w));
  }
  if (cfg.json && !cfg.flows && cfg.prefixes === null && cfg.ipfix === null) stages.push(new SinkStage(engine, new sinks!.JsonSink(engine.views, 1), true, 'record'));
  else if (cfg.text !== null) stages.push(new SinkStage(engine, new sinks!.TextSink(engine.views, 1, cfg.text), true, 'match'));
  if (cfg.flows) stages.push(new (await import('./flow-stage.js')).FlowStage(engine, cfg.json));
  if (cfg.prefixes !== null) stages.push(new (await import('./prefix-stage.js')).PrefixStage(engine, cfg.prefixes, cfg.json));
  if (cfg.ipfix !== null) {
    // The exporter is its own room (host/ipfix/); loaded only when asked for.
    const spec = '../ipfix/stage.js';
    const mod = (await import(spec)) as { createIpfixStage: IpfixFactory };
    stages.push(mod.createIpfixStage(engine, cfg.ipfix));
  }
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
