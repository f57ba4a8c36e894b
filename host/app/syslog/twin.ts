// Pure-TS twin of assembly/app/syslog.ts (test/app-lines.test.ts fuzzes both).
import type { TwinMemory } from '../twin-memory.js';
import { A_PROTO, A_VARIANT, A_FLAGS, A_OFF, A_LEN, A_CAP, A_NEXT, APP_SYSLOG, AF_TRUNC, AF_MALFORMED, SYV_PRI, SYSLOG_PRI, SYSLOG_MSG } from '../app-layout.js';

export class SyslogTwin {
  private readonly mem: TwinMemory;
  constructor(mem: TwinMemory) { this.mem = mem; }

  decode(f: number, pay: number, payLen: number, capEnd: number, variant: number, a: number): void {
    const mem = this.mem;
    const m = mem.m;
    let flags = 0;
    const declEnd = pay + payLen;
    if (capEnd > 0xFFFF) capEnd = 0xFFFF;
    if (capEnd > declEnd) capEnd = declEnd;
    mem.put32(a + SYSLOG_PRI, 0);
    mem.put8(a + A_PROTO, APP_SYSLOG);
    mem.put16(a + A_OFF, pay);
    mem.put16(a + A_LEN, payLen);
    mem.put16(a + A_CAP, capEnd > pay ? capEnd - pay : 0);
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
    mem.put16(a + A_NEXT, p);
    mem.put8(a + A_VARIANT, variant);
    mem.put16(a + A_FLAGS, flags);
  }
}
