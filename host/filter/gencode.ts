// Syntax tree -> filter program, following libpcap's gencode.c function by function
// (names in comments), including the order in which tests run: a load past caplen rejects
// the packet at the moment it runs, so order is observable on truncated frames.
//
// The tree is walked left to right, which is the order yacc reduces it in; that matters
// because `vlan` moves the link-layer offsets for every primitive *written after it*, as
// it does in libpcap (where code is generated during parsing).
import type { Arth, Expr, IdValue, ProtoQ, Qual } from './ast.js';
import { FilterError } from './error.js';
import {
  and, bin, cmp, FALSE, FoldError, konst, load, mcmp, neg, not, or, reg, store, TRUE,
  type BinOp, type Pred, type Val,
} from './ir.js';
import { linkInfo, type LinkInfo, type LinkKind } from './linktypes.js';
import { LINKTYPE_PPP } from '../runtime/layout.js';
import {
  ETHER_PROTO_NAMES, IPPROTO_SCTP, IPPROTO_TCP, IPPROTO_UDP, LLC_NAMES, nameToPort, nameToPortRange,
  nameToProto, PROTO_UNDEF,
} from './names.js';
import { parseIPv6 } from '../runtime/addr.js';

const ETHERTYPE_IP = 0x0800;
const ETHERTYPE_ARP = 0x0806;
const ETHERTYPE_REVARP = 0x8035;
const ETHERTYPE_IPV6 = 0x86dd;
const ETHERTYPE_ATALK = 0x809b;
const ETHERTYPE_AARP = 0x80f3;
const ETHERTYPE_IPX = 0x8137;
const ETHERMTU = 1500;
const ETHERTYPE_MPLS = 0x8847;
const ETHERTYPE_PPPOED = 0x8863;
const ETHERTYPE_PPPOES = 0x8864;
const PPP_MPLS_UCAST = 0x0281;
const GENEVE_PORT = 6081;
/** ethertype_to_ppptype(): IP, IPv6, DECnet, AppleTalk, XNS, OSI, 802.1D BPDUs, IPX. */
const PPP_TYPES: ReadonlyMap<number, number> = new Map([
  [0x0800, 0x0021], [0x86dd, 0x0057], [0x6003, 0x0027], [0x809b, 0x0029], [0x0600, 0x0025],
  [0xfe, 0x0023], [0x42, 0x0031], [0xe0, 0x002b],
]);
const LLCSAP_IP = 0x06;
const LLCSAP_ISONS = 0xfe;
const LLCSAP_NETBEUI = 0xf0;
const LLCSAP_IPX = 0xe0;
const LLCSAP_8021D = 0x42;
const LINUX_SLL_P_802_3 = 0x0001;
const LINUX_SLL_P_802_2 = 0x0004;
const LINUX_SLL_OUTGOING = 4;
const IPPROTO_FRAGMENT = 44;

/** Upper-layer protocols of the `tcp`, `icmp` … keywords: number and whether IPv6 too. */
const TRANSPORT: Record<string, { proto: number; v6: boolean; v4: boolean }> = {
  tcp: { proto: 6, v4: true, v6: true }, udp: { proto: 17, v4: true, v6: true },
  sctp: { proto: 132, v4: true, v6: true }, icmp: { proto: 1, v4: true, v6: false },
  igmp: { proto: 2, v4: true, v6: false }, igrp: { proto: 9, v4: true, v6: false },
  pim: { proto: 103, v4: true, v6: true }, vrrp: { proto: 112, v4: true, v6: false },
  carp: { proto: 112, v4: true, v6: false }, icmp6: { proto: 58, v4: false, v6: true },
  ah: { proto: 51, v4: true, v6: true }, esp: { proto: 50, v4: true, v6: true },
};
/** Link-layer protocol keywords and the value gen_linktype() is called with. */
const LINK_PROTOS: Record<string, number> = {
  ip: ETHERTYPE_IP, ip6: ETHERTYPE_IPV6, arp: ETHERTYPE_ARP, rarp: ETHERTYPE_REVARP,
  atalk: ETHERTYPE_ATALK, aarp: ETHERTYPE_AARP, decnet: 0x6003, lat: 0x6004, sca: 0x6007,
  moprc: 0x6002, mopdl: 0x6001, iso: LLCSAP_ISONS, stp: LLCSAP_8021D, ipx: LLCSAP_IPX, netbeui: LLCSAP_NETBEUI,
};
/** Transport protocols whose index loads are relative to the IPv4 payload. */
const TRANSPORT_LOADS = new Set(['tcp', 'udp', 'sctp', 'icmp', 'igmp', 'igrp', 'pim', 'vrrp', 'carp']);
const NETWORK_LOADS = new Set(['arp', 'rarp', 'atalk', 'decnet', 'sca', 'lat', 'moprc', 'mopdl', 'ip', 'ip6']);

export interface GenOptions {
  linktype: number;
  /** Netmask for `ip broadcast` (tcpdump -r uses 0). */
  netmask?: number;
}

interface Arith {
  v: Val;
  /** Protocol checks that must pass before the value is computed (libpcap's arth.b). */
  checks: Pred | null;
}

export class CodeGen {
  private readonly link: LinkInfo;
  private offLinktype: number;
  private offLinkpl: number;
  private vlanDepth = 0;
  /** MPLS labels and PPPoE session headers passed (gen_mpls(), gen_pppoes()): they move
   *  the offsets like `vlan`, and after `pppoes` the link-layer type is PPP's protocol. */
  private mplsDepth = 0;
  private pppoes = false;
  /** After `geneve`: the scratch registers that hold where the link header, the link-layer
   *  type and the network layer are, computed per packet from the Geneve header (libpcap's
   *  variable off_linkhdr / off_linktype / off_linkpl: register plus constant part, the
   *  constant parts being offLinktype and offLinkpl, which `vlan` and `mpls` still move). */
  private lhReg: Val | null = null;
  private ltReg: Val | null = null;
  private plReg: Val | null = null;
  /** Scratch registers allocated so far (libpcap's alloc_reg()). */
  registers = 0;
  /** libpcap skips its optimiser once `geneve` is used (the offset code has a bare jump). */
  noOptimize = false;
  private readonly netmask: number;
  /** Position of the primitive being generated, for error messages. */
  private pos = 0;

  constructor(opts: GenOptions) {
    this.link = linkInfo(opts.linktype);
    this.offLinktype = this.link.offLinktype;
    this.offLinkpl = this.link.offLinkpl;
    this.netmask = opts.netmask ?? 0;
  }

  private err(msg: string): never {
    throw new FilterError(this.pos, msg);
  }

  generate(e: Expr): Pred {
    try {
      return this.expr(e);
    } catch (x) {
      if (x instanceof FoldError) this.err(x.message);
      throw x;
    }
  }

  private expr(e: Expr): Pred {
    this.pos = e.pos;
    switch (e.k) {
      case 'true': return TRUE;
      case 'and': { const a = this.expr(e.a); const b = this.expr(e.b); return and(a, b); }
      case 'or': { const a = this.expr(e.a); const b = this.expr(e.b); return or(a, b); }
      case 'not': return not(this.expr(e.a));
      case 'pname': return this.protoAbbrev(e.proto);
      case 'id': return this.id(e.q, e.v);
      case 'rel': return this.relation(e.op, e.a, e.b);
      case 'broadcast': return this.broadcast(e.proto);
      case 'multicast': return this.multicast(e.proto);
      case 'less': return not(cmp('gt', { k: 'len' }, konst(e.n)));
      case 'greater': return cmp('ge', { k: 'len' }, konst(e.n));
      case 'byte': return this.byteop(e.idx, e.op, e.n);
      case 'vlan': return this.vlan(e.id);
      case 'mpls': return this.mpls(e.id);
      case 'pppoes': return this.pppoeSession(e.id);
      case 'pppoed': return this.linktype(ETHERTYPE_PPPOED);
      case 'geneve': return this.geneve(e.id);
      case 'inbound': return this.inbound(false);
      case 'outbound': return this.inbound(true);
      case 'unsupported': return this.err(`'${e.what}' is not supported by this filter compiler`);
    }
  }

  // ---- link layer ----

  private lt(size: 1 | 2 | 4, extra = 0): Val {
    return load(size, this.offLinktype + extra, this.ltReg);
  }
  private pl(size: 1 | 2 | 4, off: number): Val {
    return this.nl(size, off, null);
  }
  /** A load `off` bytes past the network layer's start, plus `extra` when given. */
  private nl(size: 1 | 2 | 4, off: number, extra: Val | null): Val {
    if (this.plReg === null) return load(size, this.offLinkpl + off, extra);
    return load(size, this.offLinkpl + off, extra === null ? this.plReg : bin('add', this.plReg, extra));
  }
  /** A load `off` bytes into the link-layer header (plus `idx`): after `geneve`, the inner
   *  frame's (libpcap's OR_LINKHDR). */
  private lh(size: 1 | 2 | 4, off: number, idx: Val | null = null): Val {
    if (this.lhReg === null) return load(size, off, idx);
    return load(size, off, idx === null ? this.lhReg : bin('add', this.lhReg, idx));
  }
  /** The IPv4 header's length: BPF's msh at a fixed offset, computed after `geneve`. */
  private iphl(): Val {
    if (this.plReg === null) return { k: 'msh', off: this.offLinkpl };
    return bin('lsh', bin('and', load(1, this.offLinkpl, this.plReg), konst(0xf)), konst(2));
  }
  private needLinkpl(): void {
    if (this.offLinkpl < 0) this.err(`${this.link.description} link-layer type filtering not implemented`);
  }

  /** gen_snap(): 802.2 LLC/SNAP header with the given OUI and type. */
  private snap(oui: number, ptype: number): Pred {
    const w0 = (0xaaaa0300 | (oui >>> 16)) >>> 0;
    const w1 = (((oui & 0xffff) << 16) | ptype) >>> 0;
    return and(cmp('eq', this.pl(4, 4), konst(w1)), cmp('eq', this.pl(4, 0), konst(w0)));
  }

  /** The link layer primitives now test: PPP's after `pppoes` (libpcap's PUSH_LINKHDR). */
  private kind(): LinkKind {
    if (this.plReg !== null) return 'ether';
    return this.pppoes ? 'ppp' : this.link.kind;
  }

  private description(): string {
    return this.pppoes ? 'PPP' : this.link.description;
  }

  /** gen_linktype(). */
  private linktype(p: number): Pred {
    if (this.mplsDepth > 0) return this.mplsLinktype(p);
    switch (this.kind()) {
      case 'ether': return this.etherLinktype(p);
      case 'sll':
      case 'sll2': return this.sllLinktype(p);
      case 'null':
      case 'loop': return this.loopbackLinktype(p);
      case 'raw':
        if (p === ETHERTYPE_IP) return mcmp(load(1, this.offLinkpl), 0x40, 0xf0);
        if (p === ETHERTYPE_IPV6) return mcmp(load(1, this.offLinkpl), 0x60, 0xf0);
        return FALSE;
      case 'ipv4': return p === ETHERTYPE_IP ? TRUE : FALSE;
      case 'ipv6': return p === ETHERTYPE_IPV6 ? TRUE : FALSE;
      // DLT_PPP, DLT_PPP_SERIAL: libpcap's EtherTypes mapped to PPP protocol numbers.
      case 'ppp': return cmp('eq', this.lt(2), konst(PPP_TYPES.get(p) ?? p));
      default: return this.err(`${this.description()} link-layer type filtering not implemented`);
    }
  }

  /** gen_ether_linktype(). */
  private etherLinktype(p: number): Pred {
    const type = this.lt(2);
    const is8023 = not(cmp('gt', type, konst(ETHERMTU)));
    if (p !== LLCSAP_IPX) return this.typeOrLlc(p, type, is8023);
    const llc = or(or(this.snap(0x000000, ETHERTYPE_IPX), cmp('eq', this.pl(1, 0), konst(LLCSAP_IPX))),
      cmp('eq', this.pl(2, 0), konst(0xffff)));
    return or(cmp('eq', type, konst(ETHERTYPE_IPX)), and(is8023, llc));
  }

  /** gen_linux_sll_linktype(). */
  private sllLinktype(p: number): Pred {
    const type = this.lt(2);
    const is8022 = cmp('eq', type, konst(LINUX_SLL_P_802_2));
    if (p !== LLCSAP_IPX) return this.typeOrLlc(p, type, is8022);
    return or(cmp('eq', type, konst(ETHERTYPE_IPX)), or(cmp('eq', type, konst(LINUX_SLL_P_802_3)),
      and(is8022, or(cmp('eq', this.pl(1, 0), konst(LLCSAP_IPX)), this.snap(0x000000, ETHERTYPE_IPX)))));
  }

  /** What gen_ether_linktype() and gen_linux_sll_linktype() do alike for all but IPX: `type`
   *  is the type field, `isLlc` true when it says an 802.2 LLC header follows. */
  private typeOrLlc(p: number, type: Val, isLlc: Pred): Pred {
    switch (p) {
      case LLCSAP_ISONS:
      case LLCSAP_IP:
      case LLCSAP_NETBEUI:
        return and(isLlc, cmp('eq', this.pl(2, 0), konst((p << 8) | p)));
      case ETHERTYPE_ATALK:
      case ETHERTYPE_AARP:
        return or(cmp('eq', type, konst(p)),
          and(isLlc, this.snap(p === ETHERTYPE_ATALK ? 0x080007 : 0x000000, p)));
      default:
        if (p <= ETHERMTU) return and(isLlc, cmp('eq', this.pl(1, 0), konst(p)));
        return cmp('eq', type, konst(p));
    }
  }

  /** gen_loopback_linktype(): the 4-byte address family, host order for NULL (little-endian here). */
  private loopbackLinktype(p: number): Pred {
    const fam = (af: number): Pred => {
      const v = this.link.kind === 'null'
        ? (((af & 0xff) << 24) | ((af & 0xff00) << 8) | ((af >>> 8) & 0xff00) | (af >>> 24)) >>> 0
        : af;
      return cmp('eq', this.lt(4), konst(v));
    };
    if (p === ETHERTYPE_IP) return fam(2);
    if (p === ETHERTYPE_IPV6) return or(fam(30), or(fam(24), fam(28)));
    return FALSE;
  }

  /** gen_vlan() with gen_vlan_no_bpf_extensions(), as libpcap does for savefiles. */
  private vlan(id: number | null): Pred {
    if (this.kind() !== 'ether') this.err(`no VLAN support for ${this.description()}`);
    if (id !== null && id > 0x0fff) this.err(`VLAN tag ${id} greater than maximum 4095`);
    const type = this.lt(2);
    let b = or(cmp('eq', type, konst(0x8100)), or(cmp('eq', type, konst(0x88a8)), cmp('eq', type, konst(0x9100))));
    if (id !== null) b = and(b, mcmp(this.pl(2, 0), id, 0x0fff));
    this.offLinkpl += 4;
    this.offLinktype += 4;
    this.vlanDepth++;
    return b;
  }

  /** gen_mpls(): the first label tests the link's MPLS type, the next ones that the label
   *  before was not the bottom of the stack; each moves the network layer 4 bytes on. */
  private mpls(label: number | null): Pred {
    let b: Pred;
    if (this.mplsDepth > 0) b = mcmp(this.pl(1, -2), 0, 0x01);
    else if (this.kind() === 'ether') b = this.linktype(ETHERTYPE_MPLS);
    else if (this.kind() === 'ppp' && (this.pppoes || this.link.linktype === LINKTYPE_PPP)) b = this.linktype(PPP_MPLS_UCAST);
    else return this.err(`no MPLS support for ${this.description()}`);
    if (label !== null) {
      if (label > 0xFFFFF) this.err(`MPLS label ${label} greater than maximum 1048575`);
      b = and(b, mcmp(this.pl(4, 0), (label << 12) >>> 0, 0xfffff000));
    }
    this.offLinkpl += 4;
    this.mplsDepth++;
    return b;
  }

  /** gen_mpls_linktype(): what a label stack carries is told by the bottom-of-stack bit of
   *  the last label and the version nibble. */
  private mplsLinktype(p: number): Pred {
    let v: number;
    if (p === ETHERTYPE_IP || p === 0x0021) v = 0x40;
    else if (p === ETHERTYPE_IPV6 || p === 0x0057) v = 0x60;
    else return this.err('unsupported protocol over mpls');
    return and(mcmp(this.pl(1, -2), 0x01, 0x01), mcmp(this.pl(1, 0), v, 0xf0));
  }

  /** gen_pppoes(): a PPPoE session header, its session id if given; then the link-layer
   *  type is the PPP protocol 6 bytes in and the network layer follows it. */
  private pppoeSession(id: number | null): Pred {
    let b = this.linktype(ETHERTYPE_PPPOES);
    if (id !== null) {
      if (id > 0xffff) this.err(`PPPoE session number ${id} greater than maximum 65535`);
      b = and(b, mcmp(this.pl(4, 0), id, 0xffff));
    }
    this.offLinktype = this.offLinkpl + 6;
    this.offLinkpl += 8;
    this.pppoes = true;
    return b;
  }

  /** gen_geneve(): UDP to port 6081 over IPv4 (not a later fragment) or IPv6, Geneve
   *  version 0, the VNI if given; each branch keeps its IP header length (libpcap's A). Then
   *  gen_geneve_offsets(): the Geneve header's place, the link-layer type at its protocol
   *  field, the link header past its options, and, when the protocol is TEB, the type and
   *  network layer of that inner Ethernet header; the three go to scratch registers, which
   *  the primitives written after `geneve` read (as libpcap: a primitive on a path where the
   *  Geneve test failed reads them unset; see ir.ts `store`). Reading the protocol field ends
   *  the program on a frame cut before it, as libpcap's code loads it right after the checks. */
  private geneve(vni: number | null): Pred {
    if (vni !== null && vni > 0xffffff) this.err(`Geneve VNI ${vni} greater than maximum 16777215`);
    this.needLinkpl();
    this.noOptimize = true;
    const hlR = this.registers++;
    const hl = reg(hlR);
    const hl4 = this.iphl();
    let v4 = and(this.linktype(ETHERTYPE_IP), and(cmp('eq', this.pl(1, 9), konst(IPPROTO_UDP)), this.ipfrag()));
    v4 = and(v4, and(cmp('eq', this.tran4(2), konst(GENEVE_PORT)), mcmp(this.nl(1, 8, hl4), 0, 0xc0)));
    if (vni !== null) v4 = and(v4, mcmp(this.nl(4, 12, hl4), (vni << 8) >>> 0, 0xffffff00));
    let v6 = and(this.linktype(ETHERTYPE_IPV6), and(cmp('eq', this.pl(1, 6), konst(IPPROTO_UDP)), cmp('eq', this.pl(2, 42), konst(GENEVE_PORT))));
    v6 = and(v6, mcmp(this.pl(1, 48), 0, 0xc0));
    if (vni !== null) v6 = and(v6, mcmp(this.pl(4, 52), (vni << 8) >>> 0, 0xffffff00));
    // The IP header's length plus the variable part of the network layer's offset, if any
    // (a second `geneve`).
    const withVar = (v: Val): Val => (this.plReg === null ? v : bin('add', v, this.plReg));
    const found = or(and(v4, store(hlR, withVar(hl4))), and(v6, store(hlR, withVar(konst(40)))));
    // The Geneve header: IP header, any variable prefix, the constant part and UDP.
    const g = bin('add', hl, konst(this.offLinkpl + 8));
    const inner = bin('add', g, bin('add', bin('mul', bin('and', load(1, 0, g), konst(0x3f)), konst(4)), konst(8)));
    const proto = load(2, 2, g);
    const isTeb = bin('rsh', bin('sub', bin('xor', proto, konst(0x6558)), konst(1)), konst(31));
    const ltR = this.registers++;
    const lhR = this.registers++;
    const plR = this.registers++;
    // TEB: the inner Ethernet header's type at +12 and its payload at +14.
    const offsets = and(store(lhR, inner), and(
      store(ltR, bin('add', bin('add', g, konst(2)), bin('mul', isTeb, bin('sub', bin('add', inner, konst(12)), bin('add', g, konst(2)))))),
      store(plR, bin('add', inner, bin('mul', isTeb, konst(14)))),
    ));
    this.ltReg = reg(ltR);
    this.lhReg = reg(lhR);
    this.plReg = reg(plR);
    this.offLinktype = 0;
    this.offLinkpl = 0;
    // PUSH_LINKHDR(DLT_EN10MB): Ethernet from here on; a label stack depth stays (libpcap
    // keeps label_stack_depth, so `mpls and geneve and ip` tests the bottom-of-stack bit).
    this.pppoes = false;
    return and(found, offsets);
  }

  /** gen_inbound(): only the Linux cooked headers record a direction in a savefile. */
  private inbound(outbound: boolean): Pred {
    let b: Pred;
    if (this.link.kind === 'sll') b = cmp('eq', load(2, 0), konst(LINUX_SLL_OUTGOING));
    else if (this.link.kind === 'sll2') b = cmp('eq', load(1, 10), konst(LINUX_SLL_OUTGOING));
    else return this.err(`inbound/outbound not supported on ${this.link.description} when reading savefiles`);
    return outbound ? b : not(b);
  }

  // ---- protocols ----

  /** gen_proto_abbrev(). */
  private protoAbbrev(p: ProtoQ): Pred {
    const t = TRANSPORT[p];
    if (t !== undefined) {
      if (t.v4 && t.v6) return this.proto(t.proto, 'default');
      return this.proto(t.proto, t.v4 ? 'ip' : 'ip6');
    }
    const l = LINK_PROTOS[p];
    if (l !== undefined) return this.linktype(l);
    if (p === 'link') return this.err('link layer applied in wrong context');
    return this.err(`'${p}' is not supported by this filter compiler`);
  }

  /** gen_proto(): `ip proto N`, `ip6 proto N`, `proto N`, `ether proto N`. */
  private proto(v: number, p: ProtoQ, dir: Qual['dir'] = 'default'): Pred {
    if (dir !== 'default') this.err("direction applied to 'proto'");
    switch (p) {
      case 'default': return or(this.proto(v, 'ip'), this.proto(v, 'ip6'));
      case 'link': return this.linktype(v);
      case 'ip':
        this.needLinkpl();
        return and(this.linktype(ETHERTYPE_IP), cmp('eq', this.pl(1, 9), konst(v)));
      case 'ip6': {
        this.needLinkpl();
        const b0 = this.linktype(ETHERTYPE_IPV6);
        const frag = and(cmp('eq', this.pl(1, 6), konst(IPPROTO_FRAGMENT)), cmp('eq', this.pl(1, 40), konst(v)));
        return and(b0, or(cmp('eq', this.pl(1, 6), konst(v)), frag));
      }
      case 'arp':
      case 'rarp':
        return this.err(`${p} does not encapsulate another protocol`);
      default:
        return this.err(`'${p} proto' is bogus`);
    }
  }

  /** gen_ipfrag(): not a fragment other than the first. */
  private ipfrag(): Pred {
    return not(cmp('set', this.pl(2, 6), konst(0x1fff)));
  }

  /** A u16 at `off` into the IPv4 payload (OR_TRAN_IPV4). */
  private tran4(off: number): Val {
    return this.nl(2, off, this.iphl());
  }

  private portAtoms(dir: Qual['dir'], at: (off: number) => Pred): Pred {
    return this.byDir(dir, at, 0, 2, 'is not a valid qualifier for ports');
  }

  /** libpcap's switch on the direction qualifier: `one` tested at the source offset, the
   *  destination offset, both or either; `other` ends the error for any other qualifier
   *  (by default, those only 802.11 frames have: ra, ta, addr1 ...). */
  private byDir(dir: Qual['dir'], one: (off: number) => Pred, src: number, dst: number, other = 'is only supported on 802.11 syntax'): Pred {
    switch (dir) {
      case 'src': return one(src);
      case 'dst': return one(dst);
      case 'and': return and(one(src), one(dst));
      case 'default':
      case 'or': return or(one(src), one(dst));
      default: return this.err(`'${dir}' ${other}`);
    }
  }

  /** gen_port() (IPv4) or gen_port6(), for a single port or a range. */
  private portGen(v6: boolean, lo: number, hi: number, ipProto: number, dir: Qual['dir']): Pred {
    this.needLinkpl();
    const atom = (off: number): Pred => {
      const val = v6 ? this.pl(2, 40 + off) : this.tran4(off);
      if (lo === hi) return cmp('eq', val, konst(lo));
      return and(cmp('ge', val, konst(lo)), not(cmp('gt', val, konst(hi))));
    };
    const op = (p: number): Pred => {
      if (v6) return and(cmp('eq', this.pl(1, 6), konst(p)), this.portAtoms(dir, atom));
      return and(and(cmp('eq', this.pl(1, 9), konst(p)), this.ipfrag()), this.portAtoms(dir, atom));
    };
    const b0 = this.linktype(v6 ? ETHERTYPE_IPV6 : ETHERTYPE_IP);
    let b1: Pred;
    if (ipProto === PROTO_UNDEF) {
      b1 = or(op(IPPROTO_SCTP), or(op(IPPROTO_TCP), op(IPPROTO_UDP)));
    } else {
      b1 = op(ipProto);
    }
    return and(b0, b1);
  }

  private ports(lo: number, hi: number, ipProto: number, dir: Qual['dir']): Pred {
    if (lo > hi) [lo, hi] = [hi, lo];
    return or(this.portGen(true, lo, hi, ipProto, dir), this.portGen(false, lo, hi, ipProto, dir));
  }

  private portProto(q: Qual, what: string): number {
    switch (q.proto) {
      case 'default': return PROTO_UNDEF;
      case 'tcp': return IPPROTO_TCP;
      case 'udp': return IPPROTO_UDP;
      case 'sctp': return IPPROTO_SCTP;
      default: return this.err(`illegal qualifier of '${what}'`);
    }
  }

  /** The checks gen_scode() makes between a port name's protocol and the qualifier. */
  private reconcile(qp: number, real: number, name: string): number {
    const nm = (p: number): string => (p === IPPROTO_TCP ? 'tcp' : p === IPPROTO_UDP ? 'udp' : 'sctp');
    if (qp === PROTO_UNDEF) return real;
    if (real !== PROTO_UNDEF && real !== qp) this.err(`port '${name}' is ${nm(real)}`);
    return qp;
  }

  // ---- hosts and networks ----

  /** gen_hostop(): IPv4 address test at src/dst offsets of the network header. */
  private hostop(addr: number, mask: number, dir: Qual['dir'], llProto: number, srcOff: number, dstOff: number): Pred {
    const one = (off: number): Pred => and(this.linktype(llProto), mcmp(this.pl(4, off), addr, mask));
    return this.byDir(dir, one, srcOff, dstOff);
  }

  /** gen_host(). */
  private host(addr: number, mask: number, proto: Qual['proto'], dir: Qual['dir'], kind: string): Pred {
    this.needLinkpl();
    switch (proto) {
      case 'default': {
        const b0 = this.host(addr, mask, 'ip', dir, kind);
        // Under MPLS labels libpcap tests IPv4 only (no ARP over MPLS).
        if (this.mplsDepth > 0) return b0;
        const b1 = this.host(addr, mask, 'arp', dir, kind);
        const b2 = this.host(addr, mask, 'rarp', dir, kind);
        return or(or(b0, b1), b2);
      }
      case 'ip': return this.hostop(addr, mask, dir, ETHERTYPE_IP, 12, 16);
      case 'arp': return this.hostop(addr, mask, dir, ETHERTYPE_ARP, 14, 24);
      case 'rarp': return this.hostop(addr, mask, dir, ETHERTYPE_REVARP, 14, 24);
      case 'link': return this.err('link-layer address applied to an IP address');
      default: return this.err(`'${proto}' modifier applied to ${kind}`);
    }
  }

  /** gen_host6() / gen_hostop6(). */
  private host6(a: Uint8Array, m: Uint8Array, proto: Qual['proto'], dir: Qual['dir'], kind: string): Pred {
    this.needLinkpl();
    if (proto !== 'default' && proto !== 'ip6') {
      if (proto === 'link') this.err('link-layer address applied to an IPv6 address');
      this.err(`'${proto}' modifier applied to ${kind}`);
    }
    const word = (b: Uint8Array, i: number): number => ((b[i] << 24) | (b[i + 1] << 16) | (b[i + 2] << 8) | b[i + 3]) >>> 0;
    const one = (off: number): Pred => {
      let p: Pred = TRUE;
      for (let i = 0; i < 16; i += 4) p = and(p, mcmp(this.pl(4, off + i), word(a, i) & word(m, i), word(m, i)));
      return and(this.linktype(ETHERTYPE_IPV6), p);
    };
    return this.byDir(dir, one, 8, 24);
  }

  /** gen_ehostop() / gen_ecode(): Ethernet MAC address tests. */
  private ehost(mac: number[], q: Qual): Pred {
    if ((q.addr !== 'host' && q.addr !== 'default') || q.proto !== 'link') {
      this.err('ethernet address used in non-ether expression');
    }
    if (this.kind() !== 'ether') {
      this.err('ethernet addresses supported only on ethernet/FDDI/token ring/802.11/ATM LANE/Fibre Channel');
    }
    return this.byDir(q.dir, (off) => this.bcmp(off, mac), 6, 0);
  }

  /** gen_bcmp(): 6 bytes compared as the last 4 then the first 2, relative to the link header. */
  private bcmp(off: number, b: number[]): Pred {
    const w = ((b[2] << 24) | (b[3] << 16) | (b[4] << 8) | b[5]) >>> 0;
    const h = (b[0] << 8) | b[1];
    return and(cmp('eq', this.lh(4, off + 2), konst(w)), cmp('eq', this.lh(2, off), konst(h)));
  }

  private broadcast(p: ProtoQ): Pred {
    if (p === 'default' || p === 'link') {
      if (this.kind() !== 'ether') this.err('not a broadcast link');
      return this.bcmp(0, [0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
    }
    if (p === 'ip') {
      this.needLinkpl();
      const hostmask = ~this.netmask >>> 0;
      const b0 = this.linktype(ETHERTYPE_IP);
      const dst = this.pl(4, 16);
      return and(b0, or(mcmp(dst, 0, hostmask), mcmp(dst, hostmask, hostmask)));
    }
    return this.err('only link-layer/IP broadcast filters supported');
  }

  private multicast(p: ProtoQ): Pred {
    if (p === 'default' || p === 'link') {
      if (this.kind() !== 'ether') {
        this.err('link-layer multicast filters supported only on ethernet/FDDI/token ring/ARCNET/802.11/ATM LANE/Fibre Channel');
      }
      return cmp('set', this.lh(1, 0), konst(1));
    }
    if (p === 'ip') {
      this.needLinkpl();
      return and(this.linktype(ETHERTYPE_IP), cmp('ge', this.pl(1, 16), konst(224)));
    }
    if (p === 'ip6') {
      this.needLinkpl();
      return and(this.linktype(ETHERTYPE_IPV6), cmp('eq', this.pl(1, 24), konst(255)));
    }
    return this.err('only IP multicast filters supported on ethernet/FDDI/token ring/ARCNET/802.11/ATM LANE/Fibre Channel');
  }

  private byteop(idx: number, op: string, n: number): Pred {
    const b = this.lh(1, idx);
    if (op === '=') return cmp('eq', b, konst(n));
    if (op === '<') return not(cmp('ge', b, konst(n)));
    if (op === '>') return cmp('gt', b, konst(n));
    return this.err(`'byte ${op}' is not supported by this filter compiler`);
  }

  // ---- bare ids with their qualifiers (gen_ncode, gen_scode, gen_mcode, gen_mcode6, gen_ecode) ----

  private id(q: Qual, v: IdValue): Pred {
    if (q.addr === 'undef') this.err('syntax error: a bare value needs a qualifier (host, net, port …)');
    switch (v.t) {
      case 'num': return this.ncode(null, v.n, q);
      case 'hid': return this.ncode(v.s, 0, q);
      case 'hidlen': return this.mcode(v.s, null, v.len, q);
      case 'hidmask': return this.mcode(v.s, v.mask, 0, q);
      case 'hid6': return this.mcode6(v.s, v.len, q);
      case 'eid': return this.ehost(parseMac(v.s), q);
      case 'aid': return this.err('ARCnet addresses are not supported');
      case 'name': return this.scode(v.s, q);
    }
  }

  private atoin(s: string): { v: number; len: number } {
    const parts = s.split('.');
    let v = 0;
    for (const p of parts) {
      const n = /^\d+$/.test(p) ? Number(p) : NaN;
      if (!(n <= 255)) this.err(`invalid IPv4 address '${s}'`);
      v = v * 256 + n;
    }
    return { v, len: parts.length * 8 };
  }

  private ncode(s: string | null, n: number, q: Qual): Pred {
    let v = n >>> 0;
    let vlen = 32;
    if (s !== null) ({ v, len: vlen } = this.atoin(s));
    switch (q.addr) {
      case 'default':
      case 'host':
      case 'net': {
        if (q.proto === 'link') this.err('illegal link layer address');
        let mask = 0xFFFF_FFFF;
        if (s === null && q.addr === 'net') {
          // Promote short net number ("net 10" is 10.0.0.0/8).
          while (v !== 0 && (v & 0xff000000) === 0) {
            v = (v << 8) >>> 0;
            mask = (mask << 8) >>> 0;
          }
        } else {
          v = vlen === 32 ? v : (v * 2 ** (32 - vlen)) >>> 0;
          mask = vlen === 32 ? mask : (mask * 2 ** (32 - vlen)) >>> 0;
        }
        return this.host(v, mask, q.proto, q.dir, q.addr === 'net' ? 'net' : 'host');
      }
      case 'port': {
        const proto = this.portProto(q, 'port');
        if (v > 65535) this.err(`illegal port number ${v} > 65535`);
        return this.ports(v, v, proto, q.dir);
      }
      case 'portrange': {
        const proto = this.portProto(q, 'portrange');
        if (v > 65535) this.err(`illegal port number ${v} > 65535`);
        return this.ports(v, v, proto, q.dir);
      }
      case 'gateway': return this.err("'gateway' requires a name");
      case 'proto': return this.proto(v, q.proto, q.dir);
      case 'protochain': return this.err("'protochain' is not supported by this filter compiler");
      default: return this.err('syntax error');
    }
  }

  private scode(name: string, q: Qual): Pred {
    switch (q.addr) {
      case 'net': return this.err(`unknown network '${name}' (network names are not resolved)`);
      case 'default':
      case 'host':
        if (q.proto === 'link') return this.err(`unknown ether host '${name}' (/etc/ethers is not read)`);
        return this.err(`unknown host '${name}' (host names are not resolved; use an address)`);
      case 'port': {
        const qp = this.portProto(q, 'port');
        const r = nameToPort(name);
        if (r === null) return this.err(`unknown port '${name}'`);
        return this.ports(r.port, r.port, this.reconcile(qp, r.proto, name), q.dir);
      }
      case 'portrange': {
        const qp = this.portProto(q, 'portrange');
        const r = nameToPortRange(name);
        if (r === null) return this.err(`unknown port in range '${name}'`);
        for (const p of [r.lo, r.hi]) {
          if (p < 0) this.err(`illegal port number ${p} < 0`);
          if (p > 65535) this.err(`illegal port number ${p} > 65535`);
        }
        return this.ports(r.lo, r.hi, this.reconcile(qp, r.proto, name), q.dir);
      }
      case 'proto': {
        let v: number | null;
        if (q.proto === 'link') {
          v = ETHER_PROTO_NAMES[name] ?? LLC_NAMES[name] ?? null;
          if (v === null) this.err(`unknown ether proto '${name}'`);
        } else if (q.proto === 'default' || q.proto === 'ip' || q.proto === 'ip6') {
          v = nameToProto(name);
          if (v === null) this.err(`unknown ip proto '${name}'`);
        } else {
          v = PROTO_UNDEF;
        }
        return this.proto(v, q.proto, q.dir);
      }
      case 'gateway': return this.err("'gateway' is not supported by this filter compiler");
      case 'protochain': return this.err("'protochain' is not supported by this filter compiler");
      default: return this.err('syntax error');
    }
  }

  /** gen_mcode(): "net A/len" and "net A mask M". */
  private mcode(s1: string, s2: string | null, masklen: number, q: Qual): Pred {
    const a = this.atoin(s1);
    const n = (a.v * 2 ** (32 - a.len)) >>> 0;
    let m: number;
    if (s2 !== null) {
      const b = this.atoin(s2);
      m = (b.v * 2 ** (32 - b.len)) >>> 0;
      if ((n & ~m) !== 0) this.err(`non-network bits set in "${s1} mask ${s2}"`);
    } else {
      if (masklen > 32) this.err('mask length must be <= 32');
      m = masklen === 0 ? 0 : (0xFFFF_FFFF << (32 - masklen)) >>> 0;
      if ((n & ~m) !== 0) this.err(`non-network bits set in "${s1}/${masklen}"`);
    }
    if (q.addr !== 'net') this.err('Mask syntax for networks only');
    return this.host(n, m, q.proto, q.dir, 'net');
  }

  /** gen_mcode6(). */
  private mcode6(s: string, masklen: number, q: Qual): Pred {
    const a = parseIPv6(s);
    if (a === null) this.err(`invalid ip6 address ${s}`);
    if (masklen > 128) this.err('mask length must be <= 128');
    const m = new Uint8Array(16);
    for (let i = 0; i < 16; i++) {
      const bits = Math.max(0, Math.min(8, masklen - 8 * i));
      m[i] = (0xff00 >> bits) & 0xff;
    }
    for (let i = 0; i < 16; i++) if ((a[i] & ~m[i]) !== 0) this.err(`non-network bits set in "${s}/${masklen}"`);
    switch (q.addr) {
      case 'default':
      case 'host':
        if (masklen !== 128) this.err('Mask syntax for networks only');
        return this.host6(a, m, q.proto, q.dir, 'ip6 host');
      case 'net':
        return this.host6(a, m, q.proto, q.dir, 'ip6 net');
      default:
        return this.err(`invalid qualifier against IPv6 address`);
    }
  }

  // ---- arithmetic (gen_load, gen_arth, gen_relation) ----

  private arth(a: Arth): Arith {
    this.pos = a.pos;
    switch (a.k) {
      case 'num': return { v: konst(a.n), checks: null };
      case 'len': return { v: { k: 'len' }, checks: null };
      case 'neg': {
        const x = this.arth(a.a);
        return { v: neg(x.v), checks: x.checks };
      }
      case 'bin': {
        const x = this.arth(a.a);
        const y = this.arth(a.b);
        this.pos = a.pos;
        const ops: Record<string, BinOp> = {
          '+': 'add', '-': 'sub', '*': 'mul', '/': 'div', '%': 'mod', '&': 'and', '|': 'or', '^': 'xor', lsh: 'lsh', rsh: 'rsh',
        };
        // gen_arth() returns its left operand with the left operand's checks only: the
        // right operand's protocol checks are dropped. So `ip[0] - tcp[0] > 0` tests for
        // IPv4 but not TCP, and `len - tcp[0] > 0` tests nothing, in libpcap (1.10) and here.
        return { v: bin(ops[a.op], x.v, y.v), checks: x.checks };
      }
      case 'load': return this.gload(a.proto, this.arth(a.idx), a.size as 1 | 2 | 4, a.pos);
    }
  }

  /** Adds a constant index into the load offset when no 32-bit wrap can occur. */
  /** indexed() from the network layer `base` bytes on (variable after `geneve`). */
  private nlIndexed(size: 1 | 2 | 4, base: number, idx: Val, extra: Val | null): Val {
    if (this.plReg === null) return this.indexed(size, this.offLinkpl + base, idx, extra);
    if (idx.k === 'const' && idx.v + 64 < 2 ** 32) return this.nl(size, base + idx.v, extra);
    return this.nl(size, base, extra === null ? idx : bin('add', idx, extra));
  }

  private indexed(size: 1 | 2 | 4, base: number, idx: Val, extra: Val | null): Val {
    if (idx.k === 'const' && idx.v + 64 < 2 ** 32) return load(size, base + idx.v, extra);
    return load(size, base, extra === null ? idx : bin('add', idx, extra));
  }

  /** gen_load(). */
  private gload(proto: ProtoQ, idx: Arith, size: 1 | 2 | 4, pos: number): Arith {
    this.pos = pos;
    if (proto === 'link') {
      if (this.lhReg === null) return { v: this.indexed(size, 0, idx.v, null), checks: idx.checks };
      const v = idx.v.k === 'const' && idx.v.v + 64 < 2 ** 32 ? this.lh(size, idx.v.v) : this.lh(size, 0, idx.v);
      return { v, checks: idx.checks };
    }
    if (NETWORK_LOADS.has(proto)) {
      const b = this.protoAbbrev(proto);
      this.needLinkpl();
      return { v: this.nlIndexed(size, 0, idx.v, null), checks: andChecks(idx.checks, b) };
    }
    if (TRANSPORT_LOADS.has(proto)) {
      const b0 = this.protoAbbrev(proto);
      this.needLinkpl();
      const v = this.nlIndexed(size, 0, idx.v, this.iphl());
      const inner = and(b0, this.ipfrag());
      const withIdx = idx.checks === null ? inner : and(idx.checks, inner);
      return { v, checks: and(this.protoAbbrev('ip'), withIdx) };
    }
    if (proto === 'icmp6') {
      let b = this.protoAbbrev('ip6');
      if (idx.checks !== null) b = and(idx.checks, b);
      b = and(b, cmp('eq', this.pl(1, 6), konst(58)));
      return { v: this.nlIndexed(size, 40, idx.v, null), checks: b };
    }
    return this.err('unsupported index operation');
  }

  /** gen_relation(): protocol checks first, then the two values, then the comparison.
   *  Unlike gen_arth(), it keeps the checks of both sides. */
  private relation(op: string, a: Arth, b: Arth): Pred {
    const x = this.arth(a);
    const y = this.arth(b);
    let r: Pred;
    switch (op) {
      case '>': r = cmp('gt', x.v, y.v); break;
      case 'geq': r = cmp('ge', x.v, y.v); break;
      case '=': r = cmp('eq', x.v, y.v); break;
      case 'leq': r = not(cmp('gt', x.v, y.v)); break;
      case '<': r = not(cmp('ge', x.v, y.v)); break;
      default: r = not(cmp('eq', x.v, y.v)); break;
    }
    const checks = andChecks(x.checks, y.checks);
    return checks === null ? r : and(checks, r);
  }
}

function andChecks(a: Pred | null, b: Pred | null): Pred | null {
  if (a === null) return b;
  if (b === null) return a;
  return and(a, b);
}

function parseMac(s: string): number[] {
  const hex = s.replace(/[^0-9A-Fa-f]/g, '');
  const groups = s.split(/[:.-]/);
  let bytes: number[];
  if (groups.length === 6) bytes = groups.map((g) => parseInt(g, 16));
  else bytes = Array.from({ length: 6 }, (_, i) => parseInt(hex.slice(2 * i, 2 * i + 2), 16));
  return bytes;
}
