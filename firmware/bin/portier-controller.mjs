#!/usr/bin/env node
// Loads TypeScript through tsx (no build step), then runs the controller.
import { earlySafe } from './early-safe.mjs';

// Outputs safe first, before the TypeScript runtime loads (see early-safe.mjs and HARDWARE.md).
if (process.argv[2] === 'run') await earlySafe(process.argv.slice(3));
// In the compiled mirror of the test suite (`.build/`, scripts/build-tests.mjs) the compiled file sits next to the
// source and runs on plain Node.
const compiled = new URL('../src/main.js', import.meta.url);
const { existsSync } = await import('node:fs');
if (!existsSync(compiled)) (await import('tsx/esm/api')).register();
const { main } = await import(existsSync(compiled) ? compiled.href : '../src/main.ts');
await main(process.argv);
