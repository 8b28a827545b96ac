// The kiosk world shared by the kiosk end-to-end tests: the whole cloud on a temp data folder, the demo bank seeded
// and provisioned, the column that is not the kiosk's put out of service through the API (so everything lands in the
// kiosk column: lockers 1-5, doors 1-5; or, with `column: 'plain'`, the other way round), and the simulated bank of
// real controllers online with a desired state. Plus the helpers the test files share (doors open, the kiosk's
// desired state, stored transactions and events, a locker's status in the API).
import { join } from 'node:path';
import type { Test } from 'tap';
import type { DesiredState, EventBody } from '@portier/protocol';
import type { CloudRuntime } from '@portier/cloud';
import type { SimBank } from '@portier/rig';
import { Recorder, api, expectCondition, expectValue, login, restartCloud, seedAndProvision, startBank, startE2eCloud, stopCloud, tempDir, type CloudStartOptions, type Provisioned } from './helpers.ts';

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
  const bank = await startBank(t, cloud, p, { dataDir: join(dir, 'controllers'), ...(o.language ? { language: o.language } : {}) });
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
export async function codeOnKiosk(w: KioskWorld, reservationId: string, what: string, ms = 5000): Promise<void> {
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

/** Every transaction the cloud stored for the kiosk controller (its event journal), oldest first. */
export async function storedTransactions(w: KioskWorld): Promise<Transaction[]> {
  return (await w.cloud.journal.read(w.kioskId)).flatMap((e) => (e.event.type === 'transaction' ? [e.event] : []));
}

/** Waits until the cloud stored a transaction passing `pred`; returns it. */
export function txStored(w: KioskWorld, what: string, pred: (tx: Transaction) => boolean, ms = 8000): Promise<Transaction> {
  return expectValue(async () => (await storedTransactions(w)).find(pred), ms, `${what} stored by the cloud`);
}

export interface DroppedParcel {
  reservationId: string;
  locker: number;
  door: number;
  code: string;
}

/** Reserves a package for alice and drops it off through the API; waits until the kiosk controller holds its pickup code. */
export async function droppedParcel(t: Test, w: KioskWorld, trackingId: string): Promise<DroppedParcel> {
  const res = await api(w.cloud, 'POST', '/reservations', w.token, { bankId: w.bankId, kind: 'package', recipient: { type: 'contact', id: 'alice' }, size: 'S', trackingId });
  t.equal(res.status, 201, 'reserved through the API');
  const reservationId = res.json.reservation.id as string;
  const locker = res.json.reservation.lockerNumber as number;
  const drop = await api(w.cloud, 'POST', `/reservations/${reservationId}/drop-off`, w.token, { trackingIds: [trackingId] });
  t.equal(drop.status, 200, 'dropped off through the API');
  await codeOnKiosk(w, reservationId, 'the pickup code reaches the kiosk controller');
  return { reservationId, locker, door: doorOfLocker(w, locker), code: drop.json.pickupCode as string };
}

/** Waits until the cloud stored an event of the kiosk controller passing `pred`; returns it. */
export function eventStored(w: KioskWorld, what: string, pred: (e: Record<string, unknown>) => boolean, ms = 8000): Promise<Record<string, unknown>> {
  return expectValue(async () => (await w.cloud.journal.read(w.kioskId)).map((x) => x.event as unknown as Record<string, unknown>).find(pred), ms, what);
}

export async function lockerApi(w: KioskWorld, locker: number): Promise<{ status: string } & Record<string, unknown>> {
  const r = await api(w.cloud, 'GET', `/banks/${w.bankId}/lockers/${locker}`, w.token);
  if (r.status !== 200) throw new Error(`locker ${locker}: ${r.status} ${JSON.stringify(r.json)}`);
  return r.json as { status: string };
}

export async function lockerStatus(w: KioskWorld, locker: number, status: string, ms = 5000): Promise<void> {
  await expectCondition(async () => (await lockerApi(w, locker)).status === status, ms, `locker ${locker} ${status} in the API`);
}

/**
 * The cloud and its broker go away (the embedded broker with the cloud; a Mosquitto is stopped too); resolves once
 * the kiosk controller saw its link drop.
 */
export async function outage(w: KioskWorld): Promise<void> {
  await stopCloud(w.cloud, { broker: true });
  await expectCondition(() => w.bank.kiosk!.column.controller.linkStatus()?.state !== 'online', 5000, 'the kiosk controller offline');
}

/** After `outage`: the broker and a new cloud on the same data folder; resolves once the kiosk controller is back online. */
export async function backOnline(t: Test, w: KioskWorld, o: Omit<CloudStartOptions, 'dataDir' | 'mqttPort'> = {}): Promise<KioskWorld> {
  const cloud = await restartCloud(t, w.cloud, o);
  const w2: KioskWorld = { ...w, cloud, token: await login(cloud) };
  await expectCondition(() => w.bank.kiosk!.column.controller.linkStatus()?.state === 'online', 8000, 'the kiosk controller back online');
  return w2;
}
