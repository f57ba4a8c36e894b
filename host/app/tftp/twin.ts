// Pure-TS twin of assembly/app/tftp.ts (test/app-lines.test.ts fuzzes both).
import { DecoderTwin } from '../twin-memory.js';
import {
  APP_TFTP, AF_TRUNC, AF_MALFORMED,
  TFV_NAME, TFV_MODE, TFTP_OPCODE, TFTP_BLOCK, TFTP_NAME, TFTP_NAME_LEN, TFTP_MODE, TFTP_MODE_LEN, TFTP_OPTS,
} from '../app-layout.js';

export class TftpTwin extends DecoderTwin {
  private end = 0;
  private decl = 0;
  private flags = 0;

  private nul(f: number, p: number): number {
    const m = this.mem.m;
    while (p < this.end) {
      if (m[f + p] === 0) return p;
      p++;
    }
    this.flags |= this.end < this.decl ? AF_TRUNC : AF_MALFORMED;
    return 0;
  }

  decode(f: number, pay: number, payLen: number, capEnd: number, variant: number, a: number): void {
    const mem = this.mem;
    this.flags = 0;
    this.decl = pay + payLen;
    capEnd = mem.beginRecord(a, APP_TFTP, pay, payLen, capEnd, TFTP_OPCODE, TFTP_OPCODE + 16);
    this.end = capEnd;
    let next = pay;
    if (pay + 2 > capEnd) {
      this.flags |= pay + 2 > this.decl ? AF_MALFORMED : AF_TRUNC;
    } else {
      const op = mem.be16(f + pay);
      mem.put16(a + TFTP_OPCODE, op);
      const p = pay + 2;
      next = p;
      if (op === 1 || op === 2) {
        const e = this.nul(f, p);
        if (e !== 0) {
          variant |= TFV_NAME;
          mem.put16(a + TFTP_NAME, p);
          mem.put16(a + TFTP_NAME_LEN, e - p);
          const q = e + 1;
          next = q;
          const mm = this.nul(f, q);
          if (mm !== 0) {
            variant |= TFV_MODE;
            mem.put16(a + TFTP_MODE, q);
            mem.put16(a + TFTP_MODE_LEN, mm - q);
            next = mm + 1;
            if (next < this.decl) mem.put16(a + TFTP_OPTS, next);
          }
        }
      } else if (op === 3 || op === 4 || op === 5) {
        if (p + 2 > capEnd) {
          this.flags |= p + 2 > this.decl ? AF_MALFORMED : AF_TRUNC;
        } else {
          mem.put16(a + TFTP_BLOCK, mem.be16(f + p));
          next = p + 2;
          if (op === 5) {
            const q = p + 2;
            const e = this.nul(f, q);
            if (e !== 0) {
              variant |= TFV_NAME;
              mem.put16(a + TFTP_NAME, q);
              mem.put16(a + TFTP_NAME_LEN, e - q);
              next = e + 1;
            }
          }
        }
      } else if (op === 6) {
        if (p < this.decl) mem.put16(a + TFTP_OPTS, p);
      }
    }
    mem.endRecord(a, next > capEnd ? capEnd : next, variant, this.flags);
  }
}
