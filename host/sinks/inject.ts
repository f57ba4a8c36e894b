// Frame injection for host/replay.js: whole batches go to the addon in one call, which
// loops over pcap_inject in C (one N-API crossing per batch, not per frame). Without the
// addon, cap's send() is the fallback (one call per frame).
import { PktError } from '../runtime/errors.js';
import { loadPcapAddon, pcapAddonError, toPktError, type PcapAddon, type PcapHandle } from '../native/pcap-binding.js';
import { requireCap, capErrorCode } from '../sources/live-cap.js';

export interface Injector {
  readonly backend: 'pcap' | 'cap';
  readonly iface: string;
  /** Sends `count` frames lying back to back in `bytes`, lengths in `lengths`. Returns
   *  how many were sent; on failure throws E_IO with `sent` = frames sent before it. */
  sendPacked(bytes: Uint8Array, lengths: Uint32Array, count?: number): number;
  /** Sends each frame in order (copied into one packed batch first). */
  sendBatch(frames: readonly Uint8Array[]): number;
  close(): void;
}

export interface InjectorOptions {
  backend?: 'auto' | 'pcap' | 'cap';
  warn?: (line: string) => void;
}

class PcapInjector implements Injector {
  readonly backend = 'pcap' as const;
  readonly iface: string;
  private readonly addon: PcapAddon;
  private handle: PcapHandle | null;
  private staging = new Uint8Array(64 * 1024);
  private lens = new Uint32Array(256);

  constructor(addon: PcapAddon, iface: string) {
    this.addon = addon;
    this.iface = iface;
    try {
      // Snaplen 64 and a reject-all kernel filter (set by injectOnly): the handle never reads.
      this.handle = addon.open(iface, 64, 0, 0, 1000, 1, 0, '', 0, 1);
    } catch (err) {
      throw toPktError(err);
    }
  }

  private live(): PcapHandle {
    if (!this.handle) throw new PktError('E_BAD_ARGUMENT', `injector on ${this.iface}: closed`);
    return this.handle;
  }

  sendPacked(bytes: Uint8Array, lengths: Uint32Array, count = lengths.length): number {
    try {
      return this.addon.inject(this.live(), bytes, lengths, count);
    } catch (err) {
      throw toPktError(err);
    }
  }

  sendBatch(frames: readonly Uint8Array[]): number {
    let total = 0;
    for (const f of frames) total += f.length;
    if (total > this.staging.length) this.staging = new Uint8Array(Math.max(total, this.staging.length * 2));
    if (frames.length > this.lens.length) this.lens = new Uint32Array(Math.max(frames.length, this.lens.length * 2));
    let off = 0;
    for (let i = 0; i < frames.length; i++) {
      this.staging.set(frames[i], off);
      this.lens[i] = frames[i].length;
      off += frames[i].length;
    }
    return this.sendPacked(this.staging, this.lens, frames.length);
  }

  close(): void {
    if (this.handle) this.addon.close(this.handle);
    this.handle = null;
  }
}

class CapInjector implements Injector {
  readonly backend = 'cap' as const;
  readonly iface: string;
  private readonly cap: InstanceType<ReturnType<typeof requireCap>['Cap']>;
  private open = true;

  constructor(iface: string) {
    this.iface = iface;
    const { Cap } = requireCap();
    this.cap = new Cap();
    try {
      // "less 0" matches nothing: the capture half of cap's handle stays idle.
      this.cap.open(iface, 'less 0', 64 * 1024, Buffer.alloc(64));
    } catch (err) {
      const msg = (err as Error).message;
      throw new PktError(capErrorCode(msg), `cannot inject on ${iface} (cap): ${msg}`);
    }
  }

  sendPacked(bytes: Uint8Array, lengths: Uint32Array, count = lengths.length): number {
    if (!this.open) throw new PktError('E_BAD_ARGUMENT', `injector on ${this.iface}: closed`);
    const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    let off = 0;
    for (let i = 0; i < count; i++) {
      const n = lengths[i];
      if (off + n > buf.length) throw new PktError('E_BAD_ARGUMENT', 'inject: lengths run past the end of the bytes');
      try {
        this.cap.send(buf.subarray(off, off + n), n);
      } catch (err) {
        const e = new PktError('E_IO', `inject: frame ${i} of ${count} (${n} bytes) not sent: ${(err as Error).message}`);
        Object.defineProperty(e, 'sent', { value: i, enumerable: true });
        throw e;
      }
      off += n;
    }
    return count;
  }

  sendBatch(frames: readonly Uint8Array[]): number {
    for (let i = 0; i < frames.length; i++) {
      const f = frames[i];
      this.sendPacked(f, Uint32Array.of(f.length), 1);
    }
    return frames.length;
  }

  close(): void {
    if (this.open) this.cap.close();
    this.open = false;
  }
}

/** An injector on `iface` (our addon, else cap with one warning line). */
export function openInjector(iface: string, opts: InjectorOptions = {}): Injector {
  const backend = opts.backend ?? 'auto';
  if (backend === 'cap') return new CapInjector(iface);
  const addon = loadPcapAddon();
  if (addon) return new PcapInjector(addon, iface);
  if (backend === 'pcap') throw new PktError('E_NOT_FOUND', pcapAddonError());
  (opts.warn ?? ((l: string) => process.stderr.write(`${l}\n`)))(`pktwasm: ${pcapAddonError()}; injecting through cap (one call per frame)`);
  return new CapInjector(iface);
}
