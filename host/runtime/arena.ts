// Bump allocator over the shared memory. Its cursor lives in the memory itself and is
// advanced with Atomics.compareExchange, so the main thread and every worker can carve
// regions from one arena without a lock. Regions are never freed one by one: structures
// with churn (pools, flow tables) manage their own region from the inside.
import { ARENA_HEADER, MemoryViews, RESERVED_BYTES, WASM_PAGE } from './memory.js';
import { PktError } from './errors.js';

export { ARENA_HEADER };
const ARENA_MAGIC = 0x61726e61; // 'arna'
export const ARENA_ALIGN = 64;

/** Lock-free bump allocator over the shared memory, shared by every thread on it. */
export class Arena {
  readonly views: MemoryViews;

  constructor(views: MemoryViews) {
    this.views = views;
    const i32 = views.i32;
    // The first arena on a memory initialises it; later ones (workers) just attach.
    if (Atomics.compareExchange(i32, (ARENA_HEADER >> 2) + 1, 0, ARENA_MAGIC) === 0) {
      Atomics.store(i32, ARENA_HEADER >> 2, RESERVED_BYTES);
    }
  }

  /** Bytes handed out so far (including the reserved first page). */
  get used(): number {
    return Atomics.load(this.views.i32, ARENA_HEADER >> 2) >>> 0;
  }

  /** Allocates `size` bytes aligned to `align` (a power of two, at least 64), zeroed. */
  alloc(size: number, align = ARENA_ALIGN): number {
    if (!(size >= 0) || !Number.isInteger(size)) throw new PktError('E_BAD_ARGUMENT', `arena: bad size ${size}`);
    if (align < ARENA_ALIGN) align = ARENA_ALIGN;
    const i32 = this.views.i32;
    const slot = ARENA_HEADER >> 2;
    for (;;) {
      const cur = Atomics.load(i32, slot) >>> 0;
      const start = (cur + align - 1) & ~(align - 1);
      const end = start + size;
      if (end > 0xFFFF_FFFF || (end >>> 0) !== end) {
        throw new PktError('E_NO_MEMORY', `arena: ${size} bytes do not fit in the 4 GiB address space`);
      }
      if (Atomics.compareExchange(i32, slot, cur | 0, end | 0) !== (cur | 0)) continue;
      // No fill: the arena never hands out memory twice, and memory that WebAssembly
      // grows is zero-filled (the spec's memory.grow), so every region starts zeroed.
      this.ensure(end);
      return start;
    }
  }

  /** Grows the memory so that [0, end) is addressable, then refreshes our views. */
  ensure(end: number): void {
    const mem = this.views.memory;
    const have = mem.buffer.byteLength;
    if (end > have) {
      const pages = Math.ceil((end - have) / WASM_PAGE);
      try {
        mem.grow(pages);
      } catch {
        // Another thread may have grown it meanwhile; only fail if still too small.
        if (mem.buffer.byteLength < end) {
          throw new PktError('E_NO_MEMORY', `arena: cannot grow shared memory to ${end} bytes`);
        }
      }
    }
    this.views.refresh();
  }
}
