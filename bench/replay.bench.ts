// replay.js over a veth pair (namespaces made here, removed on exit): achieved pps at
// --topspeed through our libpcap addon (batched pcap_inject) and through cap's send, with
// what the peer device counted; then a rate ladder with a capture running at the far end
// (tcpdump, and the sniffer when its live capture is available) to find the highest rate
// each receives with zero drops. Needs root; prints a SKIP line otherwise.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEngine } from '../host/engine/engine.js';
import { Builder } from '../host/builder/builder.js';
import { PcapWriter } from '../host/sinks/pcap-writer.js';
import { LINKTYPE_ETHERNET } from '../host/runtime/layout.js';
import { createNetnsPair, destroyNetnsPair, nsExec, type NetnsPair } from '../test/lib/netns.js';
import { sized } from './lib/results.js';

if (typeof process.getuid !== 'function' || process.getuid() !== 0) {
  console.log('SKIP replay bench: needs root (network namespaces, libpcap injection)');
  process.exit(0);
}

const FRAMES = sized(200_000, 2_000);
const dir = mkdtempSync(join(tmpdir(), 'pktwasm-replay-bench-'));
const file = join(dir, 'frames.pcap');
{
  const b = new Builder(createEngine());
  const w = PcapWriter.open(file, { linktype: LINKTYPE_ETHERNET });
  for (let i = 0; i < FRAMES; i++) {
    const x = b.bytes({
      eth: { src: '02:00:00:00:00:0a', dst: 'ff:ff:ff:ff:ff:ff' }, ip: { src: '198.51.100.1', dst: '198.51.100.2', id: i & 0xFFFF },
      udp: { srcport: 40000, dstport: 9 }, payload: new Uint8Array(18),
    });
    w.writeRecord(0, i * 1000, x.length, x.length, x); // 60-byte frames, the Ethernet minimum
  }
  w.close();
}

function rx(p: NetnsPair): number {
  const s = nsExec(p.b, 'ip', ['-s', '-j', 'link', 'show', p.ifB]);
  return (JSON.parse(s.stdout) as Array<{ stats64: { rx: { packets: number } } }>)[0].stats64.rx.packets;
}

function runReplay(p: NetnsPair, args: string[]): { pps: number; frames: number; line: string } {
  const r = nsExec(p.a, process.execPath, ['host/replay.js', '-i', p.ifA, ...args, file], 120_000);
  const m = /sent (\d+) frames .* ([\d]+) pps/.exec(r.stdout);
  return { pps: m ? Number(m[2]) : NaN, frames: m ? Number(m[1]) : 0, line: (r.stdout + r.stderr).trim() };
}

/** Starts a capture in namespace b; returns a stop() giving its kernel drop count. */
async function startCapture(p: NetnsPair, kind: 'tcpdump' | 'sniff'): Promise<(() => Promise<number>) | null> {
  const args = kind === 'tcpdump'
    ? ['tcpdump', '-Z', 'root', '-i', p.ifB, '-n', '-w', '/dev/null', 'udp port 9']
    : [process.execPath, 'host/sniff.js', '-i', p.ifB, '-w', '/dev/null', 'udp port 9'];
  const child = spawn('ip', ['netns', 'exec', p.b, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  child.stdout!.on('data', (c: Buffer) => { text += c.toString(); });
  child.stderr!.on('data', (c: Buffer) => { text += c.toString(); });
  const exited = once(child, 'exit');
  for (let i = 0; i < 60 && !/listening on/i.test(text) && child.exitCode === null; i++) await new Promise((r) => setTimeout(r, 50));
  if (child.exitCode !== null || !/listening on/i.test(text)) {
    child.kill('SIGKILL');
    console.log(`NOTE ${kind} did not start a live capture: ${text.trim().split('\n')[0] ?? ''}`);
    return null;
  }
  return async () => {
    await new Promise((r) => setTimeout(r, 300));
    child.kill('SIGINT');
    await exited;
    const m = /(\d+) packets? dropped by kernel/.exec(text);
    return m ? Number(m[1]) : NaN;
  };
}

const p = createNetnsPair('bench');
try {
  console.log(`\nreplay over a veth pair: ${FRAMES} frames of 60 bytes`);
  console.log('mode                         achieved pps   delivered (peer rx)');
  for (const backend of ['pcap', 'cap']) {
    const before = rx(p);
    const r = runReplay(p, ['--topspeed', '--backend', backend]);
    const got = rx(p) - before;
    console.log(`${`--topspeed (${backend})`.padEnd(29)}${(Number.isNaN(r.pps) ? r.line : String(r.pps)).padStart(12)}   ${got}`);
  }
  for (const kind of ['tcpdump', 'sniff'] as const) {
    let best = 0;
    const ladder: string[] = [];
    for (const rate of [50_000, 100_000, 150_000, 200_000, 300_000]) {
      const stop = await startCapture(p, kind);
      if (stop === null) break;
      const r = runReplay(p, ['--pps', String(rate)]);
      const drops = await stop();
      ladder.push(`${rate}: achieved ${r.pps} pps, ${drops} dropped`);
      if (drops === 0) best = Math.max(best, r.pps);
      // Stop at the first drop, or once the sender itself cannot go faster.
      if (drops !== 0 || r.pps < rate * 0.8) break;
    }
    if (ladder.length) {
      console.log(`\n${kind} at the far end, rate ladder:\n  ${ladder.join('\n  ')}`);
      console.log(`${kind} zero-drop rate: >= ${best} pps${best === 0 ? ' (dropped at the lowest rate tried)' : ' (the highest rate offered without a drop; the sender shares the CPU)'}`);
    }
  }
} finally {
  destroyNetnsPair(p);
  rmSync(dir, { recursive: true, force: true });
}
