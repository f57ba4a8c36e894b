// One `sniff --flows --json` line read straight from a record in the engine's memory:
// the text JSON.stringify(flowJson(readFlowRecord(...))) gives (./conversations.ts),
// written byte by byte into the caller's buffer (the JSON sink's writers,
// host/sinks/json/bytes.ts) with no FlowRecord, no nested objects, no stringify walk and,
// but for a non-zero duration and rare start times (JavaScript's shortest decimal of a
// double), no string: a capture of millions of flows streams its lines at the cost of
// their bytes (issue #19: the template strings of each line were most of --flows --json's
// cost over plain --json). test/flows-scale and flows-tshark hold the text equal to
// flowJsonLine on the corpus and crafted flows.
import type { MemoryViews } from '../runtime/memory.js';
import { TCP_STATE_NAMES, tcpSummary } from './flow-table.js';
import { protoName } from './conversations.js';
import { ip4At, ip6, lit, num, put } from '../sinks/json/bytes.js';
import * as F from './flow-layout.js';

/** The longest line writeFlowJson writes (two IPv6 addresses, every counter at 2^53,
 *  two 8-state histories), rounded up. */
export const FLOW_JSON_MAX = 1024;

const END_NAMES = ['live', 'idle', 'active', 'end', 'forced', 'resources'].map((n) => lit(`,"end":"${n}"}}`));
const END_LIVE = END_NAMES[0];
const STATES = TCP_STATE_NAMES.map((n) => (n ? lit(n) : null));
const PROTO_NAMES = Array.from({ length: 256 }, (_, p) => lit(`{"flow":{"proto":"${protoName(p)}","ip_version":`));
const K_A = lit(',"a":{"addr":"');
const K_PORT = lit('","port":');
const K_B = lit('},"b":{"addr":"');
const K_A_TO_B = lit('},"a_to_b":{"frames":');
const K_B_TO_A = lit('},"b_to_a":{"frames":');
const K_BYTES = lit(',"bytes":');
const K_IP_BYTES = lit(',"ip_bytes":');
const K_TCP_FLAGS = lit(',"tcp_flags":');
const K_RETRANS = lit(',"retransmissions":');
const K_OOO = lit(',"out_of_order":');
const K_START = lit('},"start":');
const K_DURATION = lit(',"duration":');
const K_STATE = lit(',"state":"');
const K_STATE_A = lit('","state_a":');
const K_STATE_B = lit(',"state_b":');
const K_HIST_A = lit(',"history_a":');
const K_HIST_B = lit(',"history_b":');
const K_PICKUP = lit(',"pickup":true');
const K_RST = lit(',"rst_ignored":');
const K_ICMP_TYPE = lit(',"icmp_type":');
const K_ICMP_CODE = lit(',"icmp_code":');
const K_VLAN = lit(',"vlan":');
const K_IFACE = lit(',"iface":');
const K_NO_PORTS = lit(',"no_ports":true');
const NULL = lit('null');

/** Copies an ASCII string (the two JavaScript-formatted numbers). */
function ascii(b: Uint8Array, p: number, s: string): number {
  for (let i = 0; i < s.length; i++) b[p + i] = s.charCodeAt(i);
  return p + s.length;
}

/**
 * The text String(Number(`${sec}.${nsec as 9 digits}`)) gives (JavaScript's shortest
 * decimal of the double nearest the time, ECMA-262 Number::toString), written from
 * integers: a parse and a print of a double cost ~1 us a line, most of --flows --json's
 * time. For sec >= 2^29 the double is sec + F / 2^S (S = 52 - log2(sec) <= 23) and every
 * product below stays under 2^53, so exact. The shortest decimal has the fewest fraction
 * digits k whose nearest k-digit fraction lies strictly within half a unit of F (then it
 * reads back as the same double). Returns -1, writing nothing, where that is not sure to
 * match (earlier times, a decimal exactly halfway, a carry into the seconds): the caller
 * then asks JavaScript.
 */
export function startTime(b: Uint8Array, p: number, sec: number, nsec: number): number {
  if (sec < 0x20000000) return -1;
  const S = 52 - (31 - Math.clz32(sec));
  const one = 2 ** S;
  // F = nsec * 2^S / 1e9, rounded half to even as the parse rounds.
  const ns = nsec * one;
  let F = Math.floor(ns / 1e9);
  let rem = ns - F * 1e9;
  if (rem < 0) { F--; rem += 1e9; } else if (rem >= 1e9) { F++; rem -= 1e9; }
  if (2 * rem > 1e9 || (2 * rem === 1e9 && (F & 1) === 1)) F++;
  if (F >= one) return -1;
  for (let k = 0, pow = 1; k <= 9; k++, pow *= 10) {
    // The k-digit fraction nearest F / 2^S: q / 10^k.
    const scaled = F * pow;
    let q = Math.floor(scaled / one);
    const r = scaled - q * one;
    if (2 * r === one) return -1; // two nearest: let JavaScript choose
    if (2 * r > one) q++;
    const diff = Math.abs(q * one - scaled);
    if (2 * diff === pow) return -1; // on the midpoint between two doubles
    if (2 * diff > pow) continue;
    if (q >= pow) return -1; // rounds up to the next second
    p = num(b, p, sec);
    if (k === 0) return p;
    b[p++] = 46;
    for (let i = k - 1, x = q; i >= 0; i--) {
      const y = Math.floor(x / 10);
      b[p + i] = 48 + x - y * 10;
      x = y;
    }
    return p + k;
  }
  return -1;
}


/** A state name in quotes, or null. */
function stateName(b: Uint8Array, p: number, st: Uint8Array | null): number {
  if (st === null) return put(b, p, NULL);
  b[p] = 34;
  p = put(b, p + 1, st);
  b[p] = 34;
  return p + 1;
}

/** The last 8 states of one end (4 bits each, newest low) as a JSON array. */
function history(b: Uint8Array, p: number, h: number): number {
  b[p++] = 91;
  let first = true;
  for (let k = 7; k >= 0; k--) {
    const n = STATES[(h >>> (4 * k)) & 15];
    if (n === null || n === undefined) continue;
    if (!first) b[p++] = 44;
    first = false;
    p = stateName(b, p, n);
  }
  b[p] = 93;
  return p + 1;
}

/** One direction's counters (s: 0 A to B, 1 B to A), after its "frames": key. */
function direction(b: Uint8Array, p: number, v: MemoryViews, at: number, s: 0 | 1, tcp: boolean): number {
  p = num(b, p, v.u32[(at >>> 2) + (F.FE_FRAMES_AB >>> 2) + s]);
  p = put(b, p, K_BYTES);
  p = num(b, p, v.f64[(at >>> 3) + (F.FE_BYTES_AB >>> 3) + s]);
  p = put(b, p, K_IP_BYTES);
  p = num(b, p, v.f64[(at >>> 3) + (F.FE_IPBYTES_AB >>> 3) + s]);
  if (tcp) {
    p = put(b, p, K_TCP_FLAGS);
    p = num(b, p, v.u8[at + F.FE_TCPFL_A + s]);
    p = put(b, p, K_RETRANS);
    p = num(b, p, v.u16[(at >>> 1) + (F.FE_RETRANS_A >>> 1) + s]);
    p = put(b, p, K_OOO);
    p = num(b, p, v.u16[(at >>> 1) + (F.FE_OOO_A >>> 1) + s]);
  }
  return p;
}

/** An endpoint's address at `off` of the record. */
function address(b: Uint8Array, p: number, u8: Uint8Array, at: number, off: number, v6: boolean): number {
  return v6 ? ip6(b, p, u8, at + off) : ip4At(b, p, u8, at + off);
}

/**
 * Writes the JSON line (no newline) of the entry or exported record at byte address `at`
 * into `b` at `p` (FLOW_JSON_MAX bytes of room); returns the position after it.
 */
export function writeFlowJson(b: Uint8Array, p: number, views: MemoryViews, at: number): number {
  const v = views.refresh();
  const u8 = v.u8;
  const u16 = v.u16;
  const u32 = v.u32;
  const w = at >>> 2;
  const h = at >>> 1;
  const v6 = u8[at + F.FE_IPVER] === 6;
  const proto = u8[at + F.FE_PROTO];
  const flags = u16[h + (F.FE_FLAGS >>> 1)];
  const noPorts = (flags & F.EF_NOPORTS) !== 0;
  const tcp = proto === 6 && !noPorts;
  p = put(b, p, PROTO_NAMES[proto]);
  b[p++] = v6 ? 54 : 52;
  p = put(b, p, K_A);
  p = address(b, p, u8, at, F.FE_ADDR_A, v6);
  p = put(b, p, K_PORT);
  p = num(b, p, u16[h + (F.FE_PORT_A >>> 1)]);
  p = put(b, p, K_B);
  p = address(b, p, u8, at, F.FE_ADDR_B, v6);
  p = put(b, p, K_PORT);
  p = num(b, p, u16[h + (F.FE_PORT_B >>> 1)]);
  p = put(b, p, K_A_TO_B);
  p = direction(b, p, v, at, 0, tcp);
  p = put(b, p, K_B_TO_A);
  p = direction(b, p, v, at, 1, tcp);
  const firstSec = u32[w + (F.FE_FIRST_SEC >>> 2)];
  const firstNsec = u32[w + (F.FE_FIRST_NSEC >>> 2)];
  const durNs = (u32[w + (F.FE_LAST_SEC >>> 2)] - firstSec) * 1e9 + (u32[w + (F.FE_LAST_NSEC >>> 2)] - firstNsec);
  p = put(b, p, K_START);
  // Exact decimal seconds parsed once, as flowJson's epoch() does (a whole second needs no parse).
  const st = firstNsec === 0 ? num(b, p, firstSec) : startTime(b, p, firstSec, firstNsec);
  p = st >= 0 ? st : ascii(b, p, String(Number(`${firstSec}.${String(firstNsec).padStart(9, '0')}`)));
  p = put(b, p, K_DURATION);
  if (durNs === 0) b[p++] = 48;
  else p = ascii(b, p, String(durNs / 1e9));
  const stateA = tcp ? TCP_STATE_NAMES[u8[at + F.FE_STATE_A]] ?? null : null;
  const stateB = tcp ? TCP_STATE_NAMES[u8[at + F.FE_STATE_B]] ?? null : null;
  const state = tcpSummary(stateA, stateB);
  if (state !== null) {
    p = put(b, p, K_STATE);
    p = ascii(b, p, state);
    p = put(b, p, K_STATE_A);
    p = stateName(b, p, stateA === null ? null : STATES[u8[at + F.FE_STATE_A]] ?? null);
    p = put(b, p, K_STATE_B);
    p = stateName(b, p, stateB === null ? null : STATES[u8[at + F.FE_STATE_B]] ?? null);
    p = put(b, p, K_HIST_A);
    p = history(b, p, u32[w + (F.FE_HIST_A >>> 2)]);
    p = put(b, p, K_HIST_B);
    p = history(b, p, u32[w + (F.FE_HIST_B >>> 2)]);
    if ((flags & F.EF_PICKUP) !== 0) p = put(b, p, K_PICKUP);
    p = put(b, p, K_RST);
    p = num(b, p, u16[h + (F.FE_RST_IGNORED >>> 1)]);
  }
  if (proto === 1 || proto === 58) {
    p = put(b, p, K_ICMP_TYPE);
    p = num(b, p, u8[at + F.FE_ICMP_TYPE]);
    p = put(b, p, K_ICMP_CODE);
    p = num(b, p, u8[at + F.FE_ICMP_CODE]);
  }
  const vlan = u16[h + (F.FE_VLAN >>> 1)];
  if (vlan) { p = put(b, p, K_VLAN); p = num(b, p, vlan); }
  const iface = u16[h + (F.FE_IFACE >>> 1)];
  if (iface) { p = put(b, p, K_IFACE); p = num(b, p, iface); }
  if (noPorts) p = put(b, p, K_NO_PORTS);
  return put(b, p, END_NAMES[u8[at + F.FE_END]] ?? END_LIVE);
}

const scratch = new Uint8Array(FLOW_JSON_MAX);

/** The same line as a string (tests, library callers). */
export function flowJsonText(views: MemoryViews, at: number): string {
  const n = writeFlowJson(scratch, 0, views, at);
  let s = '';
  for (let i = 0; i < n; i++) s += String.fromCharCode(scratch[i]);
  return s;
}
