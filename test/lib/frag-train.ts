// Fragment trains for the reassembly tests, built here byte by byte from RFC 791 (IPv4)
// and RFC 8200 §4.5 (IPv6): Ethernet frames carrying the fragments of a datagram the test
// made, so that what reassembly gives back can be compared with the datagram itself.
export interface Datagram {
  version: 4 | 6;
  /** The whole IP datagram (header first), as the sender built it before fragmenting. */
  bytes: Uint8Array;
  /** Header length: IPv4 IHL * 4, IPv6 40 (no extension headers here). */
  hdrLen: number;
  proto: number;
}

export interface Fragment {
  /** Payload offset in bytes (a multiple of 8). */
  off: number;
  /** Payload bytes carried. */
  len: number;
  more: boolean;
}

/** A tiny seeded PRNG (mulberry32): trains are replayable from a printed seed. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6D2B79F5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function be16(b: Uint8Array, o: number, v: number): void { b[o] = (v >>> 8) & 0xFF; b[o + 1] = v & 0xFF; }
function be32(b: Uint8Array, o: number, v: number): void { be16(b, o, v >>> 16); be16(b, o + 2, v & 0xFFFF); }

function ipv4Checksum(h: Uint8Array): number {
  let s = 0;
  for (let i = 0; i < h.length; i += 2) s += (h[i] << 8) | h[i + 1];
  while (s > 0xFFFF) s = (s & 0xFFFF) + (s >>> 16);
  return ~s & 0xFFFF;
}

/** A UDP datagram (ports, length, checksum 0 over IPv4 / a fixed one over IPv6) of
 *  `dataLen` payload bytes drawn from `r`, in an IPv4 or IPv6 packet. */
export function udpDatagram(version: 4 | 6, sport: number, dport: number, dataLen: number, r: () => number, srcLast = 1): Datagram {
  const hdrLen = version === 4 ? 20 : 40;
  const udpLen = 8 + dataLen;
  const b = new Uint8Array(hdrLen + udpLen);
  if (version === 4) {
    b[0] = 0x45;
    be16(b, 2, b.length);
    b[8] = 64;
    b[9] = 17;
    b.set([192, 0, 2, srcLast], 12);
    b.set([198, 51, 100, 7], 16);
  } else {
    b[0] = 0x60;
    be16(b, 4, udpLen);
    b[6] = 17;
    b[7] = 64;
    b.set([0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, srcLast], 8);
    b.set([0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x99], 24);
  }
  be16(b, hdrLen, sport);
  be16(b, hdrLen + 2, dport);
  be16(b, hdrLen + 4, udpLen);
  be16(b, hdrLen + 6, version === 4 ? 0 : 0xBEEF);
  for (let i = hdrLen + 8; i < b.length; i++) b[i] = (r() * 256) | 0;
  return { version, bytes: b, hdrLen, proto: 17 };
}

/** Splits a payload of `total` bytes into fragments of `size` bytes (a multiple of 8). */
export function split(total: number, size: number): Fragment[] {
  const out: Fragment[] = [];
  for (let off = 0; off < total; off += size) {
    const len = Math.min(size, total - off);
    out.push({ off, len, more: off + len < total });
  }
  return out;
}

/** The Ethernet frame carrying fragment `f` of datagram `g` with identification `id`.
 *  `tweak` may change the IP bytes of the fragment before the frame is made. */
export function fragmentFrame(g: Datagram, f: Fragment, id: number): Uint8Array {
  const payload = g.bytes.subarray(g.hdrLen + f.off, g.hdrLen + f.off + f.len);
  let ip: Uint8Array;
  if (g.version === 4) {
    ip = new Uint8Array(20 + f.len);
    ip.set(g.bytes.subarray(0, 20));
    be16(ip, 2, ip.length);
    be16(ip, 4, id & 0xFFFF);
    be16(ip, 6, (f.more ? 0x2000 : 0) | ((f.off >>> 3) & 0x1FFF));
    be16(ip, 10, 0);
    be16(ip, 10, ipv4Checksum(ip.subarray(0, 20)));
    ip.set(payload, 20);
  } else {
    ip = new Uint8Array(48 + f.len);
    ip.set(g.bytes.subarray(0, 40));
    ip[6] = 44;
    be16(ip, 4, 8 + f.len);
    ip[40] = g.proto;
    be16(ip, 42, (f.off & 0xFFF8) | (f.more ? 1 : 0));
    be32(ip, 44, id >>> 0);
    ip.set(payload, 48);
  }
  const frame = new Uint8Array(14 + ip.length);
  frame.set([2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1], 0);
  be16(frame, 12, g.version === 4 ? 0x0800 : 0x86dd);
  frame.set(ip, 14);
  return frame;
}

/** The datagram as a reassembler must give it back from fragments with identification
 *  `id`: IPv4 with that id, MF and the offset cleared and the header checksum made again;
 *  IPv6 as it was (the identification lived in the Fragment header). */
export function reassembled(g: Datagram, id: number): Uint8Array {
  const b = g.bytes.slice();
  if (g.version === 4) {
    be16(b, 4, id & 0xFFFF);
    be16(b, 6, 0);
    be16(b, 10, 0);
    be16(b, 10, ipv4Checksum(b.subarray(0, 20)));
  }
  return b;
}

/** A classic pcap file (Ethernet, microsecond timestamps) of `frames` at `times` (s). */
export function pcapFile(frames: Uint8Array[], times: number[]): Uint8Array {
  const size = 24 + frames.reduce((s, f) => s + 16 + f.length, 0);
  const out = new Uint8Array(size);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, 0xa1b2c3d4, true);
  dv.setUint16(4, 2, true);
  dv.setUint16(6, 4, true);
  dv.setUint32(16, 262144, true);
  dv.setUint32(20, 1, true);
  let o = 24;
  frames.forEach((f, i) => {
    const t = times[i];
    dv.setUint32(o, Math.floor(t), true);
    dv.setUint32(o + 4, Math.round((t - Math.floor(t)) * 1e6), true);
    dv.setUint32(o + 8, f.length, true);
    dv.setUint32(o + 12, f.length, true);
    out.set(f, o + 16);
    o += 16 + f.length;
  });
  return out;
}
