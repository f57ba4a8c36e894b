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

/** Writes it: a " [|domain]" from a longjmp ends the line as the state's own jumps do. */
export function writeAppText(st: TextState, t: AppText): void {
  st.out.str(t.text);
  if (t.trunc === 'soft') st.softTrunc = true;
  else if (t.trunc === 'jump') { st.jumped = true; st.dead = true; st.deadPos = st.out.pos; }
}
