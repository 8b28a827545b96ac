// Environment overrides derived from a configuration's zod schema: the one mechanism of the cloud and the controller.
import t from 'tap';
import { z } from 'zod';
import { envOverrides, mergeLayers } from '../src/env-overrides.ts';

const schema = z.strictObject({
  http: z.strictObject({ port: z.number().int(), bodyLimitBytes: z.number().int().optional() }).default({ port: 8080 }),
  auth: z.strictObject({ login: z.strictObject({ freeAttempts: z.number().int() }).optional() }).optional(),
  bus: z.discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('gpio'), pins: z.record(z.string(), z.strictObject({ lockPin: z.number() })) }),
    z.strictObject({ kind: z.literal('cu16'), serialPath: z.string() }),
  ]),
  tags: z.preprocess((v) => v, z.strictObject({ maxItems: z.number() })).optional(),
});

t.test('names follow the schema: case and underscores do not matter, values are JSON when they parse', async (t) => {
  const { tree, problems } = envOverrides(
    {
      APP__HTTP__PORT: '9000',
      APP__HTTP__BODY_LIMIT_BYTES: '1024',
      APP__AUTH__LOGIN__FREE_ATTEMPTS: '3',
      APP__BUS__SERIAL_PATH: '/dev/ttyUSB1',
      APP__TAGS__MAX_ITEMS: '[1]',
      OTHER__HTTP__PORT: '1',
      APP__BUS__KIND: 'cu16',
    },
    { prefix: 'APP__', schema },
  );
  t.same(problems, []);
  t.same(tree, {
    http: { port: 9000, bodyLimitBytes: 1024 },
    auth: { login: { freeAttempts: 3 } },
    bus: { serialPath: '/dev/ttyUSB1', kind: 'cu16' },
    tags: { maxItems: [1] },
  });
});

t.test('under a record the keys of the file are matched; elsewhere an unknown part is camelCased for the schema to report', async (t) => {
  const base = { bus: { kind: 'gpio', pins: { A1: { lockPin: 2 } } } };
  const { tree } = envOverrides({ APP__BUS__PINS__A1__LOCK_PIN: '5', APP__BUS__PINS__b2__LOCK_PIN: '6', APP__HTTP__NO_SUCH_KEY: 'x' }, { prefix: 'APP__', schema, base });
  t.same(tree, { bus: { pins: { A1: { lockPin: 5 }, b2: { lockPin: 6 } } }, http: { noSuchKey: 'x' } });
  const merged = mergeLayers(base, tree);
  t.same(merged, { bus: { kind: 'gpio', pins: { A1: { lockPin: 5 }, b2: { lockPin: 6 } } }, http: { noSuchKey: 'x' } });
  t.same(base, { bus: { kind: 'gpio', pins: { A1: { lockPin: 2 } } } }, 'the layers are not modified');
  t.notOk(schema.safeParse(merged).success, 'the unknown key fails the schema');
});

t.test('malformed names are problems; aliases set their path and win over the long form', async (t) => {
  const { tree, problems } = envOverrides(
    { APP__HTTP____PORT: '1', APP__: '2', APP__HTTP__PORT: '9000', PORT: '7000', EMPTY: '' },
    { prefix: 'APP__', schema, aliases: { PORT: ['http', 'port'], EMPTY: ['http', 'bodyLimitBytes'] } },
  );
  t.same(problems.map((p) => p.path).sort(), ['APP__', 'APP__HTTP____PORT']);
  t.same(tree, { http: { port: 7000 } }, 'an empty alias sets nothing');
});
