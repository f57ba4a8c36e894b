// Timer wheel with a million live timers: schedule+cancel throughput and advance cost,
// WASM (single calls and bursts) vs the pure-TS twin vs npm `timer-wheel` vs Node's own
// timers (at 100k: a million libuv timers take seconds just to create). Every contender
// keeps the same number of live timers: each step cancels an old timer and arms a new
// one in its place, with delays from one seeded list.
import { TimerWheel as NpmTimerWheel, type TimerHandle } from 'timer-wheel';
import { createEngine, type Engine } from '../host/engine/engine.js';
import { exportsOf } from '../host/engine/backend.js';
import { WHEEL, type WheelExports } from '../host/wheel/exports.js';
import { compare } from './lib/compare.js';
import { sized } from './lib/results.js';

const LIVE = sized(1_000_000, 20_000);
const NODE_LIVE = sized(100_000, 5_000);
const BURST = 1024;
const SEED = Number(process.env.SEED ?? 7);

function delays(n: number, max: number): Uint32Array {
  const d = new Uint32Array(n);
  let s = SEED >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    d[i] = 1 + (s % max);
  }
  return d;
}

const DELAYS = delays(LIVE, 1 << 20);

interface Setup {
  core: WheelExports;
  w: number;
  handles: number; // u32[LIVE] in the shared memory
  delays: number;
  ids: number;
  out: number;
  u32: Uint32Array;
  cursor: number;
  now: number;
}

function setup(engine: Engine): Setup {
  const core = exportsOf(engine, WHEEL);
  const w = engine.arena.alloc(core.wheel_region_size(LIVE));
  core.wheel_init(w, LIVE, 0);
  const handles = engine.arena.alloc(LIVE * 4);
  const dl = engine.arena.alloc(LIVE * 4);
  const ids = engine.arena.alloc(LIVE * 4);
  const out = engine.arena.alloc(LIVE * 4);
  const u32 = engine.views.refresh().u32;
  u32.set(DELAYS, dl >>> 2);
  for (let i = 0; i < LIVE; i++) u32[(ids >>> 2) + i] = i;
  core.wheel_schedule_burst(w, dl, ids, handles, LIVE);
  return { core, w, handles, delays: dl, ids, out, u32: engine.views.refresh().u32, cursor: 0, now: 0 };
}

/** One step: BURST cancel+schedule pairs through single calls. */
function stepSingle(s: Setup): void {
  const { core, w, u32 } = s;
  const h = s.handles >>> 2;
  let k = s.cursor;
  for (let i = 0; i < BURST; i++) {
    core.wheel_cancel(w, u32[h + k]);
    u32[h + k] = core.wheel_schedule(w, DELAYS[k], k);
    k = k + 1 === LIVE ? 0 : k + 1;
  }
  s.cursor = k;
}

/** Same, through the burst exports (one call each way per BURST). */
function stepBurst(s: Setup): void {
  const k = s.cursor;
  s.core.wheel_cancel_burst(s.w, s.handles + k * 4, BURST);
  s.core.wheel_schedule_burst(s.w, s.delays + k * 4, s.ids + k * 4, s.handles + k * 4, BURST);
  s.cursor = k + BURST >= LIVE ? 0 : k + BURST;
}

const ADV = 64;

async function main(): Promise<void> {
  const wasm = createEngine({ backend: 'wasm' });
  const twin = createEngine({ backend: 'ts' });
  console.log(`timer wheel: ${LIVE.toLocaleString()} live timers, delays 1..2^20 ticks; steps of ${BURST} cancel+schedule pairs`);
  const sw = setup(wasm);
  const swb = setup(wasm);
  const st = setup(twin);

  // npm timer-wheel: delays in ms; it rounds to its 1 s bottom layer, so add 1000.
  const npm = new NpmTimerWheel<number>();
  const npmHandles: TimerHandle[] = new Array(LIVE);
  for (let i = 0; i < LIVE; i++) npmHandles[i] = npm.schedule(i, 1000 + DELAYS[i]);
  let npmCursor = 0;

  // Node's timers: 100k live (setTimeout objects are ~200 bytes each and libuv keeps them
  // in a binary heap; a million takes seconds to set up and the rest of the suite with it).
  const noop = (): void => {};
  const nodeHandles: NodeJS.Timeout[] = new Array(NODE_LIVE);
  for (let i = 0; i < NODE_LIVE; i++) nodeHandles[i] = setTimeout(noop, 3_600_000 + DELAYS[i]);
  let nodeCursor = 0;

  await compare({ title: 'schedule+cancel with 1M live timers (2 ops per pair)', unitsPerCall: 2 * BURST, throughput: 'M ops/s', target: 50 }, [
    { name: 'wasm burst', fn: () => stepBurst(swb) },
    { name: 'wasm single calls', fn: () => stepSingle(sw) },
    { name: 'ts twin', fn: () => stepSingle(st) },
    {
      name: 'npm timer-wheel',
      fn: () => {
        let k = npmCursor;
        for (let i = 0; i < BURST; i++) {
          npmHandles[k].remove();
          npmHandles[k] = npm.schedule(k, 1000 + DELAYS[k]);
          k = k + 1 === LIVE ? 0 : k + 1;
        }
        npmCursor = k;
      },
    },
    {
      name: 'node setTimeout (100k live)',
      fn: () => {
        let k = nodeCursor;
        for (let i = 0; i < BURST; i++) {
          clearTimeout(nodeHandles[k]);
          nodeHandles[k] = setTimeout(noop, 3_600_000 + DELAYS[k]);
          k = k + 1 === NODE_LIVE ? 0 : k + 1;
        }
        nodeCursor = k;
      },
    },
  ]);

  for (const h of nodeHandles) clearTimeout(h);

  // Advance cost: fresh wheels of a million timers, advanced 64 ticks (npm: 64 ms) per step
  // for 2048 steps (131,072 ticks: about 12.5 % of the timers fire), nothing re-armed, so
  // every contender does exactly the same work. Timed as a whole (firing is bursty for
  // npm's 1 s bottom layer, so a per-step median would mislead); two alternating rounds.
  const STEPS = 2048;
  const rows: { name: string; ms: number; fired: number }[] = [];
  for (let round = 0; round < 3; round++) {
    for (const [name, engine] of [['wasm', wasm], ['ts twin', twin]] as const) {
      const s = setup(engine);
      const t0 = performance.now();
      let fired = 0;
      for (let i = 0; i < STEPS; i++) {
        s.now += ADV;
        fired += s.core.wheel_advance(s.w, s.now, s.out, LIVE);
      }
      rows.push({ name, ms: performance.now() - t0, fired });
    }
    const w2 = new NpmTimerWheel<number>();
    for (let i = 0; i < LIVE; i++) w2.schedule(i, 1000 + DELAYS[i]);
    const base = (w2 as unknown as { base: number }).base;
    let local = Date.now() - base;
    const t0 = performance.now();
    let fired = 0;
    for (let i = 0; i < STEPS; i++) {
      local += ADV;
      fired += w2.advance(local).length;
    }
    rows.push({ name: 'npm timer-wheel', ms: performance.now() - t0, fired });
  }
  console.log(`\nadvance with ${LIVE.toLocaleString()} live timers: ${STEPS} steps of ${ADV} ticks, whole run timed (3 rounds; the first includes page faults and JIT warm-up)`);
  console.log('contender         round   total ms   fired    ns/fired   ns/tick');
  rows.forEach((r, i) => {
    console.log(`${r.name.padEnd(16)}  ${String(1 + Math.floor(i / 3)).padStart(5)}  ${r.ms.toFixed(1).padStart(9)}  ${String(r.fired).padStart(7)}  ${((r.ms * 1e6) / r.fired).toFixed(1).padStart(9)}  ${((r.ms * 1e6) / (STEPS * ADV)).toFixed(1).padStart(8)}`);
  });
}

await main();
