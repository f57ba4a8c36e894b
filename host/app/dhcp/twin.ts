// Pure-TS twin of assembly/app/dhcp.ts: the same walk, the same bounds checks, the same
// record bytes (test/app-dhcp-fuzz.test.ts demands identical records on mutated frames).
import { DecoderTwin, cutFlag } from '../twin-memory.js';
import {
  APP_DHCP, AF_TRUNC, AF_MALFORMED, AF_MORE,
  DHV_COOKIE, DHV_END, DHV_OVERLOAD,
  DHCP_OP, DHCP_HTYPE, DHCP_HLEN, DHCP_HOPS, DHCP_XID, DHCP_SECS, DHCP_FLAGS, DHCP_CIADDR, DHCP_YIADDR, DHCP_SIADDR,
  DHCP_GIADDR, DHCP_CHADDR, DHCP_MSG_TYPE, DHCP_OPT_COUNT, DHCP_HAVE, DHCP_OPTIONS, DHCP_REQ_IP, DHCP_SERVER_ID,
  DHCP_LEASE, DHCP_SUBNET, DHCP_HOSTNAME, DHCP_ROUTER, DHCP_DNS, DHCP_DOMAIN, DHCP_PRL, DHCP_VENDOR, DHCP_CLIENT_ID,
  DHCP_CODES, DHCP_CODE_MAX, DHH_REQ_IP, DHH_SERVER_ID, DHH_LEASE, DHH_SUBNET,
} from '../app-layout.js';

const COOKIE = 0x63825363;
const BOOTP_FIXED = 236;

export class DhcpTwin extends DecoderTwin {
  private keep32(f: number, a: number, d: number, len: number, at: number, bit: number): boolean {
    if (len !== 4) return false;
    const mem = this.mem;
    const have = mem.m16[(a + DHCP_HAVE) >>> 1];
    if ((have & bit) === 0) {
      mem.put32(a + at, mem.be32(f + d));
      mem.put16(a + DHCP_HAVE, have | bit);
    }
    return true;
  }

  private keepOff(a: number, at: number, d: number): void {
    if (this.mem.m16[(a + at) >>> 1] === 0) this.mem.put16(a + at, d);
  }

  /** dhcp_decode(f, pay, payLen, capEnd, variant, a) of assembly/app/dhcp.ts. */
  decode(f: number, pay: number, payLen: number, capEnd: number, variant: number, a: number): void {
    const mem = this.mem;
    const u8 = mem.m;
    let flags = 0;
    const declEnd = pay + payLen;
    capEnd = mem.beginRecord(a, APP_DHCP, pay, payLen, capEnd, DHCP_OP, DHCP_CODES + 4);
    let next = pay;
    const m = f + pay;
    if (pay + BOOTP_FIXED > capEnd) {
      flags |= cutFlag(pay + BOOTP_FIXED, declEnd);
      if (pay + 4 <= capEnd) {
        mem.put8(a + DHCP_OP, u8[m]);
        mem.put8(a + DHCP_HTYPE, u8[m + 1]);
        mem.put8(a + DHCP_HLEN, u8[m + 2]);
        mem.put8(a + DHCP_HOPS, u8[m + 3]);
        next = pay + 4;
      }
      if (pay + 12 <= capEnd) {
        mem.put32(a + DHCP_XID, mem.be32(m + 4));
        mem.put16(a + DHCP_SECS, mem.be16(m + 8));
        mem.put16(a + DHCP_FLAGS, mem.be16(m + 10));
        next = pay + 12;
      }
      if (pay + 28 <= capEnd) {
        mem.put32(a + DHCP_CIADDR, mem.be32(m + 12));
        mem.put32(a + DHCP_YIADDR, mem.be32(m + 16));
        mem.put32(a + DHCP_SIADDR, mem.be32(m + 20));
        mem.put32(a + DHCP_GIADDR, mem.be32(m + 24));
        next = pay + 28;
      }
      if (pay + 44 <= capEnd) { mem.put16(a + DHCP_CHADDR, pay + 28); next = pay + 44; }
      mem.endRecord(a, next, variant, flags);
      return;
    }
    mem.put8(a + DHCP_OP, u8[m]);
    mem.put8(a + DHCP_HTYPE, u8[m + 1]);
    mem.put8(a + DHCP_HLEN, u8[m + 2]);
    mem.put8(a + DHCP_HOPS, u8[m + 3]);
    mem.put32(a + DHCP_XID, mem.be32(m + 4));
    mem.put16(a + DHCP_SECS, mem.be16(m + 8));
    mem.put16(a + DHCP_FLAGS, mem.be16(m + 10));
    mem.put32(a + DHCP_CIADDR, mem.be32(m + 12));
    mem.put32(a + DHCP_YIADDR, mem.be32(m + 16));
    mem.put32(a + DHCP_SIADDR, mem.be32(m + 20));
    mem.put32(a + DHCP_GIADDR, mem.be32(m + 24));
    mem.put16(a + DHCP_CHADDR, pay + 28);
    next = pay + BOOTP_FIXED;
    if (pay + BOOTP_FIXED + 4 > capEnd) {
      if (pay + BOOTP_FIXED + 4 <= declEnd) flags |= AF_TRUNC;
    } else if (mem.be32(m + BOOTP_FIXED) === COOKIE) {
      variant |= DHV_COOKIE;
      let p = pay + BOOTP_FIXED + 4;
      mem.put16(a + DHCP_OPTIONS, p);
      let n = 0;
      for (;;) {
        if (p >= declEnd) break;
        if (p >= capEnd) { flags |= AF_TRUNC; break; }
        const code = u8[f + p];
        if (code === 0) { p++; continue; }
        if (n < DHCP_CODE_MAX) mem.put8(a + DHCP_CODES + n, code);
        else flags |= AF_MORE;
        if (n < 255) n++;
        if (code === 255) { variant |= DHV_END; p++; break; }
        if (p + 2 > capEnd) { flags |= cutFlag(p + 2, declEnd); break; }
        const len = u8[f + p + 1];
        const d = p + 2;
        const e = d + len;
        if (e > declEnd) { flags |= AF_MALFORMED; break; }
        if (e > capEnd) { flags |= AF_TRUNC; break; }
        let ok = true;
        if (code === 53) { ok = len === 1; if (ok && u8[a + DHCP_MSG_TYPE] === 0) mem.put8(a + DHCP_MSG_TYPE, u8[f + d]); }
        else if (code === 50) ok = this.keep32(f, a, d, len, DHCP_REQ_IP, DHH_REQ_IP);
        else if (code === 54) ok = this.keep32(f, a, d, len, DHCP_SERVER_ID, DHH_SERVER_ID);
        else if (code === 51) ok = this.keep32(f, a, d, len, DHCP_LEASE, DHH_LEASE);
        else if (code === 1) ok = this.keep32(f, a, d, len, DHCP_SUBNET, DHH_SUBNET);
        else if (code === 3 || code === 6) {
          ok = len >= 4 && (len & 3) === 0;
          if (ok) this.keepOff(a, code === 3 ? DHCP_ROUTER : DHCP_DNS, d);
        }
        else if (code === 12) { ok = len >= 1; if (ok) this.keepOff(a, DHCP_HOSTNAME, d); }
        else if (code === 15) { ok = len >= 1; if (ok) this.keepOff(a, DHCP_DOMAIN, d); }
        else if (code === 55) { ok = len >= 1; if (ok) this.keepOff(a, DHCP_PRL, d); }
        else if (code === 60) { ok = len >= 1; if (ok) this.keepOff(a, DHCP_VENDOR, d); }
        else if (code === 61) { ok = len >= 2; if (ok) this.keepOff(a, DHCP_CLIENT_ID, d); }
        else if (code === 52) { ok = len === 1; if (ok) variant |= DHV_OVERLOAD; }
        if (!ok) flags |= AF_MALFORMED;
        p = e;
      }
      mem.put8(a + DHCP_OPT_COUNT, n);
      next = p > capEnd ? capEnd : p;
    }
    mem.endRecord(a, next, variant, flags);
  }
}
