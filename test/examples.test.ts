// Every examples/*.mjs script runs here, as a newcomer would run it (`node examples/x.mjs`,
// importing 'pktwasm' through the package's own exports map), and its output is checked
// against an oracle that is not pktwasm: tcpdump and tshark on the same capture, the
// conversation table tshark prints, tcpdump/tshark reading the packets the builder wrote,
// RFC 1071's worked example, and, for the route table and the timer wheel, the rules the
// example states (the longest matching prefix, recomputed here from the routes it prints;
// each timer firing at the tick it was due). Each capture example runs over
// test/fixtures/sample.pcap and, when the shared corpus is there, over a few corpus
// captures of plain IPv4/IPv6 traffic (no tunnels or ICMP errors, where tshark's first
// value of a field is not the outer header's). An example without a check here fails the
// first test, so a new script cannot go unrun.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { corpusDir, haveTool, repoRoot } from './lib/env.js';
import { runBin } from './lib/run-tool.js';

const examplesDir = join(repoRoot, 'examples');
const sample = join(repoRoot, 'test/fixtures/sample.pcap');

interface Run { stdout: string; lines: string[] }

/** Runs one example; it must exit 0 with nothing on stderr. */
function runExample(name: string, args: string[] = []): Run {
  const r = spawnSync(process.execPath, [join(examplesDir, name), ...args], {
    cwd: repoRoot, encoding: 'utf8', timeout: 60_000, maxBuffer: 64 << 20, env: { ...process.env, TZ: 'UTC' },
  });
  const what = `node examples/${name} ${args.join(' ')}`;
  assert.is(r.error, undefined, `${what}: ${String(r.error)}`);
  assert.is(r.status, 0, `${what} exited ${String(r.status)} (${String(r.signal)}): ${r.stderr}`);
  assert.is(r.stderr, '', `${what} wrote to stderr`);
  const stdout = r.stdout;
  return { stdout, lines: stdout.split('\n').filter((l) => l !== '') };
}

/** The capture examples' inputs: the sample and, when present, plain corpus captures. */
function captures(): string[] {
  const dir = corpusDir();
  const files = [sample];
  if (dir !== null) {
    for (const f of ['dns_tcp.pcap', 'icmpv6.pcap']) {
      const p = join(dir, f);
      assert.ok(existsSync(p), `corpus capture ${p} is missing`);
      files.push(p);
    }
  }
  return files;
}

const tsharkRuns = new Map<string, string[][]>();

/** tshark -T fields over a capture: one array of field values per frame (tshark must
 *  succeed). Remembered per arguments: tshark's start-up is most of this file's cost. */
function tsharkFields(file: string, fields: string[], prefs: string[] = []): string[][] {
  const key = JSON.stringify([file, fields, prefs]);
  const known = tsharkRuns.get(key);
  if (known !== undefined) return known;
  const args = ['-n', '-r', file, ...prefs.flatMap((p) => ['-o', p]), '-T', 'fields', '-E', 'occurrence=f', ...fields.flatMap((f) => ['-e', f])];
  const r = runBin('tshark', args);
  assert.is(r.status, 0, `tshark ${args.join(' ')}: ${r.stderr}`);
  const rows = r.stdout.split('\n').filter((l) => l !== '').map((l) => l.split('\t'));
  tsharkRuns.set(key, rows);
  return rows;
}

/** One tshark pass per capture (IP reassembly on, as capture() does) for the capture
 *  examples: columns by name. */
const PASS = ['frame.number', 'frame.time_epoch', 'frame.len', 'frame.protocols', 'tcp.dstport', 'udp.dstport', 'ip.checksum', 'ip.checksum.status'];
function tsharkPass(file: string): Array<Record<string, string>> {
  return tsharkFields(file, PASS, ['ip.check_checksum:TRUE']).map((row) => Object.fromEntries(PASS.map((f, i) => [f, row[i] ?? ''])));
}

/** tcpdump -tt: the epoch timestamps (microseconds, as printed) of the frames a filter selects. */
function tcpdumpTimes(file: string, filter: string): string[] {
  const r = runBin('tcpdump', ['-tt', '-nn', '-r', file, filter]);
  assert.is(r.status, 0, `tcpdump -r ${file} ${filter}: ${r.stderr}`);
  return r.stdout.split('\n').filter((l) => /^\d+\.\d{6} /.test(l)).map((l) => l.slice(0, l.indexOf(' ')));
}

/** The arguments that name `file` (and `rest`): none for the sample with the example's
 *  own defaults, so that each example also runs as `node examples/x.mjs` alone. */
function argsFor(file: string, rest: string[] = [], defaults: string[] = []): string[] {
  return file === sample && rest.join('\0') === defaults.join('\0') ? [] : [file, ...rest];
}

/** tshark's frame.time_epoch (nanoseconds) cut to tcpdump's microseconds. */
const usec = (epoch: string): string => epoch.replace(/^(\d+\.\d{6})\d*$/, '$1');

/** A tshark field value as a number when it is one (hex 0x0012 or decimal), else the text. */
function norm(v: string): string {
  if (/^0x[0-9a-f]+$/i.test(v)) return String(parseInt(v, 16));
  return v;
}

const CHECKS: Record<string, () => void> = {
  'capture-file.mjs': () => {
    for (const file of captures()) {
      for (const filter of file === sample ? ['ip or ip6', 'tcp'] : ['ip or ip6']) {
        const { lines } = runExample('capture-file.mjs', argsFor(file, [filter], ['ip or ip6']));
        const last = lines.at(-1) ?? '';
        const m = /^(\d+) packets matched "(.*)" in (.*)$/.exec(last);
        assert.ok(m !== null, `capture-file: last line "${last}"`);
        const rows = lines.slice(0, -1).map((l) => {
          const r = /^#(\d+) (\d+\.\d{6}) (\S+) > (\S+) (tcp|udp|icmp|icmpv6|other) (\d+) bytes$/.exec(l);
          assert.ok(r !== null, `capture-file: line "${l}"`);
          return r;
        });
        assert.is(Number(m[1]), rows.length, 'the count line counts the lines');
        assert.equal([m[2], m[3]], [filter, file], 'the count line names the filter and the file');
        if (!haveTool('tcpdump') || !haveTool('tshark')) continue;
        // tcpdump selects the frames; tshark reads the same frames for their fields.
        assert.equal(rows.map((r) => r[2]), tcpdumpTimes(file, filter), `${file} "${filter}": the frames tcpdump selects`);
        const tmp = mkdtempSync(join(tmpdir(), 'pktwasm-examples-'));
        try {
          const sel = join(tmp, 'sel.pcap');
          const w = runBin('tcpdump', ['-r', file, '-w', sel, filter]);
          assert.is(w.status, 0, w.stderr);
          const want = tsharkFields(sel, ['frame.len', 'ip.src', 'ip.dst', 'ipv6.src', 'ipv6.dst']);
          assert.is(want.length, rows.length);
          rows.forEach((r, i) => {
            const [len, s4, d4, s6, d6] = want[i];
            assert.is(r[6], len, `${file} "${filter}" #${r[1]}: frame.len`);
            assert.is(r[3], s4 !== '' ? s4 : s6 || '-', `${file} #${r[1]}: source`);
            assert.is(r[4], d4 !== '' ? d4 : d6 || '-', `${file} #${r[1]}: destination`);
          });
        } finally {
          rmSync(tmp, { recursive: true, force: true });
        }
      }
    }
  },

  'capture-batches.mjs': () => {
    for (const file of captures()) {
      const { lines } = runExample('capture-batches.mjs', argsFor(file));
      assert.is(lines.length, 5, `capture-batches: ${lines.join('\n')}`);
      const got = new Map<string, [number, number]>();
      for (const l of lines.slice(0, 4)) {
        const m = /^(tcp|udp|icmp|other) (\d+) frames (\d+) bytes$/.exec(l);
        assert.ok(m !== null, `capture-batches: line "${l}"`);
        got.set(m[1], [Number(m[2]), Number(m[3])]);
      }
      assert.ok(lines[4].startsWith('busiest destination ports: '));
      if (!haveTool('tshark')) continue;
      // tshark (IP reassembly on, as capture does): a frame is what its first transport is.
      const want = new Map<string, [number, number]>([['tcp', [0, 0]], ['udp', [0, 0]], ['icmp', [0, 0]], ['other', [0, 0]]]);
      const ports = new Map<number, number>();
      for (const { 'frame.protocols': protos, 'frame.len': len, 'tcp.dstport': tport, 'udp.dstport': uport } of tsharkPass(file)) {
        const first = protos.split(':').find((p) => ['tcp', 'udp', 'icmp', 'icmpv6'].includes(p));
        const k = first === undefined ? 'other' : first === 'icmpv6' ? 'icmp' : first;
        const w = want.get(k)!;
        w[0]++;
        w[1] += Number(len);
        if (k === 'tcp' || k === 'udp') {
          const p = Number(k === 'tcp' ? tport : uport);
          ports.set(p, (ports.get(p) ?? 0) + 1);
        }
      }
      assert.equal([...got], [...want], `${file}: frames and bytes per transport vs tshark`);
      const top = [...ports].sort((a, b) => b[1] - a[1] || a[0] - b[0]).slice(0, 3).map(([p, c]) => `${p} (${c})`).join(', ');
      assert.is(lines[4], `busiest destination ports: ${top || 'none'}`, `${file}: busiest ports vs tshark`);
    }
  },

  'filter-batch.mjs': () => {
    for (const file of captures()) {
      for (const expr of ['tcp or icmp or icmp6', 'ip6 and not tcp']) {
        const { lines } = runExample('filter-batch.mjs', argsFor(file, [expr], ['tcp or icmp or icmp6']));
        assert.is(lines.length, 2, lines.join('\n'));
        const m = /^frames matching "(.*)": ?([\d ]*)$/.exec(lines[0]);
        assert.ok(m !== null, `filter-batch: line "${lines[0]}"`);
        assert.is(m[1], expr, 'the line names the expression');
        const numbers = m[2] === '' ? [] : m[2].split(' ').map(Number);
        const c = /^wasm (\d+) of (\d+), ts (\d+) of (\d+)$/.exec(lines[1]);
        assert.ok(c !== null, `filter-batch: line "${lines[1]}"`);
        assert.is(Number(c[1]), numbers.length);
        assert.is(Number(c[3]), numbers.length, 'the ts backend agrees');
        if (!haveTool('tcpdump') || !haveTool('tshark')) continue;
        // tcpdump's selection, by timestamp; tshark maps our frame numbers to timestamps.
        const epochs = tsharkPass(file).map((f) => usec(f['frame.time_epoch']));
        assert.is(Number(c[2]), epochs.length, 'frame count');
        assert.equal(numbers.map((n) => epochs[n - 1]), tcpdumpTimes(file, expr), `${file} "${expr}" vs tcpdump`);
      }
    }
  },

  'decode.mjs': () => {
    const FIELDS = ['eth.src', 'eth.dst', 'arp.opcode', 'ip.src', 'ip.dst', 'ip.ttl', 'ipv6.src', 'ipv6.dst', 'ipv6.hlim',
      'tcp.srcport', 'tcp.dstport', 'tcp.flags', 'udp.srcport', 'udp.dstport', 'icmp.type', 'icmpv6.type'];
    for (const file of captures()) {
      const { lines } = runExample('decode.mjs', argsFor(file));
      const frames = lines.filter((l) => l.startsWith('frame '));
      const json = lines.filter((l) => !l.startsWith('frame '));
      if (!haveTool('tshark')) continue;
      // decode() sees one frame alone: tshark without IP reassembly sees frames as it does.
      const want = tsharkFields(file, ['frame.len', ...FIELDS], ['ip.defragment:FALSE', 'ipv6.defragment:FALSE']);
      assert.is(frames.length, want.length, `${file}: one line per frame`);
      let compared = 0;
      frames.forEach((l, i) => {
        const m = /^frame (\d+): ?(.*)$/.exec(l);
        assert.ok(m !== null, `decode: line "${l}"`);
        assert.is(Number(m[1]), i + 1);
        const ours = new Map(m[2] === '' ? [] : m[2].split(' ').map((kv) => kv.split('=') as [string, string]));
        for (const [name] of ours) assert.ok(FIELDS.includes(name), `decode printed ${name}, not a field it names`);
        FIELDS.forEach((name, k) => {
          const t = want[i][k + 1] ?? '';
          assert.is(ours.get(name), t === '' ? undefined : norm(t), `${file} frame ${i + 1}: ${name}`);
          if (t !== '') compared++;
        });
      });
      assert.ok(compared >= frames.length, `${file}: only ${compared} values compared`);
      // Last, the first frame's whole object, on one line.
      assert.is(json.length, 1, `decode: ${json.length} JSON lines`);
      const obj = JSON.parse(json[0]) as { frame: { len: number } };
      assert.is(String(obj.frame.len), want[0][0], 'frame.len of frame 1');
    }
  },

  'flows.mjs': () => {
    for (const file of captures()) {
      const { lines } = runExample('flows.mjs', argsFor(file));
      const rows = lines.filter((l) => l.includes('<->'));
      const jsonLines = lines.filter((l) => l.startsWith('{'));
      const last = /^(\d+) flows, (\d+) still live at the end of the file$/.exec(lines.at(-1) ?? '');
      assert.ok(last !== null, `flows: last line "${lines.at(-1)}"`);
      assert.is(jsonLines.length, Number(last[1]), 'one JSON line per flow');
      for (const j of jsonLines) assert.type((JSON.parse(j) as { flow: object }).flow, 'object');
      assert.ok(lines.includes('TCP Conversations') && lines.includes('UDP Conversations'));
      if (!haveTool('tshark')) continue;
      const r = runBin('tshark', ['-n', '-q', '-r', file, '-z', 'conv,tcp', '-z', 'conv,udp']);
      assert.is(r.status, 0, r.stderr);
      const want = r.stdout.split('\n').filter((l) => l.includes('<->'));
      assert.ok(want.length > 0 || file !== sample, 'tshark lists conversations of the sample');
      assert.equal(rows.slice().sort(), want.sort(), `${file}: conversation rows vs tshark conv,tcp/conv,udp`);
    }
  },

  'builder.mjs': () => {
    const tmp = mkdtempSync(join(tmpdir(), 'pktwasm-examples-'));
    try {
      const out = join(tmp, 'built.pcap');
      const { lines } = runExample('builder.mjs', [out]);
      assert.match(lines[0], /^udp\/ipv4: \d+ bytes, ip checksum ok, udp checksum ok$/);
      assert.match(lines[1], /^icmpv6 echo: \d+ bytes, icmpv6 checksum ok$/);
      assert.is(lines[2], `wrote 2 packets to ${out} (try: tcpdump -vv -nn -r ${out})`);
      if (haveTool('tcpdump')) {
        const r = runBin('tcpdump', ['-vv', '-nn', '-r', out]);
        assert.is(r.status, 0, r.stderr);
        assert.match(r.stdout, /192\.0\.2\.1\.40000 > 198\.51\.100\.7\.9999: \[udp sum ok\] UDP, length 18/);
        assert.match(r.stdout, /2001:db8::1 > 2001:db8::2: \[icmp6 sum ok\] ICMP6, echo request, id 4660, seq 1/);
        assert.not.match(r.stdout, /bad cksum/);
      }
      if (haveTool('tshark')) {
        const rows = tsharkFields(out, ['frame.len', 'ip.checksum.status', 'udp.checksum.status', 'icmpv6.checksum.status', 'udp.length'],
          ['ip.check_checksum:TRUE', 'udp.check_checksum:TRUE']);
        assert.is(rows.length, 2);
        // checksum.status 1 is tshark's "Good".
        assert.equal(rows[0].slice(1, 3), ['1', '1'], 'tshark: IPv4 and UDP checksums good');
        assert.is(rows[1][3], '1', 'tshark: ICMPv6 checksum good');
        assert.is(lines[0].split(' ')[1], rows[0][0], 'UDP packet length');
        assert.is(lines[1].split(' ')[2], rows[1][0], 'ICMPv6 packet length');
      }
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  },

  'lpm.mjs': () => {
    const { lines } = runExample('lpm.mjs');
    // The oracle: longest-prefix match by brute force over the routes the example printed.
    const routes = new Map<string, { net: bigint; bits: number; v6: boolean; hop: string }>();
    const toBig = (a: string): bigint => (a.includes(':') ? v6Big(a) : a.split('.').reduce((x, o) => (x << 8n) | BigInt(Number(o)), 0n));
    const match = (addr: string): string => {
      const v6 = addr.includes(':');
      const width = v6 ? 128 : 32;
      const a = toBig(addr);
      let best: { bits: number; hop: string } | null = null;
      for (const r of routes.values()) {
        if (r.v6 !== v6) continue;
        const shift = BigInt(width - r.bits);
        if ((a >> shift) === (r.net >> shift) && (best === null || r.bits > best.bits)) best = r;
      }
      return best === null ? 'no route' : best.hop;
    };
    let lookups = 0;
    for (const l of lines) {
      let m: RegExpExecArray | null;
      if ((m = /^add (\S+)\/(\d+) -> (\S+)$/.exec(l)) !== null) {
        routes.set(`${m[1]}/${m[2]}`, { net: toBig(m[1]), bits: Number(m[2]), v6: m[1].includes(':'), hop: m[3] });
      } else if ((m = /^delete (\S+)$/.exec(l)) !== null) {
        assert.ok(routes.delete(m[1]), `deleted ${m[1]}, never added`);
      } else if ((m = /^lookup (\S+) -> (.+)$/.exec(l)) !== null) {
        assert.is(m[2], match(m[1]), `lookup ${m[1]}`);
        lookups++;
      } else if ((m = /^bulk (.+) -> (.+) \((\d+) hits\)$/.exec(l)) !== null) {
        const addrs = m[1].split(' ');
        const want = addrs.map(match);
        assert.is(m[2], want.join(', '), 'bulk lookup');
        assert.is(Number(m[3]), want.filter((h) => h !== 'no route').length, 'bulk hits');
        lookups += addrs.length;
      } else if ((m = /^(\d+) IPv4 and (\d+) IPv6 prefixes$/.exec(l)) !== null) {
        const v4 = [...routes.values()].filter((r) => !r.v6).length;
        assert.equal([Number(m[1]), Number(m[2])], [v4, routes.size - v4], 'table sizes');
      } else {
        assert.unreachable(`lpm: unexpected line "${l}"`);
      }
    }
    assert.ok(lookups >= 10, `only ${lookups} lookups checked`);
    assert.ok(lines.at(-1)?.endsWith('prefixes'), 'the size line comes last');
  },

  'timer-wheel.mjs': () => {
    const { lines } = runExample('timer-wheel.mjs');
    const due = new Map<number, number>();
    const cancelled = new Set<number>();
    const fired: Array<[number, number]> = [];
    let summary: RegExpExecArray | null = null;
    for (const l of lines) {
      let m: RegExpExecArray | null;
      if ((m = /^schedule id=(\d+) delay=(\d+) due=(\d+)$/.exec(l)) !== null) {
        assert.is(Number(m[3]), Number(m[2]), 'scheduled at tick 0: due = delay');
        due.set(Number(m[1]), Number(m[3]));
      } else if ((m = /^cancel id=(\d+)$/.exec(l)) !== null) {
        cancelled.add(Number(m[1]));
      } else if ((m = /^reschedule id=(\d+) delay=(\d+) due=(\d+)$/.exec(l)) !== null) {
        // Rescheduled at tick 100 (the example's comment): the new deadline counts from there.
        assert.is(Number(m[3]), 100 + Number(m[2]), 'rescheduled at tick 100');
        assert.ok(!fired.some(([, id]) => id === Number(m![1])), 'rescheduled after firing');
        due.set(Number(m[1]), Number(m[3]));
      } else if ((m = /^tick (\d+): fired id=(\d+)$/.exec(l)) !== null) {
        fired.push([Number(m[1]), Number(m[2])]);
      } else if ((m = /^(\d+) fired, (\d+) cancelled, (\d+) live at tick (\d+)$/.exec(l)) !== null) {
        summary = m;
      } else {
        assert.unreachable(`timer-wheel: unexpected line "${l}"`);
      }
    }
    for (const [tick, id] of fired) {
      assert.ok(!cancelled.has(id), `cancelled timer ${id} fired`);
      assert.is(tick, due.get(id), `timer ${id} fired at its due tick`);
    }
    const shouldFire = [...due.keys()].filter((id) => !cancelled.has(id)).sort();
    assert.equal(fired.map(([, id]) => id).sort(), shouldFire, 'every armed timer fires once');
    assert.ok(summary !== null, 'summary line');
    assert.equal(summary.slice(1, 4).map(Number), [fired.length, cancelled.size, 0]);
  },

  'checksum.mjs': () => {
    for (const file of captures()) {
      const { lines } = runExample('checksum.mjs', argsFor(file));
      // RFC 1071 section 3's worked example: sum 0xddf2, checksum its complement.
      assert.is(lines[0], 'rfc1071 example: 0x220d');
      const ours = lines.slice(1).map((l) => {
        const m = /^frame (\d+): ip\.checksum (0x[0-9a-f]{4}) (good|bad)$/.exec(l);
        assert.ok(m !== null, `checksum: line "${l}"`);
        return m;
      });
      if (!haveTool('tshark')) continue;
      // tshark's verdict on every frame whose (first) IPv4 header it verified.
      const want = tsharkPass(file).filter((f) => f['ip.checksum.status'] === '0' || f['ip.checksum.status'] === '1');
      assert.equal(
        ours.map((m) => `${m[1]} ${m[2]} ${m[3]}`),
        want.map((f) => `${f['frame.number']} ${f['ip.checksum']} ${f['ip.checksum.status'] === '1' ? 'good' : 'bad'}`),
        `${file}: IPv4 header checksums vs tshark`,
      );
    }
  },

  'frame-ring-worker.mjs': () => {
    for (const file of captures()) {
      const { lines } = runExample('frame-ring-worker.mjs', argsFor(file));
      assert.is(lines.length, 1);
      const m = /^worker: (\d+) frames, (\d+) bytes, (\d+) tcp, (\d+) udp$/.exec(lines[0]);
      assert.ok(m !== null, `frame-ring-worker: line "${lines[0]}"`);
      assert.ok(Number(m[3]) + Number(m[4]) <= Number(m[1]));
      if (!haveTool('tshark')) continue;
      const lens = tsharkPass(file).map((f) => Number(f['frame.len']));
      assert.is(Number(m[1]), lens.length, `${file}: every frame crossed the ring`);
      assert.is(Number(m[2]), lens.reduce((a, b) => a + b, 0), `${file}: wire bytes`);
    }
  },
};

/** An IPv6 address as a 128-bit number (Node's own parser via URL, not pktwasm's). */
function v6Big(a: string): bigint {
  const host = new URL(`http://[${a}]/`).hostname.slice(1, -1); // canonical, '::' kept
  const [head, tail] = host.includes('::') ? host.split('::') : [host, null];
  const h = head === '' ? [] : head.split(':');
  const t = tail === null || tail === '' ? [] : tail.split(':');
  const groups = tail === null ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  return groups.reduce((x, g) => (x << 16n) | BigInt(parseInt(g, 16)), 0n);
}

test('every example has a check here, and there are examples', () => {
  const scripts = readdirSync(examplesDir).filter((f) => f.endsWith('.mjs') || f.endsWith('.js')).sort();
  assert.equal(scripts, Object.keys(CHECKS).sort(), 'examples/ and the checks in test/examples.test.ts');
});

for (const [name, check] of Object.entries(CHECKS)) test(`examples/${name}`, check);

test.run();
