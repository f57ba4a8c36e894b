// Random flow-table records of every shape, written into engine memory (layout FE_*), for
// tests that hold two readers of the same record equal (streamed table vs record path,
// raw IPFIX encoding vs FlowRecord encoding). The fields are random within their types;
// no reader's output is baked in here.
import type { MemoryViews } from '../../host/runtime/memory.js';
import * as F from '../../host/flows/flow-layout.js';
import type { Rng } from './env.js';

/** Writes a random exported record at `at` (layout FE_*). */
export function craftFlowRecord(views: MemoryViews, rng: Rng, at: number, i: number, origin: number): void {
  const v = views.refresh();
  v.u8.fill(0, at, at + F.FE_SIZE);
  const pick = rng.u32() % 10;
  const proto = pick < 4 ? 6 : pick < 8 ? 17 : pick === 8 ? 1 : 58;
  const v6 = rng.bool(0.3) || proto === 58;
  v.u8[at + F.FE_PROTO] = proto;
  v.u8[at + F.FE_IPVER] = v6 ? 6 : 4;
  let flags = F.EF_USED;
  if (rng.bool(0.05)) flags |= F.EF_NOPORTS;
  if (rng.bool(0.2)) flags |= F.EF_PICKUP;
  v.u16[(at + F.FE_FLAGS) >>> 1] = flags;
  for (let k = 0; k < (v6 ? 16 : 4); k++) {
    // Runs of zero groups (IPv6 "::") and zero octets now and then.
    v.u8[at + F.FE_ADDR_A + k] = rng.bool(0.3) ? 0 : rng.u32() & 255;
    v.u8[at + F.FE_ADDR_B + k] = rng.bool(0.3) ? 0 : rng.u32() & 255;
  }
  v.u16[(at + F.FE_PORT_A) >>> 1] = rng.u32() & 0xFFFF;
  v.u16[(at + F.FE_PORT_B) >>> 1] = rng.bool(0.2) ? 0 : rng.u32() & 0xFFFF;
  v.u8[at + F.FE_STATE_A] = rng.u32() % 12;
  v.u8[at + F.FE_STATE_B] = rng.u32() % 12;
  v.u8[at + F.FE_TCPFL_A] = rng.u32() & 255;
  v.u8[at + F.FE_TCPFL_B] = rng.u32() & 255;
  // Starts: mostly within seconds of the origin, some equal to another's, some far out
  // (past 10^6 s) or before the origin (time went backwards in the capture).
  const kind = rng.u32() % 8;
  const startSec = kind === 0 ? origin + 1_500_000 + rng.int(1000) : kind === 1 ? origin - rng.int(3) : origin + rng.int(4);
  const startNsec = kind === 2 ? 500_000_000 : rng.int(1e9);
  // Durations: zero, short, long, exactly halfway at the 4th decimal, negative.
  const dk = rng.u32() % 6;
  const durNs = dk === 0 ? 0 : dk === 1 ? rng.int(1e6) : dk === 2 ? rng.int(1e12) : dk === 3 ? rng.int(1e6) * 100000 + 50000 : dk === 4 ? -rng.int(2e9) : rng.int(1e9);
  const lastRel = startNsec + durNs; // from startSec, in ns (exact: far below 2^53)
  const lastSec = startSec + Math.floor(lastRel / 1e9);
  const lastNsec = lastRel - Math.floor(lastRel / 1e9) * 1e9;
  const w = at >>> 2;
  v.u32[w + (F.FE_START_SEC >>> 2)] = startSec;
  v.u32[w + (F.FE_START_NSEC >>> 2)] = startNsec;
  v.u32[w + (F.FE_FIRST_SEC >>> 2)] = startSec;
  v.u32[w + (F.FE_FIRST_NSEC >>> 2)] = startNsec;
  v.u32[w + (F.FE_LAST_SEC >>> 2)] = lastSec;
  v.u32[w + (F.FE_LAST_NSEC >>> 2)] = lastNsec;
  const sizes = [0, 60, 9_999, 10_000, 123_456, 99_999_999, 12_345_678_901, 9_876_543_210_987];
  for (const s of [0, 1]) {
    v.u32[w + (F.FE_FRAMES_AB >>> 2) + s] = rng.bool(0.1) ? 4_000_000_000 + rng.int(1e6) : rng.int(1e6);
    v.f64[((at + F.FE_BYTES_AB) >>> 3) + s] = rng.bool(0.5) ? sizes[rng.int(sizes.length)] : rng.int(1e9);
    v.f64[((at + F.FE_IPBYTES_AB) >>> 3) + s] = rng.int(1e9);
    v.u16[((at + F.FE_RETRANS_A) >>> 1) + s] = rng.int(5);
    v.u16[((at + F.FE_OOO_A) >>> 1) + s] = rng.int(5);
  }
  v.u32[w + (F.FE_HIST_A >>> 2)] = rng.u32();
  v.u32[w + (F.FE_HIST_B >>> 2)] = rng.u32();
  v.u8[at + F.FE_END] = rng.int(7);
  v.u8[at + F.FE_ICMP_TYPE] = rng.u32() & 255;
  v.u8[at + F.FE_ICMP_CODE] = rng.u32() & 255;
  v.u16[(at + F.FE_VLAN) >>> 1] = rng.bool(0.2) ? rng.int(4096) : 0;
  v.u16[(at + F.FE_IFACE) >>> 1] = rng.bool(0.2) ? rng.int(8) : 0;
  v.u16[(at + F.FE_RST_IGNORED) >>> 1] = rng.int(3);
  // Entry indexes repeat (entries are reused), in no particular order.
  v.u32[w + (F.FE_INDEX >>> 2)] = rng.bool(0.5) ? i : rng.int(50);
}

