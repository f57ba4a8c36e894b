// Timestamp columns (-t, default, -tt, -ttt, -tttt, -ttttt, with and without --nano) and
// frame numbers (-#) against the installed tcpdump, on every packet of a nanosecond pcap,
// a pcapng with nanosecond if_tsresol, a 2038 timestamp and a long microsecond capture.
// The whole column is compared (date and time of day, all 6 or 9 fraction digits); its
// shape per option is asserted on tcpdump's text first, so the comparison cannot pass on
// an empty or partial column. With -t there is no column: the whole line is compared by
// the rule of text-output.test.ts (equal, up to tcpdump's application layer, or a listed
// known gap).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import { corpusDir, haveTool } from './lib/env.js';
import { compareWithTcpdump, formatCapture, optionsFromArgs, showDiff } from './text-output-lib.js';
import { tcpdumpText } from './text-output-tcpdump.js';
import { applyGaps } from './text-output-gaps.js';

const dir = corpusDir();
const hasTcpdump = haveTool('tcpdump');
const FILES = ['tcp-handshake-nano.pcap', 'vsock-1.pcapng', 'time_2038.pcap', 'ssh.pcap', 'icmpv6.pcap', 'extra/dnscap/frags.pcap'];

/** tcpdump's timestamp column per option (print-ascii.c ts_print), fraction digits last:
 *  default hh:mm:ss; -tt seconds since the epoch; -ttt/-ttttt a sign column, then the
 *  delta's hh:mm:ss; -tttt the date and time. The trailing space belongs to the column. */
function columnShape(t: string, digits: number): RegExp {
  const frac = String.raw`\.\d{${digits}} `;
  switch (t) {
    case '': return new RegExp(String.raw`^\d\d:\d\d:\d\d${frac}`);
    case '-tt': return new RegExp(String.raw`^\d+${frac}`);
    case '-ttt': case '-ttttt': return new RegExp(String.raw`^[ -]\d\d:\d\d:\d\d${frac}`);
    case '-tttt': return new RegExp(String.raw`^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d${frac}`);
    default: throw new Error(`no timestamp column for ${t}`);
  }
}

for (const t of ['', '-tt', '-ttt', '-tttt', '-ttttt']) {
  for (const nano of [false, true]) {
    const args = ['-nn', ...(t ? [t] : []), ...(nano ? ['--nano'] : [])];
    test(`timestamps ${args.join(' ')} equal tcpdump's (TZ=UTC)`, () => {
      if (dir === null || !hasTcpdump) return;
      process.env.TZ = 'UTC';
      const shape = columnShape(t, nano ? 9 : 6);
      let packets = 0;
      for (const name of FILES) {
        const file = join(dir, name);
        const ours = formatCapture(file, optionsFromArgs(args));
        const theirs = tcpdumpText(file, args);
        assert.equal(theirs.problems, [], `${name}: tcpdump read the capture`);
        assert.is(ours.texts.length, theirs.packets.length, `${name}: packets printed`);
        for (let i = 0; i < theirs.packets.length; i++) {
          const col = shape.exec(theirs.packets[i])?.[0];
          assert.ok(col !== undefined, `${name} #${i + 1}: tcpdump's column has the ${args.join(' ')} shape: ${theirs.packets[i].slice(0, 40)}`);
          assert.is(ours.texts[i].slice(0, col.length), col, `${name} #${i + 1} ${args.join(' ')}`);
          packets++;
        }
      }
      console.log(`\nNOTE tcpdump ${args.join(' ')}: ${FILES.length} captures, ${packets} timestamp columns equal`);
    });
  }
}

for (const nano of [false, true]) {
  const args = ['-nn', '-t', ...(nano ? ['--nano'] : [])];
  test(`no timestamps with ${args.join(' ')}: whole lines as tcpdump's`, () => {
    if (dir === null || !hasTcpdump) return;
    const results = FILES.map((name) => compareWithTcpdump(join(dir, name), args));
    const anyColumn = /^ *[\d:.-]+ /;
    for (const r of results) {
      assert.equal(r.problems, [], `${r.file}: tcpdump read the capture, same packet count`);
    }
    const gaps = applyGaps(args, results);
    for (const d of gaps.unexplained.slice(0, 12)) console.log(`  UNEXPLAINED ${showDiff(d)}`);
    for (const s of gaps.stale) console.log(`  STALE ${s}`);
    const packets = results.reduce((a, r) => a + r.packets, 0);
    const exact = results.reduce((a, r) => a + r.exact, 0);
    const app = results.reduce((a, r) => a + r.app, 0);
    console.log(`\nNOTE tcpdump ${args.join(' ')}: ${packets} packets: ${exact} equal in full, ${app} equal up to tcpdump's application layer, ${packets - exact - app} known gaps`);
    for (const name of FILES) {
      const theirs = tcpdumpText(join(dir, name), args);
      for (const p of theirs.packets) assert.not.match(p, anyColumn, `${name}: tcpdump prints no timestamp with -t`);
    }
    assert.ok(packets > 0, 'packets compared');
    assert.is(gaps.unexplained.length, 0, 'lines that differ from tcpdump before its application layer, not in the known-gaps list');
    assert.equal(gaps.stale, [], 'known gaps that no longer occur');
  });
}

test.run();
