// FrameRing: a single-producer, single-consumer ring of frames in the engine's shared
// memory, the way the sniffer hands packets from its capture thread to a worker. Both
// threads run an engine over the SAME WebAssembly.Memory: the main thread copies frames in,
// the worker references them where they lie (no copy, no postMessage per packet),
// dissects them and gives the slots back; it sleeps in Atomics.wait while the ring is empty.
//
//   node examples/frame-ring-worker.mjs [file.pcap]
// The worker prints how many frames and wire bytes it saw, and how many carried TCP or UDP.
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import { createEngine, FrameRing, layout, readCaptureFile } from 'pktwasm';

if (isMainThread) {
  const file = process.argv[2] ?? fileURLToPath(new URL('../test/fixtures/sample.pcap', import.meta.url));
  const engine = createEngine();
  const ring = FrameRing.create(engine, 64, 2048); // 64 slots of up to 2 KiB frames
  // The memory and the compiled module are posted once; the ring is known by its address.
  const worker = new Worker(new URL(import.meta.url), { workerData: { memory: engine.memory, module: engine.module, ring: ring.address } });
  const done = new Promise((resolve, reject) => { worker.once('message', resolve); worker.once('error', reject); });

  const batch = engine.createBatch(1);
  for (const r of readCaptureFile(file).records) {
    batch.clear();
    batch.push(r.data, r.linktype, r.wirelen);
    batch.setTime(0, r.tsSec, r.tsNsec);
    // A full ring means the worker is behind: wait for a slot rather than drop the frame
    // (a live capture would drop and count it in ring.drops instead).
    while (ring.enqueue(batch) === 0) ring.waitForSpace(100);
  }
  ring.close(); // the worker drains what is left, then stops
  const seen = await done;
  console.log(`worker: ${seen.frames} frames, ${seen.bytes} bytes, ${seen.tcp} tcp, ${seen.udp} udp`);
} else {
  const { memory, module, ring: address } = workerData;
  const engine = createEngine({ memory, module }); // attaches: same memory, same arena
  const ring = FrameRing.attach(engine, address);
  const batch = engine.createBatch(32, 0); // references ring slots: needs no data area
  const view = engine.createView();
  const seen = { frames: 0, bytes: 0, tcp: 0, udp: 0 };
  for (;;) {
    const closed = ring.closed; // read before peeking: frames published before close are still taken
    const n = ring.peek(batch);
    if (n === 0) {
      if (closed) break;
      ring.waitForData(100);
      continue;
    }
    engine.dissect(batch);
    for (let i = 0; i < n; i++) {
      view.at(batch, i);
      seen.frames++;
      seen.bytes += batch.wirelen(i);
      if (view.has(layout.L_TCP)) seen.tcp++;
      else if (view.has(layout.L_UDP)) seen.udp++;
    }
    ring.release(n); // the producer may reuse these slots now
  }
  parentPort.postMessage(seen);
}
