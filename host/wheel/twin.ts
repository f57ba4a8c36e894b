// Timer wheel: the pure-TS twin of assembly/wheel.ts (same exports, same memory, same
// results, same expiry order). See assembly/wheel.ts for the design, ./exports.ts for the
// surface both backends share.
import type { MemoryViews } from '../runtime/memory.js';
import type { WheelExports } from './exports.js';
import * as layout from './wheel-layout.js';

// The layout is generated from assembly/wheel-layout.ts. Module-local consts, as in the lpm
// twins: V8 reads an imported binding through its module cell on every use; a local const
// is folded.
const {
  WHEEL_MAGIC, WH_MAGIC, WH_CAPACITY, WH_CUR, WH_TIME, WH_LIVE, WH_FREE, WH_BUMP, WH_IDX_BITS,
  WH_IDX_MASK, WH_NODES, WH_SCHEDULED, WH_CANCELLED, WH_EXPIRED, WH_FULL, WH_BITMAP, WH_HDR_SIZE,
  WN_SIZE, WN_EXPIRY, WN_ID, WHEEL_SLOTS, WHEEL_FIRST, WHEEL_MAX_DELAY, WHEEL_MAX_CAPACITY,
} = layout;

// Exported from here too, where the wheel's users and tests have always found it.
export * from './wheel-layout.js';

/** The generation bits a wide handle keeps: all 32 when bits <= 21, else 53 - bits. */
function wideGen(gen: number, bits: number): number {
  return bits <= 21 ? gen >>> 0 : (gen & ((1 << (53 - bits)) - 1)) >>> 0;
}

const clz32 = Math.clz32;

function ctz32(x: number): number {
  return 31 - clz32(x & -x);
}

/**
 * Pure-TS twin of assembly/wheel.ts. Node fields are read as u32 words: node i's word
 * base is (nodes >> 2) + i * 5. Reading `memory.buffer` costs ~70 ns on a shared memory,
 * so the views are refreshed only when a region lies beyond what they cover. u32 results
 * come back as i32, exactly as WASM returns them (callers normalise with >>> 0).
 */
export class WheelTwin implements WheelExports {
  private readonly views: MemoryViews;
  private m: Uint32Array;
  private okW = -1;

  constructor(views: MemoryViews) {
    this.views = views;
    this.m = views.u32;
  }

  /** Makes sure the views cover wheel `w`'s whole region; one compare when they do. */
  private mem(w: number): Uint32Array {
    if (w === this.okW) return this.m;
    return this.cover(w);
  }

  private cover(w: number): Uint32Array {
    let m = this.m;
    if (w + WH_HDR_SIZE > m.byteLength) m = this.m = this.views.refresh().u32;
    const end = m[(w + WH_NODES) >>> 2] + (WHEEL_FIRST + m[(w + WH_CAPACITY) >>> 2]) * WN_SIZE;
    if (end > m.byteLength) m = this.m = this.views.refresh().u32;
    this.okW = w;
    return m;
  }

  /** Refreshes the views if [0, end) is not covered (a buffer allocated after the wheel). */
  private reach(end: number): Uint32Array {
    if (end > this.m.byteLength) {
      this.m = this.views.refresh().u32;
      this.okW = -1;
    }
    return this.m;
  }

  wheel_region_size(capacity: number): number {
    if (capacity > WHEEL_MAX_CAPACITY) capacity = WHEEL_MAX_CAPACITY;
    return WH_HDR_SIZE + (WHEEL_FIRST + capacity) * WN_SIZE;
  }

  wheel_init(w: number, capacity: number, now: number): number {
    capacity >>>= 0;
    if (capacity > WHEEL_MAX_CAPACITY) return 0;
    const total = WHEEL_FIRST + capacity;
    const bits = 32 - clz32(total);
    let m = this.views.refresh().u32;
    this.m = m;
    this.okW = -1;
    const h = w >>> 2;
    m.fill(0, h, h + (WH_HDR_SIZE >>> 2));
    m[h + (WH_MAGIC >>> 2)] = WHEEL_MAGIC;
    m[h + (WH_CAPACITY >>> 2)] = capacity;
    m[h + (WH_TIME >>> 2)] = now;
    m[h + (WH_CUR >>> 2)] = now + 1;
    m[h + (WH_BUMP >>> 2)] = WHEEL_FIRST;
    m[h + (WH_IDX_BITS >>> 2)] = bits;
    m[h + (WH_IDX_MASK >>> 2)] = bits >= 32 ? 0xFFFFFFFF : (1 << bits) - 1;
    const nodes = w + WH_HDR_SIZE;
    m[h + (WH_NODES >>> 2)] = nodes;
    m = this.mem(w);
    const nb = nodes >>> 2;
    m.fill(0, nb, nb + WHEEL_FIRST * 5);
    for (let s = 1; s <= WHEEL_SLOTS; s++) {
      m[nb + s * 5] = s;
      m[nb + s * 5 + 1] = s;
    }
    return 1;
  }

  private findBit(m: Uint32Array, bm: number, from: number, to: number): number {
    let s = from;
    while (s <= to) {
      const word = m[bm + (s >>> 5)] >>> (s & 31);
      if (word !== 0) {
        const hit = s + ctz32(word);
        return hit <= to ? hit : -1;
      }
      s = (s | 31) + 1;
    }
    return -1;
  }

  private slotFor(e: number, cur: number): number {
    const d = (e - cur) >>> 0;
    if ((d | 0) < 0) return cur & 255;
    if (d < 256) return e & 255;
    if (d < 1 << 14) return 256 + ((e >>> 8) & 63);
    if (d < 1 << 20) return 320 + ((e >>> 14) & 63);
    if (d < 1 << 26) return 384 + ((e >>> 20) & 63);
    return 448 + ((e >>> 26) & 63);
  }

  private link(m: Uint32Array, h: number, nb: number, n: number, e: number, cur: number): void {
    const s = this.slotFor(e, cur);
    const sent = s + 1;
    const tail = m[nb + sent * 5 + 1];
    m[nb + n * 5] = sent;
    m[nb + n * 5 + 1] = tail;
    m[nb + tail * 5] = n;
    m[nb + sent * 5 + 1] = n;
    m[h + (WH_BITMAP >>> 2) + (s >>> 5)] |= 1 << (s & 31);
  }

  private unlink(m: Uint32Array, h: number, nb: number, n: number): void {
    const p = m[nb + n * 5 + 1];
    const x = m[nb + n * 5];
    m[nb + p * 5] = x;
    m[nb + x * 5 + 1] = p;
    if (p === x) {
      const s = p - 1;
      m[h + (WH_BITMAP >>> 2) + (s >>> 5)] &= ~(1 << (s & 31));
    }
  }

  private release(m: Uint32Array, h: number, nb: number, n: number): void {
    const b = nb + n * 5;
    m[b + 1] = 0;
    m[b + 4] = m[b + 4] + 1;
    m[b] = m[h + (WH_FREE >>> 2)];
    m[h + (WH_FREE >>> 2)] = n;
  }

  private resolve(m: Uint32Array, h: number, nb: number, handle: number): number {
    const bits = m[h + (WH_IDX_BITS >>> 2)];
    const i = (handle & m[h + (WH_IDX_MASK >>> 2)]) >>> 0;
    if (i < WHEEL_FIRST || i >= m[h + (WH_BUMP >>> 2)]) return 0;
    const b = nb + i * 5;
    if (m[b + 1] === 0) return 0;
    const gmask = bits >= 32 ? 0 : 0xFFFFFFFF >>> bits;
    const want = bits >= 32 ? 0 : handle >>> bits;
    if (((m[b + 4] & gmask) >>> 0) !== want) return 0;
    return i;
  }

  private static clampDelay(delay: number): number {
    delay >>>= 0;
    if (delay === 0) return 1;
    return delay > WHEEL_MAX_DELAY ? WHEEL_MAX_DELAY : delay;
  }

  wheel_schedule(w: number, delay: number, id: number): number {
    const m = this.mem(w);
    const h = w >>> 2;
    const nb = m[h + (WH_NODES >>> 2)] >>> 2;
    let n = m[h + (WH_FREE >>> 2)];
    if (n !== 0) {
      m[h + (WH_FREE >>> 2)] = m[nb + n * 5];
    } else {
      n = m[h + (WH_BUMP >>> 2)];
      if (n >= WHEEL_FIRST + m[h + (WH_CAPACITY >>> 2)]) {
        m[h + (WH_FULL >>> 2)]++;
        return 0;
      }
      m[h + (WH_BUMP >>> 2)] = n + 1;
    }
    const e = (m[h + (WH_TIME >>> 2)] + WheelTwin.clampDelay(delay)) >>> 0;
    const b = nb + n * 5;
    m[b + 2] = e;
    m[b + 3] = id;
    this.link(m, h, nb, n, e, m[h + (WH_CUR >>> 2)]);
    m[h + (WH_LIVE >>> 2)]++;
    m[h + (WH_SCHEDULED >>> 2)]++;
    const bits = m[h + (WH_IDX_BITS >>> 2)];
    return bits >= 32 ? n : (m[b + 4] << bits) | n;
  }

  // --- what a handle does, written once for both forms (wide: the f64 form below) ---

  /** Node index of a live handle of either form, or 0; the views then cover wheel w. */
  private liveNode(w: number, handle: number, wide: boolean): number {
    const m = this.mem(w);
    const h = w >>> 2;
    const nb = m[h + (WH_NODES >>> 2)] >>> 2;
    return wide ? this.resolveWide(m, h, nb, handle) : this.resolve(m, h, nb, handle >>> 0);
  }

  private cancelTimer(w: number, handle: number, wide: boolean): number {
    const n = this.liveNode(w, handle, wide);
    if (n === 0) return 0;
    const m = this.m, h = w >>> 2, nb = m[h + (WH_NODES >>> 2)] >>> 2;
    this.unlink(m, h, nb, n);
    this.release(m, h, nb, n);
    m[h + (WH_LIVE >>> 2)]--;
    m[h + (WH_CANCELLED >>> 2)]++;
    return 1;
  }

  private rescheduleTimer(w: number, handle: number, delay: number, wide: boolean): number {
    const n = this.liveNode(w, handle, wide);
    if (n === 0) return 0;
    const m = this.m, h = w >>> 2, nb = m[h + (WH_NODES >>> 2)] >>> 2;
    this.unlink(m, h, nb, n);
    const e = (m[h + (WH_TIME >>> 2)] + WheelTwin.clampDelay(delay)) >>> 0;
    m[nb + n * 5 + 2] = e;
    this.link(m, h, nb, n, e, m[h + (WH_CUR >>> 2)]);
    return 1;
  }

  /** Word `word` of a live timer's node (2: expiry, 3: id) as WASM returns it, 0 when stale. */
  private timerWord(w: number, handle: number, word: number, wide: boolean): number {
    const n = this.liveNode(w, handle, wide);
    if (n === 0) return 0;
    const m = this.m;
    return m[(m[(w >>> 2) + (WH_NODES >>> 2)] >>> 2) + n * 5 + word] | 0;
  }

  wheel_cancel(w: number, handle: number): number { return this.cancelTimer(w, handle, false); }
  wheel_reschedule(w: number, handle: number, delay: number): number { return this.rescheduleTimer(w, handle, delay, false); }
  wheel_active(w: number, handle: number): number { return this.liveNode(w, handle, false) !== 0 ? 1 : 0; }
  wheel_expiry(w: number, handle: number): number { return this.timerWord(w, handle, WN_EXPIRY >>> 2, false); }
  wheel_id(w: number, handle: number): number { return this.timerWord(w, handle, WN_ID >>> 2, false); }

  // --- wide handles (see assembly/wheel.ts): gen * 2^bits + index, exact below 2^53 ---

  private resolveWide(m: Uint32Array, h: number, nb: number, handle: number): number {
    if (!(handle >= 1 && handle < 9007199254740992)) return 0;
    const x = Math.floor(handle);
    const bits = m[h + (WH_IDX_BITS >>> 2)];
    const pow = 2 ** bits;
    const i = x % pow;
    if (i < WHEEL_FIRST || i >= m[h + (WH_BUMP >>> 2)]) return 0;
    const b = nb + i * 5;
    if (m[b + 1] === 0) return 0;
    if (wideGen(m[b + 4], bits) !== (x - i) / pow) return 0;
    return i;
  }

  wheel_schedule_h(w: number, delay: number, id: number): number {
    const hd = this.wheel_schedule(w, delay, id) >>> 0;
    if (hd === 0) return 0;
    const m = this.m;
    const h = w >>> 2;
    const bits = m[h + (WH_IDX_BITS >>> 2)];
    const n = (hd & m[h + (WH_IDX_MASK >>> 2)]) >>> 0;
    const nb = m[h + (WH_NODES >>> 2)] >>> 2;
    return wideGen(m[nb + n * 5 + 4], bits) * 2 ** bits + n;
  }

  wheel_cancel_h(w: number, handle: number): number { return this.cancelTimer(w, handle, true); }
  wheel_reschedule_h(w: number, handle: number, delay: number): number { return this.rescheduleTimer(w, handle, delay, true); }
  wheel_active_h(w: number, handle: number): number { return this.liveNode(w, handle, true) !== 0 ? 1 : 0; }
  wheel_expiry_h(w: number, handle: number): number { return this.timerWord(w, handle, WN_EXPIRY >>> 2, true); }
  wheel_id_h(w: number, handle: number): number { return this.timerWord(w, handle, WN_ID >>> 2, true); }

  wheel_now(w: number): number {
    return this.mem(w)[(w + WH_TIME) >>> 2] | 0;
  }

  wheel_count(w: number): number {
    return this.mem(w)[(w + WH_LIVE) >>> 2];
  }

  private cascade(m: Uint32Array, h: number, nb: number, s: number, cur: number): void {
    const sent = s + 1;
    let n = m[nb + sent * 5];
    if (n === sent) return;
    m[nb + sent * 5] = sent;
    m[nb + sent * 5 + 1] = sent;
    m[h + (WH_BITMAP >>> 2) + (s >>> 5)] &= ~(1 << (s & 31));
    while (n !== sent) {
      const nx = m[nb + n * 5];
      this.link(m, h, nb, n, m[nb + n * 5 + 2], cur);
      n = nx;
    }
  }

  private enter(m: Uint32Array, h: number, nb: number, t: number): void {
    m[h + (WH_CUR >>> 2)] = t;
    if ((t & 255) !== 0) return;
    const i1 = (t >>> 8) & 63;
    this.cascade(m, h, nb, 256 + i1, t);
    if (i1 !== 0) return;
    const i2 = (t >>> 14) & 63;
    this.cascade(m, h, nb, 320 + i2, t);
    if (i2 !== 0) return;
    const i3 = (t >>> 20) & 63;
    this.cascade(m, h, nb, 384 + i3, t);
    if (i3 !== 0) return;
    this.cascade(m, h, nb, 448 + ((t >>> 26) & 63), t);
  }

  private nextStop(m: Uint32Array, h: number, cur: number): number {
    const bm = h + (WH_BITMAP >>> 2);
    let c = (cur + 1) >>> 0;
    if ((c & 255) !== 0) {
      const j = this.findBit(m, bm, c & 255, 255);
      if (j >= 0) return ((c & ~255) | j) >>> 0;
      c = ((c | 255) + 1) >>> 0;
    }
    if (this.findBit(m, bm, 0, 255) >= 0) return c;
    let shift = 8;
    for (let level = 1; level <= 4; level++) {
      const base = 256 + (level - 1) * 64;
      const span = shift + 6;
      const unit = 2 ** shift;
      const cl = ((c + unit - 1) & ~(unit - 1)) >>> 0;
      if (this.findBit(m, bm, base, base + 63) < 0) {
        c = cl;
        shift = span;
        continue;
      }
      const pos = (cl >>> shift) & 63;
      if (pos === 0) return cl;
      const blockBase = span >= 32 ? 0 : (cl & ~((1 << span) - 1)) >>> 0;
      const j = this.findBit(m, bm, base + pos, base + 63);
      if (j >= 0) return (blockBase | ((j - base) << shift)) >>> 0;
      return span >= 32 ? 0 : (blockBase + 2 ** span) >>> 0;
    }
    return c;
  }

  wheel_advance(w: number, to: number, out: number, max: number): number {
    this.mem(w);
    const h = w >>> 2;
    const m = this.reach(out + 4 * Math.min(max >>> 0, this.m[h + (WH_LIVE >>> 2)]));
    const nb = m[h + (WH_NODES >>> 2)] >>> 2;
    to >>>= 0;
    max >>>= 0;
    let time = m[h + (WH_TIME >>> 2)];
    if (((to - time) | 0) > 0) {
      time = to;
      m[h + (WH_TIME >>> 2)] = to;
    }
    let cur = m[h + (WH_CUR >>> 2)];
    let count = 0;
    let live = m[h + (WH_LIVE >>> 2)];
    const o = out >>> 2;
    while (((time - cur) | 0) >= 0) {
      const sent = (cur & 255) + 1;
      let n = m[nb + sent * 5];
      while (n !== sent) {
        if (count >= max) {
          m[h + (WH_LIVE >>> 2)] = live;
          m[h + (WH_EXPIRED >>> 2)] += count;
          return count;
        }
        const b = nb + n * 5;
        const nx = m[b];
        m[o + count] = m[b + 3];
        count++;
        live--;
        m[nb + sent * 5] = nx;
        m[nb + nx * 5 + 1] = sent;
        this.release(m, h, nb, n);
        n = nx;
      }
      const s = cur & 255;
      m[h + (WH_BITMAP >>> 2) + (s >>> 5)] &= ~(1 << (s & 31));
      if (live === 0) {
        cur = (time + 1) >>> 0;
        m[h + (WH_CUR >>> 2)] = cur;
        break;
      }
      let stop = this.nextStop(m, h, cur);
      if (((stop - cur) >>> 0) > ((time + 1 - cur) >>> 0)) stop = (time + 1) >>> 0;
      this.enter(m, h, nb, stop);
      cur = stop;
    }
    m[h + (WH_LIVE >>> 2)] = live;
    m[h + (WH_EXPIRED >>> 2)] += count;
    return count;
  }

  wheel_schedule_burst(w: number, delays: number, ids: number, handles: number, n: number): number {
    this.mem(w);
    const m = this.reach(Math.max(delays, ids, handles) + 4 * n);
    const d = delays >>> 2;
    const id = ids >>> 2;
    const hs = handles >>> 2;
    for (let i = 0; i < n; i++) {
      const hd = this.wheel_schedule(w, m[d + i], m[id + i]);
      m[hs + i] = hd;
      if (hd === 0) return i;
    }
    return n;
  }

  wheel_cancel_burst(w: number, handles: number, n: number): number {
    this.mem(w);
    const m = this.reach(handles + 4 * n);
    const hs = handles >>> 2;
    let done = 0;
    for (let i = 0; i < n; i++) done += this.wheel_cancel(w, m[hs + i]);
    return done;
  }
}
