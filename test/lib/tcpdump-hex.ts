// The bytes of every frame in a capture file as `tcpdump -xx` reads them, as hex: what the
// live tests check a capture against (an independent reader of the file).
import { spawnSync } from 'node:child_process';

/** One lowercase hex string per frame, link header included. */
export function tcpdumpFrameHex(file: string): string[] {
  const r = spawnSync('tcpdump', ['-r', file, '-nn', '-xx'], { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`tcpdump -r ${file}: ${r.stderr}`);
  const frames: string[] = [];
  let hex = '';
  for (const line of r.stdout.split('\n')) {
    const m = /^\s+0x[0-9a-f]+:\s+((?:[0-9a-f]{2,4}\s?)+)/.exec(line);
    if (m) hex += m[1].replace(/\s/g, '');
    else if (hex !== '') { frames.push(hex); hex = ''; }
  }
  if (hex !== '') frames.push(hex);
  return frames;
}
