// Which decoder twin takes a frame: the mirror of dispatch() in assembly/app/app.ts, line
// for line (by port first, then by content).
//
// How a decoder plugs in on the TS side (the WASM side is described in assembly/app/app.ts):
//  1. host/app/<proto>/twin.ts: a DecoderTwin (twin-memory.ts) with decode(f, pay, payLen,
//     capEnd, variant, a), the same walk, bounds and record bytes as assembly/app/<proto>.ts
//     (its prologue and epilogue: TwinMemory.beginRecord/endRecord).
//  2. Add it to DecoderTwins below, construct it in AppTwin (twin.ts), and add its dispatch
//     line here in the same place as in app.ts.
//  3. Readers take the record, never the WASM side's internals: AppArea/dissectApp
//     (app-area.ts) to fill records for a batch; the record's constants come from
//     app-layout.ts, generated from assembly/app/app-layout.ts (npm run build:layout).
import type { DnsTwin } from './dns/twin.js';
import type { TlsTwin } from './tls/twin.js';
import type { HttpTwin } from './http/twin.js';
import type { DhcpTwin } from './dhcp/twin.js';
import type { Dhcp6Twin } from './dhcp6/twin.js';
import type { NtpTwin } from './ntp/twin.js';
import type { QuicTwin } from './quic/twin.js';
import type { SshTwin } from './ssh/twin.js';
import type { TftpTwin } from './tftp/twin.js';
import type { SyslogTwin } from './syslog/twin.js';
import type { IgmpTwin } from './igmp/twin.js';
import type { OspfTwin } from './ospf/twin.js';
import { DV_TCP, DV_MDNS, DV_LLMNR } from './app-layout.js';

export interface DecoderTwins {
  dns: DnsTwin;
  tls: TlsTwin;
  http: HttpTwin;
  dhcp: DhcpTwin;
  dhcp6: Dhcp6Twin;
  ntp: NtpTwin;
  quic: QuicTwin;
  ssh: SshTwin;
  tftp: TftpTwin;
  syslog: SyslogTwin;
  /** Reached by the IP protocol, not by dispatch() (AppTwin.ipProtocol). */
  igmp: IgmpTwin;
  ospf: OspfTwin;
}

function port(sp: number, dp: number, p: number): boolean {
  return sp === p || dp === p;
}

export function dispatch(t: DecoderTwins, f: number, pay: number, payLen: number, capEnd: number, tcp: boolean,
  sp: number, dp: number, a: number): void {
  const v = tcp ? DV_TCP : 0;
  if (port(sp, dp, 53)) { t.dns.decode(f, pay, payLen, capEnd, v, a); return; }
  if (!tcp && port(sp, dp, 5353)) { t.dns.decode(f, pay, payLen, capEnd, DV_MDNS, a); return; }
  if (port(sp, dp, 5355)) { t.dns.decode(f, pay, payLen, capEnd, v | DV_LLMNR, a); return; }
  if (!tcp && (port(sp, dp, 67) || port(sp, dp, 68))) { t.dhcp.decode(f, pay, payLen, capEnd, 0, a); return; }
  if (!tcp && (port(sp, dp, 546) || port(sp, dp, 547))) { t.dhcp6.decode(f, pay, payLen, capEnd, 0, a); return; }
  if (!tcp && port(sp, dp, 123)) { t.ntp.decode(f, pay, payLen, capEnd, 0, a); return; }
  if (!tcp && port(sp, dp, 443)) { t.quic.decode(f, pay, payLen, capEnd, 0, a); return; }
  if (!tcp && port(sp, dp, 69)) { t.tftp.decode(f, pay, payLen, capEnd, 0, a); return; }
  if (!tcp && port(sp, dp, 514)) { t.syslog.decode(f, pay, payLen, capEnd, 0, a); return; }
  if (tcp && port(sp, dp, 22)) { t.ssh.decode(f, pay, payLen, capEnd, 0, a); return; }
  if (tcp && t.tls.sniff(f, pay, capEnd)) { t.tls.decode(f, pay, payLen, capEnd, 0, a); return; }
  if (tcp && (port(sp, dp, 80) || port(sp, dp, 8080) || t.http.sniff(f, pay, capEnd))) { t.http.decode(f, pay, payLen, capEnd, 0, a); return; }
}
