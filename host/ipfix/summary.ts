// The --ipfix exit line, in a module of its own so that the engine workers' parent can
// print the sum of its workers' exporters without loading the IPFIX stage and flow table.
import type { IpfixExporterStats } from './exporter.js';

/** The exit summary line: what went to the collector and what is known lost. */
export function ipfixSummary(flows: number, st: IpfixExporterStats, collector: string, evicted: number): string {
  const lost = st.lostRecords > 0
    ? `${st.lostRecords} records lost (${st.lostMessages} messages, ${st.lostPackets} packets, ${st.lostOctets} octets)`
    : '0 records lost';
  const early = evicted > 0 ? `, ${evicted} flows exported early from a full table` : '';
  return `ipfix: ${flows} flows, ${st.records} records in ${st.messages} messages to ${collector}: ` +
    `${st.sentRecords} records sent, ${st.exportedOctets} octets (${st.templateMessages} template, ${st.statisticsMessages} statistics messages), ${lost}${early}`;
}
