#!/usr/bin/env node
// The admin CLI, run through tsx (no build step).
import { register } from 'tsx/esm/api';

register();
const { runAdmin, processIo } = await import('../src/cli/admin.ts');
process.exitCode = await runAdmin(process.argv.slice(2), processIo());
