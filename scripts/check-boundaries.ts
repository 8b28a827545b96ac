// Prints every import that breaks DESIGN.md's dependency rules; exits 1 if there is one.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findBoundaryViolations } from './src/boundaries.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const violations = findBoundaryViolations(root);
for (const v of violations) process.stderr.write(`${v.file}:${v.line}: ${v.specifier}: ${v.rule}\n`);
process.exitCode = violations.length > 0 ? 1 : 0;
