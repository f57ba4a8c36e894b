// Lpm4 / Lpm6: longest-prefix-match route tables in the shared memory (DIR-24-8 for IPv4,
// multibit strides for IPv6), as a router's forwarding lookup. A prefix maps to a next hop,
// a u32 you choose (here an index into a list of names). lookup() takes a string;
// lookupRaw() and lookupBulk() take numbers and allocate nothing, for per-packet use.
//
//   node examples/lpm.mjs
// Prints each route added or deleted, then each lookup and the next hop it found, in order.
import { createEngine, Lpm4, Lpm6, parseIPv4 } from 'pktwasm';

const engine = createEngine();
const hops = ['default-gw', 'core', 'branch', 'lab', 'host'];
const name = (nh) => (nh === null ? 'no route' : hops[nh]);

const v4 = new Lpm4(engine);
const add4 = (prefix, hop) => { v4.add(prefix, hops.indexOf(hop)); console.log(`add ${prefix} -> ${hop}`); };
const look4 = (addr) => console.log(`lookup ${addr} -> ${name(v4.lookup(addr))}`);
add4('10.0.0.0/8', 'core');
add4('10.1.0.0/16', 'branch');
add4('10.1.2.128/25', 'lab'); // longer than /24: lives in a second-level (tbl8) group
add4('10.1.2.200/32', 'host');
for (const a of ['10.9.9.9', '10.1.7.7', '10.1.2.3', '10.1.2.130', '10.1.2.200', '192.0.2.1']) look4(a);
add4('0.0.0.0/0', 'default-gw');
look4('192.0.2.1');
v4.delete('10.1.0.0/16');
console.log('delete 10.1.0.0/16');
look4('10.1.7.7');

// The allocation-free path: numeric addresses in, next hops out (misses get v4.miss).
const bulk = ['10.1.2.130', '10.200.0.1', '172.16.0.1'];
const addrs = Uint32Array.from(bulk, (s) => parseIPv4(s));
const out = new Uint32Array(addrs.length);
const hits = v4.lookupBulk(addrs, out);
console.log(`bulk ${bulk.join(' ')} -> ${[...out].map((nh) => (nh === v4.miss ? 'no route' : hops[nh])).join(', ')} (${hits} hits)`);

const v6 = new Lpm6(engine);
const add6 = (prefix, hop) => { v6.add(prefix, hops.indexOf(hop)); console.log(`add ${prefix} -> ${hop}`); };
const look6 = (addr) => console.log(`lookup ${addr} -> ${name(v6.lookup(addr))}`);
add6('2001:db8::/32', 'core');
add6('2001:db8:1::/48', 'branch');
add6('2001:db8:1:2::/64', 'lab');
add6('2001:db8:1:2::99/128', 'host');
for (const a of ['2001:db8:ff::1', '2001:db8:1:7::1', '2001:db8:1:2::1', '2001:db8:1:2::99', '2001:db9::1']) look6(a);
console.log(`${v4.size} IPv4 and ${v6.size} IPv6 prefixes`);
