#!/usr/bin/env node
// Runs every benchmark under scripts/bench/<name>/run.ts (or a name given as argument) and repeats their
// `bench: <name> = <value> <unit>` lines at the end.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const benchDir = join(dirname(fileURLToPath(import.meta.url)), 'bench');
const wanted = process.argv.slice(2);
const names = existsSync(benchDir)
  ? readdirSync(benchDir).filter((n) => existsSync(join(benchDir, n, 'run.ts')) && (wanted.length === 0 || wanted.includes(n))).sort()
  : [];
const lines = [];
let failed = 0;
for (const name of names) {
  process.stdout.write(`\n== bench ${name}\n`);
  const code = await new Promise((resolve) => {
    const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', join(benchDir, name, 'run.ts')], {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' },
    });
    let tail = '';
    child.stdout.on('data', (chunk) => {
      process.stdout.write(chunk);
      tail += chunk.toString();
      const parts = tail.split('\n');
      tail = parts.pop() ?? '';
      for (const l of parts) if (/^bench: /.test(l)) lines.push(l);
    });
    child.on('close', (c) => {
      if (/^bench: /.test(tail)) lines.push(tail);
      resolve(c ?? 1);
    });
  });
  if (code !== 0) {
    failed++;
    process.stdout.write(`bench ${name} exited with ${code}\n`);
  }
}
process.stdout.write(`\n== summary (${names.length} benchmarks)\n${lines.join('\n')}\n`);
process.exit(failed ? 1 : 0);
