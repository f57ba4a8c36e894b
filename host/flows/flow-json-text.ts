// One `sniff --flows --json` line read straight from a record in the engine's memory:
// the text JSON.stringify(flowJson(readFlowRecord(...))) gives (./conversations.ts),
// built as one string with no FlowRecord, no nested objects and no stringify walk, so a
// capture of millions of flows streams its lines at the cost of the strings alone.
// test/flows-json-text.test.ts holds the two equal on the corpus and crafted flows.
import type { MemoryViews } from '../runtime/memory.js';
import { ipv4ToString, ipv6ToString } from '../runtime/addr.js';
import { TCP_STATE_NAMES, tcpSummary } from './flow-table.js';
import { protoName } from './conversations.js';
import * as F from './flow-layout.js';

const END_NAMES = ['live', 'idle', 'active', 'end', 'forced', 'resources'];

/** The last 8 states of one end (4 bits each, newest low) as a JSON array. */
function history(h: number): string {
  let s = '[';
  for (let k = 7; k >= 0; k--) {
    const n = TCP_STATE_NAMES[(h >>> (4 * k)) & 15];
    if (n) s += s.length === 1 ? `"${n}"` : `,"${n}"`;
  }
  return `${s}]`;
}

/** The JSON line (no newline) of the entry or exported record at byte address `at`. */
export function flowJsonText(views: MemoryViews, at: number): string {
  const v = views.refresh();
  const u8 = v.u8;
  const u16 = v.u16;
  const u32 = v.u32;
  const f64 = v.f64;
  const w = at >>> 2;
  const h = at >>> 1;
  const d = at >>> 3;
  const v6 = u8[at + F.FE_IPVER] === 6;
  const proto = u8[at + F.FE_PROTO];
  const flags = u16[h + (F.FE_FLAGS >>> 1)];
  const noPorts = (flags & F.EF_NOPORTS) !== 0;
  const tcp = proto === 6 && !noPorts;
  const addr = (off: number): string =>
    v6 ? ipv6ToString(u8, at + off)
      : ipv4ToString(((u8[at + off] << 24) | (u8[at + off + 1] << 16) | (u8[at + off + 2] << 8) | u8[at + off + 3]) >>> 0);
  const dir = (s: 0 | 1): string => {
    let o = `{"frames":${u32[w + (F.FE_FRAMES_AB >>> 2) + s]},"bytes":${f64[d + (F.FE_BYTES_AB >>> 3) + s]},"ip_bytes":${f64[d + (F.FE_IPBYTES_AB >>> 3) + s]}`;
    if (tcp) {
      o += `,"tcp_flags":${u8[at + F.FE_TCPFL_A + s]},"retransmissions":${u16[h + (F.FE_RETRANS_A >>> 1) + s]},"out_of_order":${u16[h + (F.FE_OOO_A >>> 1) + s]}`;
    }
    return `${o}}`;
  };
  const firstSec = u32[w + (F.FE_FIRST_SEC >>> 2)];
  const firstNsec = u32[w + (F.FE_FIRST_NSEC >>> 2)];
  const durNs = (u32[w + (F.FE_LAST_SEC >>> 2)] - firstSec) * 1e9 + (u32[w + (F.FE_LAST_NSEC >>> 2)] - firstNsec);
  // Exact decimal seconds parsed once, as flowJson's epoch() does.
  const start = Number(`${firstSec}.${String(firstNsec).padStart(9, '0')}`);
  let s = `{"flow":{"proto":"${protoName(proto)}","ip_version":${v6 ? 6 : 4},` +
    `"a":{"addr":"${addr(F.FE_ADDR_A)}","port":${u16[h + (F.FE_PORT_A >>> 1)]}},` +
    `"b":{"addr":"${addr(F.FE_ADDR_B)}","port":${u16[h + (F.FE_PORT_B >>> 1)]}},` +
    `"a_to_b":${dir(0)},"b_to_a":${dir(1)},"start":${start},"duration":${durNs / 1e9}`;
  const stateA = tcp ? TCP_STATE_NAMES[u8[at + F.FE_STATE_A]] ?? null : null;
  const stateB = tcp ? TCP_STATE_NAMES[u8[at + F.FE_STATE_B]] ?? null : null;
  const state = tcpSummary(stateA, stateB);
  if (state !== null) {
    const q = (n: string | null): string => (n === null ? 'null' : `"${n}"`);
    s += `,"state":"${state}","state_a":${q(stateA)},"state_b":${q(stateB)},` +
      `"history_a":${history(u32[w + (F.FE_HIST_A >>> 2)])},"history_b":${history(u32[w + (F.FE_HIST_B >>> 2)])}`;
    if ((flags & F.EF_PICKUP) !== 0) s += ',"pickup":true';
    s += `,"rst_ignored":${u16[h + (F.FE_RST_IGNORED >>> 1)]}`;
  }
  if (proto === 1 || proto === 58) s += `,"icmp_type":${u8[at + F.FE_ICMP_TYPE]},"icmp_code":${u8[at + F.FE_ICMP_CODE]}`;
  const vlan = u16[h + (F.FE_VLAN >>> 1)];
  if (vlan) s += `,"vlan":${vlan}`;
  const iface = u16[h + (F.FE_IFACE >>> 1)];
  if (iface) s += `,"iface":${iface}`;
  if (noPorts) s += ',"no_ports":true';
  return `${s},"end":"${END_NAMES[u8[at + F.FE_END]] ?? 'live'}"}}`;
}
