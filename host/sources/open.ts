// Opens the source a caller names: a capture file, a live interface or a raw socket. The
// live backends (the libpcap addon, the cap fallback) are loaded only when asked for.
import type { Engine } from '../engine/engine.js';
import { FileSource } from './file-source.js';
import { RawSource, type RawProto } from './raw-source.js';
import type { OpenLiveOptions } from './live-pcap.js';
import type { Source } from './source.js';

export type SourceSpec =
  | { file: string }
  | { iface: string; live?: OpenLiveOptions }
  | { raw: RawProto };

export async function openSource(engine: Engine, spec: SourceSpec): Promise<Source> {
  if ('file' in spec) return new FileSource(engine, spec.file);
  if ('raw' in spec) return new RawSource(engine, spec.raw);
  const { openLiveSource } = await import('./live-pcap.js');
  return openLiveSource(spec.iface, spec.live);
}
