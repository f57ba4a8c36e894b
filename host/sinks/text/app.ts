// The application layer in tcpdump's lines: where udp_print() and tcp_print() would call a
// port's printer, the text sink asks here first. It prints what host/app/ decoded for the
// frame being printed (the descriptor's own L4 header, never an inner or quoted packet)
// and leaves the state's truncation bookkeeping as tcpdump's printer would.
import type { TextState } from './state.js';
import { dnsTextForFrame } from '../../app/dns/text.js';
import { httpTextForFrame } from '../../app/http/text.js';
import { dhcpTextForFrame } from '../../app/dhcp/text.js';
import { dhcp6TextForFrame } from '../../app/dhcp6/text.js';
import { ntpTextForFrame } from '../../app/ntp/text.js';
import { sshTextForFrame } from '../../app/ssh/text.js';
import { tftpTextForFrame } from '../../app/tftp/text.js';
import { syslogTextForFrame } from '../../app/syslog/text.js';
import type { AppText } from '../../app/app-text.js';
import { domainText } from '../../app/dns/text.js';
import { tftpText } from '../../app/tftp/text.js';
import { bootpText } from '../../app/dhcp/text.js';
import { bootpVerboseText } from '../../app/dhcp/text-v.js';
import { ntpText } from '../../app/ntp/text.js';
import { ntpVerboseText } from '../../app/ntp/text-v.js';
import { dhcp6Text } from '../../app/dhcp6/text.js';
import { dhcp6VerboseText } from '../../app/dhcp6/text-v.js';
import { syslogText } from '../../app/syslog/text.js';
import { snapendOf } from '../../app/frame-view.js';
import { A_PROTO, APP_HTTP, APP_DHCP, APP_DHCP6, APP_NTP, APP_SSH, APP_TFTP, APP_SYSLOG } from '../../app/app-layout.js';

/** The application text for the transport header at `bp`, or null when the caller prints
 *  its generic form ("UDP, length N"; nothing more for TCP). */
export function appText(st: TextState, bp: number): AppText | null {
  const v = st.v;
  if (v.app === 0 || st.qflag || bp !== st.f + v.l4Off) return null;
  const o = { vflag: st.vflag, qflag: st.qflag };
  switch (st.m[v.app + A_PROTO]) {
    case APP_HTTP: return httpTextForFrame(v, st.m, st.f, v.app, o);
    case APP_DHCP: return dhcpTextForFrame(v, st.m, st.f, v.app, o);
    case APP_DHCP6: return dhcp6TextForFrame(v, st.m, st.f, v.app, o);
    case APP_NTP: return ntpTextForFrame(v, st.m, st.f, v.app, o);
    case APP_SSH: return sshTextForFrame(v, st.m, st.f, v.app, o);
    case APP_TFTP: return tftpTextForFrame(v, st.m, st.f, v.app, o);
    case APP_SYSLOG: return syslogTextForFrame(v, st.m, st.f, v.app, o);
    default: return dnsTextForFrame(v, st.m, st.f, v.app, o);
  }
}

/** A UDP datagram with no payload: host/app/ decodes nothing, but tcpdump still calls the
 *  port's printer, with length 0 (dns-zlip-1.pcap: "domain [length 0 < 12] (invalid)"), in
 *  udp_print's order of ports. `pay`: where the payload would start. Null for other ports. */
export function emptyPayloadText(st: TextState, pay: number, sport: number, dport: number): AppText | null {
  if (st.qflag) return null;
  const either = (port: number): boolean => sport === port || dport === port;
  const u8 = st.m;
  const snapend = snapendOf(st.v, st.f);
  if (either(53) || either(5353)) return domainText(u8, st.f, pay, 0, snapend, { vflag: st.vflag, overTcp: false, isMdns: !either(53) });
  if (either(69)) return tftpText(u8, pay, 0, snapend);
  if (either(67) || either(68)) return st.vflag > 0 ? bootpVerboseText(u8, pay, 0, snapend, st.vflag) : bootpText(u8, pay, 0, snapend);
  if (either(123)) return st.vflag > 0 ? ntpVerboseText(u8, pay, 0, snapend) : ntpText(u8, pay, 0, snapend);
  if (either(546) || either(547)) return st.vflag > 0 ? dhcp6VerboseText(u8, pay, 0, snapend) : dhcp6Text(u8, pay, snapend);
  if (either(514)) return syslogText(u8, pay, 0, snapend, st.vflag);
  return null;
}

/** Writes it: a " [|domain]" from a longjmp ends the line as the state's own jumps do. */
export function writeAppText(st: TextState, t: AppText): void {
  st.out.str(t.text);
  if (t.trunc === 'soft') st.softTrunc = true;
  else if (t.trunc === 'jump') { st.jumped = true; st.dead = true; st.deadPos = st.out.pos; }
}
