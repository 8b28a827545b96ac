import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import {
  encodePayload,
  generateCommandKeyPair,
  importPrivateKey,
  importPublicKey,
  parsePayload,
  signMessage,
  verifyMessage,
  type Ack,
  type Command,
  type CommandType,
  type EventBody,
} from '@portier/protocol';
import t from 'tap';
import { buildDesiredState, kioskListingView } from '../../src/bridge/desired-builder.ts';
import { listingForm } from '../../src/bridge/credential-forms.ts';
import { DomainDoorMap } from '../../src/bridge/door-map.ts';
import { KioskRelay, type KioskRelayHandled } from '../../src/bridge/kiosk-relay.ts';
import type { StoredEvent } from '../../src/sync/event-journal.ts';
import { RemoteOpen, type RemoteOpenAuditEntry } from '../../src/sync/remote-open.ts';
import { MemoryStore } from '../../src/store/memory.ts';
import { admin, bankModel, operator, roster } from './helpers.ts';

const NOW = Date.UTC(2026, 0, 15, 9);
const pair = generateCommandKeyPair();
const privateKey = importPrivateKey(pair.privateKeyPem);
const publicKey = importPublicKey(pair.publicKeyPem);

/**
 * A link like CloudLink: signs every command with the cloud key, stores events and emits `event-stored`, and here
 * answers each open-door with the ack the column's controller would give (`doorAnswer`).
 */
class FakeLink extends EventEmitter<{ 'event-stored': [StoredEvent]; ack: [{ bankId: string; controllerId: string; ack: Ack }] }> {
  readonly sent: Command[] = [];
  doorAnswer: Ack['status'] | 'silent' = 'opened';
  async sendCommand<T extends CommandType>(bankId: string, controllerId: string, type: T, body: unknown, opts: { ttlMs?: number; id?: string } = {}): Promise<Command> {
    const cmd = signMessage(
      { v: 1 as const, id: opts.id ?? `cmd-${randomUUID()}`, type, bankId, controllerId, issuedAt: NOW, expiresAt: NOW + (opts.ttlMs ?? 10_000), body },
      privateKey,
    ) as unknown as Command;
    // What goes on the wire must pass the protocol's schema.
    const wire = parsePayload('cmd', encodePayload('cmd', cmd));
    if (!wire.ok) throw new Error(wire.message);
    this.sent.push(cmd);
    if (type === 'open-door' && this.doorAnswer !== 'silent') {
      const status = this.doorAnswer;
      setImmediate(() => this.emit('ack', { bankId, controllerId, ack: { v: 1, commandId: cmd.id, status, at: NOW, ...(status === 'rejected' ? { reason: 'out_of_service' as const } : {}) } }));
    }
    return cmd;
  }
  of(type: CommandType): Command[] {
    return this.sent.filter((c) => c.type === type);
  }
}

async function setup(t: { teardown(fn: () => unknown): void }, opts: { now?: number; openTimeoutMs?: number } = {}) {
  const s = await bankModel();
  return setupWith(t, s, () => opts.now ?? NOW, opts.openTimeoutMs);
}

async function setupWith(t: { teardown(fn: () => unknown): void }, s: Awaited<ReturnType<typeof bankModel>>, now: () => number, openTimeoutMs?: number) {
  const link = new FakeLink();
  const ros = roster();
  const audit: RemoteOpenAuditEntry[] = [];
  const remoteOpen = new RemoteOpen({ link, doorMap: new DomainDoorMap(s.store, ros), audit: (e) => void audit.push(e), now: () => NOW, ackGraceMs: 10 });
  const kioskView = (q: { bankId: string; column: number; now: number }) => kioskListingView(s.store, q);
  const relay = new KioskRelay({ link, src: s.store, roster: ros, kioskView, remoteOpen, alerts: s, now, openTimeoutMs: openTimeoutMs ?? 500 });
  relay.start();
  t.teardown(async () => {
    await relay.stop();
    remoteOpen.close();
  });
  let seq = 0;
  /** The kiosk's event as the link stores it; resolves with what the relay did. */
  const request = (event: Partial<Extract<EventBody, { type: 'kiosk-open-request' }>>, o: { controllerId?: string; at?: number } = {}): Promise<KioskRelayHandled> => {
    const done = new Promise<KioskRelayHandled>((r) => relay.once('handled', r));
    link.emit('event-stored', {
      bankId: 'b1',
      controllerId: o.controllerId ?? 'ctl-1',
      seq: ++seq,
      at: o.at ?? NOW - 300,
      storedAt: NOW,
      event: { type: 'kiosk-open-request', requestId: `kor-${seq}`, door: 6, locker: 12, purpose: 'pickup', ...event } as EventBody,
    });
    return done;
  };
  return { s, link, relay, request, audit };
}

/** A parcel for c1 in locker 12 (column 2, door 2; kiosk alias 6): returns its pickup credential id. */
async function parcelIn12(s: Awaited<ReturnType<typeof bankModel>>): Promise<string> {
  const others = [1, 2, 3, 4, 11];
  for (const n of others) await s.setServiceState('b1', n, { state: 'out-of-service' }, admin);
  const { reservation } = await s.reserve({ bankId: 'b1', kind: 'package', recipient: { type: 'contact', id: 'c1' }, size: 'M' }, operator);
  for (const n of others) await s.setServiceState('b1', n, { state: 'in-service' }, admin);
  if (reservation.lockerNumber !== 12) throw new Error(`allocated ${reservation.lockerNumber}`);
  await s.dropOff({ reservationId: reservation.id }, operator);
  const cred = buildDesiredState(s.store, { bankId: 'b1', column: 1, now: NOW, form: listingForm() }).state.credentials.find((c) => c.reservationIds.includes(reservation.id));
  return cred!.id;
}

/** A staff PIN of the bank for a new user of `role` (operator or admin): its credential id in the kiosk's view. */
async function staffPin(s: Awaited<ReturnType<typeof bankModel>>, role: 'operator' | 'admin' = 'operator'): Promise<{ credentialId: string; staffId: string }> {
  const userId = `u-${role}-${s.store.list('users').length + 1}`;
  await s.createUser({ enterpriseId: 'ent', id: userId, username: userId, role, passwordHash: 'x' });
  const { staffCredential } = await s.issueStaffCredential({ role, subjectId: userId, kind: 'staff-pin', bankIds: ['b1'] }, admin);
  const cred = buildDesiredState(s.store, { bankId: 'b1', column: 1, now: NOW, form: listingForm() }).state.credentials.find((c) => c.subjectId === userId);
  return { credentialId: cred!.id, staffId: staffCredential.id };
}

function verified(cmd: Command): boolean {
  return verifyMessage(cmd, publicKey);
}

t.test('happy path: the real door opens on a signed open-door to its column, the kiosk gets a signed result', async (t) => {
  const { s, link, request, audit } = await setup(t);
  const credentialId = await parcelIn12(s);
  const h = await request({ credentialId, actor: { role: 'recipient', id: 'c1' } });
  t.match(h, { outcome: 'opened', lockerNumber: 12, answered: true });
  const [open] = link.of('open-door');
  t.match(open, { controllerId: 'ctl-2', bankId: 'b1', body: { door: 2, actor: { role: 'system', id: 'ctl-1' } } }, 'locker 12 is door 2 of ctl-2');
  t.ok(verified(open!), 'open-door signed by the cloud key');
  t.ok(open!.expiresAt - open!.issuedAt <= 500, 'the open expires with the wait');
  const [res] = link.of('kiosk-open-result');
  t.match(res, { controllerId: 'ctl-1', body: { requestId: 'kor-1', door: 6, outcome: 'opened' } });
  t.ok(verified(res!), 'kiosk-open-result signed by the cloud key');
  t.match(audit, [
    { phase: 'requested', lockerNumber: 12, actor: { role: 'system', id: 'ctl-1' } },
    { phase: 'finished', outcome: 'opened' },
  ]);
  t.match(audit[0]!.reason, /kiosk pickup for recipient c1/, 'the person at the kiosk is on record');
  t.equal(audit[0]!.credentialId, credentialId, 'with the credential');
});

t.test('the holder on record is the cloud\'s, not the kiosk\'s word', async (t) => {
  const { s, request, audit } = await setup(t);
  const credentialId = await parcelIn12(s);
  t.match(await request({ credentialId, actor: { role: 'admin', id: 'someone-else' } }), { outcome: 'opened', credential: { id: credentialId, role: 'recipient', subjectId: 'c1' } });
  t.match(audit[0]!.reason, /kiosk pickup for recipient c1$/);
});

t.test('what the door did is passed on: jammed, and no answer from the column is unknown', async (t) => {
  const { s, link, request } = await setup(t, { openTimeoutMs: 200 });
  const op = (await staffPin(s)).credentialId;
  link.doorAnswer = 'jammed';
  t.match(await request({ purpose: 'drop-off', credentialId: op, actor: { role: 'operator', id: 'op1' } }), { outcome: 'jammed' });
  link.doorAnswer = 'silent';
  t.match(await request({ purpose: 'drop-off', credentialId: op }), { outcome: 'unknown', answered: true });
  t.same(link.of('kiosk-open-result').map((c) => (c.body as { outcome: string }).outcome), ['jammed', 'unknown']);
});

t.test('a stale request (older than 10 s, replayed after an outage) is never acted on', async (t) => {
  const { s, link, request } = await setup(t);
  const credentialId = await parcelIn12(s);
  const h = await request({ credentialId }, { at: NOW - 10_001 });
  t.match(h, { outcome: 'rejected', reason: 'stale', answered: false });
  t.same(link.sent, [], 'no command at all');
  t.match(await request({ credentialId }, { at: NOW - 9_000 }), { outcome: 'opened' }, 'a fresh one is');
});

t.test('refused with a reason, nothing opened: wrong controller, unknown alias, wrong locker, credential not for that door', async (t) => {
  const { s, link, request } = await setup(t);
  const credentialId = await parcelIn12(s);
  t.match(await request({ credentialId }, { controllerId: 'ctl-2' }), { outcome: 'rejected', reason: 'not_kiosk' }, 'a plain column may not ask');
  t.match(await request({ credentialId }, { controllerId: 'ctl-old' }), { reason: 'not_kiosk' }, 'nor a revoked controller');
  t.match(await request({ door: 7, locker: 12 }), { reason: 'unknown_door' }, 'alias past the view');
  t.match(await request({ door: 2, locker: 2 }), { reason: 'unknown_door' }, 'a kiosk door is no alias');
  t.match(await request({ door: 5, locker: 12 }), { reason: 'locker_mismatch' });
  t.match(await request({ door: 5, locker: 11, credentialId }), { reason: 'credential_not_for_door' }, 'the code opens locker 12, not 11');
  t.match(await request({ credentialId: 'pickup.nope' }), { reason: 'credential_unknown' });
  await s.setServiceState('b1', 11, { state: 'out-of-service' }, admin);
  t.match(await request({ door: 5, locker: 11, purpose: 'drop-off' }), { reason: 'out_of_service' });
  t.same(link.of('open-door'), [], 'no door asked to open');
  const results = link.of('kiosk-open-result');
  t.equal(results.length, 8, 'each refusal answered');
  t.ok(results.every((c) => (c.body as { outcome: string }).outcome === 'rejected' && verified(c)), 'signed rejections');
  t.same(
    results.map((c) => c.controllerId),
    ['ctl-2', 'ctl-old', 'ctl-1', 'ctl-1', 'ctl-1', 'ctl-1', 'ctl-1', 'ctl-1'],
    'answered to whoever asked',
  );
});

t.test('a staff credential (no doors) may open any door of the view; a picked-up code no longer works', async (t) => {
  const { s, request } = await setup(t);
  const credentialId = await parcelIn12(s);
  const view = buildDesiredState(s.store, { bankId: 'b1', column: 1, now: NOW, form: listingForm() }).state;
  const code = await s.issueCarrierCode('car', { bankIds: ['b1'] }, admin);
  const carrier = buildDesiredState(s.store, { bankId: 'b1', column: 1, now: NOW, form: listingForm() }).state.credentials.find((c) => c.kind === 'carrier-code');
  t.ok(code && carrier, 'a carrier code in the view');
  t.match(await request({ door: 5, locker: 11, purpose: 'carrier-delivery', credentialId: carrier!.id, actor: { role: 'carrier', id: 'car' } }), { outcome: 'opened' });
  // The recipient picks the parcel up: the code leaves the view.
  const res = view.reservations.find((r) => r.door === 6)!;
  await s.store.commit({ put: [{ c: 'reservations', key: res.id, value: { ...s.store.get('reservations', res.id)!, status: 'ended' } }] });
  t.match(await request({ credentialId }), { reason: 'credential_unknown' });
});

t.test('every request names a credential entitled to that door and purpose, by the cloud\'s records; refusals are on record', async (t) => {
  const { s, link, request, audit } = await setup(t);
  const pickup = await parcelIn12(s);
  const op = await staffPin(s);
  const revoked = await staffPin(s);
  await s.revokeStaffCredential(revoked.staffId, admin);
  await s.issueCarrierCode('car', { bankIds: ['b1'] }, admin);
  const carrier = buildDesiredState(s.store, { bankId: 'b1', column: 1, now: NOW, form: listingForm() }).state.credentials.find((c) => c.kind === 'carrier-code')!.id;
  const free = { door: 5, locker: 11 };

  const refused: Array<[string, Partial<Extract<EventBody, { type: 'kiosk-open-request' }>>, string]> = [
    ['service without a credential', { ...free, purpose: 'service' }, 'credential_missing'],
    ['pickup without a credential', { purpose: 'pickup' }, 'credential_missing'],
    ['service even for an operator', { ...free, purpose: 'service', credentialId: op.credentialId }, 'credential_not_for_purpose'],
    ['day-use storage', { ...free, purpose: 'storage-open', credentialId: op.credentialId }, 'credential_not_for_purpose'],
    ['a wrong credential id', { ...free, purpose: 'drop-off', credentialId: 'staff.nobody' }, 'credential_unknown'],
    ['a revoked staff PIN', { ...free, purpose: 'drop-off', credentialId: revoked.credentialId }, 'credential_unknown'],
    ['a recipient\'s code for a drop-off', { ...free, purpose: 'drop-off', credentialId: pickup }, 'credential_not_for_purpose'],
    ['an operator\'s PIN for a pickup', { purpose: 'pickup', credentialId: op.credentialId }, 'credential_not_for_purpose'],
    ['a carrier code for an operator drop-off', { ...free, purpose: 'drop-off', credentialId: carrier }, 'credential_not_for_purpose'],
    ['an operator drop-off into a locker holding a parcel', { purpose: 'drop-off', credentialId: op.credentialId }, 'credential_not_for_door'],
    ['expired removal of a locker with nothing expired', { purpose: 'expired-removal', credentialId: op.credentialId }, 'credential_not_for_door'],
  ];
  for (const [what, req, reason] of refused) t.match(await request(req), { outcome: 'rejected', reason }, what);
  t.same(link.of('open-door'), [], 'no door asked to open');

  const alerts = (await s.queryActivity({ type: 'alert' })).filter((a) => a.detail?.startsWith('kiosk-open-refused'));
  t.equal(alerts.length, refused.length, 'each refusal recorded in the activity');
  t.match(alerts[0], { bankId: 'b1', lockerNumber: 11, actor: { role: 'system', id: 'ctl-1' }, detail: /^kiosk-open-refused: service, no credential, door 5: credential_missing/ });
  t.match(alerts[5]?.detail, new RegExp(`credential ${revoked.credentialId.replace('.', '\\.')}, door 5: credential_unknown`));

  // The same credentials where they are entitled: the doors open.
  t.match(await request({ ...free, purpose: 'drop-off', credentialId: op.credentialId }), { outcome: 'opened', credential: { role: 'operator' } }, 'operator drop-off into a free locker');
  t.match(await request({ ...free, purpose: 'carrier-delivery', credentialId: carrier }), { outcome: 'opened', credential: { role: 'carrier', subjectId: 'car' } }, 'carrier delivery');
  t.match(await request({ credentialId: pickup }), { outcome: 'opened' }, 'the recipient\'s pickup');
  t.same(audit.filter((e) => e.phase === 'requested').map((e) => e.credentialId), [op.credentialId, carrier, pickup], 'each open audited with its credential');
});

t.test('a code picked up moments ago still reopens its door, within the kiosk\'s window only; expired removal of an expired locker', async (t) => {
  let now = NOW;
  const s = await bankModel({ service: { store: new MemoryStore(), codeHashN: 1024, clock: () => now } });
  const { link, request } = await setupWith(t, s, () => now);
  const pickup = await parcelIn12(s);
  const reservation = s.store.list('reservations').find((r) => r.lockerNumber === 12)!;
  await s.pickUp({ reservationId: reservation.id }, { role: 'recipient', id: 'c1' });
  t.match(await request({ purpose: 'reopen', credentialId: pickup }, { at: now }), { outcome: 'opened', credential: { id: pickup, subjectId: 'c1' } }, 'reopen just after the pickup');
  t.match(await request({ door: 5, locker: 11, purpose: 'reopen', credentialId: pickup }, { at: now }), { reason: 'credential_not_for_door' }, 'not another door');
  now += 61_000;
  t.match(await request({ purpose: 'reopen', credentialId: pickup }, { at: now }), { reason: 'credential_unknown' }, 'not after the window');
  t.equal(link.of('open-door').length, 1);

  // An uncollected parcel past its end: an operator removes it.
  const op = await staffPin(s);
  await parcelIn12(s);
  const r2 = s.store.list('reservations').find((r) => r.lockerNumber === 12)!;
  await s.store.commit({ put: [{ c: 'reservations', key: r2.id, value: { ...r2, status: 'expired', expiredAt: now } }] });
  t.match(await request({ purpose: 'expired-removal', credentialId: op.credentialId }, { at: now }), { outcome: 'opened' });
});

t.test("a recipient's badge opens their parcel in another column, and reopens it moments after it left the view", async (t) => {
  let now = NOW;
  const s = await bankModel({ service: { store: new MemoryStore(), codeHashN: 1024, clock: () => now } });
  const { request } = await setupWith(t, s, () => now);
  await s.updateContact('c1', { badgeId: 'RITA-CARD' }, admin);
  await parcelIn12(s);
  const badge = 'badge.c1';
  t.match(await request({ purpose: 'drop-off', credentialId: badge }), { reason: 'credential_not_for_purpose' }, 'a recipient badge drops nothing off');
  t.match(await request({ credentialId: badge }, { at: now }), { outcome: 'opened', credential: { id: badge, role: 'recipient', subjectId: 'c1' } }, 'pickup with the badge');
  await s.pickUp({ reservationId: s.store.list('reservations').find((r) => r.lockerNumber === 12)!.id }, { role: 'recipient', id: 'c1' });
  t.match(await request({ purpose: 'reopen', credentialId: badge }, { at: now }), { outcome: 'opened', credential: { id: badge, subjectId: 'c1' } }, 'reopen just after its last parcel');
  now += 61_000;
  t.match(await request({ purpose: 'reopen', credentialId: badge }, { at: now }), { reason: 'credential_unknown' }, 'not after the window');
});

t.test('storage reserved ahead in another column: its code asks the cloud to open it to fill it (storage-start)', async (t) => {
  const { s, request } = await setup(t);
  const others = [1, 2, 3, 4, 11];
  for (const n of others) await s.setServiceState('b1', n, { state: 'out-of-service' }, admin);
  const { reservation } = await s.reserve({ bankId: 'b1', kind: 'storage', recipient: { type: 'contact', id: 'c1' }, size: 'M', storage: { mode: 'open' } }, operator);
  t.equal(reservation.lockerNumber, 12);
  for (const n of others) await s.setServiceState('b1', n, { state: 'in-service' }, admin);
  const cred = buildDesiredState(s.store, { bankId: 'b1', column: 1, now: NOW, form: listingForm() }).state.credentials.find((c) => c.reservationIds.includes(reservation.id))!.id;
  t.match(await request({ purpose: 'storage-start', credentialId: cred }), { outcome: 'opened', credential: { role: 'recipient', subjectId: 'c1' } });
  t.match(await request({ purpose: 'storage-start', door: 5, locker: 11, credentialId: cred }), { reason: 'credential_not_for_door' }, 'not another locker');
});
