// Writes protocol/docs/ (AsyncAPI 3 document and JSON Schemas) from the zod schemas. Run: npm run protocol:docs
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildDocFiles } from '../src/docs.ts';

const docsDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'docs');
for (const [name, text] of Object.entries(buildDocFiles())) {
  const path = join(docsDir, name);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
  process.stdout.write(`wrote ${path}\n`);
}
