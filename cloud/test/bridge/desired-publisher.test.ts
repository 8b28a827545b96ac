import t from 'tap';
import sinon from 'sinon';
import { pino } from 'pino';
import { DesiredPublisher } from '../../src/bridge/desired-publisher.ts';
import { DomainDoorMap } from '../../src/bridge/door-map.ts';
import { NO_LOCKER_MESSAGE } from '../../src/domain/errors.ts';
import { admin, bankModel, FakeLink, FIXED_FORMS, operator, roster } from './helpers.ts';

async function setup(t: { teardown(fn: () => unknown): void }) {
  const s = await bankModel();
  const link = new FakeLink();
  const doors = new DomainDoorMap(s.store, roster());
  const pub = new DesiredPublisher({ src: s.store, events: s, link, doors, forms: FIXED_FORMS, debounceMs: 20, refreshMs: 0 });
  t.teardown(() => pub.stop());
  await pub.start();
  return { s, link, pub };
}

t.test('start publishes one state per active controller, none for a revoked one', async (t) => {
  const { link } = await setup(t);
  t.same(link.sent.map((x) => `${x.bankId}/${x.controllerId}@${x.version}`).sort(), ['b1/ctl-1@1', 'b1/ctl-2@1', 'b2/ctl-x@1']);
});

t.test('a reservation gives one new version to the controller of its column (and the kiosk, which sees the bank) only', async (t) => {
  const { s, link, pub } = await setup(t);
  link.sent.length = 0;
  const { reservation } = await s.reserve({ bankId: 'b1', kind: 'package', recipient: { type: 'contact', id: 'c1' }, size: 'M' }, operator);
  await pub.flush();
  const target = reservation.lockerNumber >= 11 ? 'ctl-2' : 'ctl-1';
  // The kiosk column (ctl-1) sees the whole bank: a reservation on column 2 reaches it too.
  const expected = target === 'ctl-2' ? [['ctl-1', 2], ['ctl-2', 2]] : [['ctl-1', 2]];
  t.same(link.sent.map((x) => [x.controllerId, x.version]), expected, `only ${target} (and the kiosk), version 2`);
  const sentBefore = link.sent.length;
  t.match(link.sent[0]!.state.reservations, [{ id: reservation.id, status: 'reserved' }]);

  // Nothing changed since: a refresh publishes nothing.
  pub.markAll();
  await pub.flush();
  t.equal(link.sent.length, sentBefore, 'an unchanged bank is not republished');

  // A service change on column 2 reaches ctl-2 and the kiosk, not b2.
  await s.setServiceState('b1', 12, { state: 'out-of-service' }, admin);
  await pub.flush();
  t.same(link.sent.slice(sentBefore).map((x) => x.controllerId), ['ctl-1', 'ctl-2']);
});

t.test('32 concurrent reservations: few rebuilds (debounced), no storm, final state has every reservation', async (t) => {
  const { s, link, pub } = await setup(t);
  // Enough contacts for 32 requests against 6 lockers of bank b1.
  for (let i = 0; i < 32; i++) await s.createContact({ enterpriseId: 'ent', id: `p${i}`, name: `P ${i}` }, admin);
  link.sent.length = 0;
  const buildsBefore = pub.buildCount;
  const results = await Promise.allSettled(
    Array.from({ length: 32 }, (_, i) => s.reserve({ bankId: 'b1', kind: 'package', recipient: { type: 'contact', id: `p${i}` }, size: 'S' }, operator)),
  );
  const ok = results.filter((r) => r.status === 'fulfilled');
  const refused = results.filter((r) => r.status === 'rejected');
  t.ok(ok.length > 0 && ok.length <= 6, `${ok.length} got a locker`);
  t.ok(refused.every((r) => (r.reason as Error).message === NO_LOCKER_MESSAGE), 'the others get the exact error');
  await pub.flush();
  const perController = new Map<string, number>();
  for (const x of link.sent) perController.set(x.controllerId, (perController.get(x.controllerId) ?? 0) + 1);
  t.ok([...perController.values()].every((n) => n <= 3), `at most 3 versions per controller (${JSON.stringify([...perController])})`);
  t.ok(pub.buildCount - buildsBefore <= 3 * 2, `at most a few rebuilds (${pub.buildCount - buildsBefore})`);
  t.notOk(perController.has('ctl-x'), 'another bank is not touched');
  t.comment(`32 concurrent reservations: ${ok.length} placed, versions per controller ${JSON.stringify(Object.fromEntries(perController))}, rebuilds ${pub.buildCount - buildsBefore}`);
  const last = (id: string) => link.of(id).at(-1)?.state.reservations.length ?? 0;
  // The kiosk column's state holds the whole bank's reservations (kiosk-bank-view.ts).
  t.equal(last('ctl-1'), ok.length, 'the last kiosk state holds every reservation');
  t.ok(last('ctl-2') <= ok.length);
});

t.test('a controller coming online is (re)published if its state is not the last one sent', async (t) => {
  const { link, pub } = await setup(t);
  link.sent.length = 0;
  link.emit('controller-online', { bankId: 'b1', controllerId: 'ctl-1' });
  await pub.flush();
  t.same(link.sent.map((x) => x.controllerId), ['ctl-1'], 'handed to the link again (the link dedups by hash itself)');
});

t.test('a staff credential issued or revoked republishes the banks where it signs in', async (t) => {
  const { s, link, pub } = await setup(t);
  await s.createUser({ enterpriseId: 'ent', id: 'u-op', username: 'olga', role: 'operator', passwordHash: 'x' });
  link.sent.length = 0;
  const one = await s.issueStaffCredential({ role: 'operator', subjectId: 'u-op', kind: 'staff-pin', bankIds: ['b2'] }, admin);
  await pub.flush();
  t.same(link.sent.map((x) => x.controllerId), ['ctl-x'], 'only the bank it is valid at');
  t.match(link.sent[0]!.state.credentials, [{ kind: 'staff-pin', role: 'operator', subjectId: 'u-op' }]);
  link.sent.length = 0;
  await s.issueStaffCredential({ role: 'operator', subjectId: 'u-op', kind: 'badge', code: 'BADGE-1' }, admin);
  await pub.flush();
  t.same(link.sent.map((x) => x.controllerId).sort(), ['ctl-1', 'ctl-2', 'ctl-x'], 'valid everywhere: every controller');
  link.sent.length = 0;
  await s.revokeStaffCredential(one.staffCredential.id, admin);
  await pub.flush();
  t.same(link.sent.map((x) => x.controllerId), ['ctl-x']);
  t.same(link.sent[0]!.state.credentials.map((c) => c.kind), ['badge'], 'the revoked PIN is withdrawn');
});

t.test('a change of bank rules republishes that bank\'s controllers with the new rules, not another bank\'s', async (t) => {
  const { s, link, pub } = await setup(t);
  link.sent.length = 0;
  const before = link.sent.length;
  await s.updateBank('b1', { rules: { openAllAtOnce: false } }, admin); // b1 opened all at once before
  await pub.flush();
  const sent = link.sent.slice(before);
  t.same(sent.map((x) => x.controllerId).sort(), ['ctl-1', 'ctl-2'], 'both controllers of b1, not b2');
  t.ok(sent.every((x) => x.state.rules.openAllAtOnce === false), 'the new rule is in the published state');
});

t.test('a code of an older release withheld from a keyed controller is named once in a warning', async (t) => {
  const s = await bankModel();
  await s.createUser({ enterpriseId: 'ent', id: 'u-op', username: 'olga', role: 'operator', passwordHash: 'x' });
  const params = s.store.get('banks', 'b1')!.credentialHash;
  // As the previous release stored a PIN: bank-salt hashes only.
  const old = { id: 'sc-old', role: 'operator' as const, subjectId: 'u-op', kind: 'staff-pin' as const, bankIds: ['b1'], code: { hash: 'aGFzaGhhc2hoYXNoaGFzaGhhc2g', params }, bankHashes: { b1: { hash: 'aGFzaGhhc2hoYXNoaGFzaGhhc2g', params } }, createdAt: 1 };
  await s.store.commit({ put: [{ c: 'staffCredentials', key: old.id, value: old }] });
  const lines: string[] = [];
  const logger = pino({ level: 'warn' }, { write: (l: string) => void lines.push(l) });
  const link = new FakeLink();
  const pub = new DesiredPublisher({ src: s.store, events: s, link, doors: new DomainDoorMap(s.store, roster()), forms: FIXED_FORMS, logger, debounceMs: 5, refreshMs: 0 });
  t.teardown(() => pub.stop());
  await pub.start();
  t.notOk(link.of('ctl-1').at(-1)!.state.credentials.some((c) => c.id === 'staff.sc-old'), 'not sent to the keyed kiosk');
  const warned = lines.filter((l) => l.includes('staff.sc-old'));
  t.equal(warned.filter((l) => l.includes('"controllerId":"ctl-1"')).length, 1, 'named for the kiosk');
  t.match(warned[0], /issued by an older release.*issue it again/);
  pub.markAll();
  await pub.flush();
  t.equal(lines.filter((l) => l.includes('staff.sc-old') && l.includes('"controllerId":"ctl-1"')).length, 1, 'once, not at every rebuild');
});

t.test('a staff PIN past its expiresAt is withdrawn from the kiosk at the first periodic refresh after it (fake time)', async (t) => {
  const T0 = Date.UTC(2026, 5, 1, 8, 0, 0);
  const clock = sinon.useFakeTimers({ now: T0, toFake: ['Date', 'setInterval', 'clearInterval'] });
  t.teardown(() => clock.restore());
  const s = await bankModel();
  await s.createUser({ enterpriseId: 'ent', id: 'u-op', username: 'olga', role: 'operator', passwordHash: 'x' });
  await s.issueStaffCredential({ role: 'operator', subjectId: 'u-op', kind: 'staff-pin', bankIds: ['b2'], expiresAt: T0 + 90_000 }, admin);
  const link = new FakeLink();
  const pub = new DesiredPublisher({ src: s.store, events: s, link, doors: new DomainDoorMap(s.store, roster()), forms: FIXED_FORMS, debounceMs: 5, refreshMs: 60_000 });
  t.teardown(() => pub.stop());
  await pub.start();
  // What the kiosk of bank b2 last received: the controller checks PINs against it, offline too.
  const pins = () => link.sent.filter((x) => x.controllerId === 'ctl-x').at(-1)!.state.credentials.filter((c) => c.kind === 'staff-pin');
  t.match(pins(), [{ role: 'operator', subjectId: 'u-op', expiresAt: T0 + 90_000 }], 'sent with its expiry, which the controller checks itself');
  await clock.tickAsync(60_000);
  await pub.flush();
  t.equal(pins().length, 1, 'still valid a minute later');
  await clock.tickAsync(60_000);
  await pub.flush();
  t.same(pins(), [], 'withdrawn by the refresh after it expired, with no event to say so');
});
