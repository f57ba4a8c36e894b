// The SSH, TFTP and syslog decoders (assembly/app/{ssh,tftp,syslog}.ts and their twins) on
// mutated crafted messages of lib/line-seeds.ts (bytes set to line ends, "<", ">", digits,
// "-", "S", 0 and 0xFF, and cuts): WASM and twin write identical records and never read
// past caplen. Seeded (SEED=...); APP_FUZZ_FRAMES sets how many (default 1 M each).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fuzzApp } from './lib/app-fuzz.js';
import { lineSeedFrames, lineSeeds } from './lib/line-seeds.js';
import {
  APP_SSH, APP_TFTP, APP_SYSLOG, SSH_BANNER, SSH_BANNER_LEN, TFTP_NAME, TFTP_NAME_LEN, TFTP_MODE, TFTP_MODE_LEN, TFTP_OPTS, SYSLOG_MSG,
} from '../host/app/app-layout.js';
import { LINKTYPE_ETHERNET } from '../host/runtime/layout.js';

const le16 = (u8: Uint8Array, p: number): number => u8[p] | (u8[p + 1] << 8);

/** A string slot (u16 offset, u16 length at `o`, `l`) must lie inside the capture. */
function inside(u8: Uint8Array, rec: number, cap: number, o: number, l: number, name: string): string | null {
  const off = le16(u8, rec + o);
  if (off === 0) return null;
  return off + (l < 0 ? 0 : le16(u8, rec + l)) > cap ? `${name} beyond caplen` : null;
}

const CHECKS: Record<string, (u8: Uint8Array, rec: number, cap: number) => string | null> = {
  ssh: (u8, rec, cap) => inside(u8, rec, cap, SSH_BANNER, SSH_BANNER_LEN, 'SSH banner'),
  tftp: (u8, rec, cap) => inside(u8, rec, cap, TFTP_NAME, TFTP_NAME_LEN, 'TFTP name') ?? inside(u8, rec, cap, TFTP_MODE, TFTP_MODE_LEN, 'TFTP mode')
    ?? (le16(u8, rec + TFTP_OPTS) > cap ? 'TFTP options beyond caplen' : null),
  syslog: (u8, rec, cap) => inside(u8, rec, cap, SYSLOG_MSG, -1, 'syslog message'),
};

test('WASM and twin give identical SSH, TFTP and syslog records on mutated frames, never reading past caplen', () => {
  const frames = Number(process.env.APP_FUZZ_FRAMES ?? 1_000_000);
  const all = lineSeedFrames();
  const seedsOf = (proto: string): Array<{ frame: Uint8Array; linktype: number }> =>
    all.filter((_, i) => lineSeeds()[i].proto === proto).map((s) => ({ frame: s.frame, linktype: LINKTYPE_ETHERNET }));
  for (const [proto, id, from] of [['ssh', APP_SSH, 54], ['tftp', APP_TFTP, 42], ['syslog', APP_SYSLOG, 42]] as const) {
    const st = fuzzApp({ proto: id, seeds: seedsOf(proto), frames, from: () => from, special: [0, 0x0a, 0x0d, 0x3c, 0x3e, 0x31, 0x2d, 0x53, 0xff], check: CHECKS[proto] });
    console.log(`app-lines fuzz ${proto}: ${st.frames} frames, ${st.decoded} decoded, ${st.truncated} truncated, ${st.malformed} malformed, ${st.ms} ms`);
    assert.ok(st.decoded > st.frames * 0.5, `${proto}: most mutated frames reach the decoder`);
  }
});

test.run();
