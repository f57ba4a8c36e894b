// Mutated and cut copies of seed frames for the tests that compare our text with tcpdump's
// on hostile input (app-dns-text, app-http, app-lines, app-l3-lines, app-ntp): each frame
// is a seed picked at random with one to three bytes from the message on replaced, and one
// in four is captured only up to a random length from the message on.
import type { Rng } from './env.js';

export interface MutatedFrames { frames: Uint8Array[]; caplens: number[] }

/**
 * `count` mutated frames of `seeds`. `from(frame)` is where the message starts (bytes
 * before it are left alone and always captured); `byte()` is the value written at each
 * mutated position (each test's bytes that matter to its printer).
 */
export function mutateAndCut(rng: Rng, seeds: Uint8Array[], count: number, from: (f: Uint8Array) => number, byte: () => number): MutatedFrames {
  const frames: Uint8Array[] = [];
  const caplens: number[] = [];
  for (let i = 0; i < count; i++) {
    const f = Uint8Array.from(seeds[rng.u32() % seeds.length]);
    const start = from(f);
    for (let k = 1 + (rng.u32() % 3); k > 0; k--) {
      const p = start + (rng.u32() % Math.max(1, f.length - start));
      if (p < f.length) f[p] = byte();
    }
    frames.push(f);
    caplens.push(rng.u32() % 4 === 0 ? Math.min(f.length, start + (rng.u32() % Math.max(1, f.length - start + 1))) : f.length);
  }
  return { frames, caplens };
}
