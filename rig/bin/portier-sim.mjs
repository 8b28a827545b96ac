#!/usr/bin/env node
// Registers tsx (no build step) and runs portier-sim.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/main.ts');
process.exitCode = await main(process.argv);
