// Moving a deployment to keyed credential hashes. The fixture is a cloud data folder and two controllers (configs
// and data folders) written by the release before credential keys: bank-salt scrypt hashes everywhere, configs
// without a key, desired states cached in the old form. It loads and keeps working; a controller without a key gets
// the legacy form (codes issued from now on included); `rekey` gives the kiosk a key and, once its new config is on
// the board, every live sealed code works there without being issued again. Codes of the previous release can only
// go in the legacy form: they stay with the controllers not yet re-keyed and are withheld from the re-keyed kiosk.
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Test } from 'tap';
import { credentialKeyId, scryptCredentialHashSchema, type DesiredState } from '@portier/protocol';
import { rekey, type CloudRuntime } from '@portier/cloud';
import type { SimBank } from '@portier/rig';
import { seedDemo } from '../../../demo/seed.ts';
import { api, login, startBank, startE2eCloud, tempDir, expectCondition, type Provisioned } from '../helpers.ts';
import { flowTests } from '../both-brokers.ts';

const t = flowTests(import.meta.url);

const FIXTURE = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'legacy-release');

interface FixtureCodes {
  clockAt: number;
  bankId: string;
  kioskId: string;
  reservationId: string;
  lockerNumber: number;
  pickupCode: string;
  staffPin: string;
  carrierCode: string;
}

function kioskState(bank: SimBank): DesiredState | undefined {
  return bank.kiosk!.column.controller.link?.desired.desired?.state;
}

function doorOf(bank: SimBank, locker: number): number {
  return kioskState(bank)!.doors.find((d) => d.locker === locker && !d.remote)!.door;
}

/** A parcel for a recipient of its own (a second parcel for alice would join her locker and replace its code). */
async function parcel(t: Test, cloud: CloudRuntime, token: string, bankId: string, trackingId: string): Promise<{ reservationId: string; locker: number; code: string }> {
  const contactId = trackingId.toLowerCase();
  await cloud.service.createContact({ enterpriseId: cloud.service.store.get('divisions', 'demo-div')!.enterpriseId, id: contactId, name: `Recipient ${trackingId}` }, { role: 'admin', id: 'e2e' });
  const res = await api(cloud, 'POST', '/reservations', token, { bankId, kind: 'package', recipient: { type: 'contact', id: contactId }, size: 'S', trackingId });
  t.equal(res.status, 201, `${trackingId} reserved`);
  const drop = await api(cloud, 'POST', `/reservations/${res.json.reservation.id}/drop-off`, token, { trackingIds: [trackingId] });
  t.equal(drop.status, 200, `${trackingId} dropped off`);
  return { reservationId: res.json.reservation.id, locker: res.json.reservation.lockerNumber, code: drop.json.pickupCode };
}

async function pickUp(t: Test, bank: SimBank, code: string, locker: number, what: string): Promise<void> {
  const kiosk = bank.kiosk!;
  await kiosk.expectPage('home');
  const door = doorOf(bank, locker);
  await kiosk.type(code);
  await kiosk.column.expectDoor(door, true);
  t.pass(`${what}: door ${door} opened`);
  bank.closeAllDoors();
  await kiosk.select('done');
  await kiosk.expectPage('home');
}

t.test('a deployment of the previous release loads, keeps working, and moves to keyed hashes by rekey without re-issuing codes', async (t) => {
  const dir = tempDir(t, 'portier-e2e-upgrade-');
  cpSync(FIXTURE, dir, { recursive: true });
  const codes = JSON.parse(readFileSync(join(dir, 'codes.json'), 'utf8')) as FixtureCodes;
  // The whole deployment is moved to the fixture's time, controllers included: each forgets the offset to cloud
  // time it learned when the fixture was made, and learns the cloud's clock below again from its signed messages
  // (kept, its clock would put the kiosk at today's date, where the fixture's codes have long expired).
  for (const id of ['demo-col-1', 'demo-col-2']) {
    const file = join(dir, 'controllers', id, 'commands.json');
    const state = JSON.parse(readFileSync(file, 'utf8')) as { clock?: { offsetMs: number | null; learnedAtLocal: number | null } };
    if (state.clock) state.clock = { ...state.clock, offsetMs: null, learnedAtLocal: null };
    writeFileSync(file, JSON.stringify(state));
  }
  // The fixture's codes were issued at `clockAt`: the cloud's clock runs from an hour later.
  const t0 = Date.now();
  const cloud = await startE2eCloud(t, { dataDir: join(dir, 'cloud'), now: () => codes.clockAt + 3_600_000 + (Date.now() - t0) });
  const seeded = await seedDemo(cloud.service);
  const files = new Map(seeded.columns.map((c) => [c.controllerId, join(dir, 'controllers', `${c.controllerId}.yaml`)]));
  const p: Provisioned = { seeded, files, secrets: new Map() };
  t.equal(cloud.credentialKeys.keyOf(codes.kioskId), undefined, 'the controllers of the previous release have no credential key');
  t.equal(cloud.service.store.get('reservations', codes.reservationId)?.status, 'occupied', "the previous release's parcel is there");
  t.equal((await cloud.service.verifyCarrierCode(codes.bankId, codes.carrierCode))?.carrierId, 'demo-carrier', "its carrier code still verifies");
  const token = await login(cloud);
  for (const n of [6, 7, 8, 9, 10, 11, 12]) {
    t.equal((await api(cloud, 'PUT', `/banks/${codes.bankId}/lockers/${n}/service`, token, { state: 'out-of-service', reason: 'e2e: kiosk column only' })).status, 200);
  }

  // The controllers start from their data folders of the previous release (desired state cached in the old form).
  const bank1 = await startBank(t, cloud, p, { dataDir: join(dir, 'controllers') });
  const before = await parcel(t, cloud, token, codes.bankId, 'UPGRADE-1');
  const live = await parcel(t, cloud, token, codes.bankId, 'UPGRADE-2');
  await expectCondition(() => (kioskState(bank1)?.credentials.filter((c) => c.kind === 'pickup-code').length ?? 0) === 3, 8000, 'three pickup codes on the kiosk');
  t.ok(scryptCredentialHashSchema.safeParse(kioskState(bank1)!.credentialHash).success, 'a controller without a key still gets the legacy form');
  await pickUp(t, bank1, codes.pickupCode, codes.lockerNumber, "the previous release's pickup code");
  await pickUp(t, bank1, before.code, before.locker, 'a code issued after the upgrade, in the legacy form');

  // Re-keyed: the new config file is installed (the sim reads it where provision wrote it) and the bank restarted.
  await bank1.close();
  const r = await rekey({ dataDir: cloud.dataDir, controllerId: codes.kioskId, out: files.get(codes.kioskId)!, identities: cloud.identities, credentialKeys: cloud.credentialKeys });
  t.equal(r.credentialKeyId, credentialKeyId(cloud.credentialKeys.keyOf(codes.kioskId)!));
  t.notOk(r.hadKey, 'it had none before');
  const bank2 = await startBank(t, cloud, p, { dataDir: join(dir, 'controllers') });
  await expectCondition(() => { const h = kioskState(bank2)?.credentialHash; return h?.alg === 'hmac-sha256' && h.keyId === r.credentialKeyId; }, 8000, 'the keyed state on the re-keyed kiosk');
  const keyed = kioskState(bank2)!;
  t.ok(keyed.credentials.some((c) => c.reservationIds.includes(live.reservationId)), 'the live code issued before the rekey is there, in the new form');
  t.notOk(keyed.credentials.some((c) => c.kind === 'staff-pin' || c.kind === 'carrier-code'), "the previous release's PIN and carrier code (bank-salt hashes only) are withheld from it");
  const plain = bank2.column(2).controller.link?.desired.desired?.state;
  t.equal(plain?.credentialHash.alg, 'scrypt', 'the column not yet re-keyed still gets the legacy form');
  await pickUp(t, bank2, live.code, live.locker, 'the live code after the rekey, not issued again');
  await expectCondition(() => cloud.service.store.get('reservations', live.reservationId)?.status !== 'occupied', 5000, 'its pickup reaching the cloud');
  t.pass('its pickup reached the cloud');
});
