// decode()'s application-layer objects by protocol: the one place that maps an app
// record's protocol id (A_PROTO) to the decoder that builds its Wireshark-named object and
// the key it goes under in decode() and --json (pkt.dns, pkt.tls, ...). Allocates: only
// frames a decoder claimed pay for it.
import { A_PROTO, APP_DNS, APP_TLS, APP_HTTP, APP_DHCP, APP_DHCP6, APP_NTP, APP_QUIC, APP_SSH, APP_TFTP, APP_SYSLOG, APP_IGMP, APP_OSPF } from './app-layout.js';
import { decodeDns, type DecodedDns } from './dns/decode.js';
import { decodeTls, type DecodedTls } from './tls/decode.js';
import { decodeHttp, type DecodedHttp } from './http/decode.js';
import { decodeDhcp, type DecodedDhcp } from './dhcp/decode.js';
import { decodeDhcpv6, type DecodedDhcpv6 } from './dhcp6/decode.js';
import { decodeNtp, type DecodedNtp } from './ntp/decode.js';
import { decodeQuic, type DecodedQuic } from './quic/decode.js';
import { decodeSsh, type DecodedSsh } from './ssh/decode.js';
import { decodeTftp, type DecodedTftp } from './tftp/decode.js';
import { decodeSyslog, type DecodedSyslog } from './syslog/decode.js';
import { decodeIgmp, type DecodedIgmp } from './igmp/decode.js';
import { decodeOspf, type DecodedOspf } from './ospf/decode.js';

/** The application-layer members of decode()'s packet object. */
export interface DecodedApp {
  dns?: DecodedDns;
  tls?: DecodedTls;
  http?: DecodedHttp;
  dhcp?: DecodedDhcp;
  dhcpv6?: DecodedDhcpv6;
  ntp?: DecodedNtp;
  quic?: DecodedQuic;
  ssh?: DecodedSsh;
  tftp?: DecodedTftp;
  syslog?: DecodedSyslog;
  igmp?: DecodedIgmp;
  ospf?: DecodedOspf;
}

export type AppKey = keyof DecodedApp;

type Reader<K extends AppKey> = (u8: Uint8Array, f: number, rec: number) => DecodedApp[K] | undefined;
interface Entry { key: AppKey; read: Reader<AppKey> }

/** A protocol's key and the decoder that builds its object (typed together). */
function entry<K extends AppKey>(key: K, read: Reader<K>): Entry {
  return { key, read: read as Reader<AppKey> };
}

/** By A_PROTO: each decoder's key and object builder. */
const BY_PROTO: ReadonlyMap<number, Entry> = new Map([
  [APP_DNS, entry('dns', decodeDns)], [APP_TLS, entry('tls', decodeTls)], [APP_HTTP, entry('http', decodeHttp)],
  [APP_DHCP, entry('dhcp', decodeDhcp)], [APP_DHCP6, entry('dhcpv6', decodeDhcpv6)], [APP_NTP, entry('ntp', decodeNtp)],
  [APP_QUIC, entry('quic', decodeQuic)], [APP_SSH, entry('ssh', decodeSsh)], [APP_TFTP, entry('tftp', decodeTftp)],
  [APP_SYSLOG, entry('syslog', decodeSyslog)], [APP_IGMP, entry('igmp', decodeIgmp)], [APP_OSPF, entry('ospf', decodeOspf)],
]);

/** The object of app record `rec` for the frame at `f` (addresses in `u8`) and its key, or
 *  undefined when no decoder claimed the frame. */
export function appObject(u8: Uint8Array, f: number, rec: number): { key: AppKey; value: NonNullable<DecodedApp[AppKey]> } | undefined {
  const e = BY_PROTO.get(u8[rec + A_PROTO]);
  const value = e?.read(u8, f, rec);
  return e === undefined || value === undefined ? undefined : { key: e.key, value };
}

/** Adds the application layer of app record `rec` to `pkt`. */
export function addAppObject(pkt: DecodedApp, u8: Uint8Array, f: number, rec: number): void {
  const o = appObject(u8, f, rec);
  if (o !== undefined) (pkt as Record<AppKey, unknown>)[o.key] = o.value;
}
