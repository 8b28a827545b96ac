// The kiosk serves the whole bank: doors of other columns (`remote` in the desired state) open through the cloud.
import { type CommandOf, type DesiredState, type EventBody } from '@portier/protocol';
import sinon from 'sinon';
import t from 'tap';
import { translate } from '../../src/i18n/index.ts';
import { DesiredStateCredentials } from '../../src/kiosk/desired-credentials.ts';
import { KioskEngine } from '../../src/kiosk/engine.ts';
import { bankDoorPort, RemoteDoors } from '../../src/kiosk/remote-doors.ts';
import { CREDENTIAL_KEY, credentialHash, desiredState, FakeDoors, FakeState, RecordingSink, renderText, T0 } from './helpers.ts';

const REMOTE_CODE = '246810';
const SIG = 'A'.repeat(86);

function result(requestId: string, door: number, outcome: CommandOf<'kiosk-open-result'>['body']['outcome'], reason?: string): CommandOf<'kiosk-open-result'> {
  return {
    v: 1,
    id: `cmd-${requestId}`,
    type: 'kiosk-open-result',
    bankId: 'b1',
    controllerId: 'kiosk',
    issuedAt: T0,
    expiresAt: T0 + 10_000,
    body: { requestId, door, outcome, ...(reason ? { reason } : {}) },
    sig: SIG,
  };
}

/** The fixture's state plus door 13: locker 31 of column 2 (second from the top), a parcel for r-5 in it. */
function bankState(): DesiredState {
  const s = desiredState();
  return {
    ...s,
    doors: [...s.doors, { door: 13, locker: 31, size: 'M', column: 2, fromTop: 2, accessible: true, service: 'in-service', remote: { controllerId: 'col-2', door: 2 } }],
    credentials: [
      ...s.credentials,
      {
        id: 'pickup.res-r',
        kind: 'pickup-code',
        hash: credentialHash('pickup-code', REMOTE_CODE),
        role: 'recipient',
        subjectId: 'r-5',
        doors: [13],
        reservationIds: ['res-r'],
        oneTime: true,
      },
    ],
    reservations: [...s.reservations, { id: 'res-r', kind: 'package', status: 'occupied', door: 13, trackingIds: ['REM-1'], recipientId: 'r-5' }],
  };
}

function setup(t: { teardown(fn: () => unknown): void }, waitMs = 8000) {
  const clock = sinon.useFakeTimers({ now: T0, toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
  const local = new FakeDoors();
  const state = new FakeState(bankState());
  const sink = new RecordingSink();
  const remote = new RemoteDoors({ publishEvent: (b) => sink.publishEvent(b), isOnline: () => state.online, waitMs, newRequestId: (() => { let n = 0; return () => `kor-${++n}`; })() });
  const engine = new KioskEngine({ doors: bankDoorPort(local, remote, state), state, sink, credentials: new DesiredStateCredentials(state, CREDENTIAL_KEY), clock: { now: () => Date.now() } });
  engine.start();
  t.teardown(async () => {
    remote.close();
    await engine.stop();
    clock.restore();
    if (sink.invalid.length) throw new Error(`events that break the protocol schema: ${JSON.stringify(sink.invalid)}`);
  });
  const requests = (): Extract<EventBody, { type: 'kiosk-open-request' }>[] => sink.ofType('kiosk-open-request');
  const text = (): string => renderText(engine.screen);
  return { clock, local, state, sink, remote, engine, requests, text };
}

async function typeCode(engine: KioskEngine, code: string): Promise<void> {
  for (const ch of code) await engine.keypad(ch as never);
  await engine.keypad('enter');
}

t.test('RemoteDoors: the answer of the cloud is the outcome; no answer in time is unknown; offline nothing is asked', async (t) => {
  // Only Date is faked globally: the wait for the cloud's answer is timed on this clock, passed in.
  const clock = sinon.useFakeTimers({ now: T0, toFake: ['Date'] });
  t.teardown(() => clock.restore());
  const events: EventBody[] = [];
  let online = true;
  const remote = new RemoteDoors({ publishEvent: (b) => void events.push(b), isOnline: () => online, waitMs: 8000, timers: clock, newRequestId: () => `kor-${events.length + 1}` });
  const door = bankState().doors.at(-1)!;

  const p1 = remote.open(door, { purpose: 'pickup', credentialId: 'pickup.res-r', actor: { role: 'recipient', id: 'r-5' } });
  t.same(events, [{ type: 'kiosk-open-request', requestId: 'kor-1', door: 13, locker: 31, purpose: 'pickup', credentialId: 'pickup.res-r', actor: { role: 'recipient', id: 'r-5' } }]);
  t.same(remote.onResult(result('kor-1', 13, 'opened')), { status: 'done' });
  t.equal(await p1, 'opened');
  t.equal(remote.pending, 0);

  const p2 = remote.open(door, { purpose: 'drop-off', credentialId: 'staff.op-1' });
  t.same(remote.onResult(result('kor-2', 12, 'opened')).detail, 'door does not match the request', 'an answer for another door does not count');
  t.same(remote.onResult(result('kor-9', 13, 'opened')).detail, 'no request waiting');
  await clock.tickAsync(7999);
  t.equal(remote.pending, 1, 'still waiting just before the bound');
  await clock.tickAsync(1);
  t.equal(await p2, 'unknown', 'no answer in 8 s: unknown');
  t.same(remote.onResult(result('kor-2', 13, 'opened')).detail, 'no request waiting', 'a late answer changes nothing');

  const p3 = remote.open(door, { purpose: 'pickup', credentialId: 'pickup.res-r' });
  remote.onResult(result('kor-3', 13, 'rejected', 'stale'));
  t.equal(await p3, 'unknown', 'refused by the cloud: not opened');
  const p4 = remote.open(door, { purpose: 'pickup', credentialId: 'pickup.res-r' });
  remote.onResult(result('kor-4', 13, 'jammed'));
  t.equal(await p4, 'jammed');

  online = false;
  const before = events.length;
  t.equal(await remote.open(door, { purpose: 'pickup', credentialId: 'pickup.res-r' }), 'unknown', 'offline: unknown at once');
  t.equal(events.length, before, 'offline: no request recorded');

  // The cloud opens a door only for a credential of its own records: without one, nothing is asked.
  online = true;
  t.equal(await remote.open(door, { purpose: 'storage-start' }), 'unknown', 'no credential: unknown at once');
  t.equal(await remote.open(door, undefined), 'unknown', 'no request at all: unknown at once');
  t.equal(events.length, before, 'no credential: no request recorded');
});

t.test('pickup of a parcel in another column: request with the credential, the cloud opens it, the transaction names the alias door', async (t) => {
  const k = setup(t);
  const typing = typeCode(k.engine, REMOTE_CODE);
  await k.clock.tickAsync(0);
  t.same(k.requests(), [{ type: 'kiosk-open-request', requestId: 'kor-1', door: 13, locker: 31, purpose: 'pickup', credentialId: 'pickup.res-r', actor: { role: 'recipient', id: 'r-5' } }]);
  k.remote.onResult(result('kor-1', 13, 'opened'));
  await typing;
  t.same(k.local.unlocked, [], 'no door of the kiosk column pulsed');
  t.equal(k.engine.screen.page, 'pickup');
  t.match(k.text(), /locker 31, column 2, second door from the top/, 'described by its own column and position');
  t.match(k.sink.transactions('pickup'), [{ doors: [13], reservationIds: ['res-r'], trackingIds: ['REM-1'], offline: false, actor: { role: 'recipient', id: 'r-5' } }]);
  t.equal(k.engine.screen.lockers.find((l) => l.door === 13)?.state, 'open');

  // No door events ever come for it: taken as closed after "return to home after pickup", never warned as left open.
  const warnings: unknown[] = [];
  k.engine.on('warning', (w) => warnings.push(w));
  await k.clock.tickAsync(bankState().timers.returnHomeAfterPickupS * 1000);
  await k.engine.settled();
  t.equal(k.engine.screen.page, 'home', 'back home');
  await k.clock.tickAsync(bankState().timers.doorLeftOpenS * 1000 + 1000);
  await k.engine.settled();
  t.same(warnings, [], 'no left-open warning for a door the kiosk cannot see');
  t.same(k.sink.ofType('door-left-open'), [], 'nor a door-left-open event with an alias door');
});

t.test('the cloud does not answer: the kiosk says it could not confirm, the code is not used up', async (t) => {
  const k = setup(t, 8000);
  const typing = typeCode(k.engine, REMOTE_CODE);
  await k.clock.tickAsync(8000);
  await typing;
  t.equal(k.requests().length, 1);
  t.same(k.sink.transactions('pickup'), [], 'no pickup recorded');
  t.match(k.text(), /could not confirm that locker 31 opened/);
});

t.test('offline: a locker of another column cannot be opened right now; nothing asked, nothing opened, in French too', async (t) => {
  const k = setup(t);
  k.state.online = false;
  await typeCode(k.engine, REMOTE_CODE);
  t.same(k.requests(), [], 'no request queued for later');
  t.same(k.local.unlocked, []);
  t.same(k.sink.transactions('pickup'), []);
  t.match(k.text(), /Locker 31 cannot be opened right now/);
  t.match(translate(k.engine.screen.error!, 'fr'), /Le casier 31 ne peut pas être ouvert pour le moment/);

  // Back online, the same (one-time) code still works.
  await k.engine.signOut();
  k.state.online = true;
  const typing = typeCode(k.engine, REMOTE_CODE);
  await k.clock.tickAsync(0);
  t.equal(k.requests().length, 1, 'asked once online');
  k.remote.onResult(result(k.requests()[0]!.requestId, 13, 'opened'));
  await typing;
  t.equal(k.sink.transactions('pickup').length, 1);
});

t.test('reopen of a door of another column, the code already used: the request names the credential of the pickup', async (t) => {
  const k = setup(t);
  const typing = typeCode(k.engine, REMOTE_CODE);
  await k.clock.tickAsync(0);
  k.remote.onResult(result('kor-1', 13, 'opened'));
  await typing;
  await k.engine.select('done');
  await k.engine.settled();

  // Back at home within "Locker Access After Pickup", the same (now used) code: the reopen offer.
  await k.clock.tickAsync(10_000);
  await typeCode(k.engine, REMOTE_CODE);
  t.equal(k.engine.screen.page, 'reopen');
  const reopening = k.engine.select('reopen');
  await k.clock.tickAsync(0);
  t.match(k.requests()[1], { door: 13, locker: 31, purpose: 'reopen', credentialId: 'pickup.res-r' }, 'the cloud is told which credential made the pickup');
  k.remote.onResult(result('kor-2', 13, 'opened'));
  await reopening;
  t.match(k.sink.transactions('reopen'), [{ doors: [13], reservationIds: ['res-r'] }]);
});

t.test('day-use storage uses the kiosk column only: its PIN is no credential the cloud knows', async (t) => {
  const k = setup(t);
  // An XS locker free in another column, and none in the kiosk's own.
  const s = k.state.current()!;
  k.state.set({ ...s, doors: [...s.doors, { door: 14, locker: 32, size: 'XS', column: 2, fromTop: 3, accessible: true, service: 'in-service', remote: { controllerId: 'col-2', door: 3 } }] });
  await k.engine.settled();
  await k.engine.keypad('enter');
  await k.engine.select('storage');
  t.equal(k.engine.screen.page, 'storage-size');
  const offered = k.engine.screen.options.map((o) => o.id);
  t.notOk(offered.includes('size-XS'), `no XS offered for storage (${offered.join(', ')})`);
  t.ok(offered.includes('size-S'), 'the kiosk column has S lockers');
  t.same(k.requests(), [], 'nothing asked of the cloud');
});
