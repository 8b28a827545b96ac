#!/usr/bin/env node
// Runs every test with tap and ends with the plain line CI reads: `N passed, N failed`.
// Extra arguments are passed to tap (test files, --grep, ...), or with `--compiled` name the test files to run.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

// `--compiled` runs the compiled mirror that `node scripts/build-tests.mjs` writes (what `make test` does: fast);
// without it, tap runs the TypeScript files through tsx (no build step: quick for a few files).
if (process.argv[2] === '--compiled') {
  const { allTestFiles, runCompiled } = await import('./run-compiled-tests.mjs');
  const files = process.argv.slice(3);
  process.exit(await runCompiled(files.length ? files : allTestFiles()));
}

const require = createRequire(import.meta.url);
const tapBin = join(dirname(require.resolve('tap/package.json')), 'dist/esm/run.mjs');
const child = spawn(process.execPath, [tapBin, '--reporter=tap', ...process.argv.slice(2)], {
  stdio: ['ignore', 'pipe', 'inherit'],
  env: { ...process.env, FORCE_COLOR: '0' },
});

let pass = 0;
let fail = 0;
let skip = 0;
let todo = 0;
let tail = '';
const failedFiles = [];
const skippedFiles = [];
// Only top-level results (one per test file) are counted from indented output; the per-assertion
// totals come from tap's own summary comment at the end of the run.
let summary;
child.stdout.on('data', (chunk) => {
  process.stdout.write(chunk);
  tail += chunk.toString('utf8');
  const lines = tail.split('\n');
  tail = lines.pop() ?? '';
  for (const line of lines) inspect(line);
});

function inspect(line) {
  const top = /^(not ok|ok) \d+ - (\S+)(.*)$/.exec(line);
  if (top) {
    if (top[1] === 'not ok') failedFiles.push(top[2]);
    if (/# SKIP/i.test(top[3])) skippedFiles.push(`${top[2]}${top[3]}`);
  }
  const m = /^# (\{ total: .*\})\s*$/.exec(line);
  if (m) summary = m[1];
}

child.on('close', (code, signal) => {
  if (tail) inspect(tail);
  if (summary) {
    const num = (k) => Number(new RegExp(`${k}: (\\d+)`).exec(summary)?.[1] ?? 0);
    pass = num('pass');
    fail = num('fail');
    skip = num('skip');
    todo = num('todo');
  }
  if (skippedFiles.length) process.stdout.write(`\nskipped: ${skippedFiles.join('\n         ')}\n`);
  if (failedFiles.length) process.stdout.write(`\nfailed files: ${failedFiles.join(', ')}\n`);
  const failed = fail || (code !== 0 && failedFiles.length === 0 && !summary ? 1 : fail);
  const extra = skip || todo ? `, ${skip + todo} skipped` : '';
  process.stdout.write(`\n${pass} passed, ${failed} failed${extra}\n`);
  process.exit(code === 0 && failed === 0 ? 0 : code || 1);
});
