import t from 'tap';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashCredential } from '@portier/protocol';
import { DurableStore } from '../../src/store/durable.ts';
import { buildDesiredState } from '../../src/bridge/desired-builder.ts';
import { publicCarrierCode, type StaffCredentialChanged } from '../../src/domain/service.ts';
import { admin, setup } from './helpers.ts';

async function withStaff(store?: DurableStore) {
  const s = await setup(store ? { store } : {});
  await s.createUser({ id: 'u-op', username: 'olga', role: 'operator', passwordHash: 'x' });
  await s.createUser({ id: 'u-rec', username: 'rita', role: 'recipient', passwordHash: 'x' });
  await s.createUser({ id: 'u-adm', username: 'ada', role: 'admin', passwordHash: 'x' });
  await s.createCarrier({ id: 'ups', name: 'UPS' }, admin);
  await s.createBank({ id: 'b2', locationId: 'loc', name: 'Annex' }, admin);
  return s;
}

t.test('issue a PIN: drawn once, hashed per bank under its params, never stored in clear', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'portier-staff-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const store = await DurableStore.open(dir);
  const s = await withStaff(store);
  const events: StaffCredentialChanged[] = [];
  s.on('staff-credential-changed', (e) => events.push(e));

  const r = await s.issueStaffCredential({ role: 'operator', subjectId: 'u-op', kind: 'staff-pin', label: 'Olga' }, admin);
  t.match(r.code, /^\d{6}$/, 'a 6-digit PIN is drawn');
  t.notOk('code' in r.staffCredential || 'bankHashes' in r.staffCredential, 'the reply carries no hash');
  t.same(events.map((e) => [e.change, e.staffCredential.id]), [['issued', r.staffCredential.id]], 'one event after the write');
  const stored = store.get('staffCredentials', r.staffCredential.id)!;
  t.same(Object.keys(stored.bankHashes).sort(), ['b1', 'b2'], 'every bank, as bankIds is empty');
  for (const b of ['b1', 'b2']) {
    const params = store.get('banks', b)!.credentialHash;
    t.equal(stored.bankHashes[b]!.hash, hashCredential('staff-pin', r.code, params), `the protocol hash under ${b}'s params`);
  }
  t.not(stored.code.params.salt, store.get('banks', 'b1')!.credentialHash.salt, 'the cloud hash has a salt of its own');

  const listed = await s.listStaffCredentials();
  t.equal(listed.length, 1);
  t.notOk(JSON.stringify(listed).includes(stored.code.hash), 'the list has no hash');

  const activity = await s.queryActivity({ type: 'staff-credential' });
  t.equal(activity.length, 1, 'audited');
  t.match(activity[0], { actor: admin, detail: /issued operator staff-pin/ });

  await store.close();
  for (const name of await readdir(dir)) {
    const text = await readFile(join(dir, name), 'utf8');
    t.notOk(text.includes(`"${r.code}"`), `${name} does not hold the PIN in clear`);
  }
});

t.test('given PIN and badge, bank list, input checks', async (t) => {
  const s = await withStaff();
  const pin = await s.issueStaffCredential({ role: 'operator', subjectId: 'u-op', kind: 'staff-pin', code: '4321', bankIds: ['b2'] }, admin);
  t.equal(pin.code, '4321');
  t.same(Object.keys(s.store.get('staffCredentials', pin.staffCredential.id)!.bankHashes), ['b2'], 'only the banks listed');
  const badge = await s.issueStaffCredential({ role: 'carrier', subjectId: 'ups', kind: 'badge', code: '04:A2:9F:11' }, admin);
  t.equal(badge.code, '04:A2:9F:11');

  const bad: Array<[Record<string, unknown>, string, string]> = [
    [{ role: 'operator', subjectId: 'u-op', kind: 'staff-pin', code: '123' }, 'VALIDATION', 'code'],
    [{ role: 'operator', subjectId: 'u-op', kind: 'staff-pin', code: '12345678901' }, 'VALIDATION', 'code'],
    [{ role: 'operator', subjectId: 'u-op', kind: 'staff-pin', code: '12a4' }, 'VALIDATION', 'code'],
    [{ role: 'operator', subjectId: 'u-op', kind: 'badge' }, 'VALIDATION', 'code'],
    [{ role: 'operator', subjectId: 'u-op', kind: 'badge', code: 'ab c' }, 'VALIDATION', 'code'],
    [{ role: 'janitor', subjectId: 'u-op', kind: 'staff-pin' }, 'VALIDATION', 'role'],
    [{ role: 'operator', subjectId: 'u-op', kind: 'qr' }, 'VALIDATION', 'kind'],
    [{ role: 'operator', subjectId: 'nobody', kind: 'staff-pin' }, 'NOT_FOUND', 'subjectId'],
    [{ role: 'operator', subjectId: 'u-rec', kind: 'staff-pin' }, 'VALIDATION', 'subjectId'],
    [{ role: 'admin', subjectId: 'u-op', kind: 'staff-pin' }, 'VALIDATION', 'subjectId'],
    [{ role: 'operator', subjectId: 'u-op', kind: 'staff-pin', bankIds: ['nope'] }, 'NOT_FOUND', 'bankIds.0'],
    [{ role: 'operator', subjectId: 'u-op', kind: 'staff-pin', expiresAt: 1 }, 'VALIDATION', 'expiresAt'],
    [{ role: 'operator', subjectId: 'u-op', kind: 'staff-pin', extra: 1 }, 'VALIDATION', ''],
  ];
  for (const [input, code, field] of bad) {
    const err = await s.issueStaffCredential(input as never, admin).then(
      () => undefined,
      (e: { code: string; field?: string }) => e,
    );
    t.equal(err?.code, code, `${JSON.stringify(input)} -> ${code}`);
    if (field) t.equal(err?.field, field, `${JSON.stringify(input)} names ${field}`);
  }
  t.equal((await s.listStaffCredentials()).length, 2, 'nothing stored by a refused request');
});

t.test('a PIN or badge live for another credential is refused; free again once revoked', async (t) => {
  const s = await withStaff();
  const events: string[] = [];
  s.on('staff-credential-changed', (e) => events.push(e.change));
  const first = await s.issueStaffCredential({ role: 'operator', subjectId: 'u-op', kind: 'staff-pin', code: '246810' }, admin);
  await t.rejects(
    s.issueStaffCredential({ role: 'admin', subjectId: 'u-adm', kind: 'staff-pin', code: '246810' }, admin),
    { code: 'CONFLICT', field: 'code', message: /PIN is already in use/ },
  );
  t.ok(await s.issueStaffCredential({ role: 'admin', subjectId: 'u-adm', kind: 'badge', code: '246810' }, admin), 'the same value as a badge is another credential');
  await t.rejects(s.issueStaffCredential({ role: 'carrier', subjectId: 'ups', kind: 'badge', code: '246810' }, admin), { code: 'CONFLICT', field: 'code', message: /badge/ });

  const cc = await s.issueCarrierCode('ups', { digits: 8 }, admin);
  await t.rejects(s.issueStaffCredential({ role: 'operator', subjectId: 'u-op', kind: 'staff-pin', code: cc.code }, admin), { code: 'CONFLICT' }, 'a live carrier code is taken too');

  const revoked = await s.revokeStaffCredential(first.staffCredential.id, admin);
  t.type(revoked.revokedAt, 'number');
  t.same(await s.revokeStaffCredential(first.staffCredential.id, admin), revoked, 'revoking again changes nothing');
  t.ok(await s.issueStaffCredential({ role: 'admin', subjectId: 'u-adm', kind: 'staff-pin', code: '246810' }, admin), 'free once revoked');
  t.same(events, ['issued', 'issued', 'revoked', 'issued'], 'one event per change');
  await t.rejects(s.revokeStaffCredential('sc-nope', admin), { code: 'NOT_FOUND', field: 'staffCredentialId' });
  t.equal((await s.queryActivity({ type: 'staff-credential' })).length, 4, 'issues and the revocation audited');
});

t.test('a bank created after issue: the credential and carrier code name it as a bank whose kiosk cannot check them', async (t) => {
  const s = await withStaff();
  const everywhere = await s.issueStaffCredential({ role: 'operator', subjectId: 'u-op', kind: 'staff-pin' }, admin);
  const onlyB2 = await s.issueStaffCredential({ role: 'operator', subjectId: 'u-op', kind: 'badge', code: 'BADGE-0001', bankIds: ['b2'] }, admin);
  const cc = await s.issueCarrierCode('ups', {}, admin);
  t.same(everywhere.staffCredential.notCheckableAt, [], 'at issue, every bank can check it');
  t.same(cc.carrierCode.bankHashes && Object.keys(cc.carrierCode.bankHashes).sort(), ['b1', 'b2']);

  await s.createBank({ id: 'b3', locationId: 'loc', name: 'New wing' }, admin);
  const listed = new Map((await s.listStaffCredentials()).map((c) => [c.id, c]));
  t.same(listed.get(everywhere.staffCredential.id)?.notCheckableAt, ['b3'], 'valid at every bank, but b3 has no hash of it');
  t.same(listed.get(onlyB2.staffCredential.id)?.notCheckableAt, [], 'a credential for b2 only is not concerned');
  const codes = await s.listCarrierCodes('ups');
  t.same(publicCarrierCode(codes[0]!, s.store.list('banks'), s.now()).notCheckableAt, ['b3'], 'the same for a carrier code');

  // The desired state of b3 indeed leaves them out: what the field warns about is what the kiosk sees.
  await s.createColumn({ id: 'c3', bankId: 'b3', position: 1, kind: 'kiosk', controllerId: 'k3' }, admin);
  const built = buildDesiredState(s.store, { bankId: 'b3', column: 1, now: s.now() });
  t.same(built.state.credentials.filter((c) => c.role === 'carrier' || c.role === 'operator'), [], 'b3 gets neither');
  t.ok(built.skipped.some((k) => k.why === 'other-hash-params' && k.kind === 'carrier-code'), 'skipped as other-hash-params');

  // A new credential covers the new bank; a revoked one is not reported.
  const fresh = await s.issueStaffCredential({ role: 'operator', subjectId: 'u-op', kind: 'staff-pin' }, admin);
  t.same(fresh.staffCredential.notCheckableAt, []);
  const revoked = await s.revokeStaffCredential(everywhere.staffCredential.id, admin);
  t.same(revoked.notCheckableAt, [], 'revoked: valid nowhere, so nothing to report');
});
