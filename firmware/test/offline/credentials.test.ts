import t from 'tap';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashCredential, keyedCredentialHash, keyedCredentialHashParams, newCredentialKey, signMessage, type DesiredCredential, type DesiredState } from '@portier/protocol';
import { pino } from 'pino';
import { DesiredStore } from '../../src/store/desired-store.ts';
import { OfflineAccess } from '../../src/offline/credentials.ts';
import { sampleState } from '../link/helpers/cloud.ts';

const NOW = 1_790_000_000_000;
const { privateKey } = generateKeyPairSync('ed25519');

function state(): DesiredState {
  const s = sampleState();
  const h = (kind: DesiredCredential['kind'], code: string): string => hashCredential(kind, code, s.credentialHash);
  s.credentials = [
    { id: 'cred-pick', kind: 'pickup-code', hash: h('pickup-code', '482913'), role: 'recipient', subjectId: 'r-1', doors: [1], reservationIds: ['res-1'], expiresAt: NOW + 3_600_000, oneTime: true },
    { id: 'cred-old', kind: 'pickup-code', hash: h('pickup-code', '111111'), role: 'recipient', doors: [2], reservationIds: [], expiresAt: NOW - 1, oneTime: true },
    { id: 'cred-carrier', kind: 'carrier-code', hash: h('carrier-code', 'UPS-77'), role: 'carrier', doors: [], reservationIds: [], oneTime: false },
    { id: 'cred-staff', kind: 'staff-pin', hash: h('staff-pin', '9090'), role: 'operator', doors: [2, 3], reservationIds: [], oneTime: false },
    { id: 'cred-badge', kind: 'badge', hash: h('badge', '04A1B2C3'), role: 'admin', doors: [], reservationIds: [], oneTime: false },
  ];
  s.reservations = [{ id: 'res-1', kind: 'package', status: 'occupied', door: 1, trackingIds: ['1Z999'], recipientId: 'r-1' }];
  return s;
}

function desired(version: number, s: DesiredState) {
  return signMessage({ v: 1 as const, bankId: 'bank-1', controllerId: 'col-1', version, issuedAt: NOW, state: s }, privateKey);
}

t.test('which doors a code opens, from the persisted desired state; expiry and one-time use honoured across restarts', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'portier-offline-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  let store = await DesiredStore.open(dir);
  let access = new OfflineAccess(store, { cloudNow: () => NOW });
  t.same(access.checkCredential('pickup-code', '482913'), { ok: false, reason: 'no_state' }, 'nothing to serve before a desired state');

  await store.apply(desired(1, state()));
  const pick = access.checkCredential('pickup-code', '482913');
  t.ok(pick.ok);
  if (pick.ok) {
    t.same(pick.doors.map((d) => d.door), [1]);
    t.same(pick.reservations.map((r) => r.id), ['res-1']);
    t.equal(pick.credential.id, 'cred-pick');
    t.equal(pick.desiredVersion, 1);
  }
  t.same(access.checkCredential('pickup-code', '482914'), { ok: false, reason: 'not_found' });
  t.same(access.checkCredential('carrier-code', '482913'), { ok: false, reason: 'not_found' }, 'kind is part of the hash');
  t.same(access.checkCredential('pickup-code', '111111'), { ok: false, reason: 'expired' });
  t.same(access.checkCredential('pickup-code', '482913', NOW + 3_600_000), { ok: false, reason: 'expired' }, 'expires at cloud time');

  const carrier = access.checkCredential('carrier-code', 'UPS-77');
  t.ok(carrier.ok && carrier.anyDoor, 'a carrier code with no doors may use any in-service door');
  if (carrier.ok) t.same(carrier.doors.map((d) => d.door), [1, 2], 'out-of-service door 3 not offered');
  const staff = access.checkCredential('staff-pin', '9090');
  if (staff.ok) t.same(staff.doors.map((d) => d.door), [2, 3]);
  t.ok(access.checkCredential('badge', '04A1B2C3').ok);

  // One-time use is durable: survives a restart...
  await access.markUsed('cred-pick');
  t.same(access.checkCredential('pickup-code', '482913'), { ok: false, reason: 'used' });
  store = await DesiredStore.open(dir);
  access = new OfflineAccess(store, { cloudNow: () => NOW });
  t.same(access.checkCredential('pickup-code', '482913'), { ok: false, reason: 'used' }, 'still used after restart');
  // ...and a new desired state that still lists it (the cloud has not processed the pickup yet) keeps it used...
  await store.apply(desired(2, state()));
  t.same(access.checkCredential('pickup-code', '482913'), { ok: false, reason: 'used' });
  // ...until the cloud drops it.
  const s3 = state();
  s3.credentials = s3.credentials.filter((c) => c.id !== 'cred-pick');
  await store.apply(desired(3, s3));
  t.same(store.isUsed('cred-pick'), false, 'forgotten once the cloud dropped it');
  // Re-listed later with the same id (a new code) it is usable again.
  await store.apply(desired(4, state()));
  t.ok(access.checkCredential('pickup-code', '482913').ok);
  // A new code under the same id (a return / exchange: the drop-off code used here, then the collector's code) is
  // not used: the mark belonged to the old hash.
  await access.markUsed('cred-pick');
  t.same(access.checkCredential('pickup-code', '482913'), { ok: false, reason: 'used' });
  const s5 = state();
  s5.credentials = s5.credentials.map((c) => (c.id === 'cred-pick' ? { ...c, hash: hashCredential('pickup-code', '555123', s5.credentialHash) } : c));
  await store.apply(desired(5, s5));
  t.ok(access.checkCredential('pickup-code', '555123').ok, 'the new code under the same id opens');
  t.same(access.checkCredential('pickup-code', '482913'), { ok: false, reason: 'not_found' }, 'the old code no longer does');
  // markUsed ignores reusable credentials.
  await access.markUsed('cred-carrier');
  t.ok(access.checkCredential('carrier-code', 'UPS-77').ok);
});

t.test('a wrong code costs a hash but never matches; odd input is refused without throwing', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'portier-offline-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const store = await DesiredStore.open(dir);
  await store.apply(desired(1, state()));
  const access = new OfflineAccess(store, { cloudNow: () => NOW });
  for (const code of ['', ' ', '482913 ', '\u0000', 'x'.repeat(300), '４８２９１３']) {
    t.equal(access.checkCredential('pickup-code', code).ok, false, JSON.stringify(code).slice(0, 20));
  }
});

t.test('a keyed state: checked with the controller\'s own key; without it or with another, refused and said once per version', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'portier-offline-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const key = newCredentialKey();
  const s = state();
  s.credentialHash = keyedCredentialHashParams(key);
  s.credentials = s.credentials.map((c) => (c.id === 'cred-pick' ? { ...c, hash: keyedCredentialHash('pickup-code', '482913', key) } : c));
  const store = await DesiredStore.open(dir);
  await store.apply(desired(1, s));
  t.ok(new OfflineAccess(store, { cloudNow: () => NOW, credentialKey: key }).checkCredential('pickup-code', '482913').ok, 'its own key: opens');
  const lines: string[] = [];
  const logger = pino({ level: 'error' }, { write: (l: string) => void lines.push(l) });
  const noKey = new OfflineAccess(store, { cloudNow: () => NOW, logger });
  t.same(noKey.checkCredential('pickup-code', '482913'), { ok: false, reason: 'not_found' });
  t.same(noKey.checkCredential('pickup-code', '482913'), { ok: false, reason: 'not_found' });
  t.equal(lines.length, 1, 'said once for this version');
  t.match(lines[0], /no credential key \(link.credentialKey\)/);
  const other = new OfflineAccess(store, { cloudNow: () => NOW, logger, credentialKey: newCredentialKey() });
  t.same(other.checkCredential('pickup-code', '482913'), { ok: false, reason: 'not_found' });
  t.match(lines[1], /made for another credential key/);
});
