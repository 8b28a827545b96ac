#!/usr/bin/env node
// Registers tsx (no build step) and runs portier-sim; in the compiled mirror of the test suite (`.build/`,
// scripts/build-tests.mjs) the compiled file sits next to the source and runs on plain Node.
import { existsSync } from 'node:fs';

const compiled = new URL('../src/main.js', import.meta.url);
if (!existsSync(compiled)) (await import('tsx/esm/api')).register();
const { main } = await import(existsSync(compiled) ? compiled.href : '../src/main.ts');
process.exitCode = await main(process.argv);
