// IGMP (RFC 1112, 2236, 3376; mtrace) and OSPFv2 (RFC 2328) messages built byte by byte in
// IPv4 frames (protocol 2 with the Router Alert option, 89), for the text tests: every IGMP
// type tcpdump names, v3 queries and reports with sources, lengths tcpdump calls invalid,
// a bad checksum; OSPF packets of every type, MD5-authenticated (tcpdump leaves the digest
// out of the length) or not, an unknown type and version, lengths that disagree.

/** RFC 1071's checksum of `m`. */
function inetChecksum(m: Uint8Array): number {
  let s = 0;
  for (let i = 0; i + 1 < m.length; i += 2) s += (m[i] << 8) | m[i + 1];
  if (m.length & 1) s += m[m.length - 1] << 8;
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return ~s & 0xffff;
}

const ip4 = (s: string): number[] => s.split('.').map(Number);
const be16 = (n: number): number[] => [(n >>> 8) & 255, n & 255];
const be32 = (n: number): number[] => [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];

export interface L3Seed { name: string; proto: 2 | 89; payload: Uint8Array; dst: string }

/** An Ethernet + IPv4 frame carrying `payload` as protocol `proto` (IGMP with Router Alert). */
export function ipv4Frame(proto: number, payload: Uint8Array, src: string, dst: string): Uint8Array {
  const opts = proto === 2 ? [0x94, 0x04, 0x00, 0x00] : [];
  const hlen = 20 + opts.length;
  const ip = [0x40 | (hlen / 4), proto === 89 ? 0xc0 : 0, ...be16(hlen + payload.length), 0x12, 0x34, 0, 0, 1, proto, 0, 0, ...ip4(src), ...ip4(dst), ...opts];
  const sum = inetChecksum(Uint8Array.from(ip));
  ip[10] = sum >>> 8; ip[11] = sum & 255;
  const eth = [0x01, 0x00, 0x5e, 0, 0, 1, 0x02, 0, 0, 0, 0, 1, 0x08, 0x00];
  return Uint8Array.from([...eth, ...ip, ...payload]);
}

/** An IGMP message with its checksum set (or deliberately wrong). */
function igmp(bytes: number[], badSum = false): Uint8Array {
  const m = Uint8Array.from(bytes);
  m[2] = 0; m[3] = 0;
  const sum = inetChecksum(m) ^ (badSum ? 0x0101 : 0);
  m[2] = sum >>> 8; m[3] = sum & 255;
  return m;
}

/** An OSPFv2 packet: header (version, type, router id, area, authentication) and body; MD5
 *  authentication appends a 16-byte digest that the OSPF length leaves out (RFC 2328 D.4.3). */
function ospf(type: number, body: number[], o: { version?: number; md5?: boolean; lenDelta?: number; area?: string } = {}): Uint8Array {
  const len = 24 + body.length + (o.lenDelta ?? 0);
  const auth = o.md5 === true ? [0, 2, 0, 0, 1, 16, ...be32(0x5a834112)] : [0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
  const head = [o.version ?? 2, type, ...be16(len), ...ip4('192.168.255.15'), ...ip4(o.area ?? '0.0.0.0'), 0, 0, ...auth];
  const digest = o.md5 === true ? new Array<number>(16).fill(0xab) : [];
  return Uint8Array.from([...head.slice(0, 24), ...body, ...digest]);
}

/** An OSPFv2 LSA: the 20-byte header (age, options, type, id, advertising router, sequence
 *  number, checksum, length) and its body. */
function lsa(type: number, id: string, body: number[], age = 30): number[] {
  return [...be16(age), 0x22, type, ...ip4(id), ...ip4('192.168.255.11'), ...be32(0x80000002 + type), ...be16(0x1234 + type), ...be16(20 + body.length), ...body];
}
const routerLsa = lsa(1, '192.168.255.11', [0, 0, 0, 1, ...ip4('192.168.121.0'), ...ip4('255.255.255.0'), 3, 0, 0, 10]);
const networkLsa = lsa(2, '192.168.121.4', [...ip4('255.255.255.0'), ...ip4('192.168.255.11'), ...ip4('192.168.255.14')]);
const opaqueLsa = lsa(10, '200.0.0.7', [0, 1, 0, 4, 1, 2, 3, 4]);

const hello = [...ip4('255.255.255.0'), 0, 10, 0x02, 1, 0, 0, 0, 40, ...ip4('192.168.121.4'), ...ip4('192.168.121.5'), ...ip4('192.168.255.11')];

export function l3Seeds(): L3Seed[] {
  const g = (name: string, bytes: number[], dst = '224.0.0.1', bad = false): L3Seed => ({ name, proto: 2, payload: igmp(bytes, bad), dst });
  const o = (name: string, p: Uint8Array, dst = '224.0.0.5'): L3Seed => ({ name, proto: 89, payload: p, dst });
  const grp = ip4('239.1.2.3');
  return [
    g('v1 query', [0x11, 0, 0, 0, 0, 0, 0, 0]),
    g('v2 general query', [0x11, 100, 0, 0, 0, 0, 0, 0]),
    g('v2 group query', [0x11, 10, 0, 0, ...grp], '239.1.2.3'),
    g('v2 query, 10 bytes', [0x11, 20, 0, 0, ...grp, 0, 0]),
    g('v3 general query', [0x11, 100, 0, 0, 0, 0, 0, 0, 0x02, 125, 0, 0]),
    g('v3 query, mrc 200, two sources', [0x11, 200, 0, 0, ...grp, 0x0a, 20, 0, 2, ...ip4('10.0.0.1'), ...ip4('10.0.0.2')]),
    g('v3 query, mrc 0xff', [0x11, 0xff, 0, 0, ...grp, 0, 0, 0, 0]),
    g('v3 query, too many sources', [0x11, 50, 0, 0, ...grp, 0, 0, 0, 9, ...ip4('10.0.0.1')]),
    g('v3 query, invalid length', [0x11, 50, 0, 0, ...grp, 0, 0, 0, 0, 1, 2]),
    g('v1 report', [0x12, 0, 0, 0, ...grp], '239.1.2.3'),
    g('v1 report, 12 bytes', [0x12, 0, 0, 0, ...grp, 0, 0, 0, 0], '239.1.2.3'),
    g('v2 report', [0x16, 0, 0, 0, ...grp], '239.1.2.3'),
    g('leave', [0x17, 0, 0, 0, ...grp], '224.0.0.2'),
    g('v3 report', [0x22, 0, 0, 0, 0, 0, 0, 3, 1, 0, 0, 1, ...grp, ...ip4('10.1.1.1'), 4, 0, 0, 0, ...ip4('239.9.9.9'), 9, 0, 0, 2, ...ip4('239.7.7.7'), ...ip4('10.2.2.2'), ...ip4('10.3.3.3')], '224.0.0.22'),
    g('v3 report, too many groups', [0x22, 0, 0, 0, 0, 0, 0, 5, 2, 0, 0, 0, ...grp], '224.0.0.22'),
    g('v3 report, too many sources', [0x22, 0, 0, 0, 0, 0, 0, 1, 2, 0, 0, 7, ...grp, ...ip4('10.1.1.1')], '224.0.0.22'),
    g('v3 report, invalid length', [0x22, 0, 0, 0, 0, 0, 0, 1, 2, 0], '224.0.0.22'),
    g('mtrace', [0x1f, 32, 0, 0, ...grp, ...ip4('10.0.0.1'), ...ip4('10.0.0.2'), ...ip4('224.0.1.32'), 64, 0x01, 0x02, 0x03], '224.0.0.2'),
    g('mresp', [0x1e, 0, 0, 0, ...grp, ...ip4('10.0.0.1'), ...ip4('10.0.0.2'), ...ip4('10.9.9.9'), 64, 0, 0, 7], '10.9.9.9'),
    g('mtrace, short', [0x1f, 0, 0, 0, ...grp, 1, 2, 3, 4], '224.0.0.2'),
    g('dvmrp, short', [0x13, 0, 0, 0, 1, 2], '224.0.0.4'),
    g('type 0x99', [0x99, 0, 0, 0, ...grp]),
    g('v2 report, bad checksum', [0x16, 0, 0, 0, ...grp], '239.1.2.3', true),
    o('hello', ospf(1, hello)),
    o('hello, MD5', ospf(1, hello, { md5: true })),
    o('database description', ospf(2, [5, 0xdc, 0x52, 0x07, ...be32(0x81)]), '192.168.121.4'),
    o('LS request', ospf(3, [0, 0, 0, 1, ...ip4('192.168.255.11'), ...ip4('192.168.255.11')], { md5: true }), '192.168.121.4'),
    o('LS update', ospf(4, [0, 0, 0, 0]), '224.0.0.6'),
    o('LS ack', ospf(5, [], { area: '0.0.0.1' })),
    o('database description with LSA headers', ospf(2, [5, 0xdc, 0x52, 0x02, ...be32(0x82), ...routerLsa.slice(0, 20), ...networkLsa.slice(0, 20)]), '192.168.121.4'),
    o('LS update, router, network and opaque LSAs', ospf(4, [0, 0, 0, 3, ...routerLsa, ...networkLsa, ...opaqueLsa]), '224.0.0.5'),
    o('LS ack of three LSAs, MD5', ospf(5, [...routerLsa.slice(0, 20), ...networkLsa.slice(0, 20), ...opaqueLsa.slice(0, 20)], { md5: true })),
    o('type 9', ospf(9, [1, 2, 3, 4])),
    o('version 3 over IPv4', ospf(1, hello, { version: 3 })),
    o('OSPF length short of the packet', ospf(1, hello, { lenDelta: -8 })),
    o('MD5, 12 bytes in all', Uint8Array.of(2, 1, 0, 12, 1, 2, 3, 4, 0, 0, 0, 0, 0, 2, 0, 0)),
  ];
}

export function l3SeedFrames(): Uint8Array[] {
  return l3Seeds().map((s) => ipv4Frame(s.proto, s.payload, s.proto === 2 ? '192.168.11.201' : '192.168.121.5', s.dst));
}
