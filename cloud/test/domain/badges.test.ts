import t from 'tap';
import { CodeVault } from '../../src/domain/code-vault.ts';
import { DomainError } from '../../src/domain/errors.ts';
import { wholeEnterprise } from '../../src/domain/use-cases/contacts-csv.ts';
import { admin, setup } from './helpers.ts';

const VAULT = CodeVault.ephemeral();

async function world() {
  const s = await setup({ service: { vault: VAULT } });
  await s.createUser({ enterpriseId: 'ent', id: 'u-op', username: 'olga', role: 'operator', passwordHash: 'x' });
  await s.createContact({ enterpriseId: 'ent', id: 'c1', name: 'Rita Lee' }, admin);
  await s.createContact({ enterpriseId: 'ent', id: 'c2', name: 'Sam Poe' }, admin);
  await s.createEnterprise({ id: 'other', name: 'Other' }, admin);
  await s.createContact({ enterpriseId: 'other', id: 'o1', name: 'Otto Nobody' }, admin);
  return s;
}

const conflictOn = (field: string) => (err: unknown) => err instanceof DomainError && err.code === 'CONFLICT' && err.field === field;

t.test("a contact's badge equal to a live staff badge of the enterprise is refused, naming badgeId, the number never said", async (t) => {
  const s = await world();
  await s.issueStaffCredential({ role: 'operator', subjectId: 'u-op', kind: 'badge', code: 'STAFF-0042' }, admin);
  const err = await s.updateContact('c1', { badgeId: 'STAFF-0042' }, admin).catch((e: unknown) => e);
  t.ok(conflictOn('badgeId')(err), '409 naming badgeId');
  t.notMatch((err as Error).message, /STAFF-0042/, 'the message does not repeat the badge number');
  await t.rejects(s.createContact({ enterpriseId: 'ent', name: 'New Person', badgeId: 'STAFF-0042' }, admin), { code: 'CONFLICT', field: 'badgeId' }, 'on create too');
  t.equal(s.store.get('contacts', 'c1')!.badgeId, undefined, 'unchanged');
  // Another enterprise's contact may hold the same number: its kiosks never see the staff badge.
  await s.updateContact('o1', { badgeId: 'STAFF-0042' }, admin);
  t.equal(s.store.get('contacts', 'o1')!.badgeId, 'STAFF-0042');
  // Revoked, the staff badge frees the number.
  const [sc] = await s.listStaffCredentials();
  await s.revokeStaffCredential(sc!.id, admin);
  await s.updateContact('c1', { badgeId: 'STAFF-0042' }, admin);
  t.equal(s.store.get('contacts', 'c1')!.badgeId, 'STAFF-0042', 'free once the staff badge is revoked');
});

t.test('a staff badge equal to a contact\'s badge is refused, naming code; two contacts never share one', async (t) => {
  const s = await world();
  await s.updateContact('c1', { badgeId: 'CARD-1' }, admin);
  await t.rejects(s.issueStaffCredential({ role: 'operator', subjectId: 'u-op', kind: 'badge', code: 'CARD-1' }, admin), { code: 'CONFLICT', field: 'code' });
  t.same(await s.listStaffCredentials(), [], 'nothing issued');
  await t.rejects(s.updateContact('c2', { badgeId: 'CARD-1' }, admin), { code: 'CONFLICT', field: 'badgeId', message: /contact c1/ }, 'another contact of the enterprise');
  // An edit of another field of a contact keeps its badge without a check against itself.
  await s.updateContact('c1', { phone: '+33 1 23 45 67 89' }, admin);
  t.equal(s.store.get('contacts', 'c1')!.badgeId, 'CARD-1');
});

t.test('a contacts import refuses a taken badge by line and column and writes nothing', async (t) => {
  const s = await world();
  await s.issueStaffCredential({ role: 'operator', subjectId: 'u-op', kind: 'badge', code: 'STAFF-7' }, admin);
  await s.updateContact('c1', { personnelId: 'P1', badgeId: 'CARD-1' }, admin);
  const csv = ['PersonnelID,FirstName,LastName,BadgeID', 'P1,Rita,Lee,CARD-1', 'P2,Sam,Poe,STAFF-7', 'P3,Ann,Bee,CARD-1', 'P4,Bo,Cee,CARD-4'].join('\n');
  const r = await s.addressBook.csv.import(csv, 'merge', admin, wholeEnterprise('ent'));
  t.match(r, { ok: false, problems: [{ line: 3, column: 'BadgeID', problem: /staff badge/ }, { line: 4, column: 'BadgeID', problem: /contact c1/ }] });
  t.notOk(JSON.stringify(r).includes('STAFF-7'), 'the report does not repeat the badge number');
  t.equal((await s.listContacts('ent')).length, 2, 'nothing written');
  const ok = await s.addressBook.csv.import(['PersonnelID,FirstName,LastName,BadgeID', 'P1,Rita,Lee,CARD-1', 'P4,Bo,Cee,CARD-4', 'P5,Di,Dee,CARD-4'].join('\n'), 'merge', admin, wholeEnterprise('ent'));
  t.match(ok, { ok: false, problems: [{ line: 4, column: 'BadgeID', problem: /line 3 of this file/ }] }, 'two rows of one file with one badge');
});
