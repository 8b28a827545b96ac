/**
 * How a test starts a TypeScript entry point (a harness, a crash child) as its own Node process.
 *
 * In the compiled mirror the test suite builds (scripts/build-tests.mjs) the compiled `.js` sits next to the source
 * and runs on plain Node; from the source tree the `.ts` runs through tsx, whose loader costs the child about a second
 * of CPU more.
 */
import { existsSync } from 'node:fs';

/** Node's arguments that run `tsFile` (an absolute path ending in `.ts`). */
export function entryArgs(tsFile: string): string[] {
  const js = tsFile.replace(/\.ts$/, '.js');
  return js !== tsFile && existsSync(js) ? [js] : ['--import', 'tsx', tsFile];
}
