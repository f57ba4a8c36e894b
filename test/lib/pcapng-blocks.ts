// Hand-made pcapng blocks (little-endian), for the tests that need files no writer of ours
// makes (records past the size limit, thousands of interfaces) or several link types in one
// file for one tshark run: the block framing, a Section Header, an Interface Description
// and an Enhanced Packet Block.
export const BT_SHB = 0x0a0d0d0a;
export const BT_IDB = 1;
export const BT_EPB = 6;

/** Type, total length, body, total length again. */
export function pcapngBlock(type: number, body: Buffer): Buffer {
  const len = 12 + body.length;
  const b = Buffer.alloc(len);
  b.writeUInt32LE(type, 0);
  b.writeUInt32LE(len, 4);
  body.copy(b, 8);
  b.writeUInt32LE(len, len - 4);
  return b;
}

/** A version 1.0 section of unknown length (-1), as a streaming writer leaves it. */
export function pcapngShb(): Buffer {
  const body = Buffer.alloc(16);
  body.writeUInt32LE(0x1a2b3c4d, 0);
  body.writeUInt16LE(1, 4);
  body.writeUInt16LE(0, 6);
  body.writeBigInt64LE(-1n, 8);
  return pcapngBlock(BT_SHB, body);
}

/** An interface of this link type; snaplen 0 is no limit. No options (microseconds). */
export function pcapngIdb(linktype: number, snaplen = 0): Buffer {
  const body = Buffer.alloc(8);
  body.writeUInt16LE(linktype, 0);
  body.writeUInt32LE(snaplen, 4);
  return pcapngBlock(BT_IDB, body);
}

export interface EpbFields {
  /** Interface index (default 0). */
  iface?: number;
  /** Timestamp in microseconds (the default resolution). */
  micros?: bigint;
  /** Captured length written (default data.length); more than data.length makes the block
   *  hold that many bytes, zero-filled after data. */
  caplen?: number;
  /** Original length (default caplen). */
  wirelen?: number;
}

/** An Enhanced Packet Block holding `data`, padded to 32 bits. */
export function pcapngEpb(data: Uint8Array, f: EpbFields = {}): Buffer {
  const caplen = f.caplen ?? data.length;
  const stored = Math.max(caplen, data.length);
  const body = Buffer.alloc(20 + ((stored + 3) & ~3));
  const us = f.micros ?? 0n;
  body.writeUInt32LE(f.iface ?? 0, 0);
  body.writeUInt32LE(Number(us >> 32n), 4);
  body.writeUInt32LE(Number(us & 0xFFFFFFFFn), 8);
  body.writeUInt32LE(caplen, 12);
  body.writeUInt32LE(f.wirelen ?? caplen, 16);
  body.set(data, 20);
  return pcapngBlock(BT_EPB, body);
}

/** A 46-byte Ethernet/IPv4/UDP frame (192.0.2.1 -> 198.51.100.7, 4 bytes of payload) that
 *  tcpdump prints on one line; `srcPort` tells the frames apart. */
export function udpFrameFrom(srcPort: number): Buffer {
  const f = Buffer.alloc(14 + 20 + 8 + 4);
  f.fill(0x02, 0, 12);
  f.writeUInt16BE(0x0800, 12);
  const ip = 14;
  f[ip] = 0x45;
  f.writeUInt16BE(32, ip + 2);
  f[ip + 8] = 64;
  f[ip + 9] = 17;
  f.writeUInt32BE(0xc0000201, ip + 12);
  f.writeUInt32BE(0xc6336407, ip + 16);
  f.writeUInt16BE(srcPort, ip + 20);
  f.writeUInt16BE(9, ip + 22);
  f.writeUInt16BE(12, ip + 24);
  return f;
}
