// Seeded generator of large pcap files for the whole-program benchmarks: 60-byte
// frames, or a realistic mix (IMIX-like sizes 7:4:1 of 64/576/1500 bytes; TCP, UDP and
// ICMP over IPv4 and IPv6; many flows). Written straight into one big buffer per MiB.
import { closeSync, openSync, writeSync } from 'node:fs';
import { buildSampleFrames, refChecksum } from '../../test/lib/sample-frames.js';
import { Rng } from '../../test/lib/env.js';

export type CaptureMix = 'small' | 'mix';

/** Writes `count` records to `path`; returns the byte size. */
export function generateCapture(path: string, count: number, mix: CaptureMix, seed = 42): number {
  const rng = new Rng(seed);
  const samples = buildSampleFrames().filter((s) => s.linktype === 1);
  const fd = openSync(path, 'w');
  const buf = Buffer.alloc(4 << 20);
  let pos = 0;
  let total = 0;
  const hdr = Buffer.alloc(24);
  hdr.writeUInt32LE(0xa1b2c3d4, 0); hdr.writeUInt16LE(2, 4); hdr.writeUInt16LE(4, 6);
  hdr.writeUInt32LE(262144, 16); hdr.writeUInt32LE(1, 20);
  writeSync(fd, hdr);
  total += 24;
  const frame = Buffer.alloc(1514);
  let sec = 1_700_000_000;
  let usec = 0;
  for (let i = 0; i < count; i++) {
    const s = samples[rng.u32() % samples.length];
    let len: number;
    if (mix === 'small') len = 60;
    else { const r = rng.u32() % 12; len = r < 7 ? 64 : r < 11 ? 576 : 1514; }
    frame.fill(0);
    frame.set(s.data.subarray(0, Math.min(len, s.data.length)));
    // Vary addresses and ports so flow tables and filters see many flows.
    const flow = rng.u32();
    if (s.data[12] === 0x08 && s.data[13] === 0x00) {
      frame[29] = flow & 255; frame[33] = (flow >>> 8) & 255;
      frame[34] = (flow >>> 16) & 255;
      frame.writeUInt16BE(Math.min(len, s.data.length) - 14, 16);
      frame[24] = 0; frame[25] = 0;
      const c = ~refChecksum(frame.subarray(14, 34)) & 0xFFFF;
      frame.writeUInt16BE(c, 24);
    }
    usec += 1 + (rng.u32() & 15);
    if (usec >= 1_000_000) { usec -= 1_000_000; sec++; }
    if (pos + 16 + len > buf.length) { writeSync(fd, buf, 0, pos); total += pos; pos = 0; }
    buf.writeUInt32LE(sec, pos); buf.writeUInt32LE(usec, pos + 4);
    buf.writeUInt32LE(len, pos + 8); buf.writeUInt32LE(len, pos + 12);
    frame.copy(buf, pos + 16, 0, len);
    pos += 16 + len;
  }
  writeSync(fd, buf, 0, pos);
  total += pos;
  closeSync(fd);
  return total;
}

/**
 * Writes `flows` single-packet UDP flows (60-byte IPv4 frames, one distinct 5-tuple each:
 * the flow number in the source address, seeded ports and destinations) 1..16 us apart,
 * the shape of a scan or a DDoS: the flow table's worst case. Returns the byte size.
 */
export function generateFlowCapture(path: string, flows: number, seed = 19): number {
  const rng = new Rng(seed);
  const fd = openSync(path, 'w');
  const buf = Buffer.alloc(4 << 20);
  const hdr = Buffer.alloc(24);
  hdr.writeUInt32LE(0xa1b2c3d4, 0); hdr.writeUInt16LE(2, 4); hdr.writeUInt16LE(4, 6);
  hdr.writeUInt32LE(262144, 16); hdr.writeUInt32LE(1, 20);
  writeSync(fd, hdr);
  let total = 24;
  const frame = Buffer.alloc(60);
  // Ethernet: locally administered MACs, IPv4.
  frame.set([0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1, 0x08, 0x00]);
  let pos = 0;
  let sec = 1_700_000_000;
  let usec = 0;
  for (let i = 0; i < flows; i++) {
    const r = rng.u32();
    frame.fill(0, 14);
    frame[14] = 0x45; frame.writeUInt16BE(46, 16); frame[22] = 64; frame[23] = 17;
    frame.writeUInt32BE((0x0a000000 | (i & 0xFFFFFF)) >>> 0, 26); // 10.x.y.z: the flow number
    frame.writeUInt32BE((0xc0a80000 | (r & 0xFF)) >>> 0, 30); // 192.168.0.n
    frame.writeUInt16BE(~refChecksum(frame.subarray(14, 34)) & 0xFFFF, 24);
    frame.writeUInt16BE(1024 + ((r >>> 8) & 0x7FFF), 34);
    frame.writeUInt16BE((r >>> 24) < 128 ? 53 : 1024 + (r >>> 24), 36);
    frame.writeUInt16BE(26, 38); // UDP length; checksum 0 (none, allowed over IPv4)
    usec += 1 + (rng.u32() & 15);
    if (usec >= 1_000_000) { usec -= 1_000_000; sec++; }
    if (pos + 76 > buf.length) { writeSync(fd, buf, 0, pos); total += pos; pos = 0; }
    buf.writeUInt32LE(sec, pos); buf.writeUInt32LE(usec, pos + 4);
    buf.writeUInt32LE(60, pos + 8); buf.writeUInt32LE(60, pos + 12);
    frame.copy(buf, pos + 16);
    pos += 76;
  }
  writeSync(fd, buf, 0, pos);
  total += pos;
  closeSync(fd);
  return total;
}
