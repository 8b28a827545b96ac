// Remote opens on record until their outcome is: RemoteOpen keeps one pending while it waits and clears it with the
// outcome; an open whose instance stopped waiting (it died) is finished by the owner of its bank once its command has
// expired: with the controller's ack when this instance heard it, else timed_out. Never before the deadline, never for
// a bank another instance owns.
import { EventEmitter } from 'node:events';
import type { Ack } from '@portier/protocol';
import sinon from 'sinon';
import t, { type Test } from 'tap';
import { MemoryStore } from '../../src/store/memory.ts';
import type { PendingRemoteOpen } from '../../src/store/store.ts';
import { PendingOpens } from '../../src/sync/pending-opens.ts';
import { RemoteOpen, type RemoteOpenAuditEntry } from '../../src/sync/remote-open.ts';

type AckEvent = { bankId: string; controllerId: string; ack: Ack };
const actor = { role: 'admin' as const, id: 'u-1' };

function setup(t: Test, owned: (bankId: string) => boolean = () => true) {
  const clock = sinon.useFakeTimers({ now: 1_000_000, toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  t.teardown(() => clock.restore());
  const store = new MemoryStore();
  const link = new EventEmitter<{ ack: [AckEvent] }>();
  const audit: RemoteOpenAuditEntry[] = [];
  const pending = new PendingOpens({ store, instanceId: 'b', owner: { owns: owned }, link, audit: (e) => void audit.push(e), sweepMs: 1000, marginMs: 5000 });
  return { clock, store, link, audit, pending };
}

/** A record as an instance that then died left it. */
const orphan = (over: Partial<PendingRemoteOpen> = {}): PendingRemoteOpen => ({
  commandId: 'cmd-1',
  bankId: 'bank-1',
  lockerNumber: 7,
  controllerId: 'col-a',
  door: 3,
  reason: 'courier stuck',
  actor,
  instanceId: 'a',
  requestedAt: 1_000_000,
  deadline: 1_011_000,
  ...over,
});

t.test('an orphaned open is finished timed_out by the bank owner once its command expired, and its record goes', async (t) => {
  const { clock, store, audit, pending } = setup(t);
  await store.commit({ put: [{ c: 'remoteOpens', key: 'cmd-1', value: orphan() }] });
  pending.start();
  t.teardown(() => pending.stop());
  await clock.tickAsync(15_000); // deadline + 4 s: its instance may still be writing the outcome
  t.same(audit, [], 'nothing before the deadline and the margin');
  t.ok(store.get('remoteOpens', 'cmd-1'), 'still pending');
  await clock.tickAsync(2000);
  t.equal(audit.length, 1);
  t.match(audit[0], { phase: 'finished', commandId: 'cmd-1', bankId: 'bank-1', lockerNumber: 7, controllerId: 'col-a', door: 3, outcome: 'timed_out', outcomeReason: 'requester_stopped', actor });
  t.equal(store.get('remoteOpens', 'cmd-1'), undefined, 'the record is cleared');
  await clock.tickAsync(5000);
  t.equal(audit.length, 1, 'finished once');
});

t.test("the controller's ack heard by the owner is the outcome; an ack from another controller is not", async (t) => {
  const { clock, store, link, audit, pending } = setup(t);
  await store.commit({ put: [{ c: 'remoteOpens', key: 'cmd-1', value: orphan() }, { c: 'remoteOpens', key: 'cmd-2', value: orphan({ commandId: 'cmd-2' }) }] });
  pending.start();
  t.teardown(() => pending.stop());
  link.emit('ack', { bankId: 'bank-1', controllerId: 'col-a', ack: { v: 1, commandId: 'cmd-1', status: 'opened', at: 1_000_500 } });
  link.emit('ack', { bankId: 'bank-1', controllerId: 'col-x', ack: { v: 1, commandId: 'cmd-2', status: 'opened', at: 1_000_500 } });
  await clock.tickAsync(20_000);
  const byId = new Map(audit.map((e) => [e.commandId, e]));
  t.match(byId.get('cmd-1'), { outcome: 'opened' });
  t.match(byId.get('cmd-2'), { outcome: 'timed_out', outcomeReason: 'requester_stopped' }, 'ids are not secret: only its own controller answers');
});

t.test('an open of a bank another instance owns is left to that instance', async (t) => {
  const { clock, store, audit, pending } = setup(t, (bankId) => bankId !== 'bank-1');
  await store.commit({ put: [{ c: 'remoteOpens', key: 'cmd-1', value: orphan() }] });
  await clock.tickAsync(30_000);
  t.equal(await pending.sweep(), 0);
  t.same(audit, []);
  t.ok(store.get('remoteOpens', 'cmd-1'));
});

t.test('RemoteOpen keeps its open pending while it waits and clears it with the outcome', async (t) => {
  const { clock, store, link, pending } = setup(t);
  const sent: string[] = [];
  const ro = new RemoteOpen({
    link: {
      on: (e, l) => link.on(e, l),
      off: (e, l) => link.off(e, l),
      sendCommand: async (_bankId, _controllerId, _type, _body, opts) => {
        sent.push(opts.id!);
      },
    },
    doorMap: { lookup: () => ({ controllerId: 'col-a', door: 3 }) },
    pending,
    ackGraceMs: 1000,
  });
  t.teardown(() => ro.close());
  const answer = ro.open({ bankId: 'bank-1', lockerNumber: 7, reason: 'courier stuck', actor, timeoutMs: 5000 });
  await clock.tickAsync(0);
  const rec = store.get('remoteOpens', sent[0]!);
  t.match(rec, { bankId: 'bank-1', lockerNumber: 7, controllerId: 'col-a', door: 3, instanceId: 'b', deadline: 1_000_000 + 5000 + 1000 }, 'on record before the command went out');
  link.emit('ack', { bankId: 'bank-1', controllerId: 'col-a', ack: { v: 1, commandId: sent[0]!, status: 'opened', at: 1_000_100 } });
  t.match(await answer, { outcome: 'opened' });
  await ro.drain();
  t.equal(store.count('remoteOpens'), 0, 'cleared with the outcome');
});

/** A link that records the ids of the commands sent, and a RemoteOpen on it with `pending` and `audit`. */
function opener(t: Test, link: EventEmitter<{ ack: [AckEvent] }>, pending: ConstructorParameters<typeof RemoteOpen>[0]['pending'], audit: ConstructorParameters<typeof RemoteOpen>[0]['audit']) {
  const sent: string[] = [];
  const ro = new RemoteOpen({
    link: {
      on: (e, l) => link.on(e, l),
      off: (e, l) => link.off(e, l),
      sendCommand: async (_bankId, _controllerId, _type, _body, opts) => void sent.push(opts.id!),
    },
    doorMap: { lookup: () => ({ controllerId: 'col-a', door: 3 }) },
    ...(pending ? { pending } : {}),
    ...(audit ? { audit } : {}),
  });
  t.teardown(() => ro.close());
  return { ro, sent };
}

const request = { bankId: 'bank-1', lockerNumber: 7, reason: 'courier stuck', actor, timeoutMs: 5000 };

t.test('the pending record and the requested entry are asked for at once, before the command goes out', async (t) => {
  const { clock, link, pending } = setup(t);
  const order: string[] = [];
  const { ro, sent } = opener(
    t,
    link,
    {
      add: async (rec) => {
        order.push('pending asked');
        await pending.add(rec);
        order.push('pending written');
      },
      remove: (id) => pending.remove(id),
    },
    () => void order.push('requested asked'),
  );
  const answer = ro.open(request);
  await clock.tickAsync(0);
  t.same(order, ['pending asked', 'requested asked', 'pending written'], 'the entry is asked for before the record is written');
  t.equal(sent.length, 1, 'then the command goes out');
  link.emit('ack', { bankId: 'bank-1', controllerId: 'col-a', ack: { v: 1, commandId: sent[0]!, status: 'opened', at: 1_000_100 } });
  t.match(await answer, { outcome: 'opened' });
});

t.test('the requested entry refused: the pending record is removed, nothing is sent, the open fails', async (t) => {
  const { store, link, pending } = setup(t);
  const { ro, sent } = opener(t, link, pending, () => Promise.reject(new Error('audit store down')));
  await t.rejects(ro.open(request), /audit store down/);
  t.same(sent, [], 'no command sent');
  t.equal(store.count('remoteOpens'), 0, 'no pending record left');
});

t.test('the pending record refused: the requested entry written is followed by one saying the open was not sent', async (t) => {
  const { link } = setup(t);
  const audits: RemoteOpenAuditEntry[] = [];
  const { ro, sent } = opener(t, link, { add: () => Promise.reject(new Error('store down')), remove: () => Promise.resolve() }, (e) => void audits.push(e));
  await t.rejects(ro.open(request), /store down/);
  t.same(sent, [], 'no command sent');
  t.same(
    audits.map((e) => [e.phase, e.outcome, e.outcomeReason]),
    [
      ['requested', undefined, undefined],
      ['finished', 'rejected', 'not_recorded'],
    ],
    'on record as not sent',
  );
});
