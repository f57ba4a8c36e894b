// Per-prefix traffic accounting (`sniff.js --prefixes FILE`), as flow collectors'
// networks files do: each IP packet is charged to the longest prefix matching its source
// ("out": traffic from that network) and to the one matching its destination ("in":
// traffic to it). Bytes are frame wire lengths. The prefixes sit in Lpm4/Lpm6 tables whose
// next hop is the prefix's row number, so accounting one packet is two lookups and four
// additions into Float64Arrays; nothing is allocated per packet.
import type { Engine } from '../engine/engine.js';
import type { FrameBatch } from '../engine/frame-batch.js';
import type { PacketView } from '../dissect/packet-view.js';
import { PktError } from '../runtime/errors.js';
import { L_IP4, L_IP6 } from '../runtime/layout.js';
import { Lpm4 } from './lpm4.js';
import { Lpm6 } from './lpm6.js';
import { parsePrefix4, parsePrefix6, prefixLines } from './prefix.js';
import { ipv4ToString, ipv6ToString } from '../runtime/addr.js';

export interface PrefixSpec {
  prefix: string;
  label?: string;
}

/** One row of the top-N table (also its JSON shape). */
export interface PrefixRow {
  prefix: string;
  label: string;
  inPackets: number;
  inBytes: number;
  outPackets: number;
  outBytes: number;
}

export type PrefixSort = 'bytes' | 'packets';

const MISS = 0xFFFFFFFF;

/** Parses a networks file: "prefix [label ...]" per line, '#' comments. */
export function parsePrefixFile(text: string): PrefixSpec[] {
  const out: PrefixSpec[] = [];
  for (const { prefix, rest, line } of prefixLines(text)) {
    if (parsePrefix4(prefix) === null && parsePrefix6(prefix) === null) {
      throw new PktError('E_BAD_ARGUMENT', `prefixes file line ${line}: "${prefix}" is not an IPv4 or IPv6 prefix`);
    }
    out.push(rest === '' ? { prefix } : { prefix, label: rest });
  }
  return out;
}

export class PrefixStats {
  readonly engine: Engine;
  /** Canonical prefix text and label per row. */
  readonly prefixes: string[] = [];
  readonly labels: string[] = [];
  /** Per row: [inPackets, inBytes, outPackets, outBytes]. */
  readonly counters: Float64Array;
  /** IP packets neither of whose addresses matched any prefix. */
  unmatchedPackets = 0;
  unmatchedBytes = 0;
  private readonly v4: Lpm4 | null;
  private readonly v6: Lpm6 | null;
  private readonly view: PacketView;

  constructor(engine: Engine, specs: readonly PrefixSpec[]) {
    this.engine = engine;
    const p4: [number, number, number][] = [];
    const p6: [Uint8Array, number, number][] = [];
    const seen = new Set<string>();
    let groups4 = 0, groups6 = 0;
    for (const s of specs) {
      const a4 = parsePrefix4(s.prefix);
      const a6 = a4 === null ? parsePrefix6(s.prefix) : null;
      if (a4 === null && a6 === null) throw new PktError('E_BAD_ARGUMENT', `prefix stats: "${s.prefix}" is not a prefix`);
      const row = this.prefixes.length;
      let canon: string;
      if (a4 !== null) {
        const m = a4.depth === 0 ? 0 : (0xFFFFFFFF << (32 - a4.depth)) >>> 0;
        canon = `${ipv4ToString((a4.addr & m) >>> 0)}/${a4.depth}`;
        p4.push([a4.addr, a4.depth, row]);
        if (a4.depth > 24) groups4++;
      } else {
        const a = a6!;
        for (let i = 0; i < 16; i++) {
          const bits = a.depth - i * 8;
          a.addr[i] = bits >= 8 ? a.addr[i] : bits <= 0 ? 0 : a.addr[i] & (0xFF << (8 - bits)) & 0xFF;
        }
        canon = `${ipv6ToString(a.addr, 0)}/${a.depth}`;
        p6.push([a.addr, a.depth, row]);
        groups6 += a.depth <= 24 ? 0 : (a.depth - 24 + 7) >>> 3;
      }
      if (seen.has(canon)) throw new PktError('E_BAD_ARGUMENT', `prefix stats: ${canon} is listed twice`);
      seen.add(canon);
      this.prefixes.push(canon);
      this.labels.push(s.label ?? '');
    }
    this.counters = new Float64Array(this.prefixes.length * 4);
    // Each family's table exists only if the file has prefixes of it (a table is 80 MiB).
    this.v4 = p4.length === 0 ? null : new Lpm4(engine, { maxRules: p4.length, tbl8Groups: Math.max(1, groups4), miss: MISS });
    this.v6 = p6.length === 0 ? null : new Lpm6(engine, { maxRules: p6.length, tbl8Groups: Math.max(1, groups6), miss: MISS });
    for (const [a, d, row] of p4) this.v4!.addRaw(a, d, row);
    for (const [a, d, row] of p6) this.v6!.addRaw(a, d, row);
    this.view = engine.createView();
  }

  static fromText(engine: Engine, text: string): PrefixStats {
    return new PrefixStats(engine, parsePrefixFile(text));
  }

  /** Accounts every frame of a dissected batch (call after engine.dissect(batch)). */
  account(batch: FrameBatch): void {
    const v = this.view;
    for (let i = 0; i < batch.count; i++) this.accountView(v.at(batch, i));
  }

  /** Accounts one dissected frame. */
  accountView(v: PacketView): void {
    const layers = v.layers;
    let src = MISS, dst = MISS;
    if ((layers & L_IP4) !== 0) {
      if (this.v4 === null) return this.unmatched(v.wireLen);
      src = this.v4.lookupRaw(v.ipSrc);
      dst = this.v4.lookupRaw(v.ipDst);
    } else if ((layers & L_IP6) !== 0) {
      if (this.v6 === null) return this.unmatched(v.wireLen);
      const ip = v.frame + v.l3Off;
      src = this.v6.lookupAt(ip + 8);
      dst = this.v6.lookupAt(ip + 24);
    } else return;
    const bytes = v.wireLen;
    const c = this.counters;
    if (src !== MISS) { c[src * 4 + 2]++; c[src * 4 + 3] += bytes; }
    if (dst !== MISS) { c[dst * 4]++; c[dst * 4 + 1] += bytes; }
    if (src === MISS && dst === MISS) this.unmatched(bytes);
  }

  private unmatched(bytes: number): void {
    this.unmatchedPackets++;
    this.unmatchedBytes += bytes;
  }

  reset(): void {
    this.counters.fill(0);
    this.unmatchedPackets = 0;
    this.unmatchedBytes = 0;
  }

  row(i: number): PrefixRow {
    const c = this.counters;
    return {
      prefix: this.prefixes[i], label: this.labels[i],
      inPackets: c[i * 4], inBytes: c[i * 4 + 1], outPackets: c[i * 4 + 2], outBytes: c[i * 4 + 3],
    };
  }

  /** The n busiest prefixes (in + out), busiest first; prefixes that saw nothing are left out. */
  top(n = 10, by: PrefixSort = 'bytes'): PrefixRow[] {
    const c = this.counters;
    const key = by === 'bytes' ? (i: number): number => c[i * 4 + 1] + c[i * 4 + 3] : (i: number): number => c[i * 4] + c[i * 4 + 2];
    const rows: number[] = [];
    for (let i = 0; i < this.prefixes.length; i++) if (c[i * 4] + c[i * 4 + 2] > 0) rows.push(i);
    rows.sort((a, b) => key(b) - key(a) || a - b);
    return rows.slice(0, Math.max(0, n)).map((i) => this.row(i));
  }

  /** The top-N table as text lines (header first), for the end of a sniff run. */
  lines(n = 10, by: PrefixSort = 'bytes'): string[] {
    const rows = this.top(n, by);
    const head = ['prefix', 'label', 'in pkts', 'in bytes', 'out pkts', 'out bytes'];
    const cells = rows.map((r) => [r.prefix, r.label, String(r.inPackets), String(r.inBytes), String(r.outPackets), String(r.outBytes)]);
    const w = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
    const fmt = (c: string[]): string => c.map((x, i) => (i < 2 ? x.padEnd(w[i]) : x.padStart(w[i]))).join('  ').trimEnd();
    const out = [`top ${rows.length} prefixes by ${by}`, fmt(head), ...cells.map(fmt)];
    out.push(`unmatched: ${this.unmatchedPackets} packets, ${this.unmatchedBytes} bytes`);
    return out;
  }

  /** The top-N table as JSON-ready objects (one per prefix). */
  json(n = 10, by: PrefixSort = 'bytes'): PrefixRow[] {
    return this.top(n, by);
  }
}
