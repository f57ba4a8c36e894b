// A private engine (the TypeScript twin backend, on its own memory) for bytes no engine
// has dissected: a capture record handed to TextFormatter.formatFrame(), and the inner
// packet of an IP-in-IP tunnel, which the descriptor does not carry yet (issue #15 adds
// inner layers to it). The text printers then read the result like any other descriptor.
// One batch per nesting level, so an inner packet does not overwrite its outer one.
import { createEngine, type Engine } from '../../engine/engine.js';
import type { FrameBatch } from '../../engine/frame-batch.js';
import type { PacketView } from '../../dissect/packet-view.js';
import { PCAP_MAX_CAPLEN } from '../../runtime/layout.js';
import { MAX_TUNNEL_DEPTH } from '../../dissect/tunnel-depth.js';

export class RecordDissector {
  private engine: Engine | null = null;
  private readonly batches: FrameBatch[] = [];
  private readonly views: PacketView[] = [];

  /** Dissects `bytes` (captured; `wirelen` on the wire) at nesting `level`; the view stays
   *  valid until the next call at the same level. */
  dissect(bytes: Uint8Array, linktype: number, wirelen: number, level = 0): PacketView {
    this.engine ??= createEngine({ backend: 'ts' });
    const e = this.engine;
    const batch = this.batches[level] ??= e.createBatch(1, PCAP_MAX_CAPLEN);
    batch.clear();
    batch.push(bytes.length > PCAP_MAX_CAPLEN ? bytes.subarray(0, PCAP_MAX_CAPLEN) : bytes, linktype, wirelen);
    e.dissect(batch);
    const view = this.views[level] ??= e.createView();
    return view.at(batch, 0);
  }

  /** The memory the views' frames live in (current after growth). */
  bytes(): Uint8Array {
    if (this.engine === null) throw new Error('RecordDissector.bytes() before dissect()');
    return this.engine.views.refresh().u8;
  }
}

let shared: RecordDissector | null = null;

/** The level a quoted packet (ICMPv6 errors) is dissected at: past every tunnel level. */
export const QUOTED_LEVEL = MAX_TUNNEL_DEPTH;

/** The formatter's one scratch dissector (levels 0 to tunnelDepth() - 1: tunnels' inner
 *  packets; QUOTED_LEVEL: a quoted packet). */
export function scratchDissector(): RecordDissector {
  shared ??= new RecordDissector();
  return shared;
}
