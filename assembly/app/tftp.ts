// TFTP (RFC 1350, option extension RFC 2347) into the app record: the opcode, a DATA/ACK
// block number or ERROR code, and for RRQ/WRQ the file name and mode (for ERROR the
// message) as frame offsets of NUL-terminated strings, and where the options start. A
// string without its NUL in the message is left out (AF_TRUNC when the capture cut it,
// AF_MALFORMED when the message ends first). host/app/tftp/twin.ts is the same code.
import {
  APP_TFTP, AF_TRUNC, AF_MALFORMED,
  TFV_NAME, TFV_MODE, TFTP_OPCODE, TFTP_BLOCK, TFTP_NAME, TFTP_NAME_LEN, TFTP_MODE, TFTP_MODE_LEN, TFTP_OPTS,
} from "./app-layout";
import { u8at, be16, beginRecord, endRecord } from "./record";

let gEnd: u32 = 0; // the message's captured end
let gDecl: u32 = 0; // its end per the headers
let gFlags: u32 = 0;

/** The NUL that ends the string at `p`: its offset, or 0 (flags say why). */
function nul(f: usize, p: u32): u32 {
  while (p < gEnd) {
    if (u8at(f + p) == 0) return p;
    p++;
  }
  gFlags |= gEnd < gDecl ? AF_TRUNC : AF_MALFORMED;
  return 0;
}

export function tftp_decode(f: usize, pay: u32, payLen: u32, capEnd: u32, variant: u32, a: usize): void {
  gFlags = 0;
  gDecl = pay + payLen;
  capEnd = beginRecord(a, APP_TFTP, pay, payLen, capEnd, TFTP_OPCODE, TFTP_OPCODE + 16);
  gEnd = capEnd;
  let next = pay;
  if (pay + 2 > capEnd) {
    gFlags |= pay + 2 > gDecl ? AF_MALFORMED : AF_TRUNC;
  } else {
    let op = be16(f + pay);
    store<u16>(a + TFTP_OPCODE, <u16>op);
    let p = pay + 2;
    next = p;
    if (op == 1 || op == 2) {
      let e = nul(f, p);
      if (e != 0) {
        variant |= TFV_NAME;
        store<u16>(a + TFTP_NAME, <u16>p);
        store<u16>(a + TFTP_NAME_LEN, <u16>(e - p));
        p = e + 1;
        next = p;
        let m = nul(f, p);
        if (m != 0) {
          variant |= TFV_MODE;
          store<u16>(a + TFTP_MODE, <u16>p);
          store<u16>(a + TFTP_MODE_LEN, <u16>(m - p));
          next = m + 1;
          if (next < gDecl) store<u16>(a + TFTP_OPTS, <u16>next);
        }
      }
    } else if (op == 3 || op == 4 || op == 5) {
      if (p + 2 > capEnd) {
        gFlags |= p + 2 > gDecl ? AF_MALFORMED : AF_TRUNC;
      } else {
        store<u16>(a + TFTP_BLOCK, <u16>be16(f + p));
        next = p + 2;
        if (op == 5) {
          let q = p + 2;
          let e = nul(f, q);
          if (e != 0) {
            variant |= TFV_NAME;
            store<u16>(a + TFTP_NAME, <u16>q);
            store<u16>(a + TFTP_NAME_LEN, <u16>(e - q));
            next = e + 1;
          }
        }
      }
    } else if (op == 6) {
      if (p < gDecl) store<u16>(a + TFTP_OPTS, <u16>p);
    }
  }
  endRecord(a, next > capEnd ? capEnd : next, variant, gFlags);
}
