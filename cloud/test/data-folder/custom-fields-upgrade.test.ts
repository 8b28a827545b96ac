// A data folder of the release before custom field definitions (cloud/test/fixtures/custom-labels-2026-12, written by
// that release): its contacts' free-form custom labels become their enterprise's text fields, values kept by field id,
// shown by label, searchable and exported; labels beyond the limit become removed fields that keep their values; the
// step run again changes nothing.
import { cp, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { DATA_FORMAT, openDataFolder, readDataVersion } from '../../src/data-folder/data-folder.ts';
import { upgradeStore } from '../../src/data-folder/store-upgrades.ts';
import { LockerService } from '../../src/domain/service.ts';
import { wholeEnterprise } from '../../src/domain/use-cases/contacts-csv.ts';
import { DurableStore } from '../../src/store/durable.ts';
import { tempDir } from './helpers.ts';

const FIXTURE = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'custom-labels-2026-12', 'data');

t.test("the previous release's free-form custom labels become custom fields, the values theirs", async (t) => {
  const data = join(await tempDir(t, 'portier-custom-labels-'), 'data');
  await cp(FIXTURE, data, { recursive: true });
  t.equal((await readDataVersion(data))?.format, 2, 'the fixture is in the previous format');
  const opened = await openDataFolder(data);
  t.equal(opened.format, DATA_FORMAT);
  t.ok(opened.applied.some((d) => d.includes('custom field')), 'the custom fields step ran');

  const store = await DurableStore.open(join(data, 'store'));
  t.teardown(() => store.close());
  const service = new LockerService({ store, codeHashN: 1024 });
  const fields = service.customFields.list('ent');
  t.same(
    fields.map((f) => [f.label.en, f.label.fr, f.type, f.required, f.appliesTo]),
    [
      ['Cost centre', 'Cost centre', 'text', false, ['contacts']],
      ['Floor', 'Floor', 'text', false, ['contacts']],
    ],
    '"Floor" and "floor" are one field',
  );
  const shown = (id: string) => service.customFields.shown('ent', 'contacts', store.get('contacts', id)!);
  t.same(shown('c-ana').custom, { 'Cost centre': 'CC-42', Floor: '3' });
  const chloe = service.addressBook.contacts.search({ q: 'P-3', offset: 0, limit: 1 }).contacts[0]!;
  t.same(service.customFields.shown('ent', 'contacts', chloe).custom, { 'Cost centre': 'CC-7', Floor: '12' });
  t.notOk('custom' in store.get('contacts', 'c-ana')!, 'no contact keeps the free-form record');
  t.notOk('customValues' in store.get('contacts', 'c-ben')!, 'a contact without values gets none');
  t.same(service.addressBook.contacts.search({ q: 'cc-7', offset: 0, limit: 5 }).contacts.map((c) => c.firstName), ['Chloé'], 'found by a custom value');
  const csv = service.addressBook.csv.export(wholeEnterprise('ent'));
  t.match(csv.split('\r\n')[0], /,BadgeID,Cost centre,Floor$/, 'exported by label');
  const round = await service.addressBook.csv.import(csv, 'merge', { role: 'admin' }, wholeEnterprise('ent'));
  t.match(round, { ok: true, unchanged: 3 }, 'the export imports back unchanged');

  const big = service.customFields.list('big', true);
  t.equal(big.length, 12);
  t.same(big.filter((f) => f.removedAt === undefined).map((f) => f.label.en), ['Label 01', 'Label 02', 'Label 03', 'Label 04', 'Label 05', 'Label 06', 'Label 07', 'Label 08', 'Label 09', 'Label 10'], 'ten live fields');
  t.same(big.filter((f) => f.removedAt !== undefined).map((f) => f.label.en), ['Label 11', 'Label 12'], 'the rest removed, not lost');
  const many = store.get('contacts', 'c-many')!;
  t.equal(Object.keys(many.customValues ?? {}).length, 12, 'every value kept');
  t.equal(Object.keys(service.customFields.shown('big', 'contacts', many).custom ?? {}).length, 10, 'those of live fields shown');
});

t.test('the step run again changes nothing, and the store file is the same', async (t) => {
  const data = join(await tempDir(t, 'portier-custom-labels-'), 'data');
  await cp(FIXTURE, data, { recursive: true });
  t.ok((await upgradeStore(data)) > 0, 'the first run upgrades records');
  const journal = await readFile(join(data, 'store', 'journal.jsonl'), 'utf8');
  t.equal(await upgradeStore(data), 0, 'a second run (a step cut short and run again) changes nothing');
  t.equal(await readFile(join(data, 'store', 'journal.jsonl'), 'utf8'), journal);
});
