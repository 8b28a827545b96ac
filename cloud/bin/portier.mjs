#!/usr/bin/env node
// The admin CLI, run through tsx (no build step); in the compiled mirror of the test suite (`.build/`,
// scripts/build-tests.mjs) the compiled file sits next to the source and runs on plain Node.
import { existsSync } from 'node:fs';

const compiled = new URL('../src/cli/admin.js', import.meta.url);
if (!existsSync(compiled)) (await import('tsx/esm/api')).register();
const { runAdmin, processIo } = await import(existsSync(compiled) ? compiled.href : '../src/cli/admin.ts');
process.exitCode = await runAdmin(process.argv.slice(2), processIo());
