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
import { PrefixRows } from './prefix-rows.js';
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

/** Per-prefix traffic accounting: each IP packet is charged to the longest prefix
 *  matching its source (out) and its destination (in), with no allocation per packet. */
export class PrefixStats {
  readonly engine: Engine;
  /** Label per row ('' for none). */
  readonly labels: string[];
  /** Per row: [inPackets, inBytes, outPackets, outBytes]. */
  readonly counters: Float64Array;
  /** IP packets neither of whose addresses matched any prefix. */
  unmatchedPackets = 0;
  unmatchedBytes = 0;
  private readonly v4: Lpm4 | null;
  private readonly v6: Lpm6 | null;
  private readonly view: PacketView;
  /** Rows of a full routing table (a million prefixes) are numbers, not objects: IPv4
   *  rows keep their masked address and length here, IPv6 rows (fewer) their text. */
  private readonly addr4: Uint32Array;
  private readonly depth: Uint8Array;
  private readonly text6 = new Map<number, string>();
  private texts: string[] | null = null;
  readonly size: number;

  /** `specs`: prefix objects, or rows already parsed (PrefixRows.fromText: a full table). */
  constructor(engine: Engine, specs: readonly PrefixSpec[] | PrefixRows) {
    let rows: PrefixRows;
    if (specs instanceof PrefixRows) rows = specs;
    else {
      rows = new PrefixRows(specs.length);
      for (const s of specs) {
        if (!rows.add(s.prefix, s.label ?? '')) throw new PktError('E_BAD_ARGUMENT', `prefix stats: "${s.prefix}" is not a prefix`);
      }
    }
    this.engine = engine;
    this.size = rows.count;
    this.addr4 = rows.addr4.subarray(0, rows.count);
    this.depth = rows.depth.subarray(0, rows.count);
    this.labels = rows.labels;
    for (const [row, a] of rows.v6) this.text6.set(row, `${ipv6ToString(a.addr, 0)}/${a.depth}`);
    rows.checkDuplicates((row) => this.prefixText(row));
    this.counters = new Float64Array(this.size * 4);
    const n4 = this.size - rows.v6.length;
    let groups4 = 0;
    for (let i = 0; i < this.size; i++) if (!this.text6.has(i) && this.depth[i] > 24) groups4++;
    let groups6 = 0;
    for (const [, a] of rows.v6) groups6 += a.depth <= 24 ? 0 : (a.depth - 24 + 7) >>> 3;
    // Each family's table exists only if the file has prefixes of it (a table is 80 MiB).
    this.v4 = n4 === 0 ? null : new Lpm4(engine, { maxRules: n4, tbl8Groups: Math.max(1, groups4), miss: MISS });
    this.v6 = rows.v6.length === 0 ? null : new Lpm6(engine, { maxRules: rows.v6.length, tbl8Groups: Math.max(1, groups6), miss: MISS });
    for (let i = 0; i < this.size; i++) if (!this.text6.has(i)) this.v4!.addRaw(this.addr4[i], this.depth[i], i);
    for (const [row, a] of rows.v6) this.v6!.addRaw(a.addr, a.depth, row);
    this.view = engine.createView();
  }

  /** Canonical text of row `i` ("10.0.0.0/8", "2001:db8::/32"). */
  prefixText(i: number): string {
    const t6 = this.text6.get(i);
    if (t6 !== undefined) return t6;
    return `${ipv4ToString(this.addr4[i])}/${this.depth[i]}`;
  }

  /** Every row's canonical text (made on first use: a million strings for a full table). */
  get prefixes(): string[] {
    if (this.texts === null) {
      const t: string[] = new Array<string>(this.size);
      for (let i = 0; i < this.size; i++) t[i] = this.prefixText(i);
      this.texts = t;
    }
    return this.texts;
  }

  /** A networks file's text ("prefix [label ...]" per line, '#' comments). */
  static fromText(engine: Engine, text: string): PrefixStats {
    return new PrefixStats(engine, PrefixRows.fromText(text));
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
      prefix: this.prefixText(i), label: this.labels[i],
      inPackets: c[i * 4], inBytes: c[i * 4 + 1], outPackets: c[i * 4 + 2], outBytes: c[i * 4 + 3],
    };
  }

  /** The n busiest prefixes (in + out), busiest first, ties by file order; prefixes that
   *  saw nothing are left out. One pass keeping the best n (no sort of every row). */
  top(n = 10, by: PrefixSort = 'bytes'): PrefixRow[] {
    const c = this.counters;
    const k = by === 'bytes' ? 1 : 0;
    const want = Math.max(0, Math.floor(n));
    const best: number[] = []; // rows, busiest first
    const keyOf = (i: number): number => c[i * 4 + k] + c[i * 4 + 2 + k];
    for (let i = 0; i < this.size; i++) {
      if (c[i * 4] + c[i * 4 + 2] === 0) continue;
      const key = keyOf(i);
      // Rows come in file order, so an equal key ranks after those already kept.
      if (best.length === want && (want === 0 || key <= keyOf(best[want - 1]))) continue;
      let j = best.length;
      while (j > 0 && keyOf(best[j - 1]) < key) j--;
      best.splice(j, 0, i);
      if (best.length > want) best.pop();
    }
    return best.map((i) => this.row(i));
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
