// QUIC datagrams built byte by byte (RFC 9000 §17, RFC 9001 §5 protection, QUIC v2 RFC
// 9369) for the tests: client Initials whose ClientHello is really encrypted with the
// Initial keys (v1 and v2, so that decryption is checked against tshark's), coalesced
// packets, 0-RTT, Handshake, Retry, version negotiation, a short header, and hostile ones
// (connection ids over 20 bytes, Length or token past the datagram, cut captures).
import { createCipheriv } from 'node:crypto';
import { cat, udpSeedFrames, writeSeedCapture, type SeedFrame } from './dns-frames.js';
import { clientInitialKeys } from '../../host/app/quic/initial.js';
import { clientHello, sni, alpn, versions, groups, ecpf, sigalgs, ext } from './tls-seeds.js';

const u8 = (...v: number[]): Uint8Array => Uint8Array.from(v);
const u32 = (v: number): Uint8Array => u8(v >>> 24, (v >>> 16) & 0xFF, (v >>> 8) & 0xFF, v & 0xFF);
/** A QUIC varint of the given size (1, 2, 4 bytes). */
export function varint(v: number, size = v < 64 ? 1 : v < 16384 ? 2 : 4): Uint8Array {
  if (size === 1) return u8(v);
  if (size === 2) return u8(0x40 | (v >> 8), v & 0xFF);
  return u8(0x80 | ((v >>> 24) & 0x3F), (v >>> 16) & 0xFF, (v >>> 8) & 0xFF, v & 0xFF);
}
const V1 = 0x00000001;
const V2 = 0x6b3343cf;

/** Long-header bits for a v1 type number (v2 numbers them differently). */
const typeBits = (version: number, type: number): number => (version === V2 ? (type + 1) & 3 : type);

/** A client Initial carrying `crypto` in one CRYPTO frame, padded, protected with the
 *  Initial keys of `dcid` (RFC 9001 §5.2-5.4; packet number 0 on 2 bytes). */
export function protectedInitial(version: number, dcid: Uint8Array, scid: Uint8Array, crypto: Uint8Array, size = 1200): Uint8Array {
  const keys = clientInitialKeys(version, dcid)!;
  const pnLen = 2;
  const frames = cat(u8(0x06), varint(0), varint(crypto.length, 2), crypto);
  const headLen = 1 + 4 + 1 + dcid.length + 1 + scid.length + 1 + 2; // token length 0, Length on 2 bytes
  const payloadLen = Math.max(frames.length, size - headLen - pnLen - 16);
  const plain = cat(frames, new Uint8Array(payloadLen - frames.length));
  const first = 0xC0 | (typeBits(version, 0) << 4) | (pnLen - 1);
  const header = cat(u8(first), u32(version), u8(dcid.length), dcid, u8(scid.length), scid, varint(0), varint(pnLen + plain.length + 16, 2), u8(0, 0));
  const gcm = createCipheriv('aes-128-gcm', keys.key, keys.iv); // packet number 0: the nonce is the IV
  gcm.setAAD(header);
  const sealed = cat(Uint8Array.from(gcm.update(plain)), Uint8Array.from(gcm.final()), Uint8Array.from(gcm.getAuthTag()));
  const pkt = cat(header, sealed);
  const pnOff = header.length - pnLen;
  const mask = createCipheriv('aes-128-ecb', keys.hp, null).setAutoPadding(false).update(pkt.subarray(pnOff + 4, pnOff + 20));
  pkt[0] ^= mask[0] & 0x0F;
  for (let i = 0; i < pnLen; i++) pkt[pnOff + i] ^= mask[1 + i];
  return pkt;
}

/** An unprotected long-header packet (the fields only; its payload is opaque bytes). */
export function longPacket(version: number, type: number, dcid: Uint8Array, scid: Uint8Array, payload: number, token?: Uint8Array): Uint8Array {
  const first = 0xC0 | (typeBits(version, type) << 4) | 1;
  return cat(u8(first), u32(version), u8(dcid.length), dcid, u8(scid.length), scid, ...(type === 0 ? [varint(token?.length ?? 0), token ?? new Uint8Array(0)] : []),
    varint(payload + 2, 2), u8(0, 1), new Uint8Array(payload).fill(0x5c));
}

export interface QuicSeed { name: string; payload: Uint8Array; caplen?: number; tshark?: { fields: string[]; why: string } }

const TLS = ['tls.handshake.type', 'tls.handshake.version', 'tls.handshake.ciphersuite', 'tls.handshake.extension.type', 'tls.handshake.extensions_server_name',
  'tls.handshake.extensions_alpn_str', 'tls.handshake.extensions.supported_version', 'tls.handshake.extensions_supported_group', 'tls.handshake.ja3_full', 'tls.handshake.ja3'];
const ID8 = u8(0x83, 0x94, 0xc8, 0xf0, 0x3e, 0x51, 0x57, 0x08);
const ID4 = u8(0xa1, 0xb2, 0xc3, 0xd4);

export function quicSeeds(): QuicSeed[] {
  const hello = clientHello({ version: 0x0303, suites: [0x1301, 0x1302, 0x1303], exts: [sni('quic.example'), alpn('h3'), versions(0x0304), groups(0x001d), ecpf(0), sigalgs(0x0403), ext(57, u8(1, 2, 0x40, 0x64))] }, 21);
  return [
    { name: 'v1 client Initial with a ClientHello', payload: protectedInitial(V1, ID8, ID4, hello) },
    { name: 'v2 client Initial with a ClientHello', payload: protectedInitial(V2, ID8, ID4, hello),
      tshark: { fields: ['quic.long.packet_type', ...TLS], why: 'tshark 4.0 predates QUIC v2 as published (RFC 9369: its long types and Initial salt): it shows no type and cannot open the Initial; our keys are checked against RFC 9369 A.1' } },
    { name: 'Initial and Handshake coalesced', payload: cat(longPacket(V1, 0, ID4, ID8, 40, u8(1, 2, 3)), longPacket(V1, 2, ID4, ID8, 60)) },
    { name: '0-RTT', payload: longPacket(V1, 1, ID8, ID4, 30) },
    { name: 'Retry', payload: cat(u8(0xF0), u32(V1), u8(8), ID8, u8(4), ID4, new Uint8Array(24).fill(7)),
      tshark: { fields: ['quic.fixed_bit'], why: 'a Retry has a Fixed Bit like every long header (RFC 9000 §17.2.5); tshark leaves it out of a Retry\'s fields' } },
    { name: 'version negotiation', payload: cat(u8(0x80), u32(0), u8(4), ID4, u8(8), ID8, u32(V1), u32(V2), u32(0x1a2a3a4a)),
      tshark: { fields: ['quic.header_form', 'quic.version', 'quic.dcil', 'quic.dcid', 'quic.scil', 'quic.scid', 'quic.packet_length', 'quic.fixed_bit'], why: 'tshark takes a datagram for QUIC by its connection or a v1 Initial; a lone version negotiation (RFC 9000 §17.2.1) is shown by us, not by it' } },
    { name: 'short header', payload: cat(u8(0x41), ID8, new Uint8Array(30).fill(1)) },
    { name: 'unknown version', payload: cat(u8(0xC3), u32(0xfaceb00c), u8(4), ID4, u8(0), new Uint8Array(20)),
      tshark: { fields: ['quic.header_form', 'quic.version', 'quic.dcil', 'quic.dcid', 'quic.scil', 'quic.packet_length', 'quic.fixed_bit'], why: 'a long header of an unknown version still has the invariant fields (RFC 8999 §5.1), which we show; tshark shows no QUIC' } },
    { name: 'destination id of 21 bytes (v1)', payload: cat(u8(0xC1), u32(V1), u8(21), new Uint8Array(21), u8(0), varint(0), varint(4), u8(0, 0, 0, 0)) },
    { name: 'Length past the datagram', payload: cat(u8(0xE1), u32(V1), u8(4), ID4, u8(0), varint(500, 2), u8(0, 1, 2, 3)) },
    { name: 'token length past the datagram', payload: cat(u8(0xC1), u32(V1), u8(4), ID4, u8(0), varint(300, 2), u8(1, 2)) },
    { name: 'capture cut in the header', payload: longPacket(V1, 2, ID8, ID4, 40), caplen: 42 + 9 },
  ];
}

export function quicSeedFrames(): SeedFrame[] {
  return udpSeedFrames(quicSeeds(), '192.0.2.40', '192.0.2.43', 50000, 443);
}

export function quicSeedCapture(dir: string): string {
  return writeSeedCapture(dir, 'quic-seeds.pcap', quicSeedFrames());
}
