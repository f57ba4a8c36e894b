// `npm run build:native`: builds the libpcap binding with node-gyp when libpcap's headers
// are present. When they are not, or the build fails, it says how to get line-rate live
// capture and exits 0, so that `npm install` still succeeds; live capture then falls back
// to the `cap` package. Plain .mjs (not TypeScript) because it runs before or without tsc.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = dirname(fileURLToPath(import.meta.url));

function explain(why) {
  console.log(`pktwasm: the live-capture addon was not built (${why}).`);
  console.log('pktwasm: live capture will use the `cap` package instead (timestamps taken in JavaScript, kernel drops unknown).');
  console.log('pktwasm: for line-rate capture install libpcap headers and a C compiler, then run `npm run build:native`:');
  console.log('pktwasm:   Debian/Ubuntu: apt-get install libpcap-dev build-essential   Fedora: dnf install libpcap-devel gcc make');
}

function pcapHeaders() {
  const dirs = ['/usr/include', '/usr/local/include', '/opt/homebrew/include'];
  const cfg = spawnSync('pcap-config', ['--cflags'], { encoding: 'utf8' });
  if (cfg.status === 0) for (const m of cfg.stdout.matchAll(/-I(\S+)/g)) dirs.push(m[1]);
  return dirs.some((d) => existsSync(join(d, 'pcap', 'pcap.h')) || existsSync(join(d, 'pcap.h')));
}

/** node-gyp ships inside npm; npm tells scripts where (npm_config_node_gyp). */
function nodeGyp() {
  const candidates = [
    process.env.npm_config_node_gyp,
    resolve(dirname(process.execPath), '../lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js'),
    resolve(dirname(process.execPath), 'node_modules/npm/node_modules/node-gyp/bin/node-gyp.js'),
  ];
  return candidates.find((p) => p && existsSync(p));
}

function main() {
  if (process.env.PKTWASM_SKIP_NATIVE) return explain('PKTWASM_SKIP_NATIVE is set');
  if (!pcapHeaders()) return explain('libpcap headers (pcap/pcap.h) not found');
  const gyp = nodeGyp();
  if (!gyp) return explain('node-gyp not found next to npm');
  const args = [gyp, 'rebuild', '--directory', dir];
  // Use the headers of the running Node when they are installed, rather than downloading.
  const prefix = resolve(dirname(process.execPath), '..');
  if (!process.env.npm_config_nodedir && existsSync(join(prefix, 'include', 'node', 'node_api.h'))) args.push(`--nodedir=${prefix}`);
  const r = spawnSync(process.execPath, args, { stdio: 'inherit' });
  if (r.status !== 0) return explain(`node-gyp failed with ${r.status ?? r.signal}; see its output above`);
  console.log('pktwasm: live-capture addon built (host/native/build/Release/pktwasm_pcap.node).');
}

main();
process.exitCode = 0;
