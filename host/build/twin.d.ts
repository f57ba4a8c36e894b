import type { MemoryViews } from '../memory.js';
import type { ChecksumTwin } from '../checksum.js';
import { type PoolTwin } from '../pool.js';
/** The builder's export surface, identical for the WASM instance and the twin. */
export interface BuildCore {
    build_packet(spec: number, m: number): number;
    build_ipv4_fragment(pool: number, m: number, l3off: number, mtu: number, out: number, max: number): number;
}
export declare const BUILD_EXPORTS: readonly ["build_packet", "build_ipv4_fragment"];
export declare class BuildTwin implements BuildCore {
    private readonly views;
    private readonly pool;
    private readonly cks;
    private u8;
    private dv;
    constructor(views: MemoryViews, pool: PoolTwin, cks: ChecksumTwin);
    private s8;
    private s16;
    private s32;
    private w16;
    private w32;
    private tcpOptLen;
    private writeTcpOpts;
    build_packet(s: number, m: number): number;
    private buildLayers;
    build_ipv4_fragment(poolAddr: number, m: number, l3off: number, mtu: number, out: number, max: number): number;
    private unwind;
}
