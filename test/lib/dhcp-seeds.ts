// DHCP/BOOTP and DHCPv6 messages built byte by byte (RFC 2131/2132, RFC 8415) for the
// tests: what the corpus does not show (every kept option, plain BOOTP without a cookie, a
// relay agent, option overload, a hostname, DHCPv6 relay-forward with a relayed message,
// IA_NA with an address, every message type) and hostile ones (options of the wrong
// length, an option past the datagram, no End, truncated headers). Nothing here decodes:
// tshark and tcpdump judge what this writes, and the fuzzers start from it.
import { cat, udpFrame, seedFrame, writeSeedCapture, type SeedFrame, rd } from './dns-frames.js';

const u8 = (...v: number[]): Uint8Array => Uint8Array.from(v);
const u16 = (v: number): Uint8Array => u8(v >> 8, v & 0xFF);
const u32 = (v: number): Uint8Array => u8(v >>> 24, (v >>> 16) & 0xFF, (v >>> 8) & 0xFF, v & 0xFF);
const ascii = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'latin1'));
export const opt = (code: number, data: Uint8Array): Uint8Array => cat(u8(code, data.length), data);

export interface BootpOpts { op?: number; htype?: number; hlen?: number; hops?: number; xid?: number; secs?: number; flags?: number; ciaddr?: string; yiaddr?: string; siaddr?: string; giaddr?: string; mac?: string; options?: Uint8Array[] | null; end?: boolean }

export function bootp(o: BootpOpts = {}): Uint8Array {
  const chaddr = new Uint8Array(16);
  chaddr.set((o.mac ?? '00:0c:29:aa:bb:cc').split(':').map((x) => parseInt(x, 16)));
  const fixed = cat(u8(o.op ?? 1, o.htype ?? 1, o.hlen ?? 6, o.hops ?? 0), u32(o.xid ?? 0x12345678), u16(o.secs ?? 0), u16(o.flags ?? 0),
    rd.a(o.ciaddr ?? '0.0.0.0'), rd.a(o.yiaddr ?? '0.0.0.0'), rd.a(o.siaddr ?? '0.0.0.0'), rd.a(o.giaddr ?? '0.0.0.0'), chaddr, new Uint8Array(64 + 128));
  if (o.options === null) return cat(fixed, new Uint8Array(64));
  return cat(fixed, u32(0x63825363), ...(o.options ?? []), ...(o.end === false ? [] : [u8(255)]));
}

export const dhcp6opt = (code: number, data: Uint8Array): Uint8Array => cat(u16(code), u16(data.length), data);
export const dhcp6 = (type: number, xid: number, ...opts: Uint8Array[]): Uint8Array => cat(u8(type, (xid >> 16) & 0xFF, (xid >> 8) & 0xFF, xid & 0xFF), ...opts);

export interface DhcpSeed { name: string; v6: boolean; payload: Uint8Array; caplen?: number; tshark?: { fields: string[]; why: string } }

export function dhcpSeeds(): DhcpSeed[] {
  const duid = dhcp6opt(1, cat(u16(3), u16(1), rd.a('0.1.2.3'), u16(0x0405)));
  const ia = dhcp6opt(3, cat(u32(7), u32(3600), u32(5400), dhcp6opt(5, cat(rd.aaaa('2001:db8::10'), u32(4500), u32(7200)))));
  return [
    { name: 'discover with hostname and request list', v6: false, payload: bootp({ options: [opt(53, u8(1)), opt(12, ascii('laptop')), opt(55, u8(1, 3, 6, 15, 119)), opt(60, ascii('MSFT 5.0')), opt(61, u8(1, 0, 0x0c, 0x29, 0xaa, 0xbb, 0xcc))] }) },
    { name: 'offer with every kept address option', v6: false, payload: bootp({ op: 2, yiaddr: '192.0.2.50', siaddr: '192.0.2.1', options: [opt(53, u8(2)), opt(54, rd.a('192.0.2.1')), opt(51, u32(86400)), opt(1, rd.a('255.255.255.0')), opt(3, cat(rd.a('192.0.2.1'), rd.a('192.0.2.2'))), opt(6, cat(rd.a('192.0.2.53'), rd.a('198.51.100.53'))), opt(15, ascii('example.org'))] }) },
    { name: 'request through a relay agent', v6: false, payload: bootp({ hops: 1, giaddr: '10.0.0.1', flags: 0x8000, secs: 3, options: [opt(53, u8(3)), opt(50, rd.a('192.0.2.50')), opt(54, rd.a('192.0.2.1'))] }) },
    { name: 'plain BOOTP, no cookie', v6: false, payload: bootp({ options: null }) },
    { name: 'not Ethernet (htype 6, hlen 6)', v6: false, payload: bootp({ htype: 6, options: [opt(53, u8(8))] }) },
    { name: 'unknown op', v6: false, payload: bootp({ op: 7, options: [] }) },
    { name: 'option overload', v6: false, payload: bootp({ options: [opt(53, u8(1)), opt(52, u8(3))] }),
      tshark: { fields: ['dhcp.option.type'], why: 'the options that option 52 moves into sname and file are not walked (flagged "overload"); tshark walks them' } },
    { name: 'message type of the wrong length', v6: false, payload: bootp({ options: [opt(53, u8(1, 2)), opt(50, u8(1, 2, 3))] }),
      tshark: { fields: ['dhcp.option.dhcp'], why: 'an option whose length its kind cannot have (RFC 2132 §9.6: 1) is flagged and not read; tshark reads its first byte' } },
    { name: 'option past the datagram', v6: false, payload: cat(bootp({ options: [opt(53, u8(1))], end: false }), u8(12, 40), ascii('short')) },
    { name: 'no End option', v6: false, payload: bootp({ options: [opt(53, u8(1))], end: false }) },
    { name: 'header cut short by the datagram', v6: false, payload: bootp({ options: [] }).subarray(0, 100) },
    { name: 'capture cut in chaddr', v6: false, payload: bootp({ options: [opt(53, u8(1))] }), caplen: 42 + 30 },
    { name: 'DHCPv6 solicit with IA_NA', v6: true, payload: dhcp6(1, 0xabcdef, duid, dhcp6opt(6, cat(u16(23), u16(24))), dhcp6opt(8, u16(0)), ia) },
    { name: 'DHCPv6 relay-forward', v6: true, payload: cat(u8(12, 1), rd.aaaa('2001:db8::1'), rd.aaaa('fe80::2'), dhcp6opt(9, dhcp6(1, 0x112233, duid)), dhcp6opt(18, ascii('eth0'))) },
    { name: 'DHCPv6 option past the datagram', v6: true, payload: cat(dhcp6(3, 0x010203, duid), u16(2), u16(50), u8(1, 2, 3)) },
    { name: 'DHCPv6 three bytes', v6: true, payload: u8(1, 0, 0) },
    { name: 'DHCPv6 unknown type', v6: true, payload: dhcp6(99, 0x000001) },
    ...[2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 14, 15].map((t) => ({ name: `DHCPv6 type ${t}`, v6: true, payload: t === 13 ? cat(u8(13, 0), rd.aaaa('::1'), rd.aaaa('::2')) : dhcp6(t, 0x010101 * t, duid) })),
  ];
}

/** The seeds as Ethernet frames on their ports (67/68, 546/547). */
export function dhcpSeedFrames(): SeedFrame[] {
  return dhcpSeeds().map((s) => {
    const frame = s.v6
      ? udpFrame({ src: 'fe80::1', dst: 'ff02::1:2', sport: 546, dport: 547 }, s.payload)
      : udpFrame({ src: '0.0.0.0', dst: '255.255.255.255', sport: 68, dport: 67 }, s.payload);
    return seedFrame(frame, s.caplen);
  });
}

export function dhcpSeedCapture(dir: string): string {
  return writeSeedCapture(dir, 'dhcp-seeds.pcap', dhcpSeedFrames());
}
