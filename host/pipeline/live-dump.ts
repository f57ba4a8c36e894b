// The sniffer's single-thread path for `-i IFACE -w FILE`: when the packets only go to a
// pcap file (the filter already runs in the kernel, nothing is dissected, printed or
// counted per flow), the addon's capture thread writes each one as a pcap record straight
// from libpcap's ring into the file (LivePcap.startDump). No frame ring, no worker, no
// wake-ups between threads: one copy and one thread per packet, tcpdump -w's shape, which
// is what keeps up where the ring + worker hand-off lost packets (issue #14, bench/live).
import { closeSync } from 'node:fs';
import { writeAll } from '../sinks/write-all.js';
import { PktError, fileError } from '../runtime/errors.js';
import { PCAP_HEADER_BYTES, writePcapHeader } from '../sinks/pcap-writer.js';
import { openCaptureOutput } from '../sinks/output-file.js';
import type { LivePcap } from '../sources/live-pcap.js';
import type { Source } from '../sources/source.js';
import type { StageConfig } from './stage-config.js';

type WriteConfig = NonNullable<StageConfig['write']>;

/** The source as a LivePcap that can write directly, or null (other sources, cap). */
function directCapable(src: Source): LivePcap | null {
  const s = src as Partial<LivePcap>;
  return src.kind === 'live' && s.backend === 'pcap' && typeof s.startDump === 'function' ? src as LivePcap : null;
}

/**
 * The live source when this run may take the direct path: a plain pcap file is the only
 * output (no text, JSON, flows, prefixes, IPFIX, logs, pcapng), nothing filters in JS and
 * no periodic statistics are asked for (they read the consumer's counters). Else null.
 */
export function directDumpSource(src: Source, stages: StageConfig, statsEvery: number): LivePcap | null {
  const live = directCapable(src);
  if (live === null || stages.write === null || stages.write.pcapng || statsEvery > 0) return null;
  if (stages.text !== null || stages.json || stages.flows || stages.prefixes !== null || stages.ipfix !== null || stages.log.length > 0) return null;
  if (stages.filter !== '') return null;
  return live;
}

export interface DirectDumpResult {
  records: number;
  wireBytes: number;
}

/**
 * Opens the output (as -w always does: O_NOFOLLOW, 0600), writes the pcap header and lets
 * the capture thread append records until the source ends: `count` records written (0:
 * no limit), an error, or `src.close()` (a signal). `onStarted` runs once packets flow.
 */
export async function runDirectDump(src: LivePcap, write: WriteConfig, count: number, onStarted: () => void): Promise<DirectDumpResult> {
  let fd: number;
  try {
    fd = write.path === '-' ? 1 : openCaptureOutput(write.path);
  } catch (e) {
    throw e instanceof PktError ? e : fileError(e, write.path);
  }
  try {
    const hdr = new Uint8Array(PCAP_HEADER_BYTES);
    writePcapHeader(new DataView(hdr.buffer), 0, write.linktype, write.snaplen, write.nanosecond);
    writeAll(fd, hdr);
    src.startDump(fd, write.nanosecond, count);
    onStarted();
    await src.ended;
    await src.close({ drain: true });
    const w = src.written();
    return { records: w.records, wireBytes: w.wireBytes };
  } finally {
    if (fd !== 1) closeSync(fd);
  }
}
