// Conversation output: the text table `tshark -q -z conv,tcp` / `conv,udp` prints, and
// one JSON line per flow. Both read FlowRecords (ended ones kept by the table, plus the
// live ones), so they work on any backend.
import type { FlowRecord, FlowTable } from './flow-table.js';

/** Every flow the table has seen: ended records (keepEnded) then live ones, oldest first. */
export function allFlows(table: FlowTable): FlowRecord[] {
  const all = [...table.ended, ...table.flows()];
  return all.sort((x, y) => x.startSec - y.startSec || x.startNsec - y.startNsec || x.index - y.index);
}

/** Sizes as tshark 4 prints them (format_size, SI): "N bytes" below 10 kB, then kB, MB ... */
export function formatSize(n: number): string {
  const units = ['bytes', 'kB', 'MB', 'GB', 'TB', 'PB'];
  let u = 0;
  let v = n;
  while (u < units.length - 1 && Math.floor(v / 1000) >= 10) {
    v = Math.floor(v / 1000);
    u++;
  }
  return `${v} ${units[u]}`;
}

const RULE = '================================================================================';

/** The flow's end point as tshark names it: "addr:port". */
function endpoint(addr: string, port: number): string {
  return `${addr}:${port}`;
}

/**
 * A conversation table in the layout of `tshark -q -z conv,tcp` (or udp): A is the
 * endpoint that sent the first packet, "<-" counts B to A and "->" A to B, the start is
 * relative to the first frame of the capture (`origin`).
 */
export function formatConversationTable(records: readonly FlowRecord[], proto: 'tcp' | 'udp', origin: [number, number]): string {
  const num = proto === 'tcp' ? 6 : 17;
  const lines: string[] = [
    RULE,
    `${proto.toUpperCase()} Conversations`,
    'Filter:<No Filter>',
    `${' '.repeat(59)}|       <-      | |       ->      | |     Total     |    Relative    |   Duration   |`,
    `${' '.repeat(59)}| Frames  Bytes | | Frames  Bytes | | Frames  Bytes |      Start     |              |`,
  ];
  for (const r of records) {
    if (r.proto !== num || r.noPorts) continue;
    const rx = r.bToA;
    const tx = r.aToB;
    const start = (r.firstSec - origin[0]) + (r.firstNsec - origin[1]) / 1e9;
    const dur = (r.lastSec - r.firstSec) + (r.lastNsec - r.firstNsec) / 1e9;
    lines.push(
      `${endpoint(r.a.addr, r.a.port).padEnd(26)} <-> ${endpoint(r.b.addr, r.b.port).padEnd(26)}` +
      `  ${String(rx.frames).padStart(6)} ${formatSize(rx.bytes).padEnd(9)}` +
      `  ${String(tx.frames).padStart(6)} ${formatSize(tx.bytes).padEnd(9)}` +
      `  ${String(rx.frames + tx.frames).padStart(6)} ${formatSize(rx.bytes + tx.bytes).padEnd(9)}` +
      `  ${start.toFixed(9).padStart(14)}   ${dur.toFixed(4).padStart(12)}`,
    );
  }
  lines.push(RULE);
  return `${lines.join('\n')}\n`;
}

const PROTO_NAMES: Record<number, string> = { 1: 'icmp', 6: 'tcp', 17: 'udp', 58: 'icmpv6', 132: 'sctp', 47: 'gre', 50: 'esp' };

/** "tcp", "udp", ... or the protocol number as text. */
export function protoName(p: number): string {
  return PROTO_NAMES[p] ?? String(p);
}

/** Exact decimal seconds from (sec, nsec): "1700000000.123456789" parsed once. */
function epoch(sec: number, nsec: number): number {
  return Number(`${sec}.${String(nsec).padStart(9, '0')}`);
}

/** The JSON object of one flow: {"flow": {...}}. */
export function flowJson(r: FlowRecord): { flow: Record<string, unknown> } {
  const durNs = (r.lastSec - r.firstSec) * 1e9 + (r.lastNsec - r.firstNsec);
  const dir = (d: FlowRecord['aToB']): Record<string, number> => {
    const o: Record<string, number> = { frames: d.frames, bytes: d.bytes, ip_bytes: d.ipBytes };
    if (r.proto === 6 && !r.noPorts) {
      o.tcp_flags = d.tcpFlags;
      o.retransmissions = d.retransmissions;
      o.out_of_order = d.outOfOrder;
    }
    return o;
  };
  const flow: Record<string, unknown> = {
    proto: protoName(r.proto),
    ip_version: r.ipVersion,
    a: { addr: r.a.addr, port: r.a.port },
    b: { addr: r.b.addr, port: r.b.port },
    a_to_b: dir(r.aToB),
    b_to_a: dir(r.bToA),
    start: epoch(r.firstSec, r.firstNsec),
    duration: durNs / 1e9,
  };
  if (r.state !== null) {
    flow.state = r.state;
    flow.state_a = r.stateA;
    flow.state_b = r.stateB;
    flow.history_a = r.historyA;
    flow.history_b = r.historyB;
    if (r.pickup) flow.pickup = true;
    flow.rst_ignored = r.rstIgnored;
  }
  if (r.icmpType !== null) {
    flow.icmp_type = r.icmpType;
    flow.icmp_code = r.icmpCode;
  }
  if (r.vlan) flow.vlan = r.vlan;
  if (r.iface) flow.iface = r.iface;
  if (r.noPorts) flow.no_ports = true;
  flow.end = r.endReason;
  return { flow };
}

/** One JSON line per flow, as `sniff --flows --json` prints them. */
export function flowJsonLine(r: FlowRecord): string {
  return JSON.stringify(flowJson(r));
}
