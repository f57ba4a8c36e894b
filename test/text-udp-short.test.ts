// UDP datagrams with no payload or a few bytes, to every port whose printer the text sink
// has: tcpdump calls the port's printer even on nothing (dns-zlip-1.pcap: "domain [length 0
// < 12] (invalid)"; " [|bootp]", "TFTP, length 0 [|tftp]", "VXLAN (invalid)", "Geneve
// [length 0 < 8] (invalid)" ...), and reads nothing past the IP datagram: each datagram is
// also sent in an Ethernet frame padded to 60 bytes, whose padding must not be read as
// payload. Every line equals the installed tcpdump's at -v levels 0-3, on both engines.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writePcap } from './filter-oracle.js';
import { tcpdumpText } from './text-output-tcpdump.js';
import { sniffPackets } from './lib/sniff-text.js';
import { haveTool } from './lib/env.js';
import { udpFrame } from './lib/dns-frames.js';
import { LINKTYPE_ETHERNET } from '../host/runtime/layout.js';

const PORTS = [53, 5353, 5355, 69, 67, 68, 123, 514, 546, 547, 443, 4789, 6081];

test('short UDP payloads to each printer\'s port, bare and in padded frames: tcpdump\'s lines at -v levels 0-3', () => {
  if (!haveTool('tcpdump')) return;
  const frames: Array<{ data: Uint8Array; wirelen: number }> = [];
  for (const port of PORTS) {
    for (const n of [0, 1, 2, 3, 5]) {
      for (const fill of [0, 1, 0x3c]) {
        if (n === 0 && fill !== 0) continue;
        const f = udpFrame({ src: '10.0.0.1', dst: '10.0.0.2', sport: 40000, dport: port }, new Uint8Array(n).fill(fill));
        frames.push({ data: f, wirelen: f.length });
        const padded = new Uint8Array(60).fill(0x55);
        padded.set(f);
        if (f.length < 60) frames.push({ data: padded, wirelen: 60 });
      }
    }
  }
  const dir = mkdtempSync(join(tmpdir(), 'udp-short-'));
  try {
    const file = join(dir, 'udp-short.pcap');
    writePcap(file, LINKTYPE_ETHERNET, frames);
    const problems: string[] = [];
    let lines = 0;
    for (const level of [[], ['-v'], ['-vv'], ['-vvv']]) {
      const args = ['-nn', '-t', ...level];
      const theirs = tcpdumpText(file, args);
      problems.push(...theirs.problems);
      for (const engine of ['wasm', 'ts'] as const) {
        sniffPackets(file, args, theirs.packets.length, engine).forEach((line, i) => {
          if (line === theirs.packets[i]) lines++;
          else problems.push(`${args.join(' ')} ${engine} #${i + 1}\n     ours: ${JSON.stringify(line)}\n     tcpd: ${JSON.stringify(theirs.packets[i])}`);
        });
      }
    }
    assert.equal(problems.slice(0, 40), [], `${problems.length} differences`);
    assert.is(lines, frames.length * 8);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
