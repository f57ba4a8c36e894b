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

/** The object of app record `rec` for the frame at `f` (addresses in `u8`) and its key, or
 *  undefined when no decoder claimed the frame. */
export function appObject(u8: Uint8Array, f: number, rec: number): { key: AppKey; value: NonNullable<DecodedApp[AppKey]> } | undefined {
  switch (u8[rec + A_PROTO]) {
    case APP_DNS: { const value = decodeDns(u8, f, rec); return value === undefined ? undefined : { key: 'dns', value }; }
    case APP_TLS: { const value = decodeTls(u8, f, rec); return value === undefined ? undefined : { key: 'tls', value }; }
    case APP_HTTP: { const value = decodeHttp(u8, f, rec); return value === undefined ? undefined : { key: 'http', value }; }
    case APP_DHCP: { const value = decodeDhcp(u8, f, rec); return value === undefined ? undefined : { key: 'dhcp', value }; }
    case APP_DHCP6: { const value = decodeDhcpv6(u8, f, rec); return value === undefined ? undefined : { key: 'dhcpv6', value }; }
    case APP_NTP: { const value = decodeNtp(u8, f, rec); return value === undefined ? undefined : { key: 'ntp', value }; }
    case APP_QUIC: { const value = decodeQuic(u8, f, rec); return value === undefined ? undefined : { key: 'quic', value }; }
    case APP_SSH: { const value = decodeSsh(u8, f, rec); return value === undefined ? undefined : { key: 'ssh', value }; }
    case APP_TFTP: { const value = decodeTftp(u8, f, rec); return value === undefined ? undefined : { key: 'tftp', value }; }
    case APP_SYSLOG: { const value = decodeSyslog(u8, f, rec); return value === undefined ? undefined : { key: 'syslog', value }; }
    case APP_IGMP: { const value = decodeIgmp(u8, f, rec); return value === undefined ? undefined : { key: 'igmp', value }; }
    case APP_OSPF: { const value = decodeOspf(u8, f, rec); return value === undefined ? undefined : { key: 'ospf', value }; }
    default: return undefined;
  }
}

/** Adds the application layer of app record `rec` to `pkt`. */
export function addAppObject(pkt: DecodedApp, u8: Uint8Array, f: number, rec: number): void {
  const o = appObject(u8, f, rec);
  if (o !== undefined) (pkt as Record<AppKey, unknown>)[o.key] = o.value;
}
