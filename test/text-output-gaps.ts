// Packets whose text knowingly differs from tcpdump's before its application layer:
// product gaps, each with the issue that owns it. The list is exact: a listed packet that
// no longer differs (or differs elsewhere) fails the test as stale, so fixing a gap forces
// its entry out; a difference not listed fails as new. Counted and printed per owner.
//
// Owners: #15 "Complete L2–L4 ... and never a broken line" (link types, 802.3/LLC, tunnels,
// IPv4 options and IPv6 extension headers, ICMPv6 types, ICMP fallback forms, TCP options);
// #16 "Application-layer decoding" (IGMP, OSPF and ICMP errors with their quoted datagram
// are named there).
import type { CaptureComparison, PacketDiff } from './text-output-lib.js';

export interface KnownGap {
  owner: '#15' | '#16';
  why: string;
  /** The capture: its path inside the corpus, or generated/<name> for the generated ones. */
  file: string;
  /** The option sets (tcpdump's arguments joined by spaces) it applies to; all if absent. */
  when?: RegExp;
  /** Packet numbers ("1-3,7"); for the seeded generated captures (thousands of packets)
   *  the exact number of packets instead. */
  frames: string | number;
  /** Our text and tcpdump's from the word where they part (PacketDiff.at). */
  ours: RegExp;
  tcpdump: RegExp;
}

export const KNOWN_GAPS: KnownGap[] = [
];

/** "1-3,7" as [1, 2, 3, 7]. */
export function parseFrames(s: string): number[] {
  const out: number[] = [];
  for (const part of s.split(',')) {
    const [a, b] = part.split('-').map(Number);
    for (let i = a; i <= (b ?? a); i++) out.push(i);
  }
  return out;
}

export interface GapReport {
  /** Packets explained by the list, per owner and per reason. */
  byOwner: Map<string, number>;
  byReason: Map<string, number>;
  /** Differences the list does not explain. */
  unexplained: PacketDiff[];
  /** Listed packets that no longer differ as listed. */
  stale: string[];
}

function matches(g: KnownGap, d: PacketDiff): boolean {
  if (g.file !== d.file) return false;
  if (typeof g.frames === 'string' && !parseFrames(g.frames).includes(d.frame)) return false;
  return g.ours.test(d.ours.slice(d.at)) && g.tcpdump.test(d.tcpdump.slice(d.at));
}

/** Applies the list to one option set's comparisons (only entries for these captures and
 *  this option set take part, so a test that reads some captures checks their entries). */
export function applyGaps(args: string[], comparisons: Array<Pick<CaptureComparison, 'file' | 'diffs'>>, gaps: KnownGap[] = KNOWN_GAPS): GapReport {
  const joined = args.join(' ');
  const files = new Set(comparisons.map((c) => c.file));
  const live = gaps.filter((g) => files.has(g.file) && (g.when?.test(joined) ?? true));
  const hits = new Map<KnownGap, number[]>(live.map((g) => [g, []]));
  const rep: GapReport = { byOwner: new Map(), byReason: new Map(), unexplained: [], stale: [] };
  for (const c of comparisons) {
    for (const d of c.diffs) {
      const g = live.find((x) => matches(x, d));
      if (g === undefined) { rep.unexplained.push(d); continue; }
      hits.get(g)?.push(d.frame);
      rep.byOwner.set(g.owner, (rep.byOwner.get(g.owner) ?? 0) + 1);
      const reason = `${g.owner} ${g.why}`;
      rep.byReason.set(reason, (rep.byReason.get(reason) ?? 0) + 1);
    }
  }
  for (const [g, got] of hits) {
    if (typeof g.frames === 'number') {
      if (got.length !== g.frames) rep.stale.push(`${g.file} (${joined}): ${g.owner} "${g.why}" lists ${g.frames} packets, ${got.length} differ so`);
    } else {
      const missing = parseFrames(g.frames).filter((f) => !got.includes(f));
      if (missing.length > 0) rep.stale.push(`${g.file} #${missing.join(',')} (${joined}): listed for ${g.owner} "${g.why}" but no longer differs so`);
    }
  }
  return rep;
}
