// Types of generate-layout.mjs (plain Node, run before tsc), for test/layout.test.ts.
export interface LayoutFiles {
  /** The hand-written AssemblyScript source, relative to the repository. */
  source: string;
  /** The TypeScript module generated from it. */
  ts: string;
  /** The C header generated from it, if the addon needs one. */
  c?: string;
}
export const LAYOUTS: readonly LayoutFiles[];
/** Every generated file: [path relative to the repository, content]. */
export function generateAll(): [string, string][];
