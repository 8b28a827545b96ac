import { readFile, stat, writeFile } from 'node:fs/promises';
import t from 'tap';
import { IdentityRegistry, identitiesPath } from '../../src/mqtt/identities.ts';
import { registry, TEST_HASH } from './helpers/env.ts';

t.test('secrets are stored only as hashes, in a 0600 file', async (t) => {
  const { dataDir, reg } = await registry(t);
  const { secret, identity } = await reg.createController({ controllerId: 'col-1', bankId: 'bank-1', column: 1 });
  t.match(secret, /^[A-Za-z0-9_-]{43}$/, '32 random bytes');
  const text = await readFile(identitiesPath(dataDir), 'utf8');
  t.notOk(text.includes(secret), 'the secret is not on disk');
  t.match(identity.secretHash, /^scrypt\$1024\$8\$1\$/);
  t.equal((await stat(identitiesPath(dataDir))).mode & 0o777, 0o600);
  t.same(await reg.authenticate('col-1', secret), { kind: 'controller', username: 'col-1', controllerId: 'col-1', bankId: 'bank-1', column: 1 });
  t.equal(await reg.authenticate('col-1', `${secret}x`), undefined, 'wrong secret');
  t.equal(await reg.authenticate('col-1', secret.slice(1)), undefined, 'shorter secret');
  t.equal(await reg.authenticate('nobody', secret), undefined, 'unknown user');
});

t.test('a revoked id or secret is never accepted or issued again, also after a restart', async (t) => {
  const { dataDir, reg } = await registry(t);
  const { secret } = await reg.createController({ controllerId: 'col-1', bankId: 'bank-1', column: 1 });
  t.ok(await reg.authenticate('col-1', secret), 'accepted before (and remembered)');
  await reg.revoke('col-1');
  t.equal(await reg.authenticate('col-1', secret), undefined, 'refused at once, cache included');

  const again = await IdentityRegistry.open(dataDir, { hashParams: TEST_HASH, newSecret: () => secret });
  t.equal(await again.authenticate('col-1', secret), undefined, 'refused after a restart');
  await t.rejects(again.createController({ controllerId: 'col-1', bankId: 'bank-1', column: 1 }), { code: 'REVOKED' }, 'id never reissued');
  await t.rejects(again.createController({ controllerId: 'col-2', bankId: 'bank-1', column: 2 }), { code: 'SECRET_REUSED' }, 'secret never reissued');
  await t.rejects(again.createController({ controllerId: 'col-3', bankId: 'bank-1', column: 2, secret }), { code: 'SECRET_REUSED' });
  t.equal(again.controller('col-2'), undefined, 'a refused provision leaves nothing behind');
  t.not(again.controller('col-1')?.revokedAt, null);
});

t.test('ids are unique across controllers and service accounts, and valid topic levels', async (t) => {
  const { reg } = await registry(t);
  await reg.createServiceAccount({ username: 'cloud' });
  await t.rejects(reg.createController({ controllerId: 'cloud', bankId: 'b', column: 1 }), { code: 'ALREADY_EXISTS' });
  await t.rejects(reg.createController({ controllerId: 'a/b', bankId: 'b', column: 1 }), { code: 'INVALID', field: 'controllerId' });
  await t.rejects(reg.createController({ controllerId: 'x', bankId: '+', column: 1 }), { code: 'INVALID', field: 'bankId' });
  await t.rejects(reg.createController({ controllerId: 'x', bankId: 'b', column: 0 }), { code: 'INVALID', field: 'column' });
  await t.rejects(reg.revoke('nobody'), { code: 'NOT_FOUND' });
});

t.test('a corrupt registry is an error, never an empty (open) registry', async (t) => {
  const { dataDir, reg } = await registry(t);
  await reg.createController({ controllerId: 'col-1', bankId: 'bank-1', column: 1 });
  await writeFile(identitiesPath(dataDir), '{"version":1,"controllers":[');
  await t.rejects(IdentityRegistry.open(dataDir, { hashParams: TEST_HASH }), { code: 'CORRUPT' });
  await writeFile(identitiesPath(dataDir), '{"version":1,"controllers":[],"services":[]}');
  await t.rejects(IdentityRegistry.open(dataDir, { hashParams: TEST_HASH }), { code: 'CORRUPT' });
});

t.test('concurrent provisions are all kept', async (t) => {
  const { dataDir, reg } = await registry(t);
  await Promise.all(Array.from({ length: 8 }, (_, i) => reg.createController({ controllerId: `col-${i}`, bankId: 'bank-1', column: i + 1 })));
  const again = await IdentityRegistry.open(dataDir, { hashParams: TEST_HASH });
  t.equal(again.controllers().length, 8);
});

t.test('a fleet is provisioned in one write, all or none', async (t) => {
  const { dataDir, reg } = await registry(t);
  const made = await reg.createControllers(Array.from({ length: 50 }, (_, i) => ({ controllerId: `c-${i}`, bankId: 'bank-1', column: 1 })));
  t.equal(made.length, 50);
  t.equal(new Set(made.map((m) => m.secret)).size, 50, 'distinct secrets');
  await t.rejects(reg.createControllers([{ controllerId: 'new-1', bankId: 'bank-1', column: 1 }, { controllerId: 'c-3', bankId: 'bank-1', column: 1 }]), { code: 'ALREADY_EXISTS' });
  const again = await IdentityRegistry.open(dataDir, { hashParams: TEST_HASH });
  t.equal(again.controllers().length, 50);
  t.equal(again.controller('new-1'), undefined, 'nothing of a refused batch');
  t.ok(await again.authenticate('c-7', made[7]!.secret));
});
