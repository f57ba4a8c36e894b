// SYN cookies: the server answers an open without allocating anything. Its initial
// sequence number (which is also its connection id) is a keyed hash of the client's
// address, port, ISN and a coarse time slot; the handshake's final ACK must echo it
// (ack = cookie + 1) from the same address with seq = client ISN + 1. Only then is a PCB
// allocated. A spoofed open never sees the SYN-ACK and so cannot complete.
import { createHmac, randomBytes } from 'node:crypto';

const SLOT_MS = 64_000;

export class CookieJar {
  private readonly key: Buffer;
  private readonly slotMs: number;

  constructor(slotMs = SLOT_MS) {
    this.key = randomBytes(32);
    this.slotMs = slotMs;
  }

  private mac(addr: string, port: number, isn: number, slot: number): number {
    const h = createHmac('sha256', this.key);
    h.update(`${addr}|${port}|${isn >>> 0}|${slot}`);
    const d = h.digest();
    // The low bit carries the slot parity so validation knows which slot to recompute;
    // a zero cookie is avoided because 0 means "no connection id" in a SYN.
    const v = ((d.readUInt32BE(0) & ~1) | (slot & 1)) >>> 0;
    return v === 0 ? 2 : v;
  }

  make(addr: string, port: number, isn: number, now = Date.now()): number {
    return this.mac(addr, port, isn, Math.floor(now / this.slotMs));
  }

  /** True if `cookie` was issued for this peer and ISN in this slot or the previous one. */
  check(addr: string, port: number, isn: number, cookie: number, now = Date.now()): boolean {
    const slot = Math.floor(now / this.slotMs);
    const s = (cookie & 1) === (slot & 1) ? slot : slot - 1;
    return this.mac(addr, port, isn, s) === cookie >>> 0;
  }
}
