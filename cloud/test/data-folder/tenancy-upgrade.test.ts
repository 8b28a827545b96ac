// A data folder written by the release before enterprises were tenants: its people, carriers and users join its
// enterprise, its users get an access level, its administrators keep running the whole cloud; the step is safe to
// run again, and a folder whose people have no enterprise at all gets one.
import t from 'tap';
import { join } from 'node:path';
import { mkdir } from 'node:fs/promises';
import { upgradeStore } from '../../src/data-folder/store-upgrades.ts';
import { DurableStore } from '../../src/store/durable.ts';
import type { Contact } from '../../src/domain/model.ts';
import { copyFixture, readExpected, startOn, tempDir } from './helpers.ts';

t.test("the previous release's users, contacts, departments and carriers belong to its enterprise after the start", async (t) => {
  const expected = await readExpected();
  const { data, secretsKey } = await copyFixture(t);
  const rt = await startOn(t, data, secretsKey, expected.now);
  const enterprises = rt.service.store.list('enterprises');
  t.equal(enterprises.length, 1, 'the fixture holds one enterprise, and no new one was made');
  const ent = enterprises[0]!.id;
  for (const c of ['contacts', 'departments', 'carriers', 'users'] as const) {
    const records = rt.service.store.list(c);
    t.ok(records.length > 0, `the fixture has ${c}`);
    t.same(records.filter((r) => r.enterpriseId !== ent).map((r) => r.id), [], `every one of its ${c} is in enterprise ${ent}`);
  }
  const admin = rt.service.store.list('users').find((u) => u.username === expected.admin.user)!;
  t.match(admin, { role: 'admin', accessLevel: { kind: 'enterprise' }, platformAdmin: true }, 'the admin keeps the whole enterprise and runs the cloud');
  const token = (await rt.auth.login(expected.admin.user, expected.admin.password, '127.0.0.1')).token;
  const me = await fetch(`${rt.url}/api/v1/auth/me`, { headers: { authorization: `Bearer ${token}` } });
  t.match(await me.json(), { user: { enterpriseId: ent, role: 'admin' } }, 'and signs in as before');
});

t.test('the upgrade leaves an upgraded store alone, and gives orphaned people an enterprise', async (t) => {
  const expected = await readExpected();
  const { data } = await copyFixture(t);
  t.ok((await upgradeStore(data)) > 0, 'the first run upgrades records');
  t.equal(await upgradeStore(data), 0, 'a second run (a step cut short and run again) changes nothing');

  const dir = join(await tempDir(t, 'portier-orphans-'), 'data');
  await mkdir(dir, { recursive: true });
  const store = await DurableStore.open(join(dir, 'store'));
  // A record as the release before wrote it: no enterprise.
  const legacy = { id: 'c1', name: 'Old Contact', needsAccessible: false, createdAt: expected.now } as unknown as Contact;
  await store.commit({ put: [{ c: 'contacts', key: 'c1', value: legacy }] });
  await store.close();
  t.equal(await upgradeStore(dir), 2, 'the contact and a new enterprise');
  const after = await DurableStore.open(join(dir, 'store'));
  t.teardown(() => after.close());
  t.match(after.list('enterprises'), [{ id: 'default', name: 'Portier' }]);
  t.match(after.get('contacts', 'c1'), { enterpriseId: 'default', firstName: 'Old', lastName: 'Contact' });
});
