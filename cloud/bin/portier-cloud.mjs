#!/usr/bin/env node
// Runs the TypeScript sources through tsx: no build step (see STACK.md).
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/main.ts');
await main(process.argv);
