// Pure-TS twin of assembly/app/syslog.ts (test/app-lines.test.ts fuzzes both).
import { DecoderTwin } from '../twin-memory.js';
import { APP_SYSLOG, AF_TRUNC, AF_MALFORMED, SYV_PRI, SYSLOG_PRI, SYSLOG_MSG } from '../app-layout.js';

export class SyslogTwin extends DecoderTwin {
  decode(f: number, pay: number, payLen: number, capEnd: number, variant: number, a: number): void {
    const mem = this.mem;
    const m = mem.m;
    let flags = 0;
    const declEnd = pay + payLen;
    capEnd = mem.beginRecord(a, APP_SYSLOG, pay, payLen, capEnd, SYSLOG_PRI, SYSLOG_PRI + 8);
    let p = pay;
    let pri = 0;
    let ok = false;
    const opened = p < capEnd && m[f + p] === 0x3C;
    if (opened) {
      p++;
      let digits = 0;
      while (p < capEnd && digits < 3 && m[f + p] >= 0x30 && m[f + p] <= 0x39) { pri = pri * 10 + (m[f + p] - 0x30); p++; digits++; }
      if (p < capEnd) {
        ok = true;
        if (m[f + p] === 0x3E) p++;
        else flags |= AF_MALFORMED;
      } else {
        flags |= capEnd < declEnd ? AF_TRUNC : AF_MALFORMED;
      }
    } else {
      flags |= pay < capEnd ? AF_MALFORMED : capEnd < declEnd ? AF_TRUNC : AF_MALFORMED;
    }
    if (ok) {
      variant |= SYV_PRI;
      mem.put16(a + SYSLOG_PRI, pri);
      mem.put16(a + SYSLOG_MSG, p);
    } else if (!opened) {
      mem.put16(a + SYSLOG_MSG, pay);
    }
    mem.endRecord(a, p, variant, flags);
  }
}
