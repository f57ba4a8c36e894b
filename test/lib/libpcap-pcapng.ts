// How far libpcap (1.10, pcap-ng.c) reads a pcapng file: it refuses an Interface
// Description Block whose link type or (adjusted) snapshot length differs from the first
// interface's, and tcpdump then stops with "pcap_loop: an interface has a type/snapshot
// length N different from ... of the first interface" and exit status 1. The filter test
// uses this to know how many packets tcpdump must have read before that message, from the
// file's block sequence (independently of our capture reader).

export interface LibpcapReads {
  /** Packet blocks (enhanced, simple, obsolete) before the refused interface, or all. */
  packets: number;
  /** An interface was refused. */
  refused: boolean;
}

const SHB = 0x0A0D0D0A;
const IDB = 1;
const PACKET_BLOCKS = new Set([2, 3, 6]);
/** libpcap's MAXIMUM_SNAPLEN: a snapshot length of 0 or above it means this (pcap_adjust_snapshot). */
const MAX_SNAPLEN = 262144;

export function libpcapPcapngReads(file: Uint8Array): LibpcapReads {
  const b = Buffer.from(file.buffer, file.byteOffset, file.byteLength);
  let le = true;
  let first: { linktype: number; snaplen: number } | null = null;
  let packets = 0;
  let off = 0;
  while (off + 12 <= b.length) {
    // The SHB's type is a palindrome; its byte-order magic sets the section's endianness.
    if (b.readUInt32LE(off) === SHB) le = b.readUInt32LE(off + 8) === 0x1A2B3C4D;
    const u32 = (o: number): number => (le ? b.readUInt32LE(o) : b.readUInt32BE(o));
    const type = u32(off);
    const len = u32(off + 4);
    if (len < 12 || off + len > b.length) break;
    if (type === IDB && len >= 20) {
      const linktype = le ? b.readUInt16LE(off + 8) : b.readUInt16BE(off + 8);
      const raw = u32(off + 12);
      const snaplen = raw === 0 || raw > MAX_SNAPLEN ? MAX_SNAPLEN : raw;
      if (first === null) first = { linktype, snaplen };
      else if (linktype !== first.linktype || snaplen !== first.snaplen) return { packets, refused: true };
    } else if (PACKET_BLOCKS.has(type)) {
      packets++;
    }
    off += len;
  }
  return { packets, refused: false };
}
