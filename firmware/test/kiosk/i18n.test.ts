import { readdirSync, readFileSync } from 'node:fs';
import t from 'tap';
import { LOCKER_SIZES, serviceStateSchema } from '@portier/protocol';
import { en } from '../../src/i18n/en.ts';
import { fr } from '../../src/i18n/fr.ts';
import { MESSAGE_KEYS, isMessageKey, lockerWhere, ordinal, placeholders, translate } from '../../src/i18n/index.ts';

t.test('English and French catalogues have the same keys and the same parameters', async (t) => {
  t.same(Object.keys(fr).sort(), Object.keys(en).sort());
  for (const key of MESSAGE_KEYS) {
    t.ok(en[key].trim().length > 0 && fr[key].trim().length > 0, `${key} is not empty`);
    t.same(placeholders(fr[key]), placeholders(en[key]), `${key}: same parameters`);
  }
});

t.test('every message key the kiosk uses exists', async (t) => {
  // Every module of the kiosk engine (its flows too), the audio assistant and the i18n helpers.
  const kioskDir = new URL('../../src/kiosk/', import.meta.url);
  const files = [
    ...readdirSync(kioskDir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts')).map((f) => `../../src/kiosk/${f}`),
    '../../src/i18n/index.ts',
  ];
  const used = new Set<string>();
  for (const f of files) {
    const src = readFileSync(new URL(f, import.meta.url), 'utf8');
    for (const m of src.matchAll(/msg\(\s*'([^']+)'/g)) used.add(m[1] as string);
    // Keys chosen by a condition (`msg(ok ? 'return.title' : 'exchange.title')`): every dotted literal is a key.
    for (const m of src.matchAll(/'([a-z][a-zA-Z]*\.[a-zA-Z][a-zA-Z.-]*)'/g)) used.add(m[1] as string);
  }
  // Keys built from values: sizes, service states, roles.
  for (const s of [...LOCKER_SIZES, 'custom']) used.add(`size.${s}`);
  for (const s of serviceStateSchema.options) used.add(`service.${s}`);
  t.ok(used.size > 60, `found ${used.size} keys in the code`);
  for (const k of used) t.ok(isMessageKey(k), `${k} exists`);
});

t.test('ordinals in both languages', async (t) => {
  t.equal(ordinal('en', 1), 'first');
  t.equal(ordinal('en', 3), 'third');
  t.equal(ordinal('en', 12), 'twelfth');
  t.equal(ordinal('en', 21), '21st');
  t.equal(ordinal('en', 22), '22nd');
  t.equal(ordinal('en', 23), '23rd');
  t.equal(ordinal('en', 111), '111th');
  t.equal(ordinal('fr', 1), 'première');
  t.equal(ordinal('fr', 3), 'troisième');
  t.equal(ordinal('fr', 17), 'dix-septième');
  t.equal(ordinal('fr', 25), '25e');
});

t.test('a locker is described by number and position in both languages', async (t) => {
  const where = lockerWhere({ locker: 12, column: 2, fromTop: 3 });
  t.equal(translate(where, 'en'), 'locker 12, column 2, third door from the top');
  t.equal(translate(where, 'fr'), 'casier 12, colonne 2, troisième porte en partant du haut');
  t.equal(translate({ key: 'locker.open', params: { where } }, 'en'), 'Open now: locker 12, column 2, third door from the top.');
});
