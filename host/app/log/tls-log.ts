// --log tls: one JSON line per TLS handshake, a ClientHello joined with the ServerHello that
// answers it on the same connection, in the spirit of Zeek's ssl.log: ts, id.orig_h,
// id.orig_p, id.resp_h, id.resp_p, version (the one the server chose: supported_versions,
// else the ServerHello's legacy_version, as "TLSv13" ...), cipher (IANA name where known,
// else 0x hex), server_name (SNI), next_protocol (the ALPN the server chose), plus
// client_alpn, client_versions (what the client offered), ja3 and ja3s (host/app/tls/ja3.ts),
// hello_retry (a HelloRetryRequest came first), rtt (ServerHello time - ClientHello time) and
// `status`: "complete", "no_server_hello" (none in TLS_TIMEOUT_S of packet time, or at the
// end of input), "no_client_hello" (a ServerHello whose ClientHello was not seen). Hellos
// are read from the segment that carries them (no reassembly): one cut by the segment end
// gives the fields that were there.
import type { Engine } from '../../engine/engine.js';
import { tlsObject, type DecodedTlsHandshake } from '../tls/decode.js';
import { readTls } from '../tls/message.js';
import { isGrease } from '../tls/ja3.js';
import { APP_TLS } from '../app-layout.js';
import { PendingLog, PendingTable, pendingSummary } from './pending.js';
import type { LogFrame, TransactionLog } from './transaction-log.js';

export const TLS_TIMEOUT_S = 30;
export const TLS_PENDING_MAX = 65536;

export interface TlsLogRecord {
  ts: number;
  'id.orig_h': string; 'id.orig_p': number; 'id.resp_h': string; 'id.resp_p': number;
  version?: string; cipher?: string; server_name?: string; next_protocol?: string;
  client_alpn?: string[]; client_versions?: string[];
  ja3?: string; ja3s?: string; hello_retry?: boolean; rtt?: number;
  status: 'complete' | 'no_server_hello' | 'no_client_hello';
}

interface Hello { ts: number; origH: string; origP: number; respH: string; respP: number; ch: DecodedTlsHandshake | null; hrr: boolean }

const VERSION_NAMES: ReadonlyMap<number, string> = new Map([[0x0300, 'SSLv3'], [0x0301, 'TLSv10'], [0x0302, 'TLSv11'], [0x0303, 'TLSv12'], [0x0304, 'TLSv13']]);

/** IANA names of the cipher suites met most (TLS Cipher Suites registry). */
const CIPHER_NAMES: ReadonlyMap<number, string> = new Map([
  [0x1301, 'TLS_AES_128_GCM_SHA256'], [0x1302, 'TLS_AES_256_GCM_SHA384'], [0x1303, 'TLS_CHACHA20_POLY1305_SHA256'],
  [0x1304, 'TLS_AES_128_CCM_SHA256'], [0x1305, 'TLS_AES_128_CCM_8_SHA256'],
  [0xc02b, 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256'], [0xc02c, 'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384'],
  [0xc02f, 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256'], [0xc030, 'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384'],
  [0xcca8, 'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256'], [0xcca9, 'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256'],
  [0xccaa, 'TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256'], [0x009e, 'TLS_DHE_RSA_WITH_AES_128_GCM_SHA256'],
  [0x009f, 'TLS_DHE_RSA_WITH_AES_256_GCM_SHA384'], [0x009c, 'TLS_RSA_WITH_AES_128_GCM_SHA256'], [0x009d, 'TLS_RSA_WITH_AES_256_GCM_SHA384'],
  [0x002f, 'TLS_RSA_WITH_AES_128_CBC_SHA'], [0x0035, 'TLS_RSA_WITH_AES_256_CBC_SHA'], [0x003c, 'TLS_RSA_WITH_AES_128_CBC_SHA256'],
  [0x003d, 'TLS_RSA_WITH_AES_256_CBC_SHA256'], [0xc009, 'TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA'], [0xc00a, 'TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA'],
  [0xc013, 'TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA'], [0xc014, 'TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA'],
  [0xc023, 'TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256'], [0xc024, 'TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384'],
  [0xc027, 'TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256'], [0xc028, 'TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384'],
]);

const round6 = (x: number): number => Math.round(x * 1e6) / 1e6;
const hex4 = (v: number): string => `0x${v.toString(16).padStart(4, '0')}`;
const versionName = (v: number): string => VERSION_NAMES.get(v) ?? hex4(v);
const conn = (ch: string, cp: number, sh: string, sp: number): string => `${ch}|${cp}|${sh}|${sp}`;

export class TlsLog extends PendingLog<Hello> implements TransactionLog {
  readonly protos = [APP_TLS];
  private readonly emit: (line: string) => void;
  /** Lines written, by status. */
  private readonly counts = { complete: 0, no_server_hello: 0, no_client_hello: 0 };

  constructor(engine: Engine, emit: (line: string) => void, capacity = TLS_PENDING_MAX) {
    super();
    this.emit = emit;
    this.pending = new PendingTable<Hello>(engine, capacity, TLS_TIMEOUT_S, (h) => this.write(h, null, 0, 'no_server_hello'));
  }

  frame(fr: LogFrame): void {
    const v = fr.view;
    const m = readTls(fr.u8, v.frame, v.app);
    if (m === null || m.hello === null || m.hello.random === 0) return; // no hello in this segment
    const hs = tlsObject(fr.u8, v.frame, m).handshake!;
    const isClient = m.hello.type === 1;
    this.advance(fr.sec, fr.nsec);
    const ts = fr.sec + fr.nsec / 1e9;
    const src = v.srcString();
    const dst = v.dstString();
    if (isClient) {
      const key = conn(src, v.srcPort, dst, v.dstPort);
      // The second ClientHello after a HelloRetryRequest belongs to the handshake waiting.
      if (this.pending.peek(key) !== undefined) return;
      this.pending.add(key, { ts, origH: src, origP: v.srcPort, respH: dst, respP: v.dstPort, ch: hs, hrr: false });
      return;
    }
    const key = conn(dst, v.dstPort, src, v.srcPort);
    if (hs.hello_retry_request === true) {
      const waiting = this.pending.peek(key);
      if (waiting !== undefined) waiting.hrr = true;
      return;
    }
    const ch = this.pending.take(key);
    if (ch !== undefined) { this.write(ch, hs, ts, 'complete'); return; }
    this.write({ ts, origH: dst, origP: v.dstPort, respH: src, respP: v.srcPort, ch: null, hrr: false }, hs, ts, 'no_client_hello');
  }

  summary(): string {
    const c = this.counts;
    return `log tls: ${c.complete + c.no_server_hello + c.no_client_hello} handshakes: ${c.complete} complete, ${c.no_server_hello} without a ServerHello (${pendingSummary(this.pending, 'ClientHellos')}), ${c.no_client_hello} without a ClientHello`;
  }

  private write(h: Hello, sh: DecodedTlsHandshake | null, shTs: number, status: TlsLogRecord['status']): void {
    const rec: TlsLogRecord = { ts: round6(h.ch === null ? shTs : h.ts), 'id.orig_h': h.origH, 'id.orig_p': h.origP, 'id.resp_h': h.respH, 'id.resp_p': h.respP } as TlsLogRecord;
    if (sh !== null) {
      const chosen = sh.extensions?.supported_version[0] ?? sh.version;
      if (chosen !== undefined) rec.version = versionName(chosen);
      const suite = sh.ciphersuite?.[0];
      if (suite !== undefined) rec.cipher = CIPHER_NAMES.get(suite) ?? hex4(suite);
    }
    const ch = h.ch;
    if (ch?.extensions_server_name !== undefined) rec.server_name = ch.extensions_server_name;
    const alpn = sh?.extensions_alpn_str?.[0];
    if (alpn !== undefined) rec.next_protocol = alpn;
    if (ch?.extensions_alpn_str !== undefined) rec.client_alpn = ch.extensions_alpn_str;
    const offered = ch?.extensions?.supported_version.filter((x) => !isGrease(x));
    if (offered !== undefined && offered.length > 0) rec.client_versions = offered.map(versionName);
    if (ch?.ja3 !== undefined) rec.ja3 = ch.ja3;
    if (sh?.ja3s !== undefined) rec.ja3s = sh.ja3s;
    if (h.hrr) rec.hello_retry = true;
    if (status === 'complete') rec.rtt = round6(shTs - h.ts);
    rec.status = status;
    this.counts[status]++;
    this.emit(JSON.stringify(rec));
  }
}
