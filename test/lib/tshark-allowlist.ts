// Every difference between decode() and the corpus's tshark dissections that the corpus
// tests accept, in two sections:
//  (a) ACCEPTED: tshark and pktwasm disagree by design; each entry cites the RFC, the
//      standard or tshark's own behaviour that makes ours right (or both defensible);
//  (b) GAPS: pktwasm is wrong or incomplete; each entry names the open issue that will
//      fix it. Fixing the gap makes the entry stale, and a stale entry fails the tests,
//      so the fix must remove it here.
// An entry is one capture, one difference kind, a list of fields and either frame numbers
// or a narrow rule on the frame's fields; `count` is the exact number of (frame, field)
// differences it covers in one pass over the corpus. More or fewer fails as well: a new
// difference cannot hide under an old entry, and a partial fix must update the count.
import type { DiffKind, FieldSet } from './tshark-fields.js';

export type Section = 'accepted' | 'gap';

export interface Allowance {
  section: Section;
  /** For gaps: the open issue that will close it. */
  issue?: '#15' | '#16';
  reason: string;
  /** Path relative to the corpus root. */
  capture: string;
  kind: DiffKind;
  fields: readonly string[];
  /** Frame numbers (tshark's, from 1); absent: every frame `when` accepts. */
  frames?: readonly number[];
  /** A narrow rule on our and tshark's fields of the frame. */
  when?: (ours: FieldSet, theirs: FieldSet) => boolean;
  /** Differences covered per pass over the corpus. */
  count: number;
}

const IP4 = ['ip.src', 'ip.dst', 'ip.proto', 'ip.len', 'ip.ttl', 'ip.flags.mf', 'ip.frag_offset'] as const;
const UDP = ['udp.srcport', 'udp.dstport', 'udp.length'] as const;
const one = (s: FieldSet, k: string): string | undefined => s.get(k)?.[0];

export const ALLOWANCES: readonly Allowance[] = [
  // ---- (a) accepted differences ------------------------------------------------------
  {
    section: 'accepted',
    reason: 'IEEE 802.1Q-2018 §9.5: the outer tag of a QinQ frame (TPID 0x88a8) is an S-TAG; tshark files it under ieee8021ad.id and lists only the C-TAG as vlan.id, decode() lists both tags under vlan (outer, inner). The C-TAG must agree.',
    capture: '802.1ad_QinQ.pcap',
    kind: 'value',
    fields: ['vlan.id'],
    frames: [1, 2],
    when: (ours, theirs) => one(ours, 'eth.type') === '0x88a8'
      && JSON.stringify(ours.get('vlan.id')?.slice(1)) === JSON.stringify(theirs.get('vlan.id')),
    count: 2,
  },
  {
    section: 'accepted',
    reason: 'RFC 894: EtherType 0x0800 carries IPv4; this header says version 6. tcpdump prints "IP [version 6 != 4] (invalid)" and we flag bad_ip_version, while tshark\'s IPv4 dissector (packet-ip.c) hands a version-6 header to its IPv6 dissector.',
    capture: 'bad-ipv4-version-pgm-heapoverflow.pcap',
    kind: 'missing',
    fields: ['ipv6.nxt'],
    frames: [1],
    count: 1,
  },

  // ---- (b) known product gaps: none left (a new one names its issue) -------------------

];
