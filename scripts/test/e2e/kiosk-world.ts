// The kiosk world shared by the kiosk end-to-end tests: the whole cloud on a temp data folder, the demo bank seeded
// and provisioned, the column that is not the kiosk's put out of service through the API (so everything lands in the
// kiosk column: lockers 1-5, doors 1-5; or, with `column: 'plain'`, the other way round), and the simulated bank of
// real controllers online with a desired state. Plus the helpers the test files share (doors open, the kiosk's
// desired state, stored transactions and events, a locker's status in the API).
import { join } from 'node:path';
import sinon from 'sinon';
import type { Test } from 'tap';
import type { DesiredState, EventBody } from '@portier/protocol';
import type { CloudRuntime } from '@portier/cloud';
import type { SimBank } from '@portier/rig';
import { Recorder, acrossBrokerMs, api, expectCondition, type ApiReply, expectValue, login, onlineWithinMs, restartCloud, seedAndProvision, startBank, startE2eCloud, stopCloud, tempDir, type CloudStartOptions, type Provisioned } from './helpers.ts';

export const KIOSK_COLUMN_LOCKERS = [1, 2, 3, 4, 5];
export const OTHER_COLUMN_LOCKERS = [6, 7, 8, 9, 10, 11, 12];

export type Transaction = Extract<EventBody, { type: 'transaction' }>;

export interface KioskWorld {
  dir: string;
  cloud: CloudRuntime;
  rec: Recorder;
  p: Provisioned;
  bank: SimBank;
  token: string;
  bankId: string;
  kioskId: string;
}

export interface KioskWorldOptions {
  language?: 'en' | 'fr';
  /** The column parcels go to: the other column's lockers are put out of service (default the kiosk column). */
  column?: 'kiosk' | 'plain';
  /** The cloud config's `notify` section (parcel-ready webhook). */
  notify?: CloudStartOptions['notify'];
  /** The cloud's clock (default the real one). */
  now?: () => number;
  /** Bank rules changed through the API before the bank starts (PATCH /banks/{id}). */
  rules?: Record<string, unknown>;
  /** The kiosk column's touch screen, served on loopback (the browser tests' page). */
  kioskScreen?: { port?: number; blankInAudioMode?: boolean };
  /** Runs after seeding, before the bank starts (e.g. issue a carrier code). */
  before?: (w: Omit<KioskWorld, 'bank' | 'kioskId'>) => Promise<void>;
}

export async function kioskWorld(t: Test, o: KioskWorldOptions = {}): Promise<KioskWorld> {
  const dir = tempDir(t, 'portier-e2e-kiosk-');
  const cloud = await startE2eCloud(t, { dataDir: join(dir, 'cloud'), ...(o.notify ? { notify: o.notify } : {}), ...(o.now ? { now: o.now } : {}) });
  const rec = await Recorder.start(t, cloud);
  const p = await seedAndProvision(cloud, dir);
  const bankId = p.seeded.bankId;
  const token = await login(cloud);
  const plain = o.column === 'plain';
  for (const n of plain ? KIOSK_COLUMN_LOCKERS : OTHER_COLUMN_LOCKERS) {
    const r = await api(cloud, 'PUT', `/banks/${bankId}/lockers/${n}/service`, token, { state: 'out-of-service', reason: `e2e: ${plain ? 'plain' : 'kiosk'} column only` });
    if (r.status !== 200) throw new Error(`service ${n}: ${r.status} ${JSON.stringify(r.json)}`);
  }
  if (o.rules) {
    const r = await api(cloud, 'PATCH', `/banks/${bankId}`, token, { rules: o.rules });
    if (r.status !== 200) throw new Error(`rules: ${r.status} ${JSON.stringify(r.json)}`);
  }
  if (o.before) await o.before({ dir, cloud, rec, p, token, bankId });
  const bank = await startBank(t, cloud, p, { dataDir: join(dir, 'controllers'), ...(o.language ? { language: o.language } : {}), ...(o.kioskScreen ? { kioskScreen: o.kioskScreen } : {}) });
  const kioskId = bank.kiosk!.column.controllerId;
  const w = { dir, cloud, rec, p, bank, token, bankId, kioskId };
  // The bank may start on the desired state retained before the rules changed; the republished one follows.
  const rules = Object.entries(o.rules ?? {});
  if (rules.length) {
    await expectCondition(() => {
      const held = kioskState(w)?.rules as Record<string, unknown> | undefined;
      return held !== undefined && rules.every(([k, v]) => JSON.stringify(held[k]) === JSON.stringify(v));
    }, 10_000, 'the bank rules reached the kiosk controller');
  }
  return w;
}

export interface OperatorKioskWorld extends KioskWorld {
  operatorId: string;
  pin: string;
}

/** The kiosk world with an operator "olga" whose staff PIN (issued through the API) reached the kiosk. */
export async function operatorKioskWorld(t: Test, o: KioskWorldOptions = {}): Promise<OperatorKioskWorld> {
  let operatorId = '';
  const kw = await kioskWorld(t, {
    ...o,
    before: async (w) => {
      const user = await api(w.cloud, 'POST', '/users', w.token, { username: 'olga', password: 'olga-mailroom-1', role: 'operator' });
      if (user.status !== 201) throw new Error(`user: ${user.status} ${JSON.stringify(user.json)}`);
      operatorId = user.json.user.id as string;
      if (o.before) await o.before(w);
    },
  });
  const issued = await api(kw.cloud, 'POST', '/staff-credentials', kw.token, { role: 'operator', subjectId: operatorId, kind: 'staff-pin', bankIds: [kw.bankId], label: 'Olga' });
  if (issued.status !== 201) throw new Error(`staff PIN: ${issued.status} ${JSON.stringify(issued.json)}`);
  const w: OperatorKioskWorld = { ...kw, operatorId, pin: issued.json.code as string };
  await expectCondition(() => kioskState(w)?.credentials.some((c) => c.kind === 'staff-pin') ?? false, acrossBrokerMs(5000), 'the operator PIN reaches the kiosk controller');
  return w;
}

/** The operator types the PIN on the home page: the staff menu opens. */
export async function signInWithPin(w: OperatorKioskWorld): Promise<void> {
  const kiosk = w.bank.kiosk!;
  await kiosk.expectPage('home');
  await kiosk.type(w.pin);
  await kiosk.expectPage('staff-menu');
}

/** The signed-in operator goes back to the staff menu and signs out: the kiosk is home again. */
export async function signOutStaff(w: KioskWorld): Promise<void> {
  const kiosk = w.bank.kiosk!;
  if (kiosk.engine.screen.page !== 'staff-menu') await kiosk.select('back');
  await kiosk.expectPage('staff-menu');
  await kiosk.select('sign-out');
  await expectCondition(() => kiosk.engine.screen.page === 'home', 3000, 'signed out');
}

export interface FakedDateWorld {
  w: KioskWorld;
  clock: sinon.SinonFakeTimers;
  /** The kiosk's time: the controller's estimate of cloud time (the faked clock plus the measured offset). */
  kioskNow: () => number;
}

/**
 * The kiosk world on a faked `Date` for cloud and controller alike (sinon, advancing with real time so real I/O and
 * its timeouts keep working), faked before anything starts: the controller link keeps a reference to `Date.now` from
 * its start.
 */
export async function kioskWorldOnFakedDate(t: Test, o: KioskWorldOptions = {}): Promise<FakedDateWorld> {
  const clock = sinon.useFakeTimers({ toFake: ['Date'], now: Date.now(), shouldAdvanceTime: true });
  t.teardown(() => clock.restore());
  const w = await kioskWorld(t, o);
  const ctl = w.bank.kiosk!.column.controller;
  return { w, clock, kioskNow: () => ctl.link!.cloudNow() };
}

/**
 * `setTimeout` spied on (calls go through unchanged), to find a long kiosk timer that must run once the faked clock
 * jumped past it; restored at the end of the test if the test did not restore it before.
 */
export function spyOnSetTimeout(t: Test) {
  const timers = sinon.spy(globalThis, 'setTimeout');
  t.teardown(() => {
    if ((globalThis.setTimeout as unknown) === timers) timers.restore();
  });
  return timers;
}

/**
 * Puts this process in a time zone where it is mid-morning now: day-use storage ends at 22:00 local time on the kiosk
 * (its default), so a storage of a few hours started by a test never runs into the end of the day, whenever it runs.
 */
export function runInMorningTimeZone(): void {
  const offset = (((10 - new Date().getUTCHours()) % 24) + 24) % 24; // hours east of UTC that make it 10:xx local
  const east = offset > 14 ? offset - 24 : offset;
  process.env.TZ = east === 0 ? 'UTC' : `Etc/GMT${east > 0 ? '-' : '+'}${Math.abs(east)}`; // Etc/GMT signs are inverted
}

/** Doors physically open in the simulator, as "column/door". */
export function doorsOpen(bank: SimBank): string[] {
  return bank.columns.flatMap((c) => [...c.doors.values()].filter((d) => d.open).map((d) => `${c.number}/${d.number}`));
}

/** The kiosk controller's credential key, as the cloud keeps it (provisioning wrote it into the controller's config). */
export function kioskKey(w: KioskWorld): Buffer {
  const key = w.cloud.credentialKeys.keyOf(w.kioskId);
  if (!key) throw new Error(`the cloud holds no credential key for ${w.kioskId}`);
  return key;
}

/** The kiosk controller's current desired state, if it has one (for waits). */
export function kioskState(w: KioskWorld): DesiredState | undefined {
  return w.bank.kiosk!.column.controller.link?.desired.desired?.state;
}

/** The kiosk controller's current desired state (after the cloud's last publish reached it). */
export function desiredOf(w: KioskWorld): DesiredState {
  const d = kioskState(w);
  if (!d) throw new Error('the kiosk controller has no desired state');
  return d;
}

/** Waits until the kiosk controller holds the hash of the code (pickup or drop-off) of reservation `reservationId`. */
export async function codeOnKiosk(w: KioskWorld, reservationId: string, what: string, ms = acrossBrokerMs(5000)): Promise<void> {
  await expectCondition(() => kioskState(w)?.credentials.some((c) => c.kind === 'pickup-code' && (c.reservationIds ?? []).includes(reservationId)) ?? false, ms, what);
}

export function lockerOfDoor(w: KioskWorld, door: number): number {
  const d = desiredOf(w).doors.find((x) => x.door === door);
  if (!d) throw new Error(`door ${door} is no locker of the kiosk column`);
  return d.locker;
}

export function doorOfLocker(w: KioskWorld, locker: number): number {
  const d = desiredOf(w).doors.find((x) => x.locker === locker);
  if (!d) throw new Error(`locker ${locker} is not in the kiosk column`);
  return d.door;
}

/** Issues the demo carrier an 8-digit code for the bank through the API (checks the 201); waits until the kiosk controller holds it. */
export async function carrierCodeOnKiosk(t: Test, w: KioskWorld): Promise<{ code: string; reply: ApiReply['json'] }> {
  const issued = await api(w.cloud, 'POST', '/carriers/demo-carrier/codes', w.token, { digits: 8, bankIds: [w.bankId] });
  t.equal(issued.status, 201, 'carrier code issued through the API');
  await expectCondition(() => kioskState(w)?.credentials.some((c) => c.kind === 'carrier-code') ?? false, acrossBrokerMs(5000), 'the carrier code reaches the kiosk controller');
  return { code: issued.json.code as string, reply: issued.json };
}

/**
 * A carrier on the drop-off page with no reservation for the parcel: chooses the first size offered (one must be) and
 * delivers into a free locker of it; returns the kiosk column's door that opened.
 */
export async function deliverToFreeLocker(t: Test, w: KioskWorld): Promise<number> {
  const kiosk = w.bank.kiosk!;
  await kiosk.select('choose-size');
  await kiosk.expectPage('choose-size');
  const size = kiosk.engine.screen.options.find((o) => o.id.startsWith('size-'));
  t.ok(size, 'a size with free lockers is offered');
  await kiosk.select(size!.id);
  await kiosk.expectPage('dropoff-open');
  await expectCondition(() => doorsOpen(w.bank).length === 1, 3000, 'a door open');
  return Number(doorsOpen(w.bank)[0]!.split('/')[1]);
}

/** Every transaction the cloud stored for the kiosk controller (its event journal), oldest first. */
export async function storedTransactions(w: KioskWorld): Promise<Transaction[]> {
  return (await w.cloud.journal.read(w.kioskId)).flatMap((e) => (e.event.type === 'transaction' ? [e.event] : []));
}

/** Waits until the cloud stored a transaction passing `pred`; returns it. */
export function txStored(w: KioskWorld, what: string, pred: (tx: Transaction) => boolean, ms = acrossBrokerMs(8000)): Promise<Transaction> {
  return expectValue(async () => (await storedTransactions(w)).find(pred), ms, `${what} stored by the cloud`);
}

/** Waits until the cloud stored the pickup of reservation `reservationId`; returns it. */
export function pickupStored(w: KioskWorld, reservationId: string): Promise<Transaction> {
  return txStored(w, 'the pickup', (x) => x.kind === 'pickup' && x.reservationIds.includes(reservationId));
}

/** Waits until the cloud stored the pickup of reservation `reservationId` and shows its locker available in the API. */
export async function pickedUp(w: KioskWorld, reservationId: string, locker: number): Promise<Transaction> {
  const tx = await pickupStored(w, reservationId);
  await lockerStatus(w, locker, 'available');
  return tx;
}

export interface ReservedParcel {
  reservationId: string;
  locker: number;
  /** The API's whole reply (`reservation`, and a `dropOffCode` or `addedToExisting` where the kind has one). */
  reply: ApiReply['json'];
}

/**
 * Reserves through the API (a package of size S for alice unless `body` says otherwise) and checks the 201 under the
 * name `what`.
 */
export async function reserveParcel(t: Test, w: KioskWorld, body: Record<string, unknown>, what = 'reserved through the API'): Promise<ReservedParcel> {
  const res = await api(w.cloud, 'POST', '/reservations', w.token, { bankId: w.bankId, kind: 'package', recipient: { type: 'contact', id: 'alice' }, size: 'S', ...body });
  t.equal(res.status, 201, what, { reply: res.json });
  return { reservationId: res.json.reservation.id as string, locker: res.json.reservation.lockerNumber as number, reply: res.json };
}

/** Drops a reserved parcel off through the API and checks the 200; returns the recipient's pickup code. */
export async function dropOffParcel(t: Test, w: KioskWorld, reservationId: string, trackingId: string): Promise<string> {
  const drop = await api(w.cloud, 'POST', `/reservations/${reservationId}/drop-off`, w.token, { trackingIds: [trackingId] });
  t.equal(drop.status, 200, 'dropped off through the API');
  return drop.json.pickupCode as string;
}

export interface DroppedParcel {
  reservationId: string;
  locker: number;
  door: number;
  code: string;
}

/** Reserves a package for alice and drops it off through the API; waits until the kiosk controller holds its pickup code. */
export async function droppedParcel(t: Test, w: KioskWorld, trackingId: string): Promise<DroppedParcel> {
  const { reservationId, locker } = await reserveParcel(t, w, { trackingId });
  const code = await dropOffParcel(t, w, reservationId, trackingId);
  await codeOnKiosk(w, reservationId, 'the pickup code reaches the kiosk controller');
  return { reservationId, locker, door: doorOfLocker(w, locker), code };
}

/** Waits until the cloud stored an event of the kiosk controller passing `pred`; returns it. */
export function eventStored(w: KioskWorld, what: string, pred: (e: Record<string, unknown>) => boolean, ms = acrossBrokerMs(8000)): Promise<Record<string, unknown>> {
  return expectValue(async () => (await w.cloud.journal.read(w.kioskId)).map((x) => x.event as unknown as Record<string, unknown>).find(pred), ms, what);
}

export async function lockerApi(w: KioskWorld, locker: number): Promise<{ status: string } & Record<string, unknown>> {
  const r = await api(w.cloud, 'GET', `/banks/${w.bankId}/lockers/${locker}`, w.token);
  if (r.status !== 200) throw new Error(`locker ${locker}: ${r.status} ${JSON.stringify(r.json)}`);
  return r.json as { status: string };
}

export async function lockerStatus(w: KioskWorld, locker: number, status: string, ms = acrossBrokerMs(5000)): Promise<void> {
  await expectCondition(async () => (await lockerApi(w, locker)).status === status, ms, `locker ${locker} ${status} in the API`);
}

/** The end of a kiosk run: every door shut again, and every message of the run matched its published JSON Schema. */
export function shutAndCheckSchemas(t: Test, w: KioskWorld): void {
  w.bank.closeAllDoors();
  w.rec.expectSchemasMatched(t);
}

/**
 * The cloud and its broker go away (the embedded broker with the cloud; a Mosquitto or every node of the NATS cluster
 * is stopped too); resolves once the kiosk controller saw its link drop.
 */
export async function outage(w: KioskWorld): Promise<void> {
  await stopCloud(w.cloud, { broker: true });
  await expectCondition(() => w.bank.kiosk!.column.controller.linkStatus()?.state !== 'online', 5000, 'the kiosk controller offline');
}

/** After `outage`: the broker and a new cloud on the same data folder; resolves once the kiosk controller is back online. */
export async function backOnline(t: Test, w: KioskWorld, o: Omit<CloudStartOptions, 'dataDir' | 'mqttPort'> = {}): Promise<KioskWorld> {
  const cloud = await restartCloud(t, w.cloud, o);
  const w2: KioskWorld = { ...w, cloud, token: await login(cloud) };
  await expectCondition(() => w.bank.kiosk!.column.controller.linkStatus()?.state === 'online', onlineWithinMs(), 'the kiosk controller back online');
  return w2;
}
