// One shared WebAssembly.Memory per process (DESIGN.md, "Memory model"). Typed-array
// views over it go stale when any thread grows the memory; MemoryViews is the one place
// that notices and refreshes them.

export const WASM_PAGE = 65536;
/** The first page is the engine's: AssemblyScript static data (memoryBase 4096) and the
 *  arena header live there; the arena hands out memory from the second page on. */
export const RESERVED_BYTES = WASM_PAGE;
export const DEFAULT_INITIAL_PAGES = 256; // 16 MiB: committed lazily by the OS anyway
export const DEFAULT_MAXIMUM_PAGES = 65536; // 4 GiB of address space; pages commit as touched
/** Byte address of the arena header in the reserved first page: [cursor u32, magic u32]. */
export const ARENA_HEADER = 64;

/** Size of a new shared memory, in 64 KiB WebAssembly pages. */
export interface MemoryOptions {
  /** Pages at creation (default 256: 16 MiB, committed by the OS as touched). */
  initialPages?: number;
  /** Pages it may grow to (default 65,536: the whole 4 GiB address space). */
  maximumPages?: number;
}

/** A new shared WebAssembly.Memory, to give to several engines (threads, workers). */
export function createSharedMemory(opts: MemoryOptions = {}): WebAssembly.Memory {
  return new WebAssembly.Memory({
    initial: opts.initialPages ?? DEFAULT_INITIAL_PAGES,
    maximum: opts.maximumPages ?? DEFAULT_MAXIMUM_PAGES,
    shared: true,
  });
}

/** Typed views over the whole memory, refreshed after growth (ours or another thread's). */
export class MemoryViews {
  readonly memory: WebAssembly.Memory;
  u8!: Uint8Array;
  u16!: Uint16Array;
  u32!: Uint32Array;
  i32!: Int32Array;
  f64!: Float64Array;
  dv!: DataView;
  /** Bytes the views reach, as a plain number: reading byteLength of a view over the shared
   *  memory's buffer is a runtime call in Node 20's V8 (10-15 ns, measured), and refresh()
   *  runs on every accessor of a batch or a packet view. */
  private reach = 0;

  constructor(memory: WebAssembly.Memory) {
    this.memory = memory;
    this.refresh();
  }

  /** Re-creates the views if the memory has grown past them; cheap when it has not.
   *  Reading memory.buffer of a shared memory makes a new SharedArrayBuffer object on
   *  every access, so we first ask the arena's cursor (one atomic load): everything in
   *  use lies below it, and if our views reach that far they are good. */
  refresh(): this {
    if (this.u8 !== undefined && (Atomics.load(this.i32, ARENA_HEADER >> 2) >>> 0) <= this.reach) return this;
    const buf = this.memory.buffer;
    if (this.u8 === undefined || this.u8.byteLength !== buf.byteLength) {
      this.u8 = new Uint8Array(buf);
      this.u16 = new Uint16Array(buf);
      this.u32 = new Uint32Array(buf);
      this.i32 = new Int32Array(buf);
      this.f64 = new Float64Array(buf, 0, buf.byteLength >>> 3);
      this.dv = new DataView(buf);
    }
    this.reach = this.u8.byteLength;
    return this;
  }
}
