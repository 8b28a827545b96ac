#!/usr/bin/env node
// Runs the TypeScript sources through tsx: no build step (see STACK.md). In the compiled mirror the test suite
// builds (`.build/`, scripts/build-tests.mjs) the compiled file sits next to the source and runs on plain Node.
import { existsSync } from 'node:fs';

const compiled = new URL('../src/main.js', import.meta.url);
if (!existsSync(compiled)) (await import('tsx/esm/api')).register();
const { main } = await import(existsSync(compiled) ? compiled.href : '../src/main.ts');
await main(process.argv);
