// OSPF opaque-LSA bodies built byte by byte for the text tests (RFC 3630/4203/4124 traffic
// engineering, RFC 3623 graceful restart, RFC 4970 router information): every TLV and
// sub-TLV tcpdump names, their wrong lengths, unknown ones, and the float bandwidths at
// their edges (0, tiny, huge, infinite, NaN, a rounding tie). Nothing here decodes: the
// installed tcpdump judges what this writes.

const u16 = (v: number): number[] => [(v >>> 8) & 255, v & 255];
const u32 = (v: number): number[] => [(v >>> 24) & 255, (v >>> 16) & 255, (v >>> 8) & 255, v & 255];
const f32 = (v: number): number[] => { const b = Buffer.alloc(4); b.writeFloatBE(v); return [...b]; };
const pad = (b: number[]): number[] => [...b, ...new Array((4 - (b.length % 4)) % 4).fill(0)];
const tlv = (type: number, value: number[], len = value.length): number[] => [...u16(type), ...u16(len), ...pad(value)];

/** Float bandwidths in bytes per second, bit patterns included. */
const BANDWIDTHS: number[][] = [f32(125000000), f32(1250), f32(0), f32(-0), u32(0x7f800000), u32(0xff800000), u32(0x7fc00001), u32(0xffc00000),
  u32(0x7f7fffff), u32(0x00000001), f32(7812.5), f32(15625), f32(3.90625), f32(123456.789)];

/** A traffic-engineering body: a router address, then links with every sub-TLV. */
export function teTlvs(): number[] {
  const bw = (i: number): number[] => BANDWIDTHS[i % BANDWIDTHS.length];
  const subs: number[] = [
    ...tlv(1, [1]), ...tlv(1, [2]), ...tlv(1, [9]),
    ...tlv(2, [10, 0, 0, 1]), ...tlv(11, [0, 0, 0, 5, 0, 0, 0, 6]), ...tlv(3, [192, 0, 2, 1]), ...tlv(4, [192, 0, 2, 2]),
    ...tlv(5, u32(100)), ...tlv(6, bw(0)), ...tlv(7, bw(1)),
    ...tlv(8, Array.from({ length: 8 }, (_, i) => bw(i + 2)).flat()),
    ...tlv(9, u32(0xdeadbeef)), ...tlv(14, [0x12, 0, 0, 0]), ...tlv(14, [0, 0, 0, 0]),
    ...tlv(15, [51, 2, 0, 0, ...Array.from({ length: 8 }, (_, i) => bw(i + 9)).flat()]),
    ...tlv(15, [7, 77, 0, 0, ...Array.from({ length: 8 }, () => f32(1e9)).flat()]),
    ...tlv(17, [0, 0, 0, 0, ...bw(10), ...bw(11)]), ...tlv(17, [254, 0, 0, 0]), ...tlv(17, [9, 0, 0, 0, ...bw(12), ...bw(13), ...bw(0)]),
    ...tlv(16, [...u32(1), ...u32(2), ...u32(3)]),
    ...tlv(99, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17]),
  ];
  return [...tlv(1, [192, 0, 2, 100]), ...tlv(2, subs), ...tlv(7, [1, 2, 3])];
}

/** Traffic-engineering bodies each ending in a malformed piece (one per body). */
export function teBroken(): number[][] {
  const link = (...subs: number[][]): number[] => tlv(2, subs.flat());
  return [
    link(tlv(9, [1, 2, 3])), link(tlv(2, [1, 2, 3, 4, 5])), link(tlv(3, [1, 2])), link(tlv(6, [1, 2, 3, 4, 5, 6, 7, 8])), link(tlv(8, [1, 2, 3, 4])),
    link(tlv(17, [1, 2])), link(tlv(17, [1, 0, 0, 0, 1, 2])), link(tlv(17, new Array(40).fill(0))), link(tlv(5, [1])), link(tlv(14, [1])),
    link(tlv(15, [1, 2, 3])), link(tlv(1, [1, 2])), link(tlv(16, [1, 2, 3])), link([0, 0, 0, 4, 1, 2, 3, 4]), link([0, 9, 0, 0]),
    link([0, 5, 0, 40, 0, 0, 0, 1]), [...u16(2), ...u16(3), 1, 2, 3, 0], [...tlv(1, [1, 2])], [0, 0, 0, 4, 1, 2, 3, 4], [0, 1, 0, 0],
    [0, 1, 0, 60, 1, 2, 3, 4], [1, 2], [...u16(2), ...u16(6), 0, 1, 0, 2, 1, 0, 0, 0],
  ];
}

/** A graceful-restart body with every TLV, then one unknown. */
export function graceTlvs(): number[] {
  return [...tlv(1, u32(120)), ...tlv(2, [1]), ...tlv(2, [7]), ...tlv(3, [192, 0, 2, 9]), ...tlv(9, [1, 2, 3, 4, 5])];
}

/** Graceful-restart bodies each ending in a malformed TLV. */
export function graceBroken(): number[][] {
  return [tlv(1, [1, 2]), tlv(2, [1, 2]), tlv(3, [1]), [0, 0, 0, 4, 1, 2, 3, 4], [0, 1, 0, 0], [0, 1, 0, 40, 1, 2, 3, 4], [1, 2],
    [...u16(2), ...u16(1), 3, 0, 0]];
}

/** Router-information bodies: capabilities (every bit, none), unknown TLVs, wrong lengths. */
export function riBodies(): number[][] {
  return [
    [...tlv(1, u32(0x3ff)), ...tlv(1, u32(0)), ...tlv(1, u32(0x30)), ...tlv(5, [9, 9, 9])],
    tlv(1, [1, 2]), [0, 1, 0, 40, 1, 2, 3, 4], [1, 2], [...tlv(3, []), ...tlv(1, u32(0x40))], [...u16(1), ...u16(4), 0, 0, 0, 0x10, 0, 2, 0, 3, 1, 2, 3],
  ];
}
