// Pure-TS twin of assembly/app/app.ts: binding, the per-frame hook and the dispatch to the
// decoder twins, with the same bounds and the same record bytes.
import type { MemoryViews } from '../runtime/memory.js';
import type { AppExports } from './exports.js';
import { TwinMemory } from './twin-memory.js';
import { dispatch, type DecoderTwins } from './dispatch.js';
import { DnsTwin } from './dns/twin.js';
import { TlsTwin } from './tls/twin.js';
import { HttpTwin } from './http/twin.js';
import { DhcpTwin } from './dhcp/twin.js';
import { Dhcp6Twin } from './dhcp6/twin.js';
import { NtpTwin } from './ntp/twin.js';
import { QuicTwin } from './quic/twin.js';
import { SshTwin } from './ssh/twin.js';
import { TftpTwin } from './tftp/twin.js';
import { SyslogTwin } from './syslog/twin.js';
import { IgmpTwin } from './igmp/twin.js';
import { OspfTwin } from './ospf/twin.js';
import {
  DESC_SIZE, D_LAYERS, D_CAPLEN, D_PAYLOAD_OFF, D_PAYLOAD_LEN, D_SRC_PORT, D_DST_PORT, D_UDP_LEN, L_TCP, L_UDP,
  L_FRAG, L_REASM, L_IP4, L_IP6, D_L3_OFF, D_L3_HDR_LEN, D_IP_PROTO, D_IP_PAYLOAD_LEN, D_FRAG_OFF,
} from '../runtime/layout.js';
import { APP_SIZE } from './app-layout.js';

export class AppTwin implements AppExports {
  private readonly mem: TwinMemory;
  private readonly decoders: DecoderTwins;
  private descBase = 0;
  private appBase = 0;
  private appCount = 0;
  private appEnd = 0;
  private nextDesc = 0;
  private nextApp = 0;

  constructor(views: MemoryViews) {
    this.mem = new TwinMemory(views);
    this.decoders = { dns: new DnsTwin(this.mem), tls: new TlsTwin(this.mem), http: new HttpTwin(this.mem), dhcp: new DhcpTwin(this.mem), dhcp6: new Dhcp6Twin(this.mem), ntp: new NtpTwin(this.mem), quic: new QuicTwin(this.mem),
      ssh: new SshTwin(this.mem), tftp: new TftpTwin(this.mem), syslog: new SyslogTwin(this.mem),
      igmp: new IgmpTwin(this.mem), ospf: new OspfTwin(this.mem) };
  }

  app_bind(descs: number, apps: number, count: number): void {
    this.descBase = descs >>> 0;
    this.appBase = apps >>> 0;
    this.appCount = count >>> 0;
    this.appEnd = this.appBase + this.appCount * APP_SIZE;
    this.nextDesc = this.descBase;
    this.nextApp = this.appBase;
  }

  app_frame(f: number, d: number): void {
    let a: number;
    if (d === this.nextDesc) {
      a = this.nextApp;
    } else {
      if (d < this.descBase) return;
      const delta = d - this.descBase;
      const i = Math.floor(delta / DESC_SIZE);
      if (i >= this.appCount || i * DESC_SIZE !== delta) return;
      a = this.appBase + i * APP_SIZE;
    }
    if (a >= this.appEnd) return;
    this.nextDesc = d + DESC_SIZE;
    this.nextApp = a + APP_SIZE;
    this.app_decode(f, d, a);
  }

  app_decode(f: number, d: number, a: number): void {
    const mem = this.mem;
    mem.sync();
    mem.put32(a, 0); mem.put32(a + 4, 0); mem.put32(a + 8, 0); mem.put32(a + 12, 0);
    const layers = mem.m32[(d + D_LAYERS) >>> 2];
    if ((layers & (L_TCP | L_UDP)) === 0) { this.ipProtocol(f, d, a, layers); return; }
    let payLen = mem.m16[(d + D_PAYLOAD_LEN) >>> 1];
    if (payLen === 0) return;
    const pay = mem.m16[(d + D_PAYLOAD_OFF) >>> 1];
    const cap = mem.m32[(d + D_CAPLEN) >>> 2];
    let capEnd = pay + payLen;
    if (cap < capEnd) capEnd = cap;
    if (capEnd < pay) capEnd = pay;
    if ((layers & (L_UDP | L_FRAG)) === (L_UDP | L_FRAG)) {
      const ulen = mem.m16[(d + D_UDP_LEN) >>> 1];
      if (ulen >= 8 && ulen - 8 > payLen) payLen = ulen - 8;
    }
    dispatch(this.decoders, f, pay, payLen, capEnd, (layers & L_TCP) !== 0,
      mem.m16[(d + D_SRC_PORT) >>> 1], mem.m16[(d + D_DST_PORT) >>> 1], a);
  }

  /** ipProtocol() of assembly/app/app.ts: IGMP (2, IPv4) and OSPF (89) by the IP protocol. */
  private ipProtocol(f: number, d: number, a: number, layers: number): void {
    const mem = this.mem;
    if ((layers & (L_IP4 | L_IP6)) === 0 || (layers & L_REASM) !== 0) return;
    if ((layers & L_FRAG) !== 0 && mem.m16[(d + D_FRAG_OFF) >>> 1] !== 0) return;
    const proto = mem.m[d + D_IP_PROTO];
    if (proto !== 89 && (proto !== 2 || (layers & L_IP4) === 0)) return;
    const payLen = mem.m16[(d + D_IP_PAYLOAD_LEN) >>> 1];
    if (payLen === 0) return;
    const pay = mem.m16[(d + D_L3_OFF) >>> 1] + mem.m16[(d + D_L3_HDR_LEN) >>> 1];
    let capEnd = pay + payLen;
    const cap = mem.m32[(d + D_CAPLEN) >>> 2];
    if (cap < capEnd) capEnd = cap;
    if (capEnd < pay) capEnd = pay;
    if (proto === 2) this.decoders.igmp.decode(f, pay, payLen, capEnd, 0, a);
    else this.decoders.ospf.decode(f, pay, payLen, capEnd, 0, a);
  }
}

const twins = new WeakMap<MemoryViews, AppTwin>();

/** The app twin of an engine's memory views: one per engine, shared by the APP structure
 *  and the dissector twin's DF_APP hook, so both see one binding. */
export function appTwinOf(views: MemoryViews): AppTwin {
  let t = twins.get(views);
  if (t === undefined) {
    t = new AppTwin(views);
    twins.set(views, t);
  }
  return t;
}
