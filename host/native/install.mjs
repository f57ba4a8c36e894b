// npm's install step for the published package: build the optional live-capture addon
// where libpcap's headers and a compiler are present (build.mjs says what to do when not,
// and never fails the install). In a source checkout there is nothing to do here: the
// `prepare` step builds everything (layout, wasm, TypeScript, then this addon) after
// install, and the generated header the addon needs does not exist yet.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const sourceCheckout = existsSync(fileURLToPath(new URL('../../assembly', import.meta.url)));
if (!sourceCheckout) await import('./build.mjs');
