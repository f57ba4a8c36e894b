// Scaffolding the IPv4 and IPv6 LPM tests share: the two backends over one memory, the
// error-code assertion, the random add/re-add/delete churn against the naive reference,
// and the end-of-run checks (WASM and twin tables byte-identical; a drained table gives
// back every group and slot). The address type A is a u32 (IPv4) or 16 bytes (IPv6).
import * as assert from 'uvu/assert';
import { createEngine, type Engine } from '../../host/engine/engine.js';
import { PktError } from '../../host/runtime/errors.js';
import type { LpmFigures } from '../../host/lpm/lpm-options.js';
import type { Rng } from './env.js';

export const wasmEngine = createEngine({ backend: 'wasm' });
export const tsEngine = createEngine({ backend: 'ts', memory: wasmEngine.memory, module: wasmEngine.module });
export const engines: [string, Engine][] = [['wasm', wasmEngine], ['ts', tsEngine]];

export function throwsCode(fn: () => unknown, code: string): void {
  try { fn(); } catch (e) {
    assert.instance(e, PktError);
    assert.is((e as PktError).code, code);
    return;
  }
  assert.unreachable(`expected ${code}`);
}

/** What the churn needs of the reference and of an Lpm4/Lpm6 table. */
export interface RefLike<A> { add(a: A, d: number, nh: number): boolean; delete(a: A, d: number): boolean; readonly size: number }
export interface TableLike<A> {
  addRaw(a: A, d: number, nh: number): boolean;
  deleteRaw(a: A, d: number): boolean;
  figures(): LpmFigures;
  readonly table: number;
}

export interface ChurnOptions<A> {
  /** Stop once the reference holds this many prefixes. */
  until: number;
  /** A new prefix [addr, depth] (masked); may nest inside a live one. */
  newPrefix: () => [A, number];
  /** Every this many steps, run check. */
  checkEvery: number;
  check: () => void;
  /** For failure messages. */
  show: (a: A, d: number) => string;
}

/**
 * Random operations on the reference and every table in lockstep: 15% delete a live
 * prefix, 5% re-add one with a new next hop, else add a new one. Every table must report
 * the same outcome as the reference. `live` is kept as the set of live prefixes.
 */
export function churn<A>(rng: Rng, ref: RefLike<A>, tables: TableLike<A>[], live: [A, number][], o: ChurnOptions<A>): void {
  for (let step = 0; ref.size < o.until; step++) {
    const r = rng.int(100);
    if (r < 15 && live.length > 0) {
      const k = rng.int(live.length);
      const [a, d] = live[k];
      live[k] = live[live.length - 1];
      live.pop();
      assert.ok(ref.delete(a, d));
      for (const t of tables) assert.ok(t.deleteRaw(a, d), `delete ${o.show(a, d)}`);
    } else if (r < 20 && live.length > 0) {
      const [a, d] = live[rng.int(live.length)];
      const nh = rng.int(1000);
      assert.not.ok(ref.add(a, d, nh));
      for (const t of tables) assert.not.ok(t.addRaw(a, d, nh));
    } else {
      const [a, d] = o.newPrefix();
      const nh = rng.int(1000);
      const fresh = ref.add(a, d, nh);
      for (const t of tables) assert.is(t.addRaw(a, d, nh), fresh);
      if (fresh) live.push([a, d]);
    }
    if (step % o.checkEvery === o.checkEvery - 1) o.check();
  }
}

/**
 * Same operations, same algorithm: the two tables must be identical below the header
 * (whose pointers are absolute and so differ).
 */
export function assertSameTables(w: TableLike<unknown>, t: TableLike<unknown>, header: number): void {
  const fw = w.figures(), ft = t.figures();
  assert.equal(fw, ft);
  const u8 = wasmEngine.views.refresh().u8;
  const a = Buffer.from(u8.buffer, w.table + header, fw.bytes - header);
  const b = Buffer.from(u8.buffer, t.table + header, ft.bytes - header);
  assert.ok(a.equals(b), 'WASM and twin tables differ');
}

/** Deletes every prefix; then each table must have given back every rule, tbl8 group and next-hop slot. */
export function assertDrains<A>(prefixes: [A, number][], tables: TableLike<A>[]): void {
  for (const [pa, pd] of prefixes) for (const x of tables) assert.ok(x.deleteRaw(pa, pd));
  for (const x of tables) {
    const f = x.figures();
    assert.is(f.rules, 0);
    assert.is(f.tbl8Used, 0, 'every group folds back once its prefixes are gone');
    assert.is(f.nextHops, 0);
  }
}

/** What the random-table test needs of an Lpm4/Lpm6 table beyond TableLike. */
export interface RandomTable<A, Addrs> extends TableLike<A> {
  readonly size: number;
  lookupBulk(addrs: Addrs, out: Uint32Array): number;
}

/** One family's part of the random-table test. */
export interface RandomTableCase<A, Addrs, T extends RandomTable<A, Addrs>> {
  ref: RefLike<A> & { all(): [A, number][] };
  make: (engine: Engine) => T;
  /** Header bytes, which hold absolute pointers and so differ between the two tables. */
  header: number;
  until: number;
  checkEvery: number;
  newPrefix: (rng: Rng, live: [A, number][]) => [A, number];
  /** Every lookup of `count` addresses on both tables against the reference. */
  check: (rng: Rng, live: [A, number][], count: number, w: T, t: T) => void;
  checkCount: number;
  finalCheckCount: number;
  show: (a: A, d: number) => string;
}

/**
 * Random tables against the naive reference: the churn (checking lookups as it goes), then
 * a last check, the WASM and twin tables byte-identical, and a drain giving everything
 * back. Returns the two (drained) tables.
 */
export function randomTableMatchesReference<A, Addrs, T extends RandomTable<A, Addrs>>(rng: Rng, c: RandomTableCase<A, Addrs, T>): [T, T] {
  const w = c.make(wasmEngine);
  const t = c.make(tsEngine);
  const live: [A, number][] = [];
  churn(rng, c.ref, [w, t], live, {
    until: c.until,
    newPrefix: () => c.newPrefix(rng, live),
    checkEvery: c.checkEvery,
    check: () => c.check(rng, live, c.checkCount, w, t),
    show: c.show,
  });
  assert.ok(c.ref.size >= 10000, `only ${c.ref.size} prefixes live`);
  assert.is(w.size, c.ref.size);
  assert.is(t.size, c.ref.size);
  c.check(rng, live, c.finalCheckCount, w, t);
  assertSameTables(w, t, c.header);
  // Deleting everything returns every tbl8 group and next-hop slot.
  assertDrains(c.ref.all(), [w, t]);
  return [w, t];
}

/** Both tables' bulk lookups of `count` addresses: results and hit counts. */
export function lookupBulkBoth<Addrs>(w: RandomTable<unknown, Addrs>, t: RandomTable<unknown, Addrs>, addrs: Addrs, count: number): { outW: Uint32Array; outT: Uint32Array; hitsW: number; hitsT: number } {
  const outW = new Uint32Array(count), outT = new Uint32Array(count);
  return { outW, outT, hitsW: w.lookupBulk(addrs, outW), hitsT: t.lookupBulk(addrs, outT) };
}
