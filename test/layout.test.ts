// The layout is written twice (assembly/layout.ts and host/layout.ts): every constant the
// host uses must equal the WASM module's exported global of the same name, and the
// descriptor fields must not overlap.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as hostLayout from '../host/runtime/layout.js';
import { createEngine } from '../host/engine/engine.js';

const engine = createEngine();

test('every host layout constant equals the WASM export of the same name', () => {
  let n = 0;
  for (const [name, value] of Object.entries(hostLayout)) {
    const g = engine.wasm[name];
    assert.ok(g instanceof WebAssembly.Global, `WASM does not export ${name}`);
    assert.is((g as WebAssembly.Global).value >>> 0, (value as number) >>> 0, name);
    n++;
  }
  assert.ok(n > 100, `only ${n} constants compared`);
});

test('descriptor fields fit in DESC_SIZE and do not overlap', () => {
  const sizes: Record<string, number> = {
    D_LAYERS: 4, D_ERRORS: 4, D_WIRELEN: 4, D_CAPLEN: 4, D_LINKTYPE: 2, D_L2_LEN: 2, D_L3_OFF: 2, D_L3_HDR_LEN: 2,
    D_L4_OFF: 2, D_L4_HDR_LEN: 2, D_PAYLOAD_OFF: 2, D_PAYLOAD_LEN: 2, D_ETH_TYPE: 2, D_ETHERTYPE: 2, D_VLAN0: 2,
    D_VLAN1: 2, D_VLAN_COUNT: 1, D_IP_VERSION: 1, D_IP_PROTO: 1, D_IP_NXT: 1, D_IP_LEN: 2, D_IP_ID: 2, D_FRAG_OFF: 2,
    D_IP_FLAGS: 1, D_IP_TTL: 1, D_IP_TOS: 1, D_IP6_EXT_COUNT: 1, D_IP_CKSUM: 2, D_IP_SRC: 4, D_IP_DST: 4,
    D_SRC_PORT: 2, D_DST_PORT: 2, D_TCP_SEQ: 4, D_TCP_ACK: 4, D_TCP_FLAGS: 2, D_TCP_WINDOW: 2, D_TCP_MSS: 2,
    D_TCP_WSCALE: 1, D_TCP_OPTS: 1, D_TCP_TSVAL: 4, D_TCP_TSECR: 4, D_SACK_COUNT: 1, D_ICMP_TYPE: 1, D_ICMP_CODE: 1,
    D_ARP_HLEN: 1, D_L4_CKSUM: 2, D_UDP_LEN: 2, D_ICMP_ID: 2, D_ICMP_SEQ: 2, D_ARP_OP: 2, D_SACK_OFF: 2,
    D_IP6_FLOW: 4, D_FRAG_ID: 4, D_L2_PROTO: 2, D_TCP_URG: 2, D_IP_PAYLOAD_LEN: 2, D_IP6_JUMBO_OFF: 2, D_IP6_EXT_OFF: 4,
  };
  const used = new Uint8Array(hostLayout.DESC_SIZE);
  const all = hostLayout as unknown as Record<string, number>;
  const declared = Object.keys(all).filter((k) => k.startsWith('D_'));
  assert.equal(declared.sort(), Object.keys(sizes).sort(), 'every D_ field has a size here');
  for (const [name, size] of Object.entries(sizes)) {
    const off = all[name];
    assert.ok(off % size === 0 || size === 6, `${name} is naturally aligned`);
    for (let i = off; i < off + size; i++) {
      assert.ok(i < hostLayout.DESC_SIZE, `${name} overruns the descriptor`);
      assert.is(used[i], 0, `${name} overlaps another field at byte ${i}`);
      used[i] = 1;
    }
  }
});

test.run();
