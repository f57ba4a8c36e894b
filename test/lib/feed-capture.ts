// Feeding a capture file to the engine in batches, for the tests that compare a flow
// table or an IPFIX stage with an outside tool on the same file.
import type { Engine } from '../../host/engine/engine.js';
import type { FlowTable } from '../../host/flows/flow-table.js';
import { InnerFrames } from '../../host/flows/inner-frames.js';
import { readCaptureFile } from '../../host/sources/capture-file.js';

export type Batch = ReturnType<Engine['createBatch']>;

/** Every record of `file`, dissected, handed to `sink` 64 at a time; false if the file
 *  cannot be read. */
export function feedCapture(engine: Engine, file: string, sink: (b: Batch) => void): boolean {
  let cap;
  try { cap = readCaptureFile(file); } catch { return false; }
  const batch = engine.createBatch(64, 64 * 70000);
  for (const r of cap.records) {
    if (!batch.push(r.data, r.linktype, r.wirelen)) {
      engine.dissect(batch); sink(batch); batch.clear();
      batch.push(r.data, r.linktype, r.wirelen);
    }
    batch.setTime(batch.count - 1, r.tsSec, r.tsNsec);
  }
  engine.dissect(batch); sink(batch); batch.clear();
  return true;
}

/** `file` into `table`, tunnels' inner packets counted as flows of their own (as the
 *  flow and IPFIX stages do). */
export function feedFlowTable(engine: Engine, file: string, table: FlowTable): boolean {
  const inner = new InnerFrames(engine);
  return feedCapture(engine, file, (b) => { table.update(b); inner.forEach(b, (x) => { table.update(x); }); });
}
