// Child process for test/hardening-addon: calls the libpcap addon directly the way a
// library user could misuse it (issue #21 item 8). A crash here (SIGSEGV) is the child's
// exit signal, which the test reads; on success it prints one JSON line of what happened.
import { createSocket } from 'node:dgram';
import { createEngine } from '../../host/engine/engine.js';
import { FrameRing } from '../../host/ring/frame-ring.js';
import { EV_END, requirePcapAddon } from '../../host/native/pcap-binding.js';

const scenario = process.argv[2] ?? '';
const addon = requirePcapAddon();
const engine = createEngine();
const ring = FrameRing.create(engine, 64, 4096);

function openLo(): ReturnType<typeof addon.open> {
  return addon.open('lo', 2048, 0, 1 << 20, 10, 1, 0, '', 1, 0);
}

/** Some loopback traffic for the capture to copy into its memory. */
async function traffic(ms: number): Promise<void> {
  const s = createSocket('udp4');
  const end = Date.now() + ms;
  while (Date.now() < end) {
    for (let i = 0; i < 50; i++) s.send(Buffer.alloc(200, i), 9, '127.0.0.1');
    await new Promise((r) => setTimeout(r, 10));
  }
  s.close();
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function main(): Promise<Record<string, unknown>> {
  const shared = new Uint8Array(engine.memory.buffer);
  if (scenario === 'arraybuffer') {
    // The same bytes (a valid ring header) in an ordinary ArrayBuffer.
    const ab = new ArrayBuffer(shared.length);
    new Uint8Array(ab).set(shared);
    const h = openLo();
    let rejected: { code: unknown; message: string } | null = null;
    try {
      addon.start(h, new Uint8Array(ab), ring.address, 0, () => {}, 0);
    } catch (e) {
      rejected = { code: (e as { code?: unknown }).code, message: (e as Error).message };
    }
    if (rejected === null) {
      // Accepted: detach the buffer while the capture thread writes into it.
      structuredClone(ab, { transfer: [ab] });
      (globalThis as { gc?: () => void }).gc?.();
      await traffic(1500);
      addon.close(h);
    } else {
      addon.close(h);
    }
    return { rejected };
  }
  if (scenario === 'shared') {
    const h = openLo();
    let ends = 0;
    addon.start(h, shared, ring.address, 0, (ev) => { if (ev === EV_END) ends++; }, 1);
    await traffic(200);
    addon.stop(h, 0);
    addon.close(h);
    return { ends };
  }
  if (scenario === 'close-in-end-loop' || scenario === 'stop-close-in-end-loop' || scenario === 'close-in-end-thread') {
    const h = openLo();
    let ends = 0;
    let innerCloses = 0;
    const thread = scenario === 'close-in-end-thread';
    let ended!: () => void;
    const endSeen = new Promise<void>((r) => { ended = r; });
    addon.start(h, shared, ring.address, 0, (ev) => {
      if (ev !== EV_END) return;
      ends++;
      addon.close(h);
      innerCloses++;
      ended();
    }, thread ? 0 : 1);
    await traffic(200);
    if (scenario === 'close-in-end-loop') addon.close(h); // END is delivered from inside this close
    else addon.stop(h, 0);
    await Promise.race([endSeen, sleep(5000)]);
    addon.close(h); // idempotent
    addon.close(h);
    await sleep(100);
    return { ends, innerCloses };
  }
  throw new Error(`unknown scenario ${scenario}`);
}

main().then((r) => {
  process.stdout.write(`${JSON.stringify(r)}\n`);
  process.exit(0);
}, (e: unknown) => {
  process.stdout.write(`${JSON.stringify({ threw: String(e) })}\n`);
  process.exit(3);
});
