// captureBatches(): the zero-allocation loop. Instead of one object per packet, each step
// yields the engine's own FrameBatch (frames already dissected in the shared memory) and
// one PacketView is pointed at frame after frame: reading a field is a typed-array load,
// no object is made per packet. The batch is reused, so finish with it before the next step.
//
//   node examples/capture-batches.mjs [file.pcap] [filter]
// Prints frames and wire bytes per transport (tcp, udp, icmp, other), then the busiest
// TCP/UDP destination ports.
import { fileURLToPath } from 'node:url';
import { captureBatches, layout } from 'pktwasm';

const file = process.argv[2] ?? fileURLToPath(new URL('../test/fixtures/sample.pcap', import.meta.url));
const filter = process.argv[3]; // optional: every frame when absent

// Counters are allocated once, before the loop: [tcp, udp, icmp, other].
const frames = new Float64Array(4);
const bytes = new Float64Array(4);
const dstPorts = new Uint32Array(65536);
let view = null;

for await (const { batch, select, engine } of captureBatches({ file, filter })) {
  view ??= engine.createView(); // one view for the whole capture
  const u8 = engine.views.refresh().u8; // memory can grow between batches: refresh first
  for (let i = 0; i < batch.count; i++) {
    // With a filter, `select` points at one keep-byte per frame (0 = filtered out).
    if (select !== 0 && u8[select + i] === 0) continue;
    view.at(batch, i);
    // A fragment that completes no datagram is counted as 'other', as tshark does: its
    // transport is counted once, on the fragment that completes the datagram (L_REASM).
    const held = view.has(layout.L_FRAG) && !view.has(layout.L_REASM);
    const k = held ? 3 : view.has(layout.L_TCP) ? 0 : view.has(layout.L_UDP) ? 1 : view.has(layout.L_ICMP | layout.L_ICMP6) ? 2 : 3;
    frames[k]++;
    bytes[k] += batch.wirelen(i);
    if (k <= 1) dstPorts[view.dstPort]++;
  }
}

['tcp', 'udp', 'icmp', 'other'].forEach((name, k) => console.log(`${name} ${frames[k]} frames ${bytes[k]} bytes`));
// Allocation is fine here, once, after the capture.
const top = [...dstPorts.entries()].filter(([, c]) => c > 0).sort((a, b) => b[1] - a[1] || a[0] - b[0]).slice(0, 3);
console.log(`busiest destination ports: ${top.map(([p, c]) => `${p} (${c})`).join(', ') || 'none'}`);
