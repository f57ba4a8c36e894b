// The export surface of assembly/pcap.ts, the pcap record walker and writer: the WASM
// functions and PcapTwin share these signatures over the same shared memory. The scan
// results (count, damage, wire bytes) are per instance, as WASM globals are: one twin per
// engine keeps them so.
import { exportNames, type Structure } from '../engine/backend.js';
import { PcapTwin } from './twin.js';

export interface PcapExports {
  pcap_scan(p: number, len: number, big: number): number;
  pcap_scan_count(): number;
  pcap_scan_bad(): number;
  pcap_scan_bytes(): number;
  pcap_index(p: number, end: number, big: number, micro: number, linktype: number, table: number, times: number, max: number, nextOut: number): number;
  pcap_write(table: number, times: number, from: number, count: number, select: number, snaplen: number, micro: number, out: number, cap: number, usedOut: number): number;
}

export const PCAP_EXPORTS = exportNames<PcapExports>()([
  'pcap_scan', 'pcap_scan_count', 'pcap_scan_bad', 'pcap_scan_bytes', 'pcap_index', 'pcap_write',
]);

/** The pcap record walker, for exportsOf(engine, PCAP). */
export const PCAP: Structure<PcapExports> = {
  name: 'pcap', exports: PCAP_EXPORTS, twin: (engine) => new PcapTwin(engine.views),
};
