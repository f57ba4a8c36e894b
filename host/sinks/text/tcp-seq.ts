// tcpdump's relative TCP sequence numbers (what it prints unless -S): per conversation,
// the first segment with ACK set records (seq, ack-1) for one direction, and later
// segments print seq/ack relative to them; a SYN restarts the conversation. The key is
// (addresses, ports) in tcpdump's collating order so both directions share one entry.
// An open-addressing table over typed arrays: no object or string per packet.

const KEY_WORDS = 9; // src[4], dst[4], ports
const EMPTY = 0;

export interface SeqBase {
  /** 1 when the packet runs in the reverse of the stored direction. */
  rev: number;
  /** Stored bases: seq of the forward side, ack of the forward side. */
  seq: number;
  ack: number;
  /** True when the entry existed (numbers are relative), false when just recorded. */
  found: boolean;
}

export class TcpSeqTable {
  private cap: number;
  private keys: Uint32Array;
  private used: Uint8Array;
  private vals: Uint32Array;
  private count = 0;
  private readonly k = new Uint32Array(KEY_WORDS);
  readonly result: SeqBase = { rev: 0, seq: 0, ack: 0, found: false };

  constructor(capacity = 1024) {
    this.cap = capacity;
    this.keys = new Uint32Array(capacity * KEY_WORDS);
    this.used = new Uint8Array(capacity);
    this.vals = new Uint32Array(capacity * 2);
  }

  /** Compares the two addresses (4 or 16 bytes) like memcmp: >0 when src > dst. */
  private static cmp(m: Uint8Array, src: number, dst: number, n: number): number {
    for (let i = 0; i < n; i++) {
      const d = m[src + i] - m[dst + i];
      if (d !== 0) return d;
    }
    return 0;
  }

  /** Looks up (and records, as tcpdump does) the conversation of one segment with ACK set.
   *  `alen` is 4 or 16; src/dst are offsets of the addresses in m. */
  lookup(m: Uint8Array, src: number, dst: number, alen: number, sport: number, dport: number, seq: number, ack: number, syn: boolean): SeqBase {
    let rev = 0;
    if (sport > dport) rev = 1;
    else if (sport === dport && TcpSeqTable.cmp(m, src, dst, alen) > 0) rev = 1;
    const k = this.k;
    k.fill(0);
    const a = rev ? dst : src;
    const b = rev ? src : dst;
    for (let i = 0; i < alen; i += 4) {
      k[i >>> 2] = ((m[a + i] << 24) | (m[a + i + 1] << 16) | (m[a + i + 2] << 8) | m[a + i + 3]) >>> 0;
      k[4 + (i >>> 2)] = ((m[b + i] << 24) | (m[b + i + 1] << 16) | (m[b + i + 2] << 8) | m[b + i + 3]) >>> 0;
    }
    k[8] = rev ? ((dport << 16) | sport) >>> 0 : ((sport << 16) | dport) >>> 0;
    let slot = this.find(k);
    const r = this.result;
    r.rev = rev;
    if (slot < 0 || syn) {
      if (slot < 0) slot = this.insert(k);
      if (rev) { this.vals[slot * 2 + 1] = seq; this.vals[slot * 2] = (ack - 1) >>> 0; }
      else { this.vals[slot * 2] = seq; this.vals[slot * 2 + 1] = (ack - 1) >>> 0; }
      r.found = false;
    } else {
      r.found = true;
    }
    r.seq = this.vals[slot * 2];
    r.ack = this.vals[slot * 2 + 1];
    return r;
  }

  private hash(k: Uint32Array): number {
    let h = 0x811c9dc5;
    for (let i = 0; i < KEY_WORDS; i++) h = Math.imul(h ^ k[i], 0x01000193);
    return (h ^ (h >>> 15)) >>> 0;
  }

  private find(k: Uint32Array): number {
    const mask = this.cap - 1;
    for (let s = this.hash(k) & mask; ; s = (s + 1) & mask) {
      if (this.used[s] === EMPTY) return -1;
      let eq = true;
      const base = s * KEY_WORDS;
      for (let i = 0; i < KEY_WORDS; i++) if (this.keys[base + i] !== k[i]) { eq = false; break; }
      if (eq) return s;
    }
  }

  private insert(k: Uint32Array): number {
    if ((this.count + 1) * 2 > this.cap) this.grow();
    const mask = this.cap - 1;
    let s = this.hash(k) & mask;
    while (this.used[s] !== EMPTY) s = (s + 1) & mask;
    this.used[s] = 1;
    this.keys.set(k, s * KEY_WORDS);
    this.count++;
    return s;
  }

  private grow(): void {
    const oldKeys = this.keys;
    const oldUsed = this.used;
    const oldVals = this.vals;
    const oldCap = this.cap;
    this.cap *= 2;
    this.keys = new Uint32Array(this.cap * KEY_WORDS);
    this.used = new Uint8Array(this.cap);
    this.vals = new Uint32Array(this.cap * 2);
    this.count = 0;
    for (let s = 0; s < oldCap; s++) {
      if (!oldUsed[s]) continue;
      const n = this.insert(oldKeys.subarray(s * KEY_WORDS, (s + 1) * KEY_WORDS));
      this.vals[n * 2] = oldVals[s * 2];
      this.vals[n * 2 + 1] = oldVals[s * 2 + 1];
    }
  }
}
