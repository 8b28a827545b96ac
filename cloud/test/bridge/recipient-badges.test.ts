import { desiredStateSchema, hashCredential, type DesiredCredential, type DesiredState } from '@portier/protocol';
import t from 'tap';
import { LegacyHashes, legacyForm, listingForm } from '../../src/bridge/credential-forms.ts';
import { buildDesiredState } from '../../src/bridge/desired-builder.ts';
import { DesiredPublisher } from '../../src/bridge/desired-publisher.ts';
import { DomainDoorMap } from '../../src/bridge/door-map.ts';
import type { Contact } from '../../src/domain/model.ts';
import { admin, bankModel, CTL_KEY, FakeLink, FIXED_FORMS, FORM, keyedHash, operator, roster, VAULT } from './helpers.ts';

const NOW = Date.UTC(2026, 0, 15, 9);
const recipient = (id: string) => ({ role: 'recipient' as const, id });

type Service = Awaited<ReturnType<typeof bankModel>>;

/** A parcel for `contactId` dropped off in bank b1 (locker chosen by allocation). */
async function parcelFor(s: Service, contactId: string) {
  const { reservation } = await s.reserve({ bankId: 'b1', kind: 'package', recipient: { type: 'contact', id: contactId }, size: 'S' }, operator);
  const drop = await s.dropOff({ reservationId: reservation.id }, operator);
  return { reservation: drop.reservation, code: drop.pickupCode! };
}

const badgesOf = (state: DesiredState): DesiredCredential[] => state.credentials.filter((c) => c.kind === 'badge' && c.role === 'recipient');

t.test('a recipient badge reaches the bank with their first parcel and leaves with the last, hashed, reusable', async (t) => {
  const s = await bankModel();
  await s.updateContact('c1', { badgeId: 'BADGE-0001' }, admin);
  const build = () => buildDesiredState(s.store, { bankId: 'b1', column: 1, now: NOW, form: FORM }).state;

  const { reservation: held } = await s.reserve({ bankId: 'b1', kind: 'package', recipient: { type: 'contact', id: 'c1' }, size: 'S' }, operator);
  t.same(badgesOf(build()), [], 'a locker held for a drop-off brings no badge: nothing to collect yet');

  const first = (await s.dropOff({ reservationId: held.id }, operator)).reservation;
  const second = (await parcelFor(s, 'c1')).reservation;
  const state = build();
  t.ok(desiredStateSchema.safeParse(state).success, 'valid by the protocol schema');
  const [badge, ...more] = badgesOf(state);
  t.same(more, [], 'one badge credential for the recipient');
  t.match(badge, { id: 'badge.c1', kind: 'badge', role: 'recipient', subjectId: 'c1', oneTime: false });
  t.equal(badge!.hash, keyedHash('badge', 'BADGE-0001'), "the hash a controller with its key computes for the scanned badge");
  t.equal(badge!.hash, hashCredential('badge', 'BADGE-0001', state.credentialHash, CTL_KEY));
  t.same([...badge!.reservationIds].sort(), [first.id, second.id].sort(), 'it collects both parcels');
  t.notOk(badge!.expiresAt, 'no expiry of its own: it leaves with the last parcel');
  t.notOk(JSON.stringify(state).includes('BADGE-0001'), 'the badge number is nowhere in clear');

  await s.pickUp({ reservationId: first.id }, recipient('c1'));
  t.same(badgesOf(build())[0]!.reservationIds, [second.id], 'a parcel collected leaves the badge with the other one');
  await s.pickUp({ reservationId: second.id }, recipient('c1'));
  t.same(badgesOf(build()), [], 'the last parcel collected takes the badge out of the desired state');
});

t.test('a badge opens only the doors of its column; the kiosk sees the plain column\'s through its aliases', async (t) => {
  const s = await bankModel();
  await s.updateContact('c2', { badgeId: 'B-77' }, admin);
  // Put at the kiosk into locker 12 (column 2, door 2).
  const { reservation } = await s.recordKioskOccupancy({ bankId: 'b1', lockerNumber: 12, kind: 'package', recipient: { type: 'contact', id: 'c2' } }, operator);
  const plain = buildDesiredState(s.store, { bankId: 'b1', column: 2, now: NOW, form: FORM }).state;
  t.match(badgesOf(plain), [{ id: 'badge.c2', doors: [reservation.lockerNumber - 10], reservationIds: [reservation.id] }], 'the plain column: its own door');
  const kiosk = buildDesiredState(s.store, { bankId: 'b1', column: 1, now: NOW, form: FORM }).state;
  const alias = kiosk.doors.find((d) => d.locker === reservation.lockerNumber)!;
  t.match(badgesOf(kiosk), [{ id: 'badge.c2', doors: [alias.door], reservationIds: [reservation.id] }], 'the kiosk: the alias of that door');
  const other = buildDesiredState(s.store, { bankId: 'b2', column: 1, now: NOW, form: FORM }).state;
  t.same(badgesOf(other), [], 'another bank never gets it');

  // A second parcel in the kiosk's own column: still one badge credential at the kiosk, opening both.
  const own = (await s.recordKioskOccupancy({ bankId: 'b1', lockerNumber: 3, kind: 'package', recipient: { type: 'contact', id: 'c2' } }, operator)).reservation;
  const both = buildDesiredState(s.store, { bankId: 'b1', column: 1, now: NOW, form: FORM }).state;
  t.match(badgesOf(both), [{ id: 'badge.c2', doors: [3, alias.door], reservationIds: [own.id, reservation.id].sort() }], 'one credential, both doors');
});

t.test('a controller without a key gets the legacy scrypt form; the listing form has the badge by id', async (t) => {
  const s = await bankModel();
  await s.updateContact('c1', { badgeId: 'LEGACY-1' }, admin);
  await parcelFor(s, 'c1');
  const bank = s.store.get('banks', 'b1')!;
  const legacy = new LegacyHashes(VAULT);
  await legacy.prepare(s.store, bank, NOW);
  const state = buildDesiredState(s.store, { bankId: 'b1', column: 1, now: NOW, form: legacyForm(legacy) }).state;
  t.equal(badgesOf(state)[0]!.hash, hashCredential('badge', 'LEGACY-1', state.credentialHash), 'scrypt under the bank salt, as a typed badge is checked');
  const listing = buildDesiredState(s.store, { bankId: 'b1', column: 1, now: NOW, form: listingForm() }).state;
  t.equal(badgesOf(listing)[0]!.id, 'badge.c1');
});

t.test('two contacts with parcels sharing one badge number sign in neither; other badges are unaffected', async (t) => {
  const s = await bankModel();
  await s.createContact({ enterpriseId: 'ent', id: 'c3', name: 'Ann' }, admin);
  await s.updateContact('c1', { badgeId: 'SAME-1' }, admin);
  await s.updateContact('c3', { badgeId: 'OWN-3' }, admin);
  // Written around the use cases (an address book from before badges were checked).
  const c2 = s.store.get('contacts', 'c2')!;
  await s.store.commit({ put: [{ c: 'contacts', key: 'c2', value: { ...c2, badgeId: 'SAME-1' } }] });
  for (const c of ['c1', 'c2', 'c3']) await parcelFor(s, c);
  const built = buildDesiredState(s.store, { bankId: 'b1', column: 1, now: NOW, form: FORM });
  t.same(badgesOf(built.state).map((c) => c.id), ['badge.c3']);
  t.same(built.skipped.filter((k) => k.why === 'badge-shared').map((k) => k.id), ['badge.c1', 'badge.c2']);
});

t.test('100k contacts, a few with parcels: the document holds only their badges, built without reading the address book', async (t) => {
  const s = await bankModel();
  const contacts: Contact[] = [];
  for (let i = 0; i < 100_000; i++) {
    contacts.push({ id: `p${i}`, enterpriseId: 'ent', firstName: 'P', lastName: `N${i}`, needsAccessible: false, notifications: 'none', language: 'en', private: false, badgeId: `BDG-${i}`, createdAt: NOW });
  }
  await s.store.commit({ put: contacts.map((c) => ({ c: 'contacts' as const, key: c.id, value: c })) });
  const withParcels = ['p7', 'p4242', 'p99999'];
  for (const id of withParcels) await parcelFor(s, id);

  // Reading the whole address book (`list('contacts')`) is what must not happen per publish.
  const lists: string[] = [];
  const src = { get: s.store.get.bind(s.store), list: ((c: Parameters<typeof s.store.list>[0]) => (lists.push(c), s.store.list(c))) as typeof s.store.list };
  const state = buildDesiredState(src, { bankId: 'b1', column: 1, now: NOW, form: FORM }).state;
  t.same(badgesOf(state).map((c) => c.subjectId).sort(), [...withParcels].sort(), 'only the three recipients with a parcel');
  t.ok(state.credentials.length <= 10, `a small document (${state.credentials.length} credentials)`);
  t.notOk(lists.includes('contacts'), 'the contacts are read by id, never listed');
});

t.test('the publisher sends a new state when a contact with a parcel gets, changes or loses a badge', async (t) => {
  const s = await bankModel();
  await parcelFor(s, 'c1');
  const link = new FakeLink();
  const doors = new DomainDoorMap(s.store, roster());
  const pub = new DesiredPublisher({ src: s.store, events: s, link, doors, forms: FIXED_FORMS, now: () => NOW, refreshMs: 0, debounceMs: 1 });
  t.teardown(() => pub.stop());
  await pub.start();
  const latest = () => link.of('ctl-1').at(-1)!.state;
  t.same(badgesOf(latest()), []);
  const next = async (what: string): Promise<void> => {
    const before = link.of('ctl-1').length;
    const deadline = Date.now() + 5000;
    while (link.of('ctl-1').length === before) {
      if (Date.now() > deadline) throw new Error(`no new state after ${what}`);
      await pub.flush();
      await new Promise((r) => setImmediate(r));
    }
  };
  await s.updateContact('c1', { badgeId: 'NEW-1' }, admin);
  await next('the badge was set');
  t.equal(badgesOf(latest())[0]!.hash, keyedHash('badge', 'NEW-1'), 'the new badge went out');
  await s.updateContact('c1', { badgeId: 'NEW-2' }, admin);
  await next('the badge changed');
  t.equal(badgesOf(latest())[0]!.hash, keyedHash('badge', 'NEW-2'), 'the changed badge replaced it');
  await s.updateContact('c1', { badgeId: null }, admin);
  await next('the badge was removed');
  t.same(badgesOf(latest()), [], 'a removed badge left');
});
