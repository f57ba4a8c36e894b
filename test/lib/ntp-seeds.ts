// NTP messages built byte by byte (RFC 5905, extension fields RFC 7822) for the tests:
// every mode, versions 1 to 4, stratum 0/1/2+ reference ids, a MAC, extension fields, and
// hostile ones (a header shorter than 48 bytes, an extension length that is no multiple of
// 4 or runs past the datagram, cut captures). tshark and tcpdump judge what this writes.
import { cat, udpSeedFrames, writeSeedCapture, type SeedFrame } from './dns-frames.js';

const u8 = (...v: number[]): Uint8Array => Uint8Array.from(v);
const u16 = (v: number): Uint8Array => u8(v >> 8, v & 0xFF);
const u32 = (v: number): Uint8Array => u8(v >>> 24, (v >>> 16) & 0xFF, (v >>> 8) & 0xFF, v & 0xFF);

export interface NtpHeader { li?: number; vn?: number; mode?: number; stratum?: number; poll?: number; precision?: number; delay?: number; disp?: number; refid?: Uint8Array; times?: number[] }

export function ntpHeader(o: NtpHeader = {}): Uint8Array {
  const t = o.times ?? [0xE4C3A1B2, 0x12345678, 0, 0, 0xE4C3A1C0, 0x80000000, 0xE4C3A1C0, 0x80001000];
  return cat(u8(((o.li ?? 0) << 6) | ((o.vn ?? 4) << 3) | (o.mode ?? 3), o.stratum ?? 2, (o.poll ?? 6) & 0xFF, (o.precision ?? -20) & 0xFF),
    u32(o.delay ?? 0x00000123), u32(o.disp ?? 0x00000456), o.refid ?? u8(192, 0, 2, 1), ...t.map(u32));
}

export const ntpExt = (type: number, len: number): Uint8Array => cat(u16(type), u16(len), new Uint8Array(len - 4).fill(0xab));

export interface NtpSeed { name: string; payload: Uint8Array; caplen?: number; tshark?: { fields: string[]; why: string } }

export function ntpSeeds(): NtpSeed[] {
  return [
    { name: 'v4 client', payload: ntpHeader() },
    { name: 'v4 server, stratum 1 GPS', payload: ntpHeader({ mode: 4, stratum: 1, refid: u8(0x47, 0x50, 0x53, 0) }) },
    { name: 'v3 client', payload: ntpHeader({ vn: 3 }) },
    { name: 'v2 symmetric active', payload: ntpHeader({ vn: 2, mode: 1 }) },
    { name: 'v4 symmetric passive, leap add', payload: ntpHeader({ mode: 2, li: 1 }) },
    { name: 'v4 broadcast', payload: ntpHeader({ mode: 5, stratum: 3 }) },
    { name: 'v4 mode 0, unsynchronized', payload: ntpHeader({ mode: 0, li: 3, stratum: 0 }) },
    { name: 'v4 client with a MAC', payload: cat(ntpHeader(), u32(1), new Uint8Array(16).fill(0x11)) },
    { name: 'v4 with two extension fields and a MAC', payload: cat(ntpHeader({ mode: 4 }), ntpExt(0x0104, 36), ntpExt(0x0204, 40), u32(7), new Uint8Array(16)) },
    { name: 'v2 control message (mode 6)', payload: u8(0x16, 0x02, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0) },
    { name: 'v2 private (mode 7)', payload: u8(0x17, 0x00, 0x03, 0x2a, 0, 0, 0, 0) },
    { name: 'header of 40 bytes', payload: ntpHeader().subarray(0, 40) },
    { name: 'extension length not a multiple of 4', payload: cat(ntpHeader(), ntpExt(0x0104, 36).map((b, i) => (i === 3 ? 37 : b))) },
    { name: 'capture cut in the header', payload: ntpHeader({ mode: 4 }), caplen: 42 + 30 },
    { name: 'capture cut in an extension field', payload: cat(ntpHeader({ mode: 4 }), ntpExt(0x0104, 36)), caplen: 42 + 60 },
    { name: 'one byte', payload: u8(0x23) },
  ];
}

export function ntpSeedFrames(): SeedFrame[] {
  return udpSeedFrames(ntpSeeds(), '192.0.2.7', '192.0.2.123', 40000, 123);
}

export function ntpSeedCapture(dir: string): string {
  return writeSeedCapture(dir, 'ntp-seeds.pcap', ntpSeedFrames());
}
