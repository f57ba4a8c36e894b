// SSH (RFC 4253 §4.2) into the app record: a segment that opens with "SSH-" gives its
// version line (up to LF, without it and a CR before it) as a frame offset.
// Nothing of the encrypted packets is read. host/app/ssh/twin.ts is the same in TypeScript.
import {
  APP_SSH, AF_TRUNC, SSV_BANNER, SSV_CONT, SSH_BANNER, SSH_BANNER_LEN,
} from "./app-layout";
import { u8at, beginRecord, endRecord } from "./record";

export function ssh_decode(f: usize, pay: u32, payLen: u32, capEnd: u32, variant: u32, a: usize): void {
  let flags: u32 = 0;
  let declEnd = pay + payLen;
  capEnd = beginRecord(a, APP_SSH, pay, payLen, capEnd, SSH_BANNER, SSH_BANNER + 8);
  let next = pay;
  if (pay + 4 <= capEnd && load<u32>(f + pay) == 0x2D485353) { // "SSH-"
    // The line ends at LF (a CR before it is not part of it, RFC 4253 §4.2); without one in
    // the segment it goes on past it, and what is here is kept (a capture cut: AF_TRUNC).
    let p = pay + 4;
    while (p < capEnd && u8at(f + p) != 0x0A) p++;
    let e = p;
    if (p < capEnd) {
      if (e > pay && u8at(f + e - 1) == 0x0D) e--;
      next = p + 1;
    } else {
      if (capEnd < declEnd) flags |= AF_TRUNC;
      else variant |= SSV_CONT;
      next = capEnd;
    }
    variant |= SSV_BANNER;
    store<u16>(a + SSH_BANNER, <u16>pay);
    store<u16>(a + SSH_BANNER_LEN, <u16>(e - pay));
  }
  endRecord(a, next, variant, flags);
}
