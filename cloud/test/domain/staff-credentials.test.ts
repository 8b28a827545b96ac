import t from 'tap';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashCredential, keyedCredentialHash } from '@portier/protocol';
import { DurableStore } from '../../src/store/durable.ts';
import { keyedForm, LegacyHashes, legacyForm } from '../../src/bridge/credential-forms.ts';
import { buildDesiredState } from '../../src/bridge/desired-builder.ts';
import { CodeVault } from '../../src/domain/code-vault.ts';
import { publicCarrierCode, type StaffCredentialChanged } from '../../src/domain/service.ts';
import { type CarrierCode, type StaffCredential } from '../../src/domain/model.ts';
import { admin, setup } from './helpers.ts';

const VAULT = CodeVault.ephemeral();
const KEY = Buffer.alloc(32, 3);

async function withStaff(store?: DurableStore) {
  const s = await setup({ ...(store ? { store } : {}), service: { vault: VAULT } });
  await s.createUser({ enterpriseId: 'ent', id: 'u-op', username: 'olga', role: 'operator', passwordHash: 'x' });
  await s.createUser({ enterpriseId: 'ent', id: 'u-rec', username: 'rita', role: 'recipient', passwordHash: 'x' });
  await s.createUser({ enterpriseId: 'ent', id: 'u-adm', username: 'ada', role: 'admin', passwordHash: 'x' });
  await s.createCarrier({ enterpriseId: 'ent', id: 'ups', name: 'UPS' }, admin);
  await s.createBank({ id: 'b2', locationId: 'loc', name: 'Annex' }, admin);
  return s;
}

t.test('issue a PIN: drawn once, kept sealed with a keyed lookup hash, never stored in clear', async (t) => {
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
  t.same(stored.bankHashes, {}, 'no per-bank hash: each controller gets its own form from the sealed code');
  if (!('sealed' in stored.code)) return void t.fail('sealed');
  t.equal(VAULT.open('staff-pin', stored.code.sealed), r.code, 'the vault opens it');
  t.equal(stored.code.lookup, VAULT.lookup('staff-pin', r.code), 'looked up by its keyed hash');
  for (const b of ['b1', 'b2']) {
    t.not(stored.code.lookup, hashCredential('staff-pin', r.code, store.get('banks', b)!.credentialHash), `not the bank-salt hash of ${b}`);
  }

  const listed = await s.listStaffCredentials();
  t.equal(listed.length, 1);
  t.notOk(JSON.stringify(listed).includes(stored.code.lookup) || JSON.stringify(listed).includes(stored.code.sealed), 'the list has neither');

  const activity = await s.queryActivity({ type: 'staff-credential' });
  t.equal(activity.length, 1, 'audited');
  t.match(activity[0], { actor: admin, detail: /issued operator staff-pin/ });

  await store.close();
  // Every file of the store, history segments included.
  for (const e of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!e.isFile()) continue;
    const name = join(e.parentPath, e.name);
    const text = await readFile(name, 'utf8');
    t.notOk(text.includes(`"${r.code}"`), `${name} does not hold the PIN in clear`);
  }
});

t.test('given PIN and badge, bank list, input checks', async (t) => {
  const s = await withStaff();
  const pin = await s.issueStaffCredential({ role: 'operator', subjectId: 'u-op', kind: 'staff-pin', code: '4321', bankIds: ['b2'] }, admin);
  t.equal(pin.code, '4321');
  t.same(s.store.get('staffCredentials', pin.staffCredential.id)!.bankIds, ['b2'], 'only the banks listed');
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

t.test('credentials of an older release (bank-salt hashes only): still verified, named where they cannot be checked, sent only in the legacy form', async (t) => {
  const s = await withStaff();
  const params = (b: string) => s.store.get('banks', b)!.credentialHash;
  const now = s.now();
  // As the previous release stored them: a hash under a salt of its own, and one per bank existing at issue.
  const legacyPin: StaffCredential = {
    id: 'sc-old',
    role: 'operator',
    subjectId: 'u-op',
    kind: 'staff-pin',
    bankIds: [],
    code: { hash: hashCredential('staff-pin', '135790', { ...params('b1'), salt: 'b3duc2FsdG93bnNhbHQ' }), params: { ...params('b1'), salt: 'b3duc2FsdG93bnNhbHQ' } },
    bankHashes: { b1: { hash: hashCredential('staff-pin', '135790', params('b1')), params: params('b1') }, b2: { hash: hashCredential('staff-pin', '135790', params('b2')), params: params('b2') } },
    createdAt: now,
  };
  const legacyCarrier: CarrierCode = {
    id: 'cc-old',
    carrierId: 'ups',
    code: { hash: hashCredential('carrier-code', '24681357', params('b1')), params: params('b1') },
    bankHashes: { b1: { hash: hashCredential('carrier-code', '24681357', params('b1')), params: params('b1') } },
    digits: 8,
    bankIds: ['b1'],
    revoked: false,
    createdAt: now,
  };
  await s.store.commit({ put: [{ c: 'staffCredentials', key: legacyPin.id, value: legacyPin }, { c: 'carrierCodes', key: legacyCarrier.id, value: legacyCarrier }] });
  const fresh = await s.issueStaffCredential({ role: 'operator', subjectId: 'u-op', kind: 'badge', code: 'BADGE-0001' }, admin);

  await t.rejects(s.issueStaffCredential({ role: 'admin', subjectId: 'u-adm', kind: 'staff-pin', code: '135790' }, admin), { code: 'CONFLICT' }, 'the legacy PIN is still known as taken');
  t.equal((await s.verifyCarrierCode('b1', '24681357'))?.id, 'cc-old', 'the legacy carrier code still verifies');

  await s.createBank({ id: 'b3', locationId: 'loc', name: 'New wing' }, admin);
  const listed = new Map((await s.listStaffCredentials()).map((c) => [c.id, c]));
  t.same(listed.get('sc-old')?.notCheckableAt, ['b3'], 'valid at every bank, but b3 has no hash of it');
  t.same(listed.get(fresh.staffCredential.id)?.notCheckableAt, [], 'a sealed credential can be checked everywhere');
  t.same(publicCarrierCode(s.store.get('carrierCodes', 'cc-old')!, s.store.list('banks'), s.now()).notCheckableAt, [], 'valid at b1 only, which has its hash');

  // A controller with a credential key: sealed credentials in its keyed form, legacy ones left out (they cannot be).
  const keyed = buildDesiredState(s.store, { bankId: 'b1', column: 1, now: s.now(), form: keyedForm(VAULT, KEY) });
  t.same(keyed.state.credentials.map((c) => [c.id, c.hash]), [[`staff.${fresh.staffCredential.id}`, keyedCredentialHash('badge', 'BADGE-0001', KEY)]]);
  t.same(keyed.skipped.map((k) => [k.id, k.why]).sort(), [['carrier.cc-old', 'legacy-code'], ['staff.sc-old', 'legacy-code']]);
  // A controller without one: everything in the bank-salt form, the sealed badge derived from its sealed code.
  const legacy = new LegacyHashes(VAULT);
  await legacy.prepare(s.store, s.store.get('banks', 'b1')!, s.now());
  const old = buildDesiredState(s.store, { bankId: 'b1', column: 1, now: s.now(), form: legacyForm(legacy) });
  t.same(old.state.credentialHash, params('b1'));
  t.same(
    old.state.credentials.map((c) => [c.id, c.hash]).sort(),
    [
      ['carrier.cc-old', hashCredential('carrier-code', '24681357', params('b1'))],
      [`staff.${fresh.staffCredential.id}`, hashCredential('badge', 'BADGE-0001', params('b1'))],
      ['staff.sc-old', hashCredential('staff-pin', '135790', params('b1'))],
    ].sort(),
  );
});
