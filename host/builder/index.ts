// Packet building: the Builder (PacketSpec / fluent chain), the backend surfaces, the spec
// layout and the IPv6 extension-header helpers.
export { Builder, PacketChain, type PacketSpec, type BuilderOptions, type EthSpec, type VlanSpec,
  type ArpSpec, type IpSpec, type Ipv6Spec, type TcpSpec, type UdpSpec, type IcmpSpec, type MacLike } from './builder.js';
export { BUILDER, BUILDER_EXPORTS, type BuilderExports } from './exports.js';
export { BuildTwin } from './twin.js';
export * as ipv6ext from './ipv6-ext.js';
export * as buildLayout from './spec-layout.js';
