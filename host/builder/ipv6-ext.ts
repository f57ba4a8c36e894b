// IPv6 extension headers for the builder (RFC 8200 §4). Each helper returns the header's
// bytes with its length field set; the builder fills in every "next header" byte when it
// chains them, so a header can be reused in any position.

export interface Ipv6Ext {
  /** The header type as a "next header" value: 0 hop-by-hop, 43 routing, 44 fragment, 60 destination options, 51 AH. */
  type: number;
  bytes: Uint8Array;
}

/** Options area padded to 8-byte units with Pad1/PadN (RFC 8200 §4.2). */
function optionsHeader(type: number, options: Uint8Array): Ipv6Ext {
  const len = Math.ceil((2 + options.length) / 8) * 8;
  const b = new Uint8Array(len);
  b[1] = len / 8 - 1;
  b.set(options, 2);
  const pad = len - 2 - options.length;
  if (pad === 1) b[2 + options.length] = 0;
  else if (pad >= 2) { b[2 + options.length] = 1; b[3 + options.length] = pad - 2; }
  return { type, bytes: b };
}

/** Hop-by-hop options; `options` are TLV-encoded option bytes (padding is added). */
export function hopByHop(options: Uint8Array = new Uint8Array(0)): Ipv6Ext {
  return optionsHeader(0, options);
}

export function destinationOptions(options: Uint8Array = new Uint8Array(0)): Ipv6Ext {
  return optionsHeader(60, options);
}

/** A routing header: `data` follows the 4 fixed bytes (type-specific, padded to 8 bytes). */
export function routing(routingType: number, segmentsLeft: number, data: Uint8Array = new Uint8Array(4)): Ipv6Ext {
  const len = Math.ceil((4 + data.length) / 8) * 8;
  const b = new Uint8Array(len);
  b[1] = len / 8 - 1;
  b[2] = routingType;
  b[3] = segmentsLeft;
  b.set(data, 4);
  return { type: 43, bytes: b };
}

/** A fragment header: offset in bytes (a multiple of 8), more-fragments flag, identification. */
export function fragment(offset: number, more: boolean, id: number): Ipv6Ext {
  const b = new Uint8Array(8);
  const w = (offset & 0xFFF8) | (more ? 1 : 0);
  b[2] = w >>> 8;
  b[3] = w & 0xFF;
  new DataView(b.buffer).setUint32(4, id >>> 0);
  return { type: 44, bytes: b };
}
