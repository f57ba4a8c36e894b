// Capture interfaces for `-D` and the default `-i`, through pcap_findalldevs (our addon,
// else cap's copy of it). The default is chosen as tcpdump does: libpcap lists devices
// that are up and running first and loopback and pseudo-devices last, and tcpdump takes
// the first; we take the first one that is up and not loopback, so a list headed by a
// down interface still yields a usable one.
import { readFileSync } from 'node:fs';
import { PktError } from '../runtime/errors.js';
import {
  loadPcapAddon, PCAP_IF_LOOPBACK, PCAP_IF_RUNNING, PCAP_IF_UP, PCAP_IF_WIRELESS, toPktError,
  type PcapAddress, type PcapDevice,
} from '../native/pcap-binding.js';
import { loadCap } from './live-cap.js';

const PCAP_IF_CONNECTION_STATUS = 0x30;
const STATUS_NAMES: Record<number, string> = { 0x10: 'Connected', 0x20: 'Disconnected' };

export interface InterfaceInfo {
  name: string;
  description: string;
  loopback: boolean;
  up: boolean;
  running: boolean;
  wireless: boolean;
  /** 'Connected', 'Disconnected', or '' when unknown or not applicable. */
  status: string;
  addresses: PcapAddress[];
}

function fromPcap(d: PcapDevice): InterfaceInfo {
  return {
    name: d.name,
    description: d.description,
    loopback: (d.flags & PCAP_IF_LOOPBACK) !== 0,
    up: (d.flags & PCAP_IF_UP) !== 0,
    running: (d.flags & PCAP_IF_RUNNING) !== 0,
    wireless: (d.flags & PCAP_IF_WIRELESS) !== 0,
    status: STATUS_NAMES[d.flags & PCAP_IF_CONNECTION_STATUS] ?? '',
    addresses: d.addresses,
  };
}

/** IFF_UP / IFF_RUNNING from sysfs, for the cap fallback (cap only reports loopback). */
function sysfsFlags(name: string): { up: boolean; running: boolean } | null {
  try {
    const f = Number.parseInt(readFileSync(`/sys/class/net/${name}/flags`, 'utf8').trim(), 16);
    return { up: (f & 0x1) !== 0, running: (f & 0x40) !== 0 };
  } catch {
    return null;
  }
}

/** Every device libpcap can capture on, in libpcap's order. */
export function listInterfaces(): InterfaceInfo[] {
  const addon = loadPcapAddon();
  if (addon) {
    try {
      return addon.findAllDevs().map(fromPcap);
    } catch (err) {
      throw toPktError(err);
    }
  }
  const cap = loadCap();
  if (!cap) throw new PktError('E_NOT_FOUND', 'cannot list interfaces: neither the live-capture addon nor the cap package is available');
  let list: ReturnType<typeof cap.Cap.deviceList>;
  try {
    list = cap.Cap.deviceList();
  } catch (err) {
    throw new PktError('E_IO', `cannot list interfaces: ${(err as Error).message}`);
  }
  return list.map((d) => {
    const fl = sysfsFlags(d.name);
    // Pseudo-devices (any, nflog ...) have no sysfs entry; libpcap reports them up.
    return {
      name: d.name,
      description: d.description ?? '',
      loopback: d.flags === 'PCAP_IF_LOOPBACK',
      up: fl?.up ?? true,
      running: fl?.running ?? true,
      wireless: false,
      status: '',
      addresses: d.addresses.map((a) => ({ family: a.addr.includes(':') ? 'inet6' as const : 'inet' as const, addr: a.addr, netmask: a.netmask, broadaddr: a.broadaddr })),
    };
  });
}

/** The interface tcpdump would pick without -i. Throws E_NO_IFACE if there is none. */
export function defaultInterface(list: InterfaceInfo[] = listInterfaces()): string {
  const pick = list.find((d) => d.up && !d.loopback) ?? list[0];
  if (!pick) throw new PktError('E_NO_IFACE', 'no interface available for capture (are you root, or does node have CAP_NET_RAW?)');
  return pick.name;
}

/** `tcpdump -D` lines: "1.eth0 [Up, Running, Connected]". */
export function formatInterfaceList(list: InterfaceInfo[] = listInterfaces()): string {
  return list.map((d, i) => {
    const flags = [d.up && 'Up', d.running && 'Running', d.wireless && 'Wireless', d.loopback && 'Loopback', d.status].filter(Boolean);
    const desc = d.description ? ` (${d.description})` : '';
    return `${i + 1}.${d.name}${desc} [${flags.length ? flags.join(', ') : 'none'}]`;
  }).join('\n');
}

/** Checks that `name` is a capture device; the error lists the valid ones. */
export function assertInterface(name: string, list: InterfaceInfo[] = listInterfaces()): void {
  if (list.some((d) => d.name === name)) return;
  throw new PktError('E_NO_IFACE', `no such interface: ${name} (available: ${list.map((d) => d.name).join(', ') || 'none'})`);
}
