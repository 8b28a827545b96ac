#!/usr/bin/env node
// Loads TypeScript through tsx (no build step), then runs the controller.
import { earlySafe } from './early-safe.mjs';

// Outputs safe first, before the TypeScript runtime loads (see early-safe.mjs and HARDWARE.md).
if (process.argv[2] === 'run') await earlySafe(process.argv.slice(3));
const { register } = await import('tsx/esm/api');
register();
const { main } = await import('../src/main.ts');
await main(process.argv);
