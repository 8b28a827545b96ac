import t from 'tap';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateKeyPairSync } from 'node:crypto';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { CHANNELS } from '../src/index.ts';
import { buildDocFiles, buildJsonSchemas } from '../src/docs.ts';
import { samples } from './fixtures/samples.ts';

const docsDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'docs');

t.test('committed protocol docs are up to date (run `npm run protocol:docs`)', async (t) => {
  for (const [name, text] of Object.entries(buildDocFiles())) {
    let committed = '';
    try {
      committed = readFileSync(join(docsDir, name), 'utf8');
    } catch {
      // reported below
    }
    t.equal(committed, text, `protocol/docs/${name} matches the zod schemas`);
  }
});

t.test('the published JSON Schemas accept every sample and reject malformed ones', async (t) => {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  const schemas = buildJsonSchemas();
  const { privateKey } = generateKeyPairSync('ed25519');
  const all = samples(privateKey);
  for (const ch of CHANNELS) {
    const validate = ajv.compile(JSON.parse(readFileSync(join(docsDir, 'schemas', `${ch}.schema.json`), 'utf8')));
    t.ok(schemas[ch], `${ch} schema exists`);
    for (const msg of all[ch] as Record<string, unknown>[]) {
      t.ok(validate(msg), `${ch} sample valid by JSON Schema ${JSON.stringify(validate.errors ?? [])}`);
      t.notOk(validate({ ...msg, extra: 1 }), `${ch} with an unknown field is invalid by JSON Schema`);
    }
  }
  const asyncapi = JSON.parse(readFileSync(join(docsDir, 'asyncapi.json'), 'utf8'));
  t.equal(asyncapi.asyncapi, '3.0.0');
  t.same(Object.keys(asyncapi.channels).sort(), [...CHANNELS].sort());
  t.equal(asyncapi.channels.cmd.address, 'portier/v1/{bankId}/{controllerId}/cmd');
});
