// Turns the sniffer's options (plain data, posted to the consumer worker) into the
// pipeline's stages. One place decides what runs; the runner (./runner.ts) applies the
// filter and the count.
import type { Engine } from '../engine/engine.js';
import type { BatchStage } from '../stage/batch-stage.js';
import type { TextOptions } from '../sinks/text/format.js';
import type { IpfixStageConfig } from '../ipfix/stage.js';
import { PcapOut } from './pcap-out.js';
import { SinkStage } from './sink-stage.js';

export interface StageConfig {
  filter: string;
  count: number;
  write: { path: string; linktype: number; snaplen: number; cut: number; nanosecond: boolean; pcapng: boolean } | null;
  /** Text lines to stdout (unless JSON or writing a file). */
  text: TextOptions | null;
  json: boolean;
  flows: boolean;
  /** --log kinds (host/app/log/); empty: none. */
  log: string[];
  prefixes: string | null;
  ipfix: Pick<IpfixStageConfig, 'collector' | 'domain' | 'activeTimeout' | 'idleTimeout' | 'statisticsDomain'> | null;
  /** Live flows the --flows/--ipfix table holds; null or absent: each stage's default. */
  flowCapacity?: number | null;
  /** IP reassembly before the stages (sniff --no-reassemble turns it off). */
  reassemble: boolean;
  /** Tunnel levels followed (host/dissect/tunnel-depth.ts); absent: as set. */
  tunnelDepth?: number;
  /** The IPFIX stage's exit summary line (default on; sniff --workers prints one line for
   *  all its workers instead). */
  ipfixSummary?: boolean;
}

export async function buildStages(engine: Engine, cfg: StageConfig): Promise<BatchStage[]> {
  const stages: BatchStage[] = [];
  const w = cfg.write;
  // Stages load their modules only when asked for: a plain -r/-w run loads none of them.
  const json = cfg.json && !cfg.flows && cfg.prefixes === null && cfg.ipfix === null;
  // --json loads its own sink only: sink.js brings the text printers (~40 modules).
  const sinks = (!json && cfg.text !== null) || (w !== null && w.pcapng) ? await import('../sinks/sink.js') : null;
  if (w !== null && w.pcapng) {
    const sink = sinks!.PcapngSink.open(engine.views, w.path, { linktype: w.linktype, snaplen: w.snaplen, cutAt: w.cut, nanosecond: w.nanosecond });
    stages.push(new SinkStage(engine, sink, false, 'record'));
  } else if (w !== null) {
    stages.push(new PcapOut(engine, w));
  }
  if (json) stages.push(new SinkStage(engine, new (await import('../sinks/json-sink.js')).JsonSink(engine.views, 1, false, true, engine), true, 'record'));
  else if (cfg.text !== null) stages.push(new SinkStage(engine, new sinks!.TextSink(engine.views, 1, cfg.text), true, 'match'));
  if (cfg.log.length > 0) stages.push(new (await import('./log-stage.js')).LogStage(engine, cfg.log));
  if (cfg.flows) {
    const { FlowStage, DEFAULT_FLOW_CAPACITY } = await import('./flow-stage.js');
    stages.push(new FlowStage(engine, cfg.json, cfg.flowCapacity ?? DEFAULT_FLOW_CAPACITY));
  }
  if (cfg.prefixes !== null) stages.push(new (await import('./prefix-stage.js')).PrefixStage(engine, cfg.prefixes, cfg.json));
  if (cfg.ipfix !== null) {
    // The exporter is its own room (host/ipfix/), loaded only when asked for.
    const { createIpfixStage } = await import('../ipfix/stage.js');
    stages.push(createIpfixStage(engine, { ...cfg.ipfix, summary: cfg.ipfixSummary ?? true, capacity: cfg.flowCapacity ?? undefined }));
  }
  return stages;
}
