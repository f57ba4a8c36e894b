export interface Ipv6Ext {
    /** The header type as a "next header" value: 0 hop-by-hop, 43 routing, 44 fragment, 60 destination options, 51 AH. */
    type: number;
    bytes: Uint8Array;
}
/** Hop-by-hop options; `options` are TLV-encoded option bytes (padding is added). */
export declare function hopByHop(options?: Uint8Array): Ipv6Ext;
export declare function destinationOptions(options?: Uint8Array): Ipv6Ext;
/** A routing header: `data` follows the 4 fixed bytes (type-specific, padded to 8 bytes). */
export declare function routing(routingType: number, segmentsLeft: number, data?: Uint8Array): Ipv6Ext;
/** A fragment header: offset in bytes (a multiple of 8), more-fragments flag, identification. */
export declare function fragment(offset: number, more: boolean, id: number): Ipv6Ext;
