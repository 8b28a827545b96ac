// A bank's desired state holds the codes and kiosk sign-ins of its own enterprise only: a carrier code "for every
// bank" of another enterprise, or a staff PIN of another enterprise's user, never reaches its controllers.
import t from 'tap';
import { buildDesiredState } from '../../src/bridge/desired-builder.ts';
import { admin, bankModel, FORM } from './helpers.ts';

const NOW = Date.UTC(2026, 0, 15, 9);

t.test("another enterprise's carrier codes and staff sign-ins never reach a bank", async (t) => {
  const s = await bankModel();
  await s.createEnterprise({ id: 'other', name: 'Other Corp' }, admin);
  await s.createCarrier({ id: 'car-o', enterpriseId: 'other', name: 'Other Parcels' }, admin);
  await s.createUser({ id: 'u-o', enterpriseId: 'other', username: 'olga', role: 'operator', passwordHash: 'x' });
  await s.createUser({ id: 'u-e', enterpriseId: 'ent', username: 'emma', role: 'operator', passwordHash: 'x' });
  // Every bank (no bank list) for the carriers; the staff PINs name bank b1 outright.
  const ours = await s.issueCarrierCode('car', {}, admin);
  const theirs = await s.issueCarrierCode('car-o', {}, admin);
  const ourPin = await s.issueStaffCredential({ role: 'operator', subjectId: 'u-e', kind: 'staff-pin', bankIds: ['b1'] }, admin);
  const theirPin = await s.issueStaffCredential({ role: 'operator', subjectId: 'u-o', kind: 'staff-pin', bankIds: ['b1'] }, admin);
  const ids = buildDesiredState(s.store, { bankId: 'b1', column: 1, now: NOW, form: FORM }).state.credentials.map((c) => c.id);
  t.ok(ids.some((id) => id.includes(ours.carrierCode.id)), "the bank's own carrier's code is there");
  t.ok(ids.some((id) => id.includes(ourPin.staffCredential.id)), "the bank's own operator's PIN is there");
  t.notOk(ids.some((id) => id.includes(theirs.carrierCode.id)), "another enterprise's carrier code is not");
  t.notOk(ids.some((id) => id.includes(theirPin.staffCredential.id)), "another enterprise's operator PIN is not");
});
