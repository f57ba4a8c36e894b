// Bad expressions: each is refused with E_FILTER_SYNTAX naming the character where the
// problem is, and tcpdump refuses each one too (run here on a corpus capture).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { createEngine } from '../host/engine/engine.js';
import { PktError } from '../host/runtime/errors.js';
import { compileFilter, FilterError } from '../host/filter/index.js';
import { LINKTYPE_ETHERNET } from '../host/runtime/layout.js';
import { corpusDir, haveTool } from './lib/env.js';

const eng = createEngine();

/** [expression, 0-based position of the error, a word the message must contain] */
const BAD: Array<[string, number, string]> = [
  ['tcp and', 7, 'end of expression'],
  ['host', 4, 'expected'],
  ['port 80 or', 10, 'end of expression'],
  ['ip proto tcp', 9, "'tcp'"],
  ['tcp[13 = 2', 7, "']'"],
  ['(tcp or udp', 11, "')'"],
  ['tcp or udp)', 10, "')'"],
  ['host 1.2.3.4 and (1.2.3.5 or port 80)', 29, "'port'"],
  ['src foo bar', 8, "'bar'"],
  ['len > ', 6, 'a number'],
  ['1 +', 3, 'a number'],
  ['ether host 1:2:3', 11, 'bogus ethernet address'],
  ['tcp[0:3] = 1', 6, 'data size'],
  ['vlan 5000', 0, 'VLAN tag'],
  ['port 99999', 5, 'illegal port'],
  ['net 10.1.2.3/24', 4, 'non-network bits'],
  ['ip[0] / 0 = 1', 6, 'division by zero'],
  ['a', 0, 'expected a primitive'],
  ['ip @ tcp', 3, 'unexpected character'],
  ['not', 3, 'end of expression'],
  ['host 1.2.3.256', 5, 'invalid IPv4 address'],
  ['tcp and 80', 8, 'qualifier'],
  ['len = 09', 6, 'non-octal'],
  ['ip6 host 1.2.3.4', 9, "'ip6' modifier"],
  ['ip[0] >> 32 = 1', 6, 'shift by more than 31 bits'],
  ['len-1 > 0', 0, "'len-1'"],
];

const sample = join(corpusDir() ?? '', 'dns_udp.pcap');
const tcpdumpOk = corpusDir() !== null && haveTool('tcpdump');

test(`at least 15 bad expressions`, () => {
  assert.ok(BAD.length >= 15);
});

for (const [expr, pos, word] of BAD) {
  test(`rejects ${JSON.stringify(expr)} at character ${pos + 1}`, () => {
    let err: unknown = null;
    try {
      compileFilter(expr, { linktype: LINKTYPE_ETHERNET, memory: eng.memory });
    } catch (e) {
      err = e;
    }
    assert.ok(err instanceof FilterError, `${expr}: a FilterError`);
    const fe = err as FilterError;
    assert.ok(fe instanceof PktError);
    assert.is(fe.code, 'E_FILTER_SYNTAX');
    assert.is(fe.position, pos, `${expr}: ${fe.message}`);
    assert.ok(fe.message.includes(`at character ${pos + 1}`), fe.message);
    assert.ok(fe.message.includes(word), `${expr}: "${fe.message}" mentions ${word}`);
    if (tcpdumpOk) {
      const r = spawnSync('tcpdump', ['-r', sample, '-d', '--', expr], { encoding: 'utf8' });
      assert.ok(r.status !== 0, `tcpdump also rejects ${expr}`);
    }
  });
}

test('bad arguments are PktErrors with their own code', () => {
  assert.throws(() => compileFilter('ip', { linktype: 1, memory: eng.memory, backend: 'gpu' as 'wasm' }),
    (e: unknown) => e instanceof PktError && e.code === 'E_BAD_ARGUMENT');
  assert.throws(() => compileFilter('ip', { linktype: 1, memory: {} as WebAssembly.Memory }),
    (e: unknown) => e instanceof PktError && e.code === 'E_BAD_ARGUMENT');
});

test.run();
