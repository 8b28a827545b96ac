#!/usr/bin/env node
// Type-checks every workspace and compiles it into `.build/`, a mirror of the tree that runs on plain Node.
//
// Why: loading TypeScript through tsx costs each test process about a second and a half of CPU (its loader hooks
// answer every import from a worker thread), and the suite starts some two hundred processes. The compiled mirror
// loads in a third of that. The type check and the emit are one `tsc` pass, so the check costs nothing extra.
//
// The mirror holds, beside each compiled `.js`, a copy of every other file of the workspaces (the `.ts` sources
// too, for the tests that read them, fixtures, `bin/` scripts), the root files the tests read, each workspace's
// package.json with its exports pointing at the compiled files, and `node_modules/@portier/*` links to them. Files are copied, never linked: a test that copies a fixture and writes to the copy must not write
// through a link into the source tree. Other packages resolve from the repository's own node_modules, one level up.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const BUILD = join(ROOT, '.build');
export const WORKSPACES = ['protocol', 'firmware', 'cloud', 'sim', 'rig', 'scripts'];
const ROOT_FILES = ['package.json', 'package-lock.json', 'README.md', 'Makefile', 'tsconfig.json', 'eslint.config.mjs'];

/** Builds the mirror; returns false (after printing tsc's errors) when the type check fails. */
export function buildForTests() {
  rmSync(BUILD, { recursive: true, force: true });
  const tsc = join(dirname(createRequire(import.meta.url).resolve('typescript/package.json')), 'bin', 'tsc');
  const r = spawnSync(process.execPath, [tsc, '-p', join(ROOT, 'tsconfig.build.json')], { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) return false;
  for (const ws of WORKSPACES) mirror(join(ROOT, ws), join(BUILD, ws));
  for (const f of ROOT_FILES) copyFileSync(join(ROOT, f), join(BUILD, f));
  for (const ws of WORKSPACES) linkCompiledPackage(ws);
  return true;
}

/** Copies every file of `from` that tsc did not write (all but compiled output), skipping node_modules. */
function mirror(from, to) {
  mkdirSync(to, { recursive: true });
  for (const e of readdirSync(from, { withFileTypes: true })) {
    if (e.name === 'node_modules') continue;
    const src = join(from, e.name);
    const dst = join(to, e.name);
    if (e.isDirectory()) mirror(src, dst);
    else if (e.isFile()) copyFileSync(src, dst);
  }
}

/**
 * Points a mirrored workspace's package.json exports at the compiled files (a workspace's own files import it by
 * name too), and links `node_modules/@portier/<ws>` to it. Tests about the repository itself read the source tree
 * (`PORTIER_SOURCE_ROOT`), not these copies.
 */
function linkCompiledPackage(ws) {
  const path = join(BUILD, ws, 'package.json');
  const pkg = JSON.parse(readFileSync(path, 'utf8'));
  const js = (v) => (typeof v === 'string' ? v.replace(/\.ts$/, '.js') : v);
  if (pkg.exports) pkg.exports = Object.fromEntries(Object.entries(pkg.exports).map(([k, v]) => [k, js(v)]));
  writeFileSync(path, `${JSON.stringify(pkg, null, 2)}\n`);
  mkdirSync(join(BUILD, 'node_modules', '@portier'), { recursive: true });
  symlinkSync(join('..', '..', ws), join(BUILD, 'node_modules', '@portier', ws));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) process.exit(buildForTests() ? 0 : 1);
