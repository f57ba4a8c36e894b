// Syslog over UDP (RFC 5424, RFC 3164) into the app record: the <PRI> that opens the
// message (1 to 3 digits, as tcpdump reads it) and where the rest starts. A message that
// does not open so is AF_MALFORMED; one the capture cut inside the PRI, AF_TRUNC.
// host/app/syslog/twin.ts is the same code in TypeScript.
import {
  APP_SYSLOG, AF_TRUNC, AF_MALFORMED, SYV_PRI, SYSLOG_PRI, SYSLOG_MSG,
} from "./app-layout";
import { u8at, beginRecord, endRecord } from "./record";

export function syslog_decode(f: usize, pay: u32, payLen: u32, capEnd: u32, variant: u32, a: usize): void {
  let flags: u32 = 0;
  let declEnd = pay + payLen;
  capEnd = beginRecord(a, APP_SYSLOG, pay, payLen, capEnd, SYSLOG_PRI, SYSLOG_PRI + 8);
  // Read as Wireshark 4.0 and tcpdump both start: "<", up to 3 digits. A byte after them
  // that is not ">" is AF_MALFORMED (tcpdump prints " (invalid)"), yet Wireshark keeps the
  // priority it read and shows the message from that byte on: SYV_PRI says a priority was
  // read. A message ending inside the PRI has none (Wireshark throws there, no fields).
  let p = pay;
  let pri: u32 = 0;
  let ok = false;
  const opened = p < capEnd && u8at(f + p) == 0x3C;
  if (opened) {
    p++;
    let digits: u32 = 0;
    while (p < capEnd && digits < 3 && u8at(f + p) - 0x30 < 10) { pri = pri * 10 + (u8at(f + p) - 0x30); p++; digits++; }
    if (p < capEnd) {
      ok = true;
      if (u8at(f + p) == 0x3E) p++;
      else flags |= AF_MALFORMED;
    } else {
      flags |= capEnd < declEnd ? AF_TRUNC : AF_MALFORMED;
    }
  } else {
    flags |= pay < capEnd ? AF_MALFORMED : capEnd < declEnd ? AF_TRUNC : AF_MALFORMED;
  }
  if (ok) {
    variant |= SYV_PRI;
    store<u16>(a + SYSLOG_PRI, <u16>pri);
    store<u16>(a + SYSLOG_MSG, <u16>p);
  } else if (!opened) {
    store<u16>(a + SYSLOG_MSG, <u16>pay); // no PRI: the message is all of it
  }
  endRecord(a, p, variant, flags);
}
