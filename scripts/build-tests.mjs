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
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const BUILD = join(ROOT, '.build');
export const WORKSPACES = ['protocol', 'durable', 'firmware', 'cloud', 'sim', 'rig', 'scripts'];
const ROOT_FILES = ['package.json', 'package-lock.json', 'README.md', 'Makefile', 'tsconfig.json', 'eslint.config.mjs'];

/** Builds the mirror; resolves false (after printing tsc's errors) when the type check fails. */
export async function buildForTests() {
  rmSync(BUILD, { recursive: true, force: true });
  const tsc = join(dirname(require.resolve('typescript/package.json')), 'bin', 'tsc');
  const r = await run(tsc, ['-p', join(ROOT, 'tsconfig.build.json')]);
  process.stdout.write(r.out);
  if (r.code !== 0) return false;
  for (const ws of WORKSPACES) mirror(join(ROOT, ws), join(BUILD, ws));
  for (const f of ROOT_FILES) copyFileSync(join(ROOT, f), join(BUILD, f));
  for (const ws of WORKSPACES) linkCompiledPackage(ws);
  return true;
}

/** ESLint over the repository (type-aware, zero warnings, cached); resolves false after printing the problems. */
export async function lint() {
  const eslint = join(dirname(require.resolve('eslint/package.json')), 'bin', 'eslint.js');
  const cache = join(ROOT, 'node_modules', '.cache', 'eslint') + '/';
  const r = await run(eslint, ['.', '--max-warnings', '0', '--cache', '--cache-location', cache]);
  process.stdout.write(r.out);
  return r.code === 0;
}

const require = createRequire(import.meta.url);

/** Runs a Node script in the repository, its output kept until it ends (two of them run side by side). */
function run(script, args) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [script, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('close', (code) => resolve({ code, out }));
  });
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

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  // `--lint`: ESLint runs beside the type check; each uses one core.
  const [built, linted] = await Promise.all([buildForTests(), process.argv.includes('--lint') ? lint() : true]);
  if (!built) process.stdout.write('type check failed\n');
  if (!linted) process.stdout.write('lint failed\n');
  process.exit(built && linted ? 0 : 1);
}
