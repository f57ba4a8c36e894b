// Pure-TS twin of assembly/app/ssh.ts (test/app-lines.test.ts fuzzes both).
import type { TwinMemory } from '../twin-memory.js';
import { A_PROTO, A_VARIANT, A_FLAGS, A_OFF, A_LEN, A_CAP, A_NEXT, APP_SSH, AF_TRUNC, SSV_BANNER, SSV_CONT, SSH_BANNER, SSH_BANNER_LEN } from '../app-layout.js';

export class SshTwin {
  private readonly mem: TwinMemory;
  constructor(mem: TwinMemory) { this.mem = mem; }

  decode(f: number, pay: number, payLen: number, capEnd: number, variant: number, a: number): void {
    const mem = this.mem;
    const m = mem.m;
    let flags = 0;
    const declEnd = pay + payLen;
    if (capEnd > 0xFFFF) capEnd = 0xFFFF;
    if (capEnd > declEnd) capEnd = declEnd;
    mem.put32(a + SSH_BANNER, 0);
    mem.put8(a + A_PROTO, APP_SSH);
    mem.put16(a + A_OFF, pay);
    mem.put16(a + A_LEN, payLen);
    mem.put16(a + A_CAP, capEnd > pay ? capEnd - pay : 0);
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
    mem.put16(a + A_NEXT, next);
    mem.put8(a + A_VARIANT, variant);
    mem.put16(a + A_FLAGS, flags);
  }
}
