// The previous release's contacts (one `name`) and locations (one `address`) start in today's shape: names split at
// the last blank, the new contact fields at their defaults, the address as the first address line; the upgrade of
// an upgraded record changes nothing.
import t from 'tap';
import { join } from 'node:path';
import { mkdir } from 'node:fs/promises';
import { upgradeContact, upgradeLocation } from '../../src/data-folder/address-book-upgrades.ts';
import { upgradeStore } from '../../src/data-folder/store-upgrades.ts';
import { DurableStore } from '../../src/store/durable.ts';
import type { Contact, Location } from '../../src/domain/model.ts';
import { copyFixture, readExpected, startOn, tempDir } from './helpers.ts';

t.test("the previous release's contacts start with first and last names, searchable", async (t) => {
  const expected = await readExpected();
  const { data, secretsKey } = await copyFixture(t);
  const rt = await startOn(t, data, secretsKey, expected.now);
  const contacts = rt.service.store.list('contacts');
  t.match(
    contacts.filter((c) => ['rita', 'omar', 'lea'].includes(c.id)).map((c) => [c.id, c.firstName, c.lastName, c.notifications, c.language, c.private]),
    [
      ['rita', 'Rita', 'Levi', 'email', 'en', false],
      ['omar', 'Omar', 'Haddad', 'email', 'en', false],
      ['lea', 'Léa', 'Martin', 'email', 'en', false],
    ],
  );
  t.same(contacts.filter((c) => 'name' in c).map((c) => c.id), [], 'no contact keeps the old field');
  t.same(rt.service.addressBook.contacts.search({ q: 'lea', offset: 0, limit: 10 }).contacts.map((c) => c.id), ['lea'], 'found by the new index');
});

t.test('legacy records: a one-word name, an address; upgrading twice changes nothing', async (t) => {
  t.same(upgradeContact({ id: 'c', name: 'Anne Marie  Dupont', needsAccessible: false }), {
    id: 'c',
    needsAccessible: false,
    firstName: 'Anne Marie',
    lastName: 'Dupont',
    notifications: 'email',
    language: 'en',
    private: false,
  });
  t.match(upgradeContact({ id: 'c', name: 'Cher' }), { firstName: '', lastName: 'Cher' }, 'one word: the last name');
  const done = upgradeContact({ id: 'c', name: 'A B' });
  t.equal(upgradeContact(done), done, 'an upgraded contact comes back unchanged');
  t.same(upgradeLocation({ id: 'l', address: ' 1 Main St ' }), { id: 'l', addressLine1: '1 Main St' });
  const loc = upgradeLocation({ id: 'l', address: '' });
  t.same(loc, { id: 'l' });
  t.equal(upgradeLocation(loc), loc);

  const expected = await readExpected();
  const dir = join(await tempDir(t, 'portier-legacy-loc-'), 'data');
  await mkdir(dir, { recursive: true });
  const store = await DurableStore.open(join(dir, 'store'));
  const legacy = { id: 'l1', divisionId: 'd', name: 'Annex', address: '2 Side Rd', reach: { preset: 'default' }, createdAt: expected.now } as unknown as Location;
  const contact = { id: 'c1', enterpriseId: 'e', name: 'Solo', needsAccessible: true, createdAt: expected.now } as unknown as Contact;
  await store.commit({ put: [{ c: 'locations', key: 'l1', value: legacy }, { c: 'contacts', key: 'c1', value: contact }] });
  await store.close();
  t.equal(await upgradeStore(dir), 2);
  t.equal(await upgradeStore(dir), 0, 'run again: nothing to do');
  const after = await DurableStore.open(join(dir, 'store'));
  t.teardown(() => after.close());
  t.same(after.get('locations', 'l1'), { id: 'l1', divisionId: 'd', name: 'Annex', reach: { preset: 'default' }, createdAt: expected.now, addressLine1: '2 Side Rd' });
  t.match(after.get('contacts', 'c1'), { firstName: '', lastName: 'Solo', needsAccessible: true, notifications: 'email' });
});
