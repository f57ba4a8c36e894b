// The rows of a conversation table, kept without a JS object per flow. A capture of a
// scan holds millions of flows and the table prints them all at the end, so each ended
// record the flow table hands out is copied (64 bytes: times, counters, ports, an IPv4
// address or a slot in the IPv6 side store) into fixed-size typed-array chunks, and the
// rows are ordered by a radix sort over those columns. Memory: 64 bytes per TCP/UDP
// conversation (+32 per IPv6 one), nothing for flows the table does not print (other
// protocols, no ports), and no garbage for the collector to trace.
import type { MemoryViews } from '../runtime/memory.js';
import type { Arena } from '../runtime/arena.js';
import { adviseHugePages, prefault, prefaultSoon } from '../runtime/prefault.js';
import * as F from './flow-layout.js';

/** Records per chunk (a power of two): 4 MiB chunks, grown one at a time. */
const CHUNK_SHIFT = 16;
const CHUNK = 1 << CHUNK_SHIFT;
const CHUNK_MASK = CHUNK - 1;
/** u32 words per record (64 bytes). */
export const CR_WORDS = 16;
const CHUNK_BYTES = CHUNK * CR_WORDS * 4;
/** Chunks per slab: 32 MiB, of which huge pages cover nearly all whatever its alignment
 *  (runtime/prefault.ts). Untouched memory until rows fill it. */
const SLAB_CHUNKS = 8;
/** The row from which chunks are backed ahead of the rows (runtime/prefault.ts): in
 *  smaller tables the addon's load would not pay. */
const PREFAULT_FROM = 4096;
// Word offsets in a record.
export const CR_START_SEC = 0;
export const CR_START_NSEC = 1;
/** The entry index (26 bits, FlowTable's limit) | CM_V6 | CM_UDP. */
export const CR_META = 2;
export const CR_FIRST_SEC = 3;
export const CR_FIRST_NSEC = 4;
export const CR_LAST_SEC = 5;
export const CR_LAST_NSEC = 6;
export const CR_FRAMES_AB = 7;
export const CR_FRAMES_BA = 8;
/** Port A << 16 | port B. */
export const CR_PORTS = 9;
/** IPv4: A's address as a number; IPv6: the record's slot in the IPv6 side store. */
export const CR_ADDR_A = 10;
export const CR_ADDR_B = 11;
/** f64 frame bytes A->B and B->A (Float64Array index = record word offset / 2 + these). */
export const CR_F64_BYTES_AB = 6;
export const CR_F64_BYTES_BA = 7;
export const CM_INDEX = 0x3FFFFFF;
export const CM_V6 = 0x40000000;
export const CM_UDP = 0x80000000;
/** IPv6 side store: A's 16 bytes, then B's. */
const V6_BYTES = 32;

export class ConversationStore {
  private readonly words: Uint32Array[] = [];
  private readonly f64s: Float64Array[] = [];
  private readonly v6: Uint8Array[] = [];
  /** Records held. */
  count = 0;
  /** Of those, UDP ones (the rest are TCP): a table with none skips its pass. */
  udpCount = 0;
  private v6Count = 0;
  /** The memory the newest chunks lie in: a slab of the shared memory, or an ArrayBuffer. */
  private slab: Uint8Array | null = null;
  private readonly arena: Arena | null;
  /** Whether chunks are backed ahead of the rows (from PREFAULT_FROM rows on). */
  private prefaulting = false;
  /** Chunks whose pages have been asked for. */
  private backedChunks = 0;

  /**
   * `arena`: lay the rows in the shared memory, in 32 MiB slabs carved from it (64-byte
   * aligned, so a record is one cache line; on huge pages once the table is large, as
   * startPrefault asks).
   * Without it, in ArrayBuffers of the JS heap (aligned to 16 bytes only: a record may
   * straddle two lines). The slabs live as long as the arena.
   */
  constructor(arena?: Arena) {
    this.arena = arena ?? null;
  }

  /**
   * Copies the record at byte address `at` (an exported record or a live entry, layout
   * FE_*) if a conversation table prints it: TCP or UDP with ports. Returns whether it did.
   */
  add(views: MemoryViews, at: number): boolean {
    // FlowTable.drain refreshes the views before its callbacks; refresh here only when the
    // record lies past them (an Atomics.load per record is a real cost at millions).
    const v = at + F.FE_SIZE <= views.u8.length ? views : views.refresh();
    const u8 = v.u8;
    const proto = u8[at + F.FE_PROTO];
    if ((proto !== 6 && proto !== 17) || (v.u16[(at + F.FE_FLAGS) >>> 1] & F.EF_NOPORTS) !== 0) return false;
    const n = this.count;
    const c = this.chunkOf(n);
    const w = this.words[c];
    const o = (n & CHUNK_MASK) * CR_WORDS;
    const u32 = v.u32;
    const ew = at >>> 2;
    const v6 = u8[at + F.FE_IPVER] === 6;
    w[o + CR_START_SEC] = u32[ew + (F.FE_START_SEC >>> 2)];
    w[o + CR_START_NSEC] = u32[ew + (F.FE_START_NSEC >>> 2)];
    w[o + CR_META] = ((u32[ew + (F.FE_INDEX >>> 2)] & CM_INDEX) | (v6 ? CM_V6 : 0) | (proto === 17 ? CM_UDP : 0)) >>> 0;
    w[o + CR_FIRST_SEC] = u32[ew + (F.FE_FIRST_SEC >>> 2)];
    w[o + CR_FIRST_NSEC] = u32[ew + (F.FE_FIRST_NSEC >>> 2)];
    w[o + CR_LAST_SEC] = u32[ew + (F.FE_LAST_SEC >>> 2)];
    w[o + CR_LAST_NSEC] = u32[ew + (F.FE_LAST_NSEC >>> 2)];
    w[o + CR_FRAMES_AB] = u32[ew + (F.FE_FRAMES_AB >>> 2)];
    w[o + CR_FRAMES_BA] = u32[ew + (F.FE_FRAMES_BA >>> 2)];
    const h = at >>> 1;
    w[o + CR_PORTS] = ((v.u16[h + (F.FE_PORT_A >>> 1)] << 16) | v.u16[h + (F.FE_PORT_B >>> 1)]) >>> 0;
    if (v6) {
      const s = this.v6Count++;
      const sc = s >>> CHUNK_SHIFT;
      if (sc === this.v6.length) this.v6.push(new Uint8Array(CHUNK * V6_BYTES));
      const so = (s & CHUNK_MASK) * V6_BYTES;
      this.v6[sc].set(u8.subarray(at + F.FE_ADDR_A, at + F.FE_ADDR_A + 16), so);
      this.v6[sc].set(u8.subarray(at + F.FE_ADDR_B, at + F.FE_ADDR_B + 16), so + 16);
      w[o + CR_ADDR_A] = s;
      w[o + CR_ADDR_B] = s;
    } else {
      const a = at + F.FE_ADDR_A;
      const b = at + F.FE_ADDR_B;
      w[o + CR_ADDR_A] = ((u8[a] << 24) | (u8[a + 1] << 16) | (u8[a + 2] << 8) | u8[a + 3]) >>> 0;
      w[o + CR_ADDR_B] = ((u8[b] << 24) | (u8[b + 1] << 16) | (u8[b + 2] << 8) | u8[b + 3]) >>> 0;
    }
    const f = this.f64s[c];
    const fo = o >>> 1;
    const d = at >>> 3;
    f[fo + CR_F64_BYTES_AB] = v.f64[d + (F.FE_BYTES_AB >>> 3)];
    f[fo + CR_F64_BYTES_BA] = v.f64[d + (F.FE_BYTES_BA >>> 3)];
    if (proto === 17) this.udpCount++;
    this.count = n + 1;
    if (n === PREFAULT_FROM) this.startPrefault();
    return true;
  }

  /** The chunk holding record `i` (its words from offsetOf(i)): readers that take many
   *  fields of one record index it directly. */
  recordWords(i: number): Uint32Array {
    return this.words[i >>> CHUNK_SHIFT];
  }

  /** The same chunk as f64s (record i's bytes at offsetOf(i) / 2 + CR_F64_BYTES_AB/BA). */
  recordF64(i: number): Float64Array {
    return this.f64s[i >>> CHUNK_SHIFT];
  }

  /**
   * Reads the first and last word of records order[from..to) and returns them folded (the
   * caller keeps the result, so the loads stay). A reader going through the records in
   * sorted order meets each one cold, a miss (and a TLB walk) per record that its work per
   * row keeps from overlapping the next; this tight loop has the misses of a block in
   * flight at once, and the block's records then come from the cache. Both ends: a record
   * may straddle two cache lines (a chunk's start need not be 64-byte aligned).
   */
  touch(order: Uint32Array, from: number, to: number): number {
    let acc = 0;
    for (let k = from; k < to; k++) {
      const r = order[k];
      const w = this.words[r >>> CHUNK_SHIFT];
      const o = (r & CHUNK_MASK) * CR_WORDS;
      acc ^= w[o] ^ w[o + CR_WORDS - 1];
    }
    return acc;
  }

  static offsetOf(i: number): number {
    return (i & CHUNK_MASK) * CR_WORDS;
  }

  /** A record's field word. */
  word(i: number, field: number): number {
    return this.words[i >>> CHUNK_SHIFT][(i & CHUNK_MASK) * CR_WORDS + field];
  }

  /** Frame bytes A->B (dir 0) or B->A (dir 1). */
  bytes(i: number, dir: 0 | 1): number {
    return this.f64s[i >>> CHUNK_SHIFT][((i & CHUNK_MASK) * CR_WORDS >>> 1) + CR_F64_BYTES_AB + dir];
  }

  /** The IPv6 side store chunk of slot `s` and the byte offset of A's address (B's is +16). */
  v6Bytes(s: number): Uint8Array {
    return this.v6[s >>> CHUNK_SHIFT];
  }

  static v6OffsetOf(s: number): number {
    return (s & CHUNK_MASK) * V6_BYTES;
  }

  /**
   * Record numbers ordered by the flow's start time, then its entry index (the order
   * allFlows() gives): an LSD radix sort, 16 bits per pass, stable, linear in the records
   * (a pass whose digit is the same for every record is skipped). Each pass carries the
   * keys along with the record numbers, so that it reads everything front to back: a pass
   * that looked a record's key up by its number read a random word of an 8 MB array per
   * record at 2 M rows. By time first; only when two rows start at the same instant is it
   * sorted again by (time, index).
   * `scratch` (FlowTable.retire()'s memory): its first record counts of words hold the
   * sort's arrays when it is that large, instead of new ones; the order returned may be a
   * view into it.
   */
  sortedOrder(scratch?: Uint32Array): Uint32Array {
    const n = this.count;
    const room = scratch !== undefined ? Math.floor(scratch.length / Math.max(n, 1)) : 0;
    let used = 0;
    const array = (): Uint32Array => (used < room ? scratch!.subarray(used * n, (++used) * n) : new Uint32Array(n));
    const identity = (): Uint32Array => {
      const perm = array();
      for (let i = 0; i < n; i++) perm[i] = i;
      return perm;
    };
    if (n < 2) return identity();
    let minSec = 0xFFFFFFFF;
    for (let c = 0, i = 0; i < n; c++) {
      const w = this.words[c];
      for (let o = 0; o < CHUNK * CR_WORDS && i < n; o += CR_WORDS, i++) minSec = Math.min(minSec, w[o + CR_START_SEC]);
    }
    const times = (): Uint32Array[] => [this.column(array(), CR_START_SEC, 0xFFFFFFFF, minSec), this.column(array(), CR_START_NSEC, 0xFFFFFFFF, 0)];
    const byTime = radixSort(identity(), times(), [[1, 0], [1, 16], [0, 0], [0, 16]], array);
    let tie = false;
    const [ts, tn] = byTime.keys;
    for (let j = 1; j < n && !tie; j++) tie = ts[j] === ts[j - 1] && tn[j] === tn[j - 1];
    if (!tie) return byTime.perm;
    // Equal start times go by entry index: least significant first, index then time.
    used = 0;
    const keys = [...times(), this.column(array(), CR_META, CM_INDEX, 0)];
    return radixSort(identity(), keys, [[2, 0], [2, 16], [1, 0], [1, 16], [0, 0], [0, 16]], array).perm;
  }

  /** Word `field` of every record, masked, less `minus`, in record order into `into`. */
  private column(into: Uint32Array, field: number, mask: number, minus: number): Uint32Array {
    const n = this.count;
    for (let c = 0, i = 0; i < n; c++) {
      const w = this.words[c];
      for (let o = 0; o < CHUNK * CR_WORDS && i < n; o += CR_WORDS, i++) into[i] = ((w[o + field] & mask) - minus) >>> 0;
    }
    return into;
  }

  /** Every record packed for another thread (sniff --workers: a worker's rows go to the
   *  worker that prints the one table): `words` holds the 64-byte records, `v6` the IPv6
   *  side store slots they name. */
  packRows(): { count: number; words: Uint32Array; v6: Uint8Array } {
    const n = this.count;
    const words = new Uint32Array(n * CR_WORDS);
    for (let c = 0; c * CHUNK < n; c++) words.set(this.words[c].subarray(0, Math.min(CHUNK, n - c * CHUNK) * CR_WORDS), c * CHUNK * CR_WORDS);
    const v6 = new Uint8Array(this.v6Count * V6_BYTES);
    for (let c = 0; c * CHUNK < this.v6Count; c++) v6.set(this.v6[c].subarray(0, Math.min(CHUNK, this.v6Count - c * CHUNK) * V6_BYTES), c * CHUNK * V6_BYTES);
    return { count: n, words, v6 };
  }

  /** The chunk that holds row `n`, made when `n` is the first row past the last one. */
  private chunkOf(n: number): number {
    const c = n >>> CHUNK_SHIFT;
    if (c === this.words.length) {
      const k = c % SLAB_CHUNKS;
      if (k === 0) {
        const bytes = SLAB_CHUNKS * CHUNK_BYTES;
        if (this.arena !== null) {
          const at = this.arena.alloc(bytes, 64);
          this.slab = new Uint8Array(this.arena.views.u8.buffer, at, bytes);
        } else {
          this.slab = new Uint8Array(new ArrayBuffer(bytes));
        }
        if (this.prefaulting) adviseHugePages(this.slab);
      }
      const slab = this.slab!;
      this.words.push(new Uint32Array(slab.buffer, slab.byteOffset + k * CHUNK_BYTES, CHUNK * CR_WORDS));
      this.f64s.push(new Float64Array(slab.buffer, slab.byteOffset + k * CHUNK_BYTES, CHUNK * CR_WORDS / 2));
      if (this.prefaulting) this.backAhead(c, 0);
    }
    return c;
  }

  /** A large table from here on: huge pages for the slab, the rest of the chunk backed. */
  private startPrefault(): void {
    this.prefaulting = true;
    adviseHugePages(this.slab!);
    this.backAhead(this.words.length - 1, ConversationStore.offsetOf(this.count) * 4);
  }

  /** Backs chunk `c` from byte `from` now unless it was asked for before, and the next
   *  chunk of its slab on the addon's thread while rows fill this one. */
  private backAhead(c: number, from: number): void {
    const slab = this.slab!;
    const at = (c % SLAB_CHUNKS) * CHUNK_BYTES;
    if (c >= this.backedChunks) prefault(slab, at + from, CHUNK_BYTES - from);
    this.backedChunks = c + 1;
    if (c % SLAB_CHUNKS < SLAB_CHUNKS - 1) {
      prefaultSoon(slab, at + CHUNK_BYTES, CHUNK_BYTES);
      this.backedChunks = c + 2;
    }
  }

  /** Appends rows packed by packRows() (IPv6 records get slots of this store). */
  addRows(rows: { count: number; words: Uint32Array; v6: Uint8Array }): void {
    for (let r = 0; r < rows.count; r++) {
      const n = this.count;
      const c = this.chunkOf(n);
      const o = (n & CHUNK_MASK) * CR_WORDS;
      const w = this.words[c];
      w.set(rows.words.subarray(r * CR_WORDS, (r + 1) * CR_WORDS), o);
      if ((w[o + CR_META] & CM_UDP) !== 0) this.udpCount++;
      if ((w[o + CR_META] & CM_V6) !== 0) {
        const from = w[o + CR_ADDR_A] * V6_BYTES;
        const s = this.v6Count++;
        const sc = s >>> CHUNK_SHIFT;
        if (sc === this.v6.length) this.v6.push(new Uint8Array(CHUNK * V6_BYTES));
        this.v6[sc].set(rows.v6.subarray(from, from + V6_BYTES), (s & CHUNK_MASK) * V6_BYTES);
        w[o + CR_ADDR_A] = s;
        w[o + CR_ADDR_B] = s;
      }
      this.count = n + 1;
    }
  }
}

/**
 * Stable LSD radix sort of `perm` (record numbers) by 16-bit digits, `digits` least
 * significant first as [key, shift]: `keys[k][j]` is the key of the record at perm[j], and
 * every pass moves the keys with the numbers (sequential reads, scattered writes). A pass
 * whose digit is one value for all is skipped. `array` gives the spare arrays (the sorted
 * results may lie in them; the inputs serve as spares in turn).
 */
function radixSort(perm: Uint32Array, keys: Uint32Array[], digits: readonly (readonly [number, number])[], array: () => Uint32Array): { perm: Uint32Array; keys: Uint32Array[] } {
  const n = perm.length;
  const hist = new Uint32Array(1 << 16);
  let p = perm;
  let k = keys;
  let spareP: Uint32Array | null = null;
  let spareK: (Uint32Array | null)[] = keys.map(() => null);
  for (const [key, shift] of digits) {
    hist.fill(0);
    const kk = k[key];
    for (let j = 0; j < n; j++) hist[(kk[j] >>> shift) & 0xFFFF]++;
    if (hist[(kk[0] >>> shift) & 0xFFFF] === n) continue; // one digit for all: order kept
    let sum = 0;
    for (let b = 0; b < 65536; b++) {
      const c = hist[b];
      hist[b] = sum;
      sum += c;
    }
    const outP = spareP ?? array();
    const outK = spareK.map((x) => x ?? array());
    if (k.length === 2) {
      const [k0, k1] = k;
      const [o0, o1] = outK;
      for (let j = 0; j < n; j++) {
        const at = hist[(kk[j] >>> shift) & 0xFFFF]++;
        outP[at] = p[j];
        o0[at] = k0[j];
        o1[at] = k1[j];
      }
    } else {
      for (let j = 0; j < n; j++) {
        const at = hist[(kk[j] >>> shift) & 0xFFFF]++;
        outP[at] = p[j];
        for (let m = 0; m < k.length; m++) outK[m][at] = k[m][j];
      }
    }
    spareP = p;
    spareK = k;
    p = outP;
    k = outK;
  }
  return { perm: p, keys: k };
}
