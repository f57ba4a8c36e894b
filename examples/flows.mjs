// FlowTable: TCP/UDP conversations (and other IP flows) tracked in the shared memory as the
// batches go by, with per-direction frame and byte counts and TCP state. Fed from
// captureBatches(), which has already dissected and reassembled IP fragments, it counts
// what `tshark -q -z conv,tcp -z conv,udp` counts, and formatConversationTable() prints
// the rows in tshark's layout.
//
//   node examples/flows.mjs [file.pcap]
// Prints the TCP and UDP conversation tables, then one JSON line per flow.
import { fileURLToPath } from 'node:url';
import { allFlows, captureBatches, createEngine, flowJsonLine, FlowTable, formatConversationTable } from 'pktwasm';

const file = process.argv[2] ?? fileURLToPath(new URL('../test/fixtures/sample.pcap', import.meta.url));

const engine = createEngine();
// keepEnded: flows that end (FIN/RST, idle timeout) stay listed for the final table.
const table = new FlowTable(engine, { capacity: 4096, keepEnded: true });
for await (const { batch } of captureBatches({ file, engine })) table.update(batch);

const flows = allFlows(table); // ended and live, oldest first
const origin = table.firstTime(); // tshark's "Relative Start" counts from the first frame
process.stdout.write(formatConversationTable(flows, 'tcp', origin));
process.stdout.write(formatConversationTable(flows, 'udp', origin));
for (const f of flows) console.log(flowJsonLine(f));
console.log(`${flows.length} flows, ${table.live} still live at the end of the file`);
