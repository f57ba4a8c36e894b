// QUIC Initial packets decrypted (RFC 9001 §5, QUIC v2 RFC 9369 §3.3), to read the
// ClientHello they carry: the keys come from the packet's own Destination Connection ID,
// so a client's first Initial can be read from that packet alone (a server's Initial, or
// a client Initial after the server chose another id, needs the connection's first DCID:
// not done here). Header protection is removed (AES-128-ECB mask over a 16-byte sample),
// the payload opened (AES-128-GCM, nonce = IV xor packet number), the CRYPTO frames put in
// order, and a handshake message that is whole from offset 0 handed to the TLS twin as one
// record, so that SNI, ALPN and JA3 come from the same code as TLS over TCP. Host-side only
// (node:crypto); nothing here is on the engine's path.
import { createCipheriv, createDecipheriv, createHmac } from 'node:crypto';
import { TwinMemory } from '../twin-memory.js';
import { TlsTwin } from '../tls/twin.js';
import { readTls } from '../tls/message.js';
import { tlsObject, type DecodedTlsHandshake } from '../tls/decode.js';
import { APP_SIZE } from '../app-layout.js';

const V1 = 0x00000001;
const V2 = 0x6b3343cf;
const SALT_V1 = Buffer.from('38762cf7f55934b34d179ae6a4c80cadccbb7f0a', 'hex');
const SALT_V2 = Buffer.from('0dede3def700a6db819381be6e269dcbf9bd2ed9', 'hex');

function hkdfExtract(salt: Buffer, ikm: Uint8Array): Buffer {
  return createHmac('sha256', salt).update(ikm).digest();
}

/** HKDF-Expand-Label (RFC 8446 §7.1) with an empty context, for lengths up to 32. */
function expandLabel(secret: Buffer, label: string, length: number): Buffer {
  const full = Buffer.from(`tls13 ${label}`, 'latin1');
  const info = Buffer.concat([Buffer.from([length >> 8, length & 0xFF, full.length]), full, Buffer.from([0])]);
  return createHmac('sha256', secret).update(Buffer.concat([info, Buffer.from([1])])).digest().subarray(0, length);
}

export interface InitialKeys { key: Buffer; iv: Buffer; hp: Buffer }

/** The client's Initial keys for a version and Destination Connection ID, or null for a
 *  version without a known salt. */
export function clientInitialKeys(version: number, dcid: Uint8Array): InitialKeys | null {
  const v2 = version === V2;
  if (version !== V1 && !v2) return null;
  const initial = hkdfExtract(v2 ? SALT_V2 : SALT_V1, dcid);
  const client = expandLabel(initial, 'client in', 32);
  const p = v2 ? 'quicv2 ' : 'quic ';
  return { key: expandLabel(client, `${p}key`, 16), iv: expandLabel(client, `${p}iv`, 12), hp: expandLabel(client, `${p}hp`, 16) };
}

/** Reads a varint at `p` of `b`: [value, next offset], or null past the end. */
function varint(b: Uint8Array, p: number): [number, number] | null {
  if (p >= b.length) return null;
  const n = 1 << (b[p] >> 6);
  if (p + n > b.length) return null;
  let v = b[p] & 0x3F;
  for (let i = 1; i < n; i++) v = v * 256 + b[p + i];
  return [v, p + n];
}

/** The plaintext payload of the Initial packet `pkt` (its bytes), whose packet number
 *  starts at `pnOff`, or null when it does not open (wrong keys, cut, tampered). */
export function openInitial(pkt: Uint8Array, pnOff: number, keys: InitialKeys): Uint8Array | null {
  if (pnOff + 4 + 16 > pkt.length) return null;
  const ecb = createCipheriv('aes-128-ecb', keys.hp, null).setAutoPadding(false);
  const mask = ecb.update(pkt.subarray(pnOff + 4, pnOff + 20));
  const first = pkt[0] ^ (mask[0] & 0x0F);
  const pnLen = (first & 3) + 1;
  const header = Buffer.from(pkt.subarray(0, pnOff + pnLen));
  header[0] = first;
  let pn = 0;
  for (let i = 0; i < pnLen; i++) {
    header[pnOff + i] ^= mask[1 + i];
    pn = pn * 256 + header[pnOff + i];
  }
  const nonce = Buffer.from(keys.iv);
  for (let i = 0; i < 6; i++) nonce[11 - i] ^= Math.floor(pn / 2 ** (8 * i)) & 0xFF;
  const body = pkt.subarray(pnOff + pnLen);
  if (body.length < 16) return null;
  try {
    const gcm = createDecipheriv('aes-128-gcm', keys.key, nonce);
    gcm.setAAD(header);
    gcm.setAuthTag(body.subarray(body.length - 16));
    return Uint8Array.from(Buffer.concat([gcm.update(body.subarray(0, body.length - 16)), gcm.final()]));
  } catch {
    return null;
  }
}

/** The CRYPTO data of a plaintext Initial payload from offset 0 as far as it is contiguous,
 *  or null when a frame this reader does not know comes first (RFC 9000 §19: an Initial
 *  carries PADDING, PING, ACK, CRYPTO and CONNECTION_CLOSE). */
export function cryptoStream(plain: Uint8Array): Uint8Array | null {
  const parts: Array<[number, Uint8Array]> = [];
  let p = 0;
  while (p < plain.length) {
    const t = plain[p];
    if (t === 0x00 || t === 0x01) { p++; continue; }
    if (t === 0x02 || t === 0x03) {
      // ACK: largest, delay, range count, first range, (gap, length) per range, [3 ECN counts]
      let at = p + 1;
      const read = (): number | null => { const r = varint(plain, at); if (r === null) return null; at = r[1]; return r[0]; };
      read(); read();
      const count = read();
      if (count === null || read() === null) return null;
      for (let i = 0; i < count * 2; i++) if (read() === null) return null; // each read moves on or fails
      if (t === 0x03) for (let i = 0; i < 3; i++) if (read() === null) return null;
      p = at;
      continue;
    }
    if (t === 0x06) {
      const off = varint(plain, p + 1);
      const len = off === null ? null : varint(plain, off[1]);
      if (off === null || len === null || len[1] + len[0] > plain.length) return null;
      parts.push([off[0], plain.subarray(len[1], len[1] + len[0])]);
      p = len[1] + len[0];
      continue;
    }
    break; // CONNECTION_CLOSE or anything else: the CRYPTO frames before it are what there is
  }
  parts.sort((x, y) => x[0] - y[0]);
  const out: number[] = [];
  for (const [off, data] of parts) {
    if (off > out.length) break;
    for (let i = out.length - off; i < data.length; i++) out.push(data[i]);
  }
  return Uint8Array.from(out);
}

/** The TLS handshake fields of a CRYPTO stream that opens with a whole ClientHello, read by
 *  the TLS twin as one record of its own. */
export function helloOfCrypto(stream: Uint8Array): DecodedTlsHandshake | null {
  if (stream.length < 4 || stream[0] !== 1) return null;
  const len = (stream[1] << 16) | (stream[2] << 8) | stream[3];
  if (4 + len > stream.length || 4 + len > 0xFFFF - 5 - 64) return null;
  const msg = stream.subarray(0, 4 + len);
  const slot = (5 + msg.length + 63) & ~63;
  const buf = new ArrayBuffer(slot + APP_SIZE);
  const u8 = new Uint8Array(buf);
  u8.set([22, 3, 3, msg.length >> 8, msg.length & 0xFF]);
  u8.set(msg, 5);
  const local = { u8, u16: new Uint16Array(buf), u32: new Uint32Array(buf) };
  new TlsTwin(new TwinMemory({ refresh: () => local })).decode(0, 0, 5 + msg.length, 5 + msg.length, 0, slot);
  const m = readTls(u8, 0, slot);
  return m === null ? null : tlsObject(u8, 0, m).handshake ?? null;
}

/** The ClientHello in a client's first Initial packet (`pkt`: the packet's bytes, `pnOff`
 *  its packet number offset in them, `dcid` its Destination Connection ID), or null. */
export function initialClientHello(version: number, dcid: Uint8Array, pkt: Uint8Array, pnOff: number): DecodedTlsHandshake | null {
  const keys = clientInitialKeys(version, dcid);
  if (keys === null) return null;
  const plain = openInitial(pkt, pnOff, keys);
  if (plain === null) return null;
  const stream = cryptoStream(plain);
  return stream === null ? null : helloOfCrypto(stream);
}
