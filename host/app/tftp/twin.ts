// Pure-TS twin of assembly/app/tftp.ts (test/app-lines.test.ts fuzzes both).
import { WalkingDecoderTwin, cutFlag } from '../twin-memory.js';
import {
  APP_TFTP,
  TFV_NAME, TFV_MODE, TFTP_OPCODE, TFTP_BLOCK, TFTP_NAME, TFTP_NAME_LEN, TFTP_MODE, TFTP_MODE_LEN, TFTP_OPTS,
} from '../app-layout.js';

export class TftpTwin extends WalkingDecoderTwin {
  private nul(f: number, p: number): number {
    const m = this.mem.m;
    while (p < this.capEnd) {
      if (m[f + p] === 0) return p;
      p++;
    }
    this.short(this.capEnd);
    return 0;
  }

  /** nulString() of assembly/app/tftp.ts: the string at `p` into the record's (`off`,
   *  `lenOff`) slot when its NUL is in the message; the offset after the NUL, or 0. */
  private nulString(f: number, a: number, p: number, off: number, lenOff: number): number {
    const e = this.nul(f, p);
    if (e === 0) return 0;
    this.mem.put16(a + off, p);
    this.mem.put16(a + lenOff, e - p);
    return e + 1;
  }

  decode(f: number, pay: number, payLen: number, capEnd: number, variant: number, a: number): void {
    const mem = this.mem;
    capEnd = this.beginWalk(a, APP_TFTP, pay, payLen, capEnd, TFTP_OPCODE, TFTP_OPCODE + 16);
    let next = pay;
    if (pay + 2 > capEnd) {
      this.flags |= cutFlag(pay + 2, this.declEnd);
    } else {
      const op = mem.be16(f + pay);
      mem.put16(a + TFTP_OPCODE, op);
      const p = pay + 2;
      next = p;
      if (op === 1 || op === 2) {
        const mode = this.nulString(f, a, p, TFTP_NAME, TFTP_NAME_LEN);
        if (mode !== 0) {
          variant |= TFV_NAME;
          next = mode;
          const opts = this.nulString(f, a, mode, TFTP_MODE, TFTP_MODE_LEN);
          if (opts !== 0) {
            variant |= TFV_MODE;
            next = opts;
            if (next < this.declEnd) mem.put16(a + TFTP_OPTS, next);
          }
        }
      } else if (op === 3 || op === 4 || op === 5) {
        if (p + 2 > capEnd) {
          this.flags |= cutFlag(p + 2, this.declEnd);
        } else {
          mem.put16(a + TFTP_BLOCK, mem.be16(f + p));
          next = p + 2;
          const after = op === 5 ? this.nulString(f, a, p + 2, TFTP_NAME, TFTP_NAME_LEN) : 0;
          if (after !== 0) {
            variant |= TFV_NAME;
            next = after;
          }
        }
      } else if (op === 6) {
        if (p < this.declEnd) mem.put16(a + TFTP_OPTS, p);
      }
    }
    mem.endRecord(a, next > capEnd ? capEnd : next, variant, this.flags);
  }
}
