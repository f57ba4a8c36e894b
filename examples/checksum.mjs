// engine.checksum(): the Internet checksum (RFC 1071) of any buffer, summed in WebAssembly.
// Here it recomputes the header checksum of every IPv4 packet of a capture: a header
// summed with its checksum field in place gives 0 when the field is right. The frames are
// views into the engine's own memory (batch.frameBytes), which it sums in place, no copy.
//
//   node examples/checksum.mjs [file.pcap]
// Prints RFC 1071's worked example, then per IPv4 frame its header checksum field and
// whether it is right.
import { fileURLToPath } from 'node:url';
import { captureBatches, createEngine, layout } from 'pktwasm';

const file = process.argv[2] ?? fileURLToPath(new URL('../test/fixtures/sample.pcap', import.meta.url));
const engine = createEngine();

// RFC 1071 section 3: the bytes 00 01 f2 03 f4 f5 f6 f7 add up to 0xddf2 (one's
// complement); the checksum is its complement, 0x220d.
const rfc = Uint8Array.of(0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7);
const hex = (v) => `0x${v.toString(16).padStart(4, '0')}`;
console.log(`rfc1071 example: ${hex(engine.checksum(rfc))}`);

let number = 0;
const view = engine.createView();
for await (const { batch } of captureBatches({ file, engine })) {
  for (let i = 0; i < batch.count; i++) {
    number++;
    view.at(batch, i);
    // Only IPv4 headers carry a checksum; the header must be captured whole to be summed.
    if (!view.has(layout.L_IP4) || view.l3Off + view.l3HdrLen > batch.caplen(i)) continue;
    const header = batch.frameBytes(i).subarray(view.l3Off, view.l3Off + view.l3HdrLen);
    const sum = engine.checksum(header);
    console.log(`frame ${number}: ip.checksum ${hex(view.ipChecksum)} ${sum === 0 ? 'good' : 'bad'}`);
  }
}
