// Backing large memory the process is about to fill in one call, on huge pages, instead
// of one page fault per 4 KiB page. On this project's machines (a paravirtualised guest) a
// page touched for the first time costs ~12 us in the fault path: 2 M flows put ~45,000
// fresh pages under the conversation rows and the flow table, over half a second of a
// 3-second run. Huge pages populated in one call (the addon's prefault: MADV_HUGEPAGE,
// then MADV_POPULATE_WRITE) cost ~10 ms for 128 MiB against ~550 ms of first touches.
// Without the addon (not built, PKTWASM_NO_NATIVE, another OS) or with PKTWASM_PREFAULT=0
// both calls do nothing and the pages fault in as they are touched: the same memory, only
// slower. Callers advise a whole region once (its 2 MiB blocks then qualify) and populate
// only what they will fill next (the flow table's entries, the conversation rows: memory
// written front to back; huge pages under route tables and frame batches made their
// lookups slower here, so the arena asks for none), so the resident size ends where it would have, on the
// other core where they can (prefaultSoon); and only once a run is large enough that the
// addon's load (~7 ms) pays.
import { loadPcapAddon, type PcapAddon } from '../native/pcap-binding.js';

let addon: PcapAddon | null | undefined;

function loaded(): PcapAddon | null {
  if (addon === undefined) {
    const a = process.env.PKTWASM_PREFAULT === '0' ? null : loadPcapAddon();
    addon = a !== null && typeof a.prefault === 'function' ? a : null;
  }
  return addon;
}

/** Asks for huge pages under view[byteOffset, byteOffset + byteLength): memory that will be
 *  filled front to back (sparse use would make each touched 2 MiB block resident). */
export function adviseHugePages(view: ArrayBufferView, byteOffset = 0, byteLength = view.byteLength - byteOffset): boolean {
  const a = loaded();
  return a !== null && byteLength > 0 && a.prefault(view, byteOffset, byteLength, 0);
}

/** Backs view[byteOffset, byteOffset + byteLength) with pages now; whether it could. */
export function prefault(view: ArrayBufferView, byteOffset = 0, byteLength = view.byteLength - byteOffset): boolean {
  const a = loaded();
  return a !== null && byteLength > 0 && a.prefault(view, byteOffset, byteLength, 1);
}

/** The same on a thread of the addon's, returning at once: for memory the caller fills
 *  only after what it is filling now (a page still missing then faults in as usual). The
 *  memory must stay (an ArrayBuffer the caller keeps, or the shared memory). */
export function prefaultSoon(view: ArrayBufferView, byteOffset = 0, byteLength = view.byteLength - byteOffset): boolean {
  const a = loaded();
  return a !== null && byteLength > 0 && a.prefault(view, byteOffset, byteLength, 2);
}
