// TFTP (RFC 1350, option extension RFC 2347) into the app record: the opcode, a DATA/ACK
// block number or ERROR code, and for RRQ/WRQ the file name and mode (for ERROR the
// message) as frame offsets of NUL-terminated strings, and where the options start. A
// string without its NUL in the message is left out (AF_TRUNC when the capture cut it,
// AF_MALFORMED when the message ends first). host/app/tftp/twin.ts is the same code.
import {
  APP_TFTP,
  TFV_NAME, TFV_MODE, TFTP_OPCODE, TFTP_BLOCK, TFTP_NAME, TFTP_NAME_LEN, TFTP_MODE, TFTP_MODE_LEN, TFTP_OPTS,
} from "./app-layout";
import { u8at, be16, beginWalk, endRecord, cutFlag, gFlags, gCapEnd, gDeclEnd, short } from "./record";


/** The NUL that ends the string at `p`: its offset, or 0 (flags say why). */
function nul(f: usize, p: u32): u32 {
  while (p < gCapEnd) {
    if (u8at(f + p) == 0) return p;
    p++;
  }
  short(gCapEnd);
  return 0;
}

/** The string at `p` into the record's (`off`, `lenOff`) slot when its NUL is in the
 *  message: returns the offset after the NUL, or 0 (nothing stored; flags say why). */
function nulString(f: usize, a: usize, p: u32, off: i32, lenOff: i32): u32 {
  let e = nul(f, p);
  if (e == 0) return 0;
  store<u16>(a + off, <u16>p);
  store<u16>(a + lenOff, <u16>(e - p));
  return e + 1;
}

export function tftp_decode(f: usize, pay: u32, payLen: u32, capEnd: u32, variant: u32, a: usize): void {
  capEnd = beginWalk(a, APP_TFTP, pay, payLen, capEnd, TFTP_OPCODE, TFTP_OPCODE + 16);
  let next = pay;
  if (pay + 2 > capEnd) {
    gFlags |= cutFlag(pay + 2, gDeclEnd);
  } else {
    let op = be16(f + pay);
    store<u16>(a + TFTP_OPCODE, <u16>op);
    let p = pay + 2;
    next = p;
    if (op == 1 || op == 2) {
      let mode = nulString(f, a, p, TFTP_NAME, TFTP_NAME_LEN);
      if (mode != 0) {
        variant |= TFV_NAME;
        next = mode;
        let opts = nulString(f, a, mode, TFTP_MODE, TFTP_MODE_LEN);
        if (opts != 0) {
          variant |= TFV_MODE;
          next = opts;
          if (next < gDeclEnd) store<u16>(a + TFTP_OPTS, <u16>next);
        }
      }
    } else if (op == 3 || op == 4 || op == 5) {
      if (p + 2 > capEnd) {
        gFlags |= cutFlag(p + 2, gDeclEnd);
      } else {
        store<u16>(a + TFTP_BLOCK, <u16>be16(f + p));
        next = p + 2;
        // ERROR: the message after the code.
        let after = op == 5 ? nulString(f, a, p + 2, TFTP_NAME, TFTP_NAME_LEN) : 0;
        if (after != 0) {
          variant |= TFV_NAME;
          next = after;
        }
      }
    } else if (op == 6) {
      if (p < gDeclEnd) store<u16>(a + TFTP_OPTS, <u16>p);
    }
  }
  endRecord(a, next > capEnd ? capEnd : next, variant, gFlags);
}
