// One Ethernet/IPv4/TCP frame, built by hand for the flow-table tests (test/flows,
// test/flows-rst): MAC addresses 02:00:00:00:00:02 <- 02:00:00:00:00:01, TTL 64, no IP
// checksum (the flow table does not check it), `len` zero bytes of payload.
export interface TcpFrameOptions {
  /** Advertised window (default 65535). */
  win?: number;
  /** A window-scale option (NOP, kind 3) with this shift; none when absent. */
  wscale?: number;
}

export function ipv4Tcp(src: number[], dst: number[], sp: number, dp: number, flags: number, seq: number, ack: number, len: number, o: TcpFrameOptions = {}): Uint8Array {
  const optLen = o.wscale === undefined ? 0 : 4;
  const f = new Uint8Array(14 + 20 + 20 + optLen + len);
  const dv = new DataView(f.buffer);
  f.set([2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1], 0);
  dv.setUint16(12, 0x0800);
  f[14] = 0x45;
  dv.setUint16(16, 40 + optLen + len);
  f[22] = 64;
  f[23] = 6;
  f.set(src, 26);
  f.set(dst, 30);
  dv.setUint16(34, sp);
  dv.setUint16(36, dp);
  dv.setUint32(38, seq >>> 0);
  dv.setUint32(42, ack >>> 0);
  f[46] = (5 + optLen / 4) << 4;
  f[47] = flags;
  dv.setUint16(48, o.win ?? 65535);
  if (o.wscale !== undefined) f.set([1, 3, 3, o.wscale], 54); // NOP, window scale
  return f;
}
