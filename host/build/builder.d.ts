import type { Engine } from '../engine.js';
import { Pool, type PoolOptions } from '../pool.js';
import type { DecodedTcpOptions } from '../decode.js';
import { type BuildCore } from './twin.js';
import type { Ipv6Ext } from './ipv6-ext.js';
export type MacLike = string | Uint8Array;
export interface EthSpec {
    dst?: MacLike;
    src?: MacLike; /** EtherType when no L3 header is built. */
    type?: number;
}
export interface VlanSpec {
    id: number;
    priority?: number;
    dei?: number; /** 0x8100 (default) or 0x88a8 ... */
    tpid?: number;
}
export interface ArpSpec {
    opcode: number;
    src_hw_mac: MacLike;
    dst_hw_mac?: MacLike;
    src_proto_ipv4: string;
    dst_proto_ipv4: string;
}
export interface IpSpec {
    src: string;
    dst: string;
    ttl?: number;
    dsfield?: number;
    id?: number;
    flags?: {
        rb?: number | boolean;
        df?: number | boolean;
        mf?: number | boolean;
    };
    /** Fragment offset field in 8-byte units (ip.frag_offset). */
    frag_offset?: number;
    /** Protocol when no L4 header is built (the payload is that protocol's bytes). */
    proto?: number;
    /** Option bytes (padded to 4 with End of Options); at most 40. */
    options?: Uint8Array;
}
export interface Ipv6Spec {
    src: string;
    dst: string;
    hlim?: number;
    tclass?: number;
    flow?: number;
    /** Upper-layer next header when no L4 header is built. */
    nxt?: number;
    ext?: Ipv6Ext[];
}
export interface TcpSpec {
    srcport: number;
    dstport: number;
    seq_raw?: number;
    ack_raw?: number;
    /** 12 bits: NS CWR ECE URG ACK PSH RST SYN FIN (tcp.flags). */
    flags?: number;
    window_size_value?: number;
    urgent_pointer?: number;
    options?: DecodedTcpOptions;
}
export interface UdpSpec {
    srcport: number;
    dstport: number; /** IPv4 only: send checksum 0 ("none"). */
    no_checksum?: boolean;
}
export interface IcmpSpec {
    type: number;
    code?: number;
    ident?: number;
    seq?: number;
}
export interface PacketSpec {
    eth?: EthSpec;
    vlan?: VlanSpec | VlanSpec[];
    arp?: ArpSpec;
    ip?: IpSpec;
    ipv6?: Ipv6Spec;
    tcp?: TcpSpec;
    udp?: UdpSpec;
    icmp?: IcmpSpec;
    icmpv6?: IcmpSpec;
    payload?: Uint8Array;
}
/** The build exports of an engine's backend. */
export declare function buildCore(engine: Engine): BuildCore;
export interface BuilderOptions extends PoolOptions {
    /** Build into this pool (default: a pool of the builder's own). */
    pool?: Pool;
}
export declare class Builder {
    readonly engine: Engine;
    readonly pool: Pool;
    readonly core: BuildCore;
    /** Address of the build spec region. */
    readonly spec: number;
    private readonly extra;
    private readonly fragOut;
    private readonly fragMax;
    constructor(engine: Engine, opts?: BuilderOptions);
    /** Writes a PacketSpec into the spec region (validating it); returns the L_* layers. */
    writeSpec(p: PacketSpec): number;
    /** Builds the spec already written around the payload in `m`; throws on a BERR_*. */
    buildInto(m: number): number;
    /** Builds a packet into a new pool buffer and returns its handle (free it with pool.free). */
    build(p: PacketSpec): number;
    /** Builds a packet and returns a copy of its bytes (the buffer goes back to the pool). */
    bytes(p: PacketSpec): Uint8Array;
    /** Offset of the L3 / L4 header in the last built frame. */
    get l3Offset(): number;
    get l4Offset(): number;
    /** Splits the IPv4 packet in `m` (link header of `l3off` bytes first) into fragments of
     *  at most `mtu` bytes of IP packet; returns their handles ([] if it fits). */
    fragmentIPv4(m: number, l3off: number, mtu: number): number[];
    eth(e?: EthSpec): PacketChain;
    ipv4(ip: IpSpec): PacketChain;
    ipv6(ip: Ipv6Spec): PacketChain;
    arp(a: ArpSpec): PacketChain;
    icmp(i: IcmpSpec): PacketChain;
    icmpv6(i: IcmpSpec): PacketChain;
    tcp(t: TcpSpec): PacketChain;
    udp(u: UdpSpec): PacketChain;
}
/** `build.eth({...}).vlan({...}).ipv4({...}).tcp({...}).payload(buf).emit()` */
export declare class PacketChain {
    readonly spec: PacketSpec;
    private readonly builder;
    constructor(builder: Builder);
    eth(e?: EthSpec): this;
    vlan(v: VlanSpec): this;
    arp(a: ArpSpec): this;
    ipv4(ip: IpSpec): this;
    ipv6(ip: Ipv6Spec): this;
    tcp(t: TcpSpec): this;
    udp(u: UdpSpec): this;
    icmp(i: IcmpSpec): this;
    icmpv6(i: IcmpSpec): this;
    payload(b: Uint8Array): this;
    /** A pool buffer holding the packet. */
    emit(): number;
    /** A copy of the packet's bytes. */
    toBytes(): Uint8Array;
}
