// Pure-TS twin of assembly/app/ssh.ts (test/app-lines.test.ts fuzzes both).
import { DecoderTwin } from '../twin-memory.js';
import { APP_SSH, AF_TRUNC, SSV_BANNER, SSV_CONT, SSH_BANNER, SSH_BANNER_LEN } from '../app-layout.js';

export class SshTwin extends DecoderTwin {
  decode(f: number, pay: number, payLen: number, capEnd: number, variant: number, a: number): void {
    const mem = this.mem;
    const m = mem.m;
    let flags = 0;
    const declEnd = pay + payLen;
    capEnd = mem.beginRecord(a, APP_SSH, pay, payLen, capEnd, SSH_BANNER, SSH_BANNER + 8);
    let next = pay;
    if (pay + 4 <= capEnd && m[f + pay] === 0x53 && m[f + pay + 1] === 0x53 && m[f + pay + 2] === 0x48 && m[f + pay + 3] === 0x2D) {
      let p = pay + 4;
      while (p < capEnd && m[f + p] !== 0x0A) p++;
      let e = p;
      if (p < capEnd) {
        if (e > pay && m[f + e - 1] === 0x0D) e--;
        next = p + 1;
      } else {
        if (capEnd < declEnd) flags |= AF_TRUNC;
        else variant |= SSV_CONT;
        next = capEnd;
      }
      variant |= SSV_BANNER;
      mem.put16(a + SSH_BANNER, pay);
      mem.put16(a + SSH_BANNER_LEN, e - pay);
    }
    mem.endRecord(a, next, variant, flags);
  }
}
