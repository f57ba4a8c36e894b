// The export surface of assembly/app/app.ts: the WASM functions and AppTwin share these
// signatures over the same shared memory (frame, descriptor and record by address).
import { exportNames, type Structure } from '../engine/backend.js';
import { appTwinOf } from './twin.js';

export interface AppExports {
  app_bind(descs: number, apps: number, count: number): void;
  app_frame(frame: number, desc: number): void;
  app_decode(frame: number, desc: number, app: number): void;
}

export const APP_EXPORTS = exportNames<AppExports>()(['app_bind', 'app_frame', 'app_decode']);

/** The application layer, for exportsOf(engine, APP). The twin is the one the dissector
 *  twin calls for DF_APP (one per engine memory views, as the WASM instance is one). */
export const APP: Structure<AppExports> = {
  name: 'app', exports: APP_EXPORTS, twin: (engine) => appTwinOf(engine.views),
};
