// The DHCP/BOOTP and DHCPv6 decoders on hostile input (lib/app-fuzz.ts): WASM and its TS
// twin decode mutated frames into byte-identical app records, never throw, never read past
// the captured length, and every offset the record holds (chaddr, kept options, DHCPv6
// items, relay addresses) lies inside the capture. Seeds: the crafted messages of
// lib/dhcp-seeds.ts. Seeded (SEED=...); APP_FUZZ_FRAMES sets how many (default 1 M each).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fuzzApp, recU16, bytesPastCap } from './lib/app-fuzz.js';
import { dhcpSeedFrames, dhcpSeeds } from './lib/dhcp-seeds.js';
import {
  APP_DHCP, APP_DHCP6, A_COUNT, DHCP_CHADDR, DHCP_HOSTNAME, DHCP_ROUTER, DHCP_DNS, DHCP_DOMAIN, DHCP_PRL, DHCP_VENDOR,
  DHCP_CLIENT_ID, DHCP6_LINK, DHCP6_PEER, DHCP6_ITEMS, DHCP6_ITEM_SIZE, D6I_DATA,
} from '../host/app/app-layout.js';
import { LINKTYPE_ETHERNET } from '../host/runtime/layout.js';

const FRAMES = Number(process.env.APP_FUZZ_FRAMES ?? 1_000_000);

test(`WASM and twin give identical DHCP records on ${FRAMES} mutated frames, never reading past caplen`, () => {
  const seeds = dhcpSeedFrames().filter((_, i) => !dhcpSeeds()[i].v6).map((s) => ({ frame: s.frame, linktype: LINKTYPE_ETHERNET }));
  const st = fuzzApp({
    proto: APP_DHCP, seeds, frames: FRAMES, from: () => 42,
    special: [0x00, 0xFF, 0x01, 0x02, 0x04, 0x35, 0x34, 0x63, 0x82, 0x53, 0x0C, 0x37],
    check: (u8, rec, cap) => {
      const chaddr = bytesPastCap(u8, rec, cap, DHCP_CHADDR, 16, 'chaddr');
      if (chaddr !== null) return chaddr;
      for (const slot of [DHCP_HOSTNAME, DHCP_ROUTER, DHCP_DNS, DHCP_DOMAIN, DHCP_PRL, DHCP_VENDOR, DHCP_CLIENT_ID]) {
        const d = recU16(u8, rec + slot);
        if (d !== 0 && (d < 2 || d > cap)) return `option data at ${slot} past caplen`;
      }
      return null;
    },
  });
  console.log(`app-dhcp fuzz: ${st.frames} frames (${seeds.length} seeds), ${st.decoded} decoded as DHCP, ${st.truncated} truncated, ${st.malformed} malformed, ${st.ms} ms`);
  assert.ok(st.decoded > st.frames * 0.5, 'most mutated frames still reach the DHCP decoder');
  assert.ok(st.truncated > st.frames * 0.05 && st.malformed > st.frames * 0.01, 'truncation and malformation were both exercised');
});

test(`WASM and twin give identical DHCPv6 records on ${FRAMES} mutated frames, never reading past caplen`, () => {
  const seeds = dhcpSeedFrames().filter((_, i) => dhcpSeeds()[i].v6).map((s) => ({ frame: s.frame, linktype: LINKTYPE_ETHERNET }));
  const st = fuzzApp({
    proto: APP_DHCP6, seeds, frames: FRAMES, from: () => 62,
    special: [0x00, 0xFF, 0x01, 0x02, 0x03, 0x09, 0x0C, 0x0D, 0x19],
    check: (u8, rec, cap) => {
      const relay = bytesPastCap(u8, rec, cap, DHCP6_LINK, 16, 'relay address') ?? bytesPastCap(u8, rec, cap, DHCP6_PEER, 16, 'relay address');
      if (relay !== null) return relay;
      for (let i = 0; i < u8[rec + A_COUNT]; i++) {
        const d = recU16(u8, rec + DHCP6_ITEMS + i * DHCP6_ITEM_SIZE + D6I_DATA);
        if (d > cap) return `option ${i} past caplen`;
      }
      return null;
    },
  });
  console.log(`app-dhcp6 fuzz: ${st.frames} frames (${seeds.length} seeds), ${st.decoded} decoded as DHCPv6, ${st.truncated} truncated, ${st.malformed} malformed, ${st.ms} ms`);
  assert.ok(st.decoded > st.frames * 0.5, 'most mutated frames still reach the DHCPv6 decoder');
  assert.ok(st.truncated > st.frames * 0.05 && st.malformed > st.frames * 0.01, 'truncation and malformation were both exercised');
});

test.run();
