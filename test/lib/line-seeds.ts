// SSH version lines, TFTP packets and syslog messages built byte by byte (RFC 4253 §4.2,
// RFC 1350/2347, RFC 5424/3164) for the tests, on their ports, each from a port of its own
// (tshark follows a UDP conversation once it saw TFTP on it): well-formed ones and hostile
// ones (no line end, a bare CR, control characters, strings without their NUL, PRI without
// ">", too many digits, cuts).
import { udpFrame, tcpFrame, writePcap, seedFrame, writeSeedCapture, type SeedFrame } from './dns-frames.js';

const b = (s: string): number[] => [...Buffer.from(s, 'latin1')];

export interface LineSeed { name: string; proto: 'ssh' | 'tftp' | 'syslog'; payload: Uint8Array; caplen?: number }

export function lineSeeds(): LineSeed[] {
  const ssh = (name: string, s: string): LineSeed => ({ name, proto: 'ssh', payload: Uint8Array.from(b(s)) });
  const tftp = (name: string, v: number[]): LineSeed => ({ name, proto: 'tftp', payload: Uint8Array.from(v) });
  const sys = (name: string, s: string): LineSeed => ({ name, proto: 'syslog', payload: Uint8Array.from(b(s)) });
  return [
    ssh('OpenSSH banner', 'SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n'), ssh('LF only', 'SSH-2.0-x\n'), ssh('no line end', 'SSH-2.0-nocrlf'),
    ssh('bare CR', 'SSH-1.99-a\rb\r\n'), ssh('not SSH', 'SSX-2.0\r\n'), ssh('control character', 'SSH-2.0-a\x01b\r\n'),
    { name: 'binary packet', proto: 'ssh', payload: Uint8Array.of(0, 0, 1, 0x0c, 0x0a, 0x14, 1, 2, 3) },
    tftp('RRQ', [0, 1, ...b('file.txt'), 0, ...b('octet'), 0]), tftp('WRQ with options', [0, 2, ...b('up.bin'), 0, ...b('netascii'), 0, ...b('blksize'), 0, ...b('1428'), 0]),
    tftp('DATA', [0, 3, 0, 1, 1, 2, 3]), tftp('ACK', [0, 4, 0, 9]), tftp('ERROR', [0, 5, 0, 1, ...b('File not found'), 0]),
    tftp('ERROR code 9', [0, 5, 0, 9, ...b('x'), 0]), tftp('OACK', [0, 6, ...b('blksize'), 0, ...b('1432'), 0]), tftp('opcode 9', [0, 9, 1]),
    tftp('RRQ without NUL', [0, 1, ...b('noterm')]), tftp('RRQ without mode', [0, 1, ...b('f'), 0]), tftp('one byte', [0]),
    tftp('name with high bytes', [0, 1, 0xC3, 0xA9, 0x01, 0, ...b('octet'), 0]),
    sys('RFC 3164', '<34>Oct 11 22:14:15 mymachine su: test'), sys('RFC 5424', '<165>1 2003-08-24T05:14:15.000003-07:00 host app - ID47 - msg'),
    sys('PRI 999', '<999>x'), sys('no PRI', 'no pri'), sys('cut PRI', '<13'), sys('empty message', '<0>'), sys('four digits', '<1234>x'),
    sys('control characters', '<13>tab\there\x01\xff'), { name: 'UTF-8 message', proto: 'syslog', payload: Uint8Array.from(Buffer.from('<13>café \\ ü\r\n', 'utf8')) },
    ssh('backslash, tab and a high byte', 'SSH-2.0-\\a\tb\xe9\r\n'),
    { name: 'syslog cut by the capture', proto: 'syslog', payload: Uint8Array.from(b('<14>a long message')), caplen: 42 + 8 },
  ];
}

export function lineSeedFrames(): SeedFrame[] {
  return lineSeeds().map((s, i) => {
    const e = { src: '192.0.2.50', dst: '192.0.2.60', sport: 30000 + i * 7, dport: s.proto === 'ssh' ? 22 : s.proto === 'tftp' ? 69 : 514 };
    const frame = s.proto === 'ssh' ? tcpFrame(e, s.payload, false, 1000 + i * 1000) : udpFrame(e, s.payload);
    return seedFrame(frame, s.caplen);
  });
}

export function lineSeedCapture(dir: string): string {
  return writeSeedCapture(dir, 'line-seeds.pcap', lineSeedFrames());
}

/** A pcap of any number of frames, their times one millisecond apart with the microseconds
 *  always under a million (dns-frames' writePcap writes i * 1000 there, which tcpdump and
 *  sniff print differently past 4,294,967). */
export function writeManyPcap(path: string, frames: Uint8Array[], caplens: number[]): void {
  writePcap(path, frames, caplens, (i) => [1700000000 + Math.floor(i / 1000), (i % 1000) * 1000]);
}
