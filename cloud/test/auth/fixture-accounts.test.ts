// Accounts on the previous release's data folder (cloud/test/fixtures/data-2026-12): its administrator signs in with
// the old password and gets an argon2id hash; two stored users sharing an e-mail address still load; a locked-out
// administrator is unlocked by the real `portier-cloud unlock` on the stopped cloud's folder, refused while it runs.
import { join } from 'node:path';
import t from 'tap';
import { openDataFolder } from '../../src/data-folder/data-folder.ts';
import { encodePasswordHash, hashPassword } from '../../src/auth/passwords.ts';
import type { User } from '../../src/domain/model.ts';
import { DurableStore } from '../../src/store/durable.ts';
import { copyFixture, LOW_HASH, readExpected, startOn } from '../data-folder/helpers.ts';
import { FAST_CLOUD_ENV, runPortierCloud } from '../fixtures/portier-cloud.ts';

const LOCKED = 'This user account is locked. Too many unsuccessful login attempts.';

t.test('the previous release: old passwords sign in and are upgraded, shared e-mails load, a lock-out ends offline', async (t) => {
  const expected = await readExpected();
  const { data, secretsKey } = await copyFixture(t);

  // Two users of one address, as a release that did not keep them unique could leave them (added once the folder is
  // in the current format, so no upgrade step rewrites them).
  await openDataFolder(data);
  const before = await DurableStore.open(join(data, 'store'));
  const admin = before.list('users').find((u) => u.username === expected.admin.user)!;
  const twin = async (id: string, email: string): Promise<User> => ({
    id,
    enterpriseId: admin.enterpriseId,
    username: id,
    email,
    role: 'operator',
    accessLevel: { kind: 'enterprise' },
    disabled: false,
    createdAt: expected.now,
    passwordHash: encodePasswordHash(await hashPassword('twin password 1', LOW_HASH)),
  });
  const twins = [await twin('twin-1', 'twins@example.org'), await twin('twin-2', 'TWINS@example.org')];
  await before.commit({ put: twins.map((u) => ({ c: 'users' as const, key: u.id, value: u })) });
  await before.close();
  t.match(admin.passwordHash, /^scrypt\$/, 'the fixture holds a scrypt hash');

  // The cloud's clock is now: the offline command reads the real clock to tell whether a lock is still on.
  let rt = await startOn(t, data, secretsKey, Date.now());
  const login = (name: { username: string } | { email: string }, password: string, ip = '127.0.0.1') => rt.auth.login(name, password, ip);
  await login({ username: expected.admin.user }, expected.admin.password);
  t.match(rt.store.get('users', admin.id)?.passwordHash, /^\$argon2id\$/, 'upgraded to argon2id at sign-in');
  await t.rejects(login({ email: 'twins@example.org' }, 'twin password 1'), { code: 'INVALID_CREDENTIALS' }, 'a shared address signs nobody in');
  t.ok(await login({ username: 'twin-2' }, 'twin password 1'), 'by user name they do');

  // The administrator locks themselves out (from several addresses: the per-address throttle is not what locks).
  for (let i = 1; i <= 4; i++) await t.rejects(login({ username: expected.admin.user }, 'forgotten', `10.0.0.${i}`), { code: 'INVALID_CREDENTIALS' });
  await t.rejects(login({ username: expected.admin.user }, 'forgotten', '10.0.0.5'), { code: 'ACCOUNT_LOCKED', message: LOCKED });
  await t.rejects(login({ username: expected.admin.user }, expected.admin.password, '10.0.0.6'), { code: 'ACCOUNT_LOCKED', message: LOCKED });

  const env = FAST_CLOUD_ENV;
  const busy = await runPortierCloud(['unlock', '--data', data, expected.admin.user], { env });
  t.equal(busy.code, 1, 'refused while the cloud runs');
  t.match(busy.stderr, `the data folder ${data} is in use by a running cloud`);
  t.match(busy.stderr, 'portier users unlock');

  await rt.stop();
  const shared = await runPortierCloud(['unlock', '--data', data, 'twins@example.org'], { env });
  t.equal(shared.code, 1);
  t.match(shared.stderr, 'several users have the e-mail address "twins@example.org": give the user name (twin-1, twin-2)');
  const done = await runPortierCloud(['unlock', '--data', data, expected.admin.user.toUpperCase()], { env });
  t.equal(done.code, 0, done.stderr);
  t.equal(done.stdout, `user ${expected.admin.user} (${admin.id}) unlocked\n`);

  rt = await startOn(t, data, secretsKey, Date.now());
  t.ok(await login({ username: expected.admin.user }, expected.admin.password, '10.0.0.7'), 'signs in again');
  const entries = (await rt.store.queryActivity({ type: 'account', limit: 10 })).items;
  t.same(
    entries.map((a) => ({ actor: a.actor, target: a.target, enterpriseId: a.enterpriseId, detail: a.detail?.replace(/, until .*/, '') })),
    [
      { actor: { role: 'system' }, target: { kind: 'user', id: admin.id }, enterpriseId: admin.enterpriseId, detail: 'locked after 5 unsuccessful sign-ins in a row' },
      { actor: { role: 'system', id: 'cli' }, target: { kind: 'user', id: admin.id }, enterpriseId: admin.enterpriseId, detail: 'unlocked by an administrator' },
    ],
  );
});
