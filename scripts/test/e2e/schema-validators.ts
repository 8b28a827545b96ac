// The published JSON Schemas (protocol/docs/schemas) as ajv 2020 validators, one per channel.
//
// Compiling them costs each end-to-end process about half a second of CPU, and some thirty processes of the suite
// need them; so the validators are compiled once into a module (ajv's standalone code) kept in node_modules/.cache
// under the hash of the schema files, and later processes load that module. A changed schema has another hash.
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import standaloneCode from 'ajv/dist/standalone/index.js';
import type { ValidateFunction } from 'ajv';

const SCHEMA_DIR = fileURLToPath(new URL('../../../protocol/docs/schemas/', import.meta.url));
const CACHE_DIR = join(dirname(createRequire(import.meta.url).resolve('ajv/package.json')), '..', '.cache', 'portier-e2e-schemas');

let loaded: Promise<Map<string, ValidateFunction>> | undefined;

/** Channel name -> validator of its published JSON Schema. */
export function schemaValidators(): Promise<Map<string, ValidateFunction>> {
  return (loaded ??= load());
}

async function load(): Promise<Map<string, ValidateFunction>> {
  const schemas = readdirSync(SCHEMA_DIR)
    .filter((f) => f.endsWith('.schema.json'))
    .sort()
    .map((f) => ({ channel: f.replace('.schema.json', ''), text: readFileSync(join(SCHEMA_DIR, f), 'utf8') }));
  const hash = createHash('sha256');
  for (const s of schemas) hash.update(`${s.channel}\n${s.text}\n`);
  const file = join(CACHE_DIR, `${hash.digest('hex').slice(0, 32)}.mjs`);
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch {
    writeModule(file, schemas);
    mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  }
  return new Map(schemas.map((s) => [s.channel, mod[exportName(s.channel)] as ValidateFunction]));
}

const exportName = (channel: string): string => `v_${channel.replace(/[^A-Za-z0-9]/g, '_')}`;

function writeModule(file: string, schemas: ReadonlyArray<{ channel: string; text: string }>): void {
  const ajv = new Ajv2020({ allErrors: true, strict: false, code: { source: true, esm: true } });
  const refs: Record<string, string> = {};
  for (const s of schemas) {
    ajv.addSchema(JSON.parse(s.text) as object, s.channel);
    refs[exportName(s.channel)] = s.channel;
  }
  // ajv's ES module output still calls `require` for its runtime helpers.
  const code = `import { createRequire } from 'node:module';\nconst require = createRequire(import.meta.url);\n${standaloneCode.default(ajv, refs)}`;
  mkdirSync(CACHE_DIR, { recursive: true });
  // Several test processes may write it at once: each writes its own file and renames it into place.
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, code);
  renameSync(tmp, file);
}
