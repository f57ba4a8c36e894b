// TLS records built byte by byte from RFC 8446/5246's wire format, for the tests: hellos a
// recorded OpenSSL session does not show (GREASE as BoringSSL sends it, several SNI and
// ALPN entries, no extension block, a HelloRetryRequest, a hello fragmented over two
// records, many records in one segment) and hostile ones (extension lengths past the
// block, the hello or the record, lists of odd length, truncation). Nothing here decodes:
// tshark judges what this writes, and the fuzzers start from it.
import { join } from 'node:path';
import { cat, tcpFrame, writePcap, type Endpoints } from './dns-frames.js';

const u8 = (...v: number[]): Uint8Array => Uint8Array.from(v);
const u16 = (v: number): Uint8Array => u8(v >> 8, v & 0xFF);
const u24 = (v: number): Uint8Array => u8(v >> 16, (v >> 8) & 0xFF, v & 0xFF);
const ascii = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'latin1'));
const vec16 = (b: Uint8Array): Uint8Array => cat(u16(b.length), b);
const vec8 = (b: Uint8Array): Uint8Array => cat(u8(b.length), b);
const list16 = (vs: number[]): Uint8Array => cat(...vs.map(u16));

export const ext = (type: number, data: Uint8Array): Uint8Array => cat(u16(type), vec16(data));
export const sni = (...names: string[]): Uint8Array => ext(0, vec16(cat(...names.map((n) => cat(u8(0), vec16(ascii(n)))))));
export const alpn = (...protos: string[]): Uint8Array => ext(16, vec16(cat(...protos.map((p) => vec8(ascii(p))))));
export const versions = (...v: number[]): Uint8Array => ext(43, vec8(list16(v)));
export const groups = (...g: number[]): Uint8Array => ext(10, vec16(list16(g)));
export const ecpf = (...f: number[]): Uint8Array => ext(11, vec8(u8(...f)));
export const sigalgs = (...a: number[]): Uint8Array => ext(13, vec16(list16(a)));

const random = (seed: number): Uint8Array => Uint8Array.from({ length: 32 }, (_, i) => (seed * 31 + i * 7) & 0xFF);

export interface HelloOpts {
  version?: number;
  sid?: Uint8Array;
  suites?: number[];
  comp?: number[];
  /** The extensions, each made by ext() and the helpers; undefined: no extension block. */
  exts?: Uint8Array[];
  /** A block length written instead of the real one. */
  extsLen?: number;
}

export function clientHello(o: HelloOpts = {}, seed = 1): Uint8Array {
  const body = cat(u16(o.version ?? 0x0303), random(seed), vec8(o.sid ?? new Uint8Array(0)), vec16(list16(o.suites ?? [0x1301, 0x1302, 0xc02f])),
    vec8(u8(...(o.comp ?? [0]))), ...(o.exts === undefined ? [] : [u16(o.extsLen ?? o.exts.reduce((n, e) => n + e.length, 0)), ...o.exts]));
  return cat(u8(1), u24(body.length), body);
}

/** The random that makes a ServerHello a HelloRetryRequest (RFC 8446 §4.1.3). */
export const HRR_RANDOM = Uint8Array.from(Buffer.from('cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c', 'hex'));

export function serverHello(o: HelloOpts & { suite?: number; random?: Uint8Array } = {}, seed = 2): Uint8Array {
  const body = cat(u16(o.version ?? 0x0303), o.random ?? random(seed), vec8(o.sid ?? new Uint8Array(0)), u16(o.suite ?? 0x1301), u8(0),
    ...(o.exts === undefined ? [] : [u16(o.extsLen ?? o.exts.reduce((n, e) => n + e.length, 0)), ...o.exts]));
  return cat(u8(2), u24(body.length), body);
}

/** A handshake message of another type with `len` bytes of body. */
export const handshake = (type: number, len: number): Uint8Array => cat(u8(type), u24(len), new Uint8Array(len).fill(0x5a));

/** A record of `type` around `body`; `len` written instead of the real length. */
export const record = (type: number, body: Uint8Array, version = 0x0303, len?: number): Uint8Array => cat(u8(type), u16(version), u16(len ?? body.length), body);

const GREASE = [0x0a0a, 0x3a3a, 0xfafa];

/** A crafted segment; `tshark` lists the fields where tshark knowingly reads it otherwise,
 *  and why (the test requires exactly those fields to differ, so a stale entry fails). */
export interface TlsSeed { name: string; payload: Uint8Array; tshark?: { fields: string[]; why: string } }

const JA3 = ['tls.handshake.ja3_full', 'tls.handshake.ja3'];
const EXTS = ['tls.handshake.extension.type', 'tls.handshake.extensions.supported_version', 'tls.handshake.extensions_alpn_str', 'tls.handshake.extensions_ec_point_format', 'tls.handshake.extensions_server_name', 'tls.handshake.extensions_supported_group', 'tls.handshake.sig_hash_alg'];
const STRICT = 'tshark reads on through a list whose length is wrong for its type and fingerprints the hello; we refuse the extension (flagged) and do not fingerprint a malformed hello';

/** The crafted TLS segments. */
export function tlsSeeds(): TlsSeed[] {
  const grease = clientHello({
    suites: [GREASE[0], 0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0x00ff],
    exts: [ext(GREASE[1], new Uint8Array(0)), sni('grease.example'), groups(GREASE[2], 0x001d, 0x0017), ecpf(0),
      sigalgs(0x0403, 0x0804), alpn('h2', 'http/1.1', 'h3'), versions(GREASE[0], 0x0304, 0x0303), ext(GREASE[2], u8(0)), ext(21, new Uint8Array(12))],
  });
  const full = [sni('a.example'), alpn('h2'), versions(0x0304), groups(0x001d), ecpf(0), sigalgs(0x0403)];
  const ch = clientHello({ exts: full }, 3);
  return [
    { name: 'grease client hello', payload: record(22, grease, 0x0301) },
    { name: 'two host names', payload: record(22, clientHello({ exts: [sni('first.example', 'second.example'), alpn('http/1.1')] }, 4)),
      tshark: { fields: ['tls.handshake.extensions_server_name', ...JA3], why: 'RFC 6066 §3 allows one name per type: we keep the first and flag the extension, tshark lists both' } },
    { name: 'no extension block (TLS 1.0)', payload: record(22, clientHello({ version: 0x0301 }, 5), 0x0301) },
    { name: 'supported_versions header without its data', payload: record(22, serverHello({ exts: [cat(u16(43), u16(3)), ext(51, new Uint8Array(36))] })),
      tshark: { fields: ['tls.handshake.extensions.supported_version', 'tls.handshake.ja3s_full', 'tls.handshake.ja3s'], why: STRICT } },
    { name: 'server hello with supported_versions', payload: record(22, serverHello({ exts: [ext(43, u16(0x0304)), ext(51, new Uint8Array(36)), alpn('h2')] }, 6)) },
    { name: 'hello retry request', payload: record(22, serverHello({ random: HRR_RANDOM, exts: [ext(43, u16(0x0304)), ext(51, u16(0x001d))] })) },
    { name: 'server flight in one record', payload: record(22, cat(serverHello({ exts: [] }, 8), handshake(11, 40), handshake(14, 0))) },
    { name: 'client hello then alert and data', payload: cat(record(22, ch), record(21, u8(1, 0)), record(23, new Uint8Array(30))) },
    { name: 'hello fragmented over two records', payload: cat(record(22, ch.subarray(0, 60)), record(22, ch.subarray(60))),
      tshark: { fields: [...EXTS, 'tls.handshake.type', ...JA3], why: 'tshark joins a handshake message split over records of one segment; we decode the hello as far as its first record goes (flagged hello_continues)' } },
    { name: '25 records in one segment', payload: cat(...Array.from({ length: 25 }, (_, i) => record(23, new Uint8Array(i + 1)))) },
    { name: 'extension length past the block', payload: record(22, clientHello({ exts: [sni('x.example'), cat(u16(16), u16(200), ascii('h2'))] }, 9)) },
    { name: 'extension block longer than the hello', payload: record(22, clientHello({ exts: full, extsLen: 400 }, 10)),
      tshark: { fields: [...EXTS, ...JA3], why: 'tshark stops at a block length past the hello; we walk the extensions that lie inside the hello (flagged malformed, no fingerprint)' } },
    { name: 'ALPN list of the wrong length', payload: record(22, clientHello({ exts: [ext(16, cat(u16(9), u8(2), ascii('h2')))] }, 11)),
      tshark: { fields: JA3, why: STRICT } },
    { name: 'supported_versions of odd length', payload: record(22, clientHello({ exts: [ext(43, u8(3, 3, 4, 3))] }, 12)),
      tshark: { fields: ['tls.handshake.extensions.supported_version', ...JA3], why: STRICT } },
    { name: 'session id over 32', payload: record(22, clientHello({ sid: new Uint8Array(33) }, 13)),
      tshark: { fields: ['tls.handshake.session_id_length', 'tls.handshake.session_id', 'tls.handshake.ciphersuite', 'tls.handshake.comp_method', ...JA3], why: 'SessionID is <0..32> (RFC 8446 §4.1.2): we stop at a longer one (flagged malformed), tshark reads on' } },
    { name: 'handshake length past the record', payload: record(22, cat(u8(1), u24(5000), ch.subarray(4, 100))),
      tshark: { fields: [...EXTS.filter((x) => x !== 'tls.handshake.sig_hash_alg'), 'tls.handshake.version', 'tls.handshake.random', 'tls.handshake.session_id_length', 'tls.handshake.ciphersuite', 'tls.handshake.comp_method'], why: 'a hello longer than its record is decoded as far as the record goes (hello_continues: a ClientHello over several segments, as post-quantum key shares make it, still gives its SNI); tshark waits for the rest' } },
  ];
}

const ENDS: Endpoints = { src: '192.0.2.10', dst: '192.0.2.20', sport: 40000, dport: 4433 };

/** The crafted segments as Ethernet frames to TCP port 4433 (found by content only). */
export function tlsSeedFrames(): Uint8Array[] {
  return tlsSeeds().map((s, i) => tcpFrame({ ...ENDS, sport: ENDS.sport + i }, s.payload, false));
}

/** Writes the crafted frames into `dir`/tls-seeds.pcap and returns its path. */
export function tlsSeedCapture(dir: string): string {
  const path = join(dir, 'tls-seeds.pcap');
  writePcap(path, tlsSeedFrames());
  return path;
}
