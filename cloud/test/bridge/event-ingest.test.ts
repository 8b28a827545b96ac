import { EventEmitter } from 'node:events';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { EventBody } from '@portier/protocol';
import t from 'tap';
import { DomainDoorMap } from '../../src/bridge/door-map.ts';
import { EventIngest, INGEST_FILE, INGEST_FILE_MIGRATED, type Applied, type IssuedPickupCode } from '../../src/bridge/event-ingest.ts';
import { LockerService } from '../../src/domain/service.ts';
import { DurableStore } from '../../src/store/durable.ts';
import { MemoryStore } from '../../src/store/memory.ts';
import { StoreError, type Change } from '../../src/store/store.ts';
import type { StoredEvent } from '../../src/sync/event-journal.ts';
import { bankModel, operator, roster, tempDir, VAULT, type Teardownable } from './helpers.ts';

/** Stands in for CloudLink + EventJournal: `store(e)` journals an event and emits it as the link does. */
class FakeSync extends EventEmitter<{ 'event-stored': [StoredEvent] }> {
  readonly journal: StoredEvent[] = [];
  private readonly seqs = new Map<string, number>();
  store(controllerId: string, bankId: string, event: EventBody, opts: { emit?: boolean; seq?: number } = {}): StoredEvent {
    const seq = opts.seq ?? (this.seqs.get(controllerId) ?? 0) + 1;
    this.seqs.set(controllerId, Math.max(seq, this.seqs.get(controllerId) ?? 0));
    const e: StoredEvent = { bankId, controllerId, seq, at: Date.now(), storedAt: Date.now(), event };
    if (!this.journal.some((x) => x.controllerId === controllerId && x.seq === seq)) this.journal.push(e);
    if (opts.emit !== false) this.emit('event-stored', e);
    return e;
  }
  async read(controllerId?: string): Promise<StoredEvent[]> {
    return this.journal.filter((e) => controllerId === undefined || e.controllerId === controllerId);
  }
}

const tx = (kind: Extract<EventBody, { type: 'transaction' }>['kind'], doors: number[], reservationIds: string[], extra: Partial<Extract<EventBody, { type: 'transaction' }>> = {}): EventBody => ({
  type: 'transaction',
  kind,
  doors,
  reservationIds,
  trackingIds: [],
  actor: { role: 'operator', id: 'kiosk-op' },
  via: 'keypad',
  offline: false,
  ...extra,
});

async function setup(t: Teardownable, existing?: { s: LockerService; sync: FakeSync; dir: string }) {
  const s = existing?.s ?? (await bankModel());
  const sync = existing?.sync ?? new FakeSync();
  const dir = existing?.dir ?? (await tempDir(t));
  const ingest = new EventIngest({ service: s, source: sync, journal: sync, doors: new DomainDoorMap(s.store, roster()), stateDir: dir });
  const applied: Applied[] = [];
  ingest.on('applied', (a) => applied.push(a));
  await ingest.start();
  t.teardown(() => ingest.stop());
  return { s, sync, dir, ingest, applied };
}

async function status(s: LockerService, n: number): Promise<string> {
  return (await s.getLocker('b1', n)).status;
}

t.test('kiosk drop-off then pickup: the locker goes reserved -> occupied -> available, actor recorded', async (t) => {
  const { s, sync, ingest } = await setup(t);
  const { reservation: r } = await s.reserve({ bankId: 'b1', kind: 'package', recipient: { type: 'contact', id: 'c1' }, size: 'M', trackingId: 'T-1' }, operator);
  const door = (await s.getLocker('b1', r.lockerNumber)).locker.door;
  const ctl = r.lockerNumber >= 11 ? 'ctl-2' : 'ctl-1';
  t.equal(await status(s, r.lockerNumber), 'reserved');

  const codes: IssuedPickupCode[] = [];
  ingest.on('pickup-code', (c) => codes.push(c));
  sync.store(ctl, 'b1', tx('drop-off', [door], [r.id], { trackingIds: ['T-1'] }));
  await ingest.idle();
  t.equal(await status(s, r.lockerNumber), 'occupied', 'drop-off at the kiosk fills the locker');
  t.equal(codes.length, 1, 'the new pickup code is handed to a notifier hook');
  const stored = s.store.get('reservations', r.id)!.pickupCode!;
  t.equal('sealed' in stored.code && VAULT.open('pickup-code', stored.code.sealed), codes[0]!.code, 'it is the code the domain sealed');
  t.match(codes[0], { reservationId: r.id, recipient: { type: 'contact', id: 'c1' }, expiresAt: stored.expiresAt });

  sync.store(ctl, 'b1', tx('pickup', [door], [r.id], { actor: { role: 'recipient', id: 'c1' }, via: 'pin', offline: true }));
  await ingest.idle();
  t.equal(await status(s, r.lockerNumber), 'available', 'pickup at the kiosk (served offline) empties it');
  const pickups = await s.queryActivity({ type: 'pickup' });
  t.match(pickups, [{ reservationId: r.id, actor: { role: 'recipient', id: 'c1' }, trackingId: 'T-1' }]);
  t.equal(ingest.appliedUpTo(ctl), 2);
});

t.test('a pickup by a recipient signed in with a badge: recorded by that contact, the history says a badge was used', async (t) => {
  const { s, sync, ingest } = await setup(t);
  await s.updateContact('c1', { badgeId: 'BADGE-9001' }, operator);
  const { reservation: r } = await s.reserve({ bankId: 'b1', kind: 'package', recipient: { type: 'contact', id: 'c1' }, size: 'S' }, operator);
  await s.dropOff({ reservationId: r.id }, operator);
  const door = (await s.getLocker('b1', r.lockerNumber)).locker.door;
  sync.store('ctl-1', 'b1', tx('pickup', [door], [r.id], { actor: { role: 'recipient', id: 'c1' }, via: 'badge' }));
  await ingest.idle();
  t.equal(await status(s, r.lockerNumber), 'available', 'the reservation ended');
  const [pickup, ...more] = await s.queryActivity({ type: 'pickup' });
  t.same(more, []);
  t.match(pickup, { actor: { role: 'recipient', id: 'c1' }, recipientId: 'c1', reservationId: r.id, detail: 'package, with a badge' });
  t.notOk(JSON.stringify(await s.queryActivity({})).includes('BADGE-9001'), 'the badge number is nowhere in the history');
});

t.test('a delivery or storage into a free locker with no reservation makes the locker occupied', async (t) => {
  const { s, sync, ingest, applied } = await setup(t);
  const codes: IssuedPickupCode[] = [];
  ingest.on('pickup-code', (c) => codes.push(c));
  t.equal(await status(s, 1), 'available');
  const door1 = (await s.getLocker('b1', 1)).locker.door;
  sync.store('ctl-1', 'b1', tx('carrier-delivery', [door1], [], { trackingIds: ['C-1'], actor: { role: 'carrier', id: 'car' } }));
  await ingest.idle();
  t.equal(await status(s, 1), 'occupied', 'the carrier delivery fills the locker');
  const r = s.store.list('reservations').find((x) => x.lockerNumber === 1)!;
  t.match(r, { kind: 'package', status: 'occupied', recipient: { type: 'department', id: 'kiosk-unassigned' }, packages: [{ trackingId: 'C-1' }], createdBy: { role: 'carrier', id: 'car' } });
  t.ok(s.store.get('departments', 'kiosk-unassigned'), 'the unassigned department exists');
  t.equal(codes.length, 1, 'a pickup code for the notifier');
  const sealed = r.pickupCode!.code;
  t.equal('sealed' in sealed && VAULT.open('pickup-code', sealed.sealed), codes[0]!.code);
  // Day-use storage started at the kiosk, with its end time.
  const door2 = (await s.getLocker('b1', 2)).locker.door;
  const endsAt = Date.now() + 3_600_000;
  sync.store('ctl-1', 'b1', tx('storage-start', [door2], [], { actor: { role: 'recipient' }, endsAt }));
  await ingest.idle();
  t.equal(await status(s, 2), 'occupied', 'storage started at the kiosk fills the locker');
  const st = s.store.list('reservations').find((x) => x.lockerNumber === 2)!;
  t.match(st, { kind: 'storage', status: 'occupied', storageMode: 'flexible', endsAt });
  t.ok(st.maxEndsAt! >= Date.now() + 11 * 3_600_000, 'extendable up to the bank\'s maxStorageH (12 h) from the start');
  // The kiosk extends it by an hour: the cloud's end moves with it.
  sync.store('ctl-1', 'b1', tx('storage-extend', [door2], ['st-local-1'], { actor: { role: 'recipient' }, endsAt: endsAt + 3_600_000 }));
  await ingest.idle();
  t.equal(s.store.get('reservations', st.id)!.endsAt, endsAt + 3_600_000, 'storage-extend from the kiosk moves the end');
  t.equal(codes.length, 1, 'no cloud code for storage (the kiosk PIN opens it)');
  // A second delivery event into the same (now occupied) locker adds to its reservation, no second reservation.
  sync.store('ctl-1', 'b1', tx('drop-off', [door1], [], { trackingIds: ['C-2'] }));
  await ingest.idle();
  t.equal(s.store.list('reservations').filter((x) => x.lockerNumber === 1).length, 1);
  t.match(applied.map((a) => a.actions.join(',')), [/^recordKioskOccupancy 1 /, /^recordKioskOccupancy 2 /, /^extendReservation /, /^dropOff /]);
});

t.test('storage ended by the kiosk itself (its time ran out): expired, the belongings stay, the locker is not offered', async (t) => {
  const { s, sync, ingest, applied } = await setup(t);
  const door = (await s.getLocker('b1', 3)).locker.door;
  sync.store('ctl-1', 'b1', tx('storage-start', [door], ['st-local-1'], { actor: { role: 'recipient' } }));
  await ingest.idle();
  t.equal(await status(s, 3), 'occupied');
  const st = s.store.list('reservations').find((x) => x.lockerNumber === 3)!;
  sync.store('ctl-1', 'b1', tx('storage-end', [door], ['st-local-1'], { actor: { role: 'system' } }));
  await ingest.idle();
  t.match(s.store.get('reservations', st.id), { status: 'expired' }, 'expired, not ended');
  t.not(await status(s, 3), 'available', 'not offered for a new parcel');
  t.match(applied.at(-1), { actions: [`expireReservation ${st.id}`] });
  t.match(await s.queryActivity({ type: 'expiry' }), [{ reservationId: st.id, actor: { role: 'system' } }]);
  // Staff then remove the belongings at the kiosk: the locker is free.
  sync.store('ctl-1', 'b1', tx('expired-removal', [door], [st.id]));
  await ingest.idle();
  t.equal(await status(s, 3), 'available', 'removed by staff: available');
});

t.test('duplicate events (same controller and seq) do nothing', async (t) => {
  const { s, sync, ingest, applied } = await setup(t);
  const { reservation: r } = await s.reserve({ bankId: 'b1', kind: 'package', recipient: { type: 'contact', id: 'c1' }, size: 'M' }, operator);
  const door = (await s.getLocker('b1', r.lockerNumber)).locker.door;
  const ctl = r.lockerNumber >= 11 ? 'ctl-2' : 'ctl-1';
  const e = sync.store(ctl, 'b1', tx('drop-off', [door], [r.id]));
  await ingest.idle();
  const activity = (await s.queryActivity({})).length;
  const code = s.store.get('reservations', r.id)!.pickupCode;
  sync.emit('event-stored', e);
  sync.emit('event-stored', e);
  await ingest.idle();
  t.equal((await s.queryActivity({})).length, activity, 'no new activity');
  t.same(s.store.get('reservations', r.id)!.pickupCode, code, 'no second pickup code issued');
  t.equal(applied.length, 1, 'applied once');
});

t.test('a pickup replayed after the reservation ended (cloud pickup first) changes nothing', async (t) => {
  const { s, sync, ingest, applied } = await setup(t);
  const { reservation: r } = await s.reserve({ bankId: 'b1', kind: 'package', recipient: { type: 'contact', id: 'c1' }, size: 'M' }, operator);
  await s.dropOff({ reservationId: r.id }, operator);
  await s.pickUp({ reservationId: r.id }, operator);
  // A new reservation now holds... nothing yet; the old pickup arrives late.
  const door = (await s.getLocker('b1', r.lockerNumber)).locker.door;
  sync.store(r.lockerNumber >= 11 ? 'ctl-2' : 'ctl-1', 'b1', tx('pickup', [door], [r.id]));
  await ingest.idle();
  t.match(applied.at(-1), { actions: [], notes: ['reservation already ended'] });
  t.equal(await status(s, r.lockerNumber), 'available');
});

t.test('service-changed, storage, expired-removal and alerts', async (t) => {
  const { s, sync, ingest } = await setup(t);
  sync.store('ctl-2', 'b1', { type: 'service-changed', door: 2, state: 'out-of-service', actor: { role: 'technician', id: 'tech' }, reason: 'broken hinge' });
  await ingest.idle();
  t.equal(await status(s, 12), 'out-of-service', 'door 2 of column 2 is locker 12');
  t.match(await s.queryActivity({ type: 'service-change' }), [{ lockerNumber: 12, actor: { role: 'technician', id: 'tech' } }]);

  const { reservation: st } = await s.reserve({ bankId: 'b1', kind: 'storage', recipient: { type: 'contact', id: 'c2' }, storage: { mode: 'flexible', minutes: 60, maxMinutes: 240 } }, operator);
  const stDoor = (await s.getLocker('b1', st.lockerNumber)).locker.door;
  const stCtl = st.lockerNumber >= 11 ? 'ctl-2' : 'ctl-1';
  sync.store(stCtl, 'b1', tx('storage-start', [stDoor], [st.id], { actor: { role: 'recipient', id: 'c2' } }));
  await ingest.idle();
  t.equal(await status(s, st.lockerNumber), 'occupied', 'storage started at the kiosk');
  const endsAt = s.store.get('reservations', st.id)!.endsAt!;
  sync.store(stCtl, 'b1', tx('storage-extend', [stDoor], [st.id], { endsAt: endsAt + 30 * 60_000 }));
  await ingest.idle();
  t.equal(s.store.get('reservations', st.id)!.endsAt, endsAt + 30 * 60_000, 'extended by 30 min');
  sync.store(stCtl, 'b1', tx('storage-end', [stDoor], [st.id]));
  await ingest.idle();
  t.equal(await status(s, st.lockerNumber), 'available', 'storage ended');

  const { reservation: r } = await s.reserve({ bankId: 'b1', kind: 'package', recipient: { type: 'contact', id: 'c1' }, size: 'M' }, operator);
  await s.dropOff({ reservationId: r.id }, operator);
  const door = (await s.getLocker('b1', r.lockerNumber)).locker.door;
  const ctl = r.lockerNumber >= 11 ? 'ctl-2' : 'ctl-1';
  sync.store(ctl, 'b1', tx('expired-removal', [door], [r.id]));
  await ingest.idle();
  t.equal(await status(s, r.lockerNumber), 'available');
  t.match((await s.getReservation(r.id)), { status: 'ended', endReason: 'removed' });

  const alerts: unknown[] = [];
  ingest.on('alert', (a) => alerts.push(a));
  sync.store('ctl-1', 'b1', { type: 'door-opened', door: 3, cause: 'forced' });
  sync.store('ctl-1', 'b1', { type: 'door-forced', door: 3 });
  sync.store('ctl-1', 'b1', { type: 'door-left-open', door: 1, openForMs: 125_000 });
  sync.store('ctl-1', 'b1', { type: 'door-closed', door: 1, openForMs: 126_000 });
  await ingest.idle();
  t.match(ingest.alerts('b1'), [
    { kind: 'door-forced', lockerNumber: 3, controllerId: 'ctl-1' },
    { kind: 'door-left-open', lockerNumber: 1, detail: 'open for 125 s' },
  ]);
  t.equal(alerts.length, 2, 'a forced door is one alert, not two');
  const logged = await s.queryActivity({ type: 'alert', bankId: 'b1' });
  t.match(logged, [
    { lockerNumber: 3, actor: { role: 'system', id: 'ctl-1' }, detail: /^door-forced: door opened without an unlock \(controller ctl-1 event \d+\)$/ },
    { lockerNumber: 1, actor: { role: 'system', id: 'ctl-1' }, detail: /^door-left-open: open for 125 s/ },
  ], 'alerts are in the activity log, durable');
});

t.test('a hardware alert on a kiosk door past its own lockers is that board door, not the remote locker of the alias', async (t) => {
  const { s, sync, ingest } = await setup(t);
  // Kiosk ctl-1 has lockers on doors 1..4; in its view, door 5 is the alias of locker 11 (column 2, door 1).
  sync.store('ctl-1', 'b1', { type: 'door-forced', door: 5 });
  sync.store('ctl-2', 'b1', { type: 'door-forced', door: 1 });
  await ingest.idle();
  const alerts = ingest.alerts('b1');
  t.equal(alerts.length, 2);
  t.match(alerts[0], { kind: 'door-forced', controllerId: 'ctl-1', door: 5 });
  t.notOk('lockerNumber' in alerts[0]!, 'no locker: an unused door of the kiosk board was forced, locker 11 was not');
  t.match(alerts[1], { kind: 'door-forced', controllerId: 'ctl-2', door: 1, lockerNumber: 11 }, 'locker 11 forced on its own column');
  const logged = await s.queryActivity({ type: 'alert', bankId: 'b1' });
  t.equal(logged.filter((a) => a.lockerNumber === 11).length, 1, 'one alert on locker 11 in the activity log');
});

t.test('events stored while the cloud was down are applied at the next start; marks survive a restart', async (t) => {
  const first = await setup(t);
  const { s, sync } = first;
  const { reservation: r } = await s.reserve({ bankId: 'b1', kind: 'package', recipient: { type: 'contact', id: 'c1' }, size: 'M' }, operator);
  const door = (await s.getLocker('b1', r.lockerNumber)).locker.door;
  const ctl = r.lockerNumber >= 11 ? 'ctl-2' : 'ctl-1';
  sync.store(ctl, 'b1', tx('drop-off', [door], [r.id]));
  await first.ingest.idle();
  await first.ingest.stop();
  // Stored by the journal, never seen by the (stopped) ingest.
  sync.store(ctl, 'b1', tx('pickup', [door], [r.id]), { emit: false });
  t.equal(await status(s, r.lockerNumber), 'occupied');
  const second = await setup(t, { s, sync, dir: first.dir });
  await second.ingest.idle();
  t.equal(await status(s, r.lockerNumber), 'available', 'the missed pickup was applied at start');
  t.equal(second.applied.length, 1, 'only the missed event, not the drop-off again');
  t.equal(second.ingest.appliedUpTo(ctl), 2);
  t.match(s.store.get('ingestMarks', ctl), { controllerId: ctl, appliedUpTo: 2 }, 'the mark is in the store');
  await t.rejects(stat(join(first.dir, INGEST_FILE)), { code: 'ENOENT' }, 'no ingest.json any more');
});

/** A MemoryStore whose commits matching `failing` are refused as a broken disk would (nothing applied). */
class FlakyStore extends MemoryStore {
  failing: ((c: Change) => boolean) | undefined;
  override commit(change: Change): Promise<void> {
    if (this.failing?.(change)) return Promise.reject(new StoreError('WRITE_FAILED', 'disk on fire'));
    return super.commit(change);
  }
}

t.test('marks live in the durable store: they survive closing and reopening it', async (t) => {
  const storeDir = await tempDir(t, 'portier-ingest-store-');
  const s1 = await bankModel({ service: { store: await DurableStore.open(storeDir), codeHashN: 1024 } });
  const first = await setup(t, { s: s1, sync: new FakeSync(), dir: await tempDir(t) });
  const { sync } = first;
  const { reservation: r } = await s1.reserve({ bankId: 'b1', kind: 'package', recipient: { type: 'contact', id: 'c1' }, size: 'M' }, operator);
  const door = (await s1.getLocker('b1', r.lockerNumber)).locker.door;
  const ctl = r.lockerNumber >= 11 ? 'ctl-2' : 'ctl-1';
  sync.store(ctl, 'b1', tx('drop-off', [door], [r.id]));
  sync.store('ctl-x', 'b2', { type: 'door-closed', door: 1, openForMs: 1000 });
  await first.ingest.stop();
  await s1.store.close();
  sync.store(ctl, 'b1', tx('pickup', [door], [r.id]), { emit: false });

  const s2 = new LockerService({ store: await DurableStore.open(storeDir), codeHashN: 1024, vault: VAULT });
  t.teardown(() => s2.store.close());
  const second = await setup(t, { s: s2, sync, dir: first.dir });
  await second.ingest.idle();
  t.same(second.applied.map((a) => [a.controllerId, a.seq, a.type]), [[ctl, 2, 'transaction']], 'only the missed pickup');
  t.equal(await status(s2, r.lockerNumber), 'available');
  t.equal(second.ingest.appliedUpTo('ctl-x'), 1, 'a controller whose event changed nothing has its mark too');
  t.equal(s2.store.get('ingestMarks', ctl)?.appliedUpTo, 2);
});

t.test('an ingest.json of an older version is taken into the store once, then renamed', async (t) => {
  const s = await bankModel();
  const sync = new FakeSync();
  const dir = await tempDir(t);
  for (let i = 0; i < 3; i++) sync.store('ctl-1', 'b1', { type: 'door-forced', door: 1 }, { emit: false });
  await writeFile(join(dir, INGEST_FILE), JSON.stringify({ version: 1, appliedUpTo: { 'ctl-1': 2, 'ctl-9': 40 } }));
  const first = await setup(t, { s, sync, dir });
  await first.ingest.idle();
  t.same(first.applied.map((a) => a.seq), [3], 'only the event after the old mark is applied, nothing re-applied');
  t.equal(first.ingest.appliedUpTo('ctl-9'), 40);
  t.match(s.store.get('ingestMarks', 'ctl-9'), { appliedUpTo: 40 });
  await t.rejects(stat(join(dir, INGEST_FILE)), { code: 'ENOENT' });
  t.match(JSON.parse(await readFile(join(dir, INGEST_FILE_MIGRATED), 'utf8')), { appliedUpTo: { 'ctl-1': 2 } }, 'left renamed');
  await first.ingest.stop();

  // A restored ingest.json next to marks already in the store is not taken again: the store's marks are newer.
  await writeFile(join(dir, INGEST_FILE), JSON.stringify({ version: 1, appliedUpTo: { 'ctl-1': 0 } }));
  const second = await setup(t, { s, sync, dir });
  await second.ingest.idle();
  t.equal(second.applied.length, 0);
  t.equal(second.ingest.appliedUpTo('ctl-1'), 3);
});

t.test('a corrupt ingest.json with no marks in the store stops the start with a coded error', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, INGEST_FILE), '{"version":1,"appliedUpTo":{"ctl-1":');
  const s = await bankModel();
  const sync = new FakeSync();
  const ingest = new EventIngest({ service: s, source: sync, journal: sync, doors: new DomainDoorMap(s.store, roster()), stateDir: dir });
  await t.rejects(ingest.start(), { name: 'IngestError', code: 'CORRUPT' });
  t.equal(s.store.count('ingestMarks'), 0, 'nothing guessed');
});

t.test('a failing store stops that controller without advancing its mark; a restart applies its events', async (t) => {
  const store = new FlakyStore();
  const s = await bankModel({ service: { store, codeHashN: 1024 } });
  const { sync, dir, ingest, applied } = await setup(t, { s, sync: new FakeSync(), dir: await tempDir(t) });
  sync.store('ctl-1', 'b1', { type: 'door-closed', door: 1, openForMs: 1 });
  await ingest.idle();
  t.equal(ingest.appliedUpTo('ctl-1'), 1);
  // ctl-1's marks cannot be written (the alert itself can): then the domain write of its next alert fails too.
  store.failing = (c) => c.put?.some((p) => p.c === 'ingestMarks' && p.key === 'ctl-1') === true;
  sync.store('ctl-1', 'b1', { type: 'door-closed', door: 2, openForMs: 1 });
  await ingest.idle();
  store.failing = (c) => c.put?.some((p) => p.c === 'ingestMarks' && p.key === 'ctl-1') === true || c.activity?.some((a) => a.type === 'alert') === true;
  sync.store('ctl-1', 'b1', { type: 'door-forced', door: 3 });
  sync.store('ctl-2', 'b1', { type: 'door-closed', door: 1, openForMs: 1 });
  await ingest.idle();
  t.equal(s.store.get('ingestMarks', 'ctl-1')?.appliedUpTo, 1, 'the durable mark did not move');
  t.same(applied.filter((a) => a.controllerId === 'ctl-1').map((a) => a.seq), [1, 2], 'seq 2 was applied in memory, its mark not saved');
  t.equal((await s.queryActivity({ type: 'alert' })).length, 0, 'the alert after it was not applied');
  t.equal(s.store.get('ingestMarks', 'ctl-2')?.appliedUpTo, 1, 'another controller goes on');
  await ingest.stop();

  store.failing = undefined;
  const again = await setup(t, { s, sync, dir });
  await again.ingest.idle();
  t.same(again.applied.map((a) => [a.controllerId, a.seq]), [['ctl-1', 2], ['ctl-1', 3]], 'applied again after the restart');
  t.equal((await s.queryActivity({ type: 'alert' })).length, 1);
  t.equal(s.store.get('ingestMarks', 'ctl-1')?.appliedUpTo, 3);
});

t.test('crash window: the event whose mark was lost is not applied twice', async (t) => {
  const first = await setup(t);
  const { s, sync, dir } = first;
  const codes: IssuedPickupCode[] = [];
  first.ingest.on('pickup-code', (c) => codes.push(c));
  const { reservation: r } = await s.reserve({ bankId: 'b1', kind: 'package', recipient: { type: 'contact', id: 'c1' }, size: 'M' }, operator);
  const door = (await s.getLocker('b1', r.lockerNumber)).locker.door;
  const ctl = r.lockerNumber >= 11 ? 'ctl-2' : 'ctl-1';
  const before = Date.now();
  sync.store(ctl, 'b1', tx('drop-off', [door], [r.id]));
  await first.ingest.idle();
  t.equal(codes.length, 1);
  const code = s.store.get('reservations', r.id)!.pickupCode;
  // A forced door on the other column, applied, its mark lost the same way.
  const other = ctl === 'ctl-1' ? 'ctl-2' : 'ctl-1';
  sync.store(other, 'b1', { type: 'door-forced', door: 1 });
  await first.ingest.stop();
  // The crash lost the marks written after the domain changes: the store holds what was durable before them.
  await s.store.commit({
    put: [
      { c: 'ingestMarks', key: ctl, value: { controllerId: ctl, appliedUpTo: 0, at: before, applying: { seq: 1, at: before } } },
      { c: 'ingestMarks', key: other, value: { controllerId: other, appliedUpTo: 0, at: before } },
    ],
  });

  const second = await setup(t, { s, sync, dir });
  const codes2: IssuedPickupCode[] = [];
  second.ingest.on('pickup-code', (c) => codes2.push(c));
  await second.ingest.idle();
  t.same(second.applied.map((a) => a.notes), [['applied before the restart (its mark was lost)'], ['applied before the restart (its mark was lost)']]);
  t.same(s.store.get('reservations', r.id)!.pickupCode, code, 'no second pickup code');
  t.equal(codes2.length, 0);
  t.equal((await s.queryActivity({ type: 'alert' })).length, 1, 'the alert is in the activity once');
  t.equal(second.ingest.appliedUpTo(ctl), 1);
  t.equal(second.ingest.appliedUpTo(other), 1);
});

t.test('crash window: a transaction whose domain change was not durable is applied at the next start', async (t) => {
  const first = await setup(t);
  const { s, sync, dir } = first;
  const { reservation: r } = await s.reserve({ bankId: 'b1', kind: 'package', recipient: { type: 'contact', id: 'c1' }, size: 'M' }, operator);
  const door = (await s.getLocker('b1', r.lockerNumber)).locker.door;
  const ctl = r.lockerNumber >= 11 ? 'ctl-2' : 'ctl-1';
  await first.ingest.stop();
  // Its `applying` mark was durable, the drop-off commit was not.
  sync.store(ctl, 'b1', tx('drop-off', [door], [r.id]), { emit: false });
  await s.store.commit({ put: [{ c: 'ingestMarks', key: ctl, value: { controllerId: ctl, appliedUpTo: 0, at: Date.now(), applying: { seq: 1, at: Date.now() } } }] });
  const second = await setup(t, { s, sync, dir });
  await second.ingest.idle();
  t.match(second.applied, [{ seq: 1, actions: [`dropOff ${r.id}`] }]);
  t.equal(await status(s, r.lockerNumber), 'occupied');
});

t.test('a held parcel the kiosk added to the recipient\'s occupied locker: it joins that locker, the held locker is released', async (t) => {
  const { s, sync, ingest, applied } = await setup(t);
  const { reservation: a } = await s.reserve({ bankId: 'b1', kind: 'package', recipient: { type: 'contact', id: 'c1' }, size: 'S', trackingId: 'T-1' }, operator);
  await s.dropOff({ reservationId: a.id, trackingIds: ['T-1'] }, operator);
  const { reservation: b } = await s.reserve({ bankId: 'b1', kind: 'package', recipient: { type: 'contact', id: 'c1' }, size: 'S', trackingId: 'T-2' }, operator);
  t.not(b.lockerNumber, a.lockerNumber, 'held in another locker (b1 does not add to existing lockers at reservation)');
  const doorA = (await s.getLocker('b1', a.lockerNumber)).locker.door;
  const ctl = a.lockerNumber >= 11 ? 'ctl-2' : 'ctl-1';
  const codes: IssuedPickupCode[] = [];
  ingest.on('pickup-code', (c) => codes.push(c));
  // The kiosk's "add to locker N" choice: the door of the existing locker, the held reservation's id.
  sync.store(ctl, 'b1', tx('drop-off', [doorA], [b.id], { trackingIds: ['T-2'] }));
  await ingest.idle();
  t.equal(await status(s, a.lockerNumber), 'occupied');
  t.same(s.store.get('reservations', a.id)!.packages.map((p) => p.trackingId), ['T-1', 'T-2'], 'both parcels in the existing locker');
  t.equal(await status(s, b.lockerNumber), 'available', 'the held locker is free again (it was never filled)');
  t.equal(s.store.get('reservations', b.id), undefined, 'the held reservation ended');
  t.match(codes, [{ reservationId: a.id }], 'a pickup code for the existing locker goes to the notifier');
  t.match(applied.at(-1)!.actions, [`dropOff ${a.id}`, `endReservation ${b.id} cancelled`]);
  // Replayed: nothing more.
  sync.store(ctl, 'b1', tx('drop-off', [doorA], [b.id], { trackingIds: ['T-2'] }));
  await ingest.idle();
  t.equal(codes.length, 1, 'a replay changes nothing');
});
