import { DEFAULT_KIOSK_TIMERS, desiredStateHash, desiredStateSchema, hashCredential, keyedCredentialHashParams } from '@portier/protocol';
import t from 'tap';
import { buildDesiredState, DesiredBuildError } from '../../src/bridge/desired-builder.ts';
import { admin, bankModel, CTL_KEY, FORM, keyedHash, operator } from './helpers.ts';

const NOW = Date.UTC(2026, 0, 15, 9);
const LATER = Date.UTC(2099, 0, 1);

t.test('doors of one column: door numbers, locker numbers, sizes, place from the top, accessibility, service, shelf', async (t) => {
  const s = await bankModel();
  await s.setServiceState('b1', 2, { state: 'out-of-service', reason: 'hinge' }, admin);
  const { state, columnId } = buildDesiredState(s.store, { bankId: 'b1', column: 1, now: NOW, form: FORM });
  t.equal(columnId, 'col1');
  t.equal(desiredStateSchema.safeParse(state).success, true, 'valid by the protocol schema');
  // The kiosk column also sees the plain column's doors (kiosk-bank-view.test.ts): its own doors here.
  t.same(state.doors.filter((d) => !d.remote), [
    { door: 1, locker: 1, size: 'L', column: 1, fromTop: 1, accessible: false, service: 'in-service' },
    { door: 2, locker: 2, size: 'S', column: 1, fromTop: 2, accessible: true, service: 'out-of-service' },
    { door: 3, locker: 3, size: 'S', column: 1, fromTop: 3, accessible: true, service: 'in-service' },
    { door: 4, locker: 4, size: 'M', column: 1, fromTop: 4, accessible: false, service: 'in-service', rearShelfBarcode: 'SHELF-4' },
  ]);
  const col2 = buildDesiredState(s.store, { bankId: 'b1', column: 2, now: NOW, form: FORM }).state;
  t.same(col2.doors.map((d) => [d.door, d.locker, d.column, d.fromTop, d.accessible]), [
    [1, 11, 2, 1, true],
    [2, 12, 2, 2, true],
  ]);
  t.same(state.rules.openAllAtOnce, true, 'bank rules carried');
  t.same(state.rules.addToExistingLocker, false);
  t.same(state.timers, DEFAULT_KIOSK_TIMERS);
  t.same(state.credentialHash, keyedCredentialHashParams(CTL_KEY), "keyed under the controller's credential key, which it names");
});

t.test('an ADA location range changes which doors are accessible', async (t) => {
  const s = await bankModel();
  // Locker 2 spans 90..120 cm: inside the default 35..123, inside ADA 38.1..121.9 too; locker 3 (50..80) both.
  const loc = s.store.get('locations', 'loc')!;
  await s.store.commit({ put: [{ c: 'locations', key: 'loc', value: { ...loc, reach: { preset: 'custom', minCm: 60, maxCm: 125 } } }] });
  const { state } = buildDesiredState(s.store, { bankId: 'b1', column: 1, now: NOW, form: FORM });
  t.same(state.doors.filter((d) => !d.remote).map((d) => d.accessible), [false, true, false, false], 'locker 3 (50..80) now below the range');
});

t.test('pickup codes go out as the protocol hash of the clear code, never in clear, only on their column', async (t) => {
  const s = await bankModel();
  const { reservation } = await s.reserve({ bankId: 'b1', kind: 'package', recipient: { type: 'contact', id: 'c1' }, size: 'S', trackingId: 'TRK-1' }, operator);
  // Column 1's lockers 1..4 sit on doors 1..4; allocation keeps accessible ones back, so it picks a high or low one.
  const door = reservation.lockerNumber;
  t.ok(door >= 1 && door <= 4, 'a locker of column 1');
  const held = buildDesiredState(s.store, { bankId: 'b1', column: 1, now: NOW, form: FORM }).state;
  t.same(held.reservations, [{ id: reservation.id, kind: 'package', status: 'reserved', door, trackingIds: ['TRK-1'], recipientId: 'c1' }]);
  t.same(held.credentials, [], 'no code before the drop-off');

  const drop = await s.dropOff({ reservationId: reservation.id }, operator);
  const code = drop.pickupCode!;
  const { state } = buildDesiredState(s.store, { bankId: 'b1', column: 1, now: NOW, form: FORM });
  t.equal(state.credentials.length, 1);
  const cred = state.credentials[0]!;
  t.match(cred, { kind: 'pickup-code', role: 'recipient', subjectId: 'c1', doors: [door], reservationIds: [reservation.id], oneTime: true, expiresAt: drop.pickupCodeExpiresAt });
  t.equal(cred.hash, hashCredential('pickup-code', code, state.credentialHash, CTL_KEY), 'hashCredential(kind, clear code, params, key) matches');
  t.not(cred.hash, keyedHash('pickup-code', code === '000000' ? '000001' : '000000'), 'another code does not');
  t.notOk(JSON.stringify(state).includes(code), 'the clear code is nowhere in the state');
  t.equal(state.reservations[0]!.status, 'occupied');

  const other = buildDesiredState(s.store, { bankId: 'b1', column: 2, now: NOW, form: FORM }).state;
  t.same(other.credentials, [], 'column 2 gets no credential for a door of column 1');
  t.same(other.reservations, []);

  // Expired codes are not sent; a picked-up reservation leaves the state.
  const later = buildDesiredState(s.store, { bankId: 'b1', column: 1, now: drop.pickupCodeExpiresAt!, form: FORM }).state;
  t.same(later.credentials, [], 'an expired code is left out');
  await s.pickUp({ bankId: 'b1', code }, { role: 'recipient', id: 'c1' });
  const after = buildDesiredState(s.store, { bankId: 'b1', column: 1, now: NOW, form: FORM }).state;
  t.same(after.credentials, []);
  t.same(after.reservations, []);
});

t.test('deterministic: an unchanged bank gives an identical state and hash; any change gives another', async (t) => {
  const s = await bankModel();
  for (const c of ['c1', 'c2']) {
    const { reservation } = await s.reserve({ bankId: 'b1', kind: 'package', recipient: { type: 'contact', id: c }, size: 'S' }, operator);
    await s.dropOff({ reservationId: reservation.id }, operator);
  }
  const a = buildDesiredState(s.store, { bankId: 'b1', column: 1, now: NOW, form: FORM }).state;
  const b = buildDesiredState(s.store, { bankId: 'b1', column: 1, now: NOW + 1000, form: FORM }).state;
  t.same(a, b);
  t.equal(desiredStateHash(a), desiredStateHash(b));
  t.same(a.credentials.map((c) => c.id), [...a.credentials.map((c) => c.id)].sort(), 'credentials sorted by id');
  t.same(a.reservations.map((r) => r.id), [...a.reservations.map((r) => r.id)].sort(), 'reservations sorted by id');
  await s.setServiceState('b1', 1, { state: 'out-of-service' }, admin);
  t.not(desiredStateHash(buildDesiredState(s.store, { bankId: 'b1', column: 1, now: NOW, form: FORM }).state), desiredStateHash(a));
});

t.test("carrier codes go out hashed under the controller's key; verification still works", async (t) => {
  const s = await bankModel();
  const issued = await s.issueCarrierCode('car', { digits: 8, bankIds: ['b1'], expiresAt: LATER }, admin);
  const built = buildDesiredState(s.store, { bankId: 'b1', column: 1, now: NOW, form: FORM });
  t.same(built.skipped, []);
  t.match(built.state.credentials, [{ kind: 'carrier-code', role: 'carrier', subjectId: 'car', doors: [], oneTime: false, expiresAt: LATER }]);
  t.equal(built.state.credentials[0]!.hash, keyedHash('carrier-code', issued.code), 'the kiosk hash of the typed code matches');
  t.notOk(JSON.stringify(built.state).includes(issued.code), 'never in clear');
  t.equal((await s.verifyCarrierCode('b1', issued.code))?.id, issued.carrierCode.id, 'the cloud still verifies it');
  // Not valid at another bank.
  t.same(buildDesiredState(s.store, { bankId: 'b2', column: 1, now: NOW, form: FORM }).state.credentials, []);
  // A code valid everywhere goes to every bank, also one created after it was issued.
  const everywhere = await s.issueCarrierCode('car', { digits: 9 }, admin);
  await s.createBank({ id: 'b3', locationId: 'loc', name: 'Late' }, admin);
  await s.createColumn({ id: 'col-b3', bankId: 'b3', position: 1, kind: 'kiosk', controllerId: 'ctl-b3' }, admin);
  for (const b of ['b1', 'b2', 'b3']) {
    const creds = buildDesiredState(s.store, { bankId: b, column: 1, now: NOW, form: FORM }).state.credentials;
    t.ok(creds.some((c) => c.hash === keyedHash('carrier-code', everywhere.code)), `valid at ${b}`);
  }
  // Expired or revoked: gone.
  t.equal(buildDesiredState(s.store, { bankId: 'b2', column: 1, now: NOW, form: FORM }).state.credentials.length, 1);
  await s.revokeCarrierCode(everywhere.carrierCode.id, admin);
  t.same(buildDesiredState(s.store, { bankId: 'b2', column: 1, now: NOW, form: FORM }).state.credentials, [], 'a revoked code is withdrawn');
});

t.test("staff PINs and badges go out as their kind and role, hashed under the controller's key; revoked, expired or other banks not", async (t) => {
  const s = await bankModel();
  await s.createUser({ enterpriseId: 'ent', id: 'u-op', username: 'olga', role: 'operator', passwordHash: 'x' });
  await s.createUser({ enterpriseId: 'ent', id: 'u-adm', username: 'ada', role: 'admin', passwordHash: 'x' });
  const pin = await s.issueStaffCredential({ role: 'operator', subjectId: 'u-op', kind: 'staff-pin', bankIds: ['b1'], expiresAt: LATER }, admin);
  const badge = await s.issueStaffCredential({ role: 'admin', subjectId: 'u-adm', kind: 'badge', code: '04:A2:9F:11' }, admin);
  const carrierBadge = await s.issueStaffCredential({ role: 'carrier', subjectId: 'car', kind: 'badge', code: 'CAR-0001', bankIds: ['b2'] }, admin);
  const built = buildDesiredState(s.store, { bankId: 'b1', column: 1, now: NOW, form: FORM });
  t.equal(desiredStateSchema.safeParse(built.state).success, true, 'valid by the protocol schema');
  t.same(built.skipped, []);
  const staff = built.state.credentials.filter((c) => c.kind === 'staff-pin' || c.kind === 'badge');
  t.same(
    staff.map((c) => [c.kind, c.role, c.subjectId]).sort(),
    [['badge', 'admin', 'u-adm'], ['staff-pin', 'operator', 'u-op']],
    'b1 gets the operator PIN and the admin badge, not the carrier badge of b2',
  );
  const pinCred = staff.find((c) => c.kind === 'staff-pin')!;
  t.match(pinCred, { doors: [], reservationIds: [], oneTime: false, expiresAt: LATER });
  t.equal(pinCred.hash, keyedHash('staff-pin', pin.code), 'the kiosk hash of the typed PIN matches');
  t.equal(staff.find((c) => c.kind === 'badge')!.hash, keyedHash('badge', badge.code), 'the hash of the badge as read matches');
  t.notOk(JSON.stringify(built.state).includes(pin.code), 'the PIN never in clear');
  const b2 = buildDesiredState(s.store, { bankId: 'b2', column: 1, now: NOW, form: FORM }).state.credentials;
  t.same(b2.map((c) => [c.kind, c.role]).sort(), [['badge', 'admin'], ['badge', 'carrier']]);
  t.equal(b2.find((c) => c.role === 'carrier')!.hash, keyedHash('badge', carrierBadge.code));

  // Revoked, or expired by the cloud's clock: withdrawn.
  await s.revokeStaffCredential(badge.staffCredential.id, admin);
  t.same(buildDesiredState(s.store, { bankId: 'b1', column: 1, now: NOW, form: FORM }).state.credentials.map((c) => c.kind), ['staff-pin'], 'a revoked badge is withdrawn');
  t.same(buildDesiredState(s.store, { bankId: 'b1', column: 1, now: LATER, form: FORM }).state.credentials, [], 'an expired PIN is withdrawn');

  // The operator's account disabled (or removed): the PIN is withdrawn too.
  const pin2 = await s.issueStaffCredential({ role: 'operator', subjectId: 'u-op', kind: 'staff-pin', bankIds: ['b1'] }, admin);
  await s.updateUser('u-op', { disabled: true });
  const off = buildDesiredState(s.store, { bankId: 'b1', column: 1, now: NOW, form: FORM });
  t.same(off.state.credentials.filter((c) => c.kind === 'staff-pin'), [], 'a disabled user signs in nowhere');
  t.match(off.skipped, [{ kind: 'staff-pin', why: 'subject-disabled' }, { kind: 'staff-pin', why: 'subject-disabled' }]);
  await s.updateUser('u-op', { disabled: false });
  t.ok(buildDesiredState(s.store, { bankId: 'b1', column: 1, now: NOW, form: FORM }).state.credentials.some((c) => c.hash === keyedHash('staff-pin', pin2.code)), 'enabled again: back');

  // The credential follows the user's role as it is now: without 'reservations.manage' the kiosk sign-in goes.
  const viewer = await s.roles.createRole({ enterpriseId: 'ent', name: 'Viewer', permissions: ['lockers.view'] }, admin);
  await s.updateUser('u-op', { role: viewer.id });
  const lost = buildDesiredState(s.store, { bankId: 'b1', column: 1, now: NOW, form: FORM });
  t.same(lost.state.credentials.filter((c) => c.subjectId === 'u-op'), [], 'a role without the right signs in nowhere');
  t.match(lost.skipped, [{ kind: 'staff-pin', why: 'subject-not-permitted' }, { kind: 'staff-pin', why: 'subject-not-permitted' }]);
  await s.roles.updateRole('ent', viewer.id, { permissions: ['lockers.view', 'reservations.manage'] }, admin);
  const back = buildDesiredState(s.store, { bankId: 'b1', column: 1, now: NOW, form: FORM }).state.credentials.filter((c) => c.subjectId === 'u-op');
  t.same(back.map((c) => c.role), ['operator', 'operator'], 'the right given back to the role: both PINs back, as operator');
});

t.test('a held return carries its drop-off code for the reserved door; a held package carries none', async (t) => {
  const s = await bankModel();
  const ret = await s.reserve({ bankId: 'b1', kind: 'return', recipient: { type: 'contact', id: 'c1' }, dropOffParty: { type: 'contact', id: 'c1' }, pickupParty: { type: 'carrier', id: 'car' }, size: 'S' }, operator);
  const pkg = await s.reserve({ bankId: 'b1', kind: 'package', recipient: { type: 'contact', id: 'c1' }, size: 'S' }, operator);
  t.match(ret.dropOffCode, /^\d+$/, 'a drop-off code for the return');
  t.equal(pkg.dropOffCode, undefined);
  const col = ret.reservation.lockerNumber >= 11 ? 2 : 1;
  const { state } = buildDesiredState(s.store, { bankId: 'b1', column: col, now: Date.now(), form: FORM });
  const door = state.doors.find((d) => d.locker === ret.reservation.lockerNumber)!.door;
  const c = state.credentials.find((x) => (x.reservationIds ?? []).includes(ret.reservation.id));
  t.match(c, { kind: 'pickup-code', doors: [door], subjectId: 'c1', oneTime: true, expiresAt: ret.dropOffCodeExpiresAt });
  t.equal(c!.hash, keyedHash('pickup-code', ret.dropOffCode!));
  const all = [1, 2].flatMap((column) => buildDesiredState(s.store, { bankId: 'b1', column, now: Date.now(), form: FORM }).state.credentials);
  t.notOk(all.some((x) => (x.reservationIds ?? []).includes(pkg.reservation.id)), 'no code for a package not yet dropped off');
});

t.test('unknown bank or column is a clear error', async (t) => {
  const s = await bankModel();
  t.throws(() => buildDesiredState(s.store, { bankId: 'nope', column: 1, now: NOW, form: FORM }), DesiredBuildError);
  t.throws(() => buildDesiredState(s.store, { bankId: 'b1', column: 9, now: NOW, form: FORM }), { code: 'UNKNOWN_COLUMN' });
});

t.test('department mail: a member\'s own pickup code also lists the parcels waiting for their department, only with departmentPickup', async (t) => {
  const s = await bankModel();
  await s.createDepartment({ enterpriseId: 'ent', id: 'fin', name: 'Finance', memberIds: ['c1'] }, admin);
  const parcel = async (recipient: { type: 'contact' | 'department'; id: string }, trackingId: string) => {
    const { reservation } = await s.reserve({ bankId: 'b1', kind: 'package', recipient, size: 'S', trackingId }, operator);
    await s.dropOff({ reservationId: reservation.id }, operator);
    return reservation.id;
  };
  const own = await parcel({ type: 'contact', id: 'c1' }, 'OWN-1');
  const other = await parcel({ type: 'contact', id: 'c2' }, 'OTHER-1');
  const dept = await parcel({ type: 'department', id: 'fin' }, 'DEPT-1');
  const credsOf = () => {
    const { state } = buildDesiredState(s.store, { bankId: 'b1', column: 1, now: NOW, form: FORM });
    return new Map(state.credentials.map((c) => [c.subjectId, c.reservationIds]));
  };
  let creds = credsOf();
  t.same(creds.get('c1'), [own, dept], 'c1, a member of Finance, collects the Finance parcel with their code');
  t.same(creds.get('c2'), [other], 'c2 is no member: their own parcel only');
  t.same(creds.get('fin'), [dept], 'the department code still opens it');
  await s.updateBank('b1', { rules: { departmentPickup: false } }, admin);
  creds = credsOf();
  t.same(creds.get('c1'), [own], 'without the rule, only the own parcel');
});

t.test('storage reserved ahead: its holder\'s code goes out held and filled alike, reusable, unchanged by the drop-off', async (t) => {
  const s = await bankModel();
  const res = await s.reserve({ bankId: 'b1', kind: 'storage', recipient: { type: 'contact', id: 'c1' }, size: 'S', storage: { mode: 'open' } }, operator);
  const code = res.dropOffCode!;
  t.match(code, /^\d{6}$/, 'the holder gets a code at the reservation');
  const held = buildDesiredState(s.store, { bankId: 'b1', column: 1, now: NOW, form: FORM }).state;
  const door = held.doors.find((d) => d.locker === res.reservation.lockerNumber)!.door;
  t.match(held.credentials, [{ kind: 'pickup-code', role: 'recipient', subjectId: 'c1', doors: [door], reservationIds: [res.reservation.id], oneTime: false, hash: keyedHash('pickup-code', code) }]);
  const drop = await s.dropOff({ reservationId: res.reservation.id }, operator);
  t.equal(drop.pickupCode, undefined, 'no new code: the holder keeps theirs');
  const filled = buildDesiredState(s.store, { bankId: 'b1', column: 1, now: NOW, form: FORM }).state;
  t.match(filled.credentials, [{ reservationIds: [res.reservation.id], oneTime: false, hash: keyedHash('pickup-code', code) }], 'the same code empties it');
  t.ok(filled.credentials[0]!.expiresAt! > NOW + 300 * 24 * 3_600_000, 'open storage: the code lives as long as the storage');
});
