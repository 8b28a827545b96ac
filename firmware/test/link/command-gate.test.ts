// The command gate on its own, as pure code: a payload and what the controller knows in, a verdict out.
import t from 'tap';
import { generateKeyPairSync } from 'node:crypto';
import type { Command } from '@portier/protocol';
import { judgeCommand, type GateContext } from '../../src/link/command-gate.ts';
import type { SeenCheck } from '../../src/link/command-store.ts';
import { makeCommand, openDoorBody } from './helpers/cloud.ts';

const { privateKey: key, publicKey } = generateKeyPairSync('ed25519');
const { privateKey: wrongKey } = generateKeyPairSync('ed25519');
const T0 = 1_790_000_000_000;
const target = { bankId: 'bank-1', controllerId: 'col-1' };

function ctx(over: Partial<GateContext> & { seenAs?: SeenCheck; now?: number } = {}): GateContext & { seenCalls: string[] } {
  const seenCalls: string[] = [];
  return {
    key: publicKey,
    ...target,
    seen: (id) => {
      seenCalls.push(id);
      return over.seenAs ?? 'new';
    },
    running: () => false,
    cloudNowFor: () => over.now ?? T0,
    ...over,
    seenCalls,
  };
}

const bytes = (x: unknown): Buffer => Buffer.from(typeof x === 'string' ? x : JSON.stringify(x));
const open = (over: Partial<{ id: string; issuedAt: number; expiresAt: number }> = {}, to = target, k = key): Command =>
  makeCommand(k, 'open-door', openDoorBody(1), to, { issuedAt: T0 - 1000, ...over });

t.test('a fresh, signed, first-seen command of ours is accepted, judged at the estimated cloud time', async (t) => {
  const c = open();
  const v = judgeCommand(bytes(c), ctx());
  t.match(v, { kind: 'accept', cloudNow: T0 });
  t.equal(v.kind === 'accept' ? v.command.id : undefined, c.id);
});

t.test('what is not a command is dropped; answered only when the envelope names an id', async (t) => {
  t.match(judgeCommand(bytes('not json'), ctx()), { kind: 'drop', code: 'NOT_JSON' });
  t.notOk((judgeCommand(bytes('not json'), ctx()) as { answer?: unknown }).answer, 'nobody to answer');
  const { body: _b, ...noBody } = open({ id: 'cmd-no-body' });
  t.match(judgeCommand(bytes(noBody), ctx()), { kind: 'drop', answer: { commandId: 'cmd-no-body', reason: 'malformed' } });
  const { sig: _s, ...unsigned } = open({ id: 'cmd-unsigned' });
  t.match(judgeCommand(bytes(unsigned), ctx()), { kind: 'drop', answer: { commandId: 'cmd-unsigned', reason: 'bad_signature' } }, 'a missing sig is a signature failure');
  t.match(judgeCommand(bytes({ ...noBody, id: 'has/slash' }), ctx()), { kind: 'drop' });
  t.notOk((judgeCommand(bytes({ ...noBody, id: 'has/slash' }), ctx()) as { answer?: unknown }).answer, 'an id that is no id is not answered');
});

t.test('signature first: a forged or foreign-key command is bad_signature, and its id is never looked up', async (t) => {
  const forged = { ...open(), body: openDoorBody(2) };
  const c1 = ctx();
  t.match(judgeCommand(bytes(forged), c1), { kind: 'reject', reason: 'bad_signature' });
  const c2 = ctx();
  t.match(judgeCommand(bytes(open({}, { bankId: 'bank-9', controllerId: 'col-1' }, wrongKey)), c2), { kind: 'reject', reason: 'bad_signature' }, 'even when also for another bank');
  t.same([...c1.seenCalls, ...c2.seenCalls], [], 'unsigned ids are not remembered or checked');
});

t.test('a command signed for another controller or bank is wrong_target, naming where it was addressed', async (t) => {
  t.match(judgeCommand(bytes(open({}, { bankId: 'bank-1', controllerId: 'col-2' })), ctx()), { kind: 'reject', reason: 'wrong_target', detail: 'addressed to bank-1/col-2' });
  t.match(judgeCommand(bytes(open({}, { bankId: 'bank-9', controllerId: 'col-1' })), ctx()), { kind: 'reject', reason: 'wrong_target' });
});

t.test('a seen id is replayed (below the floor says so); a redelivery of one still running is a duplicate', async (t) => {
  const v = judgeCommand(bytes(open()), ctx({ seenAs: 'seen' }));
  t.match(v, { kind: 'reject', reason: 'replayed' });
  t.equal((v as { detail?: string }).detail, undefined);
  t.match(judgeCommand(bytes(open()), ctx({ seenAs: 'below-floor' })), { kind: 'reject', reason: 'replayed', detail: 'issued before the replay floor' });
  t.match(judgeCommand(bytes(open()), ctx({ seenAs: 'seen', running: () => true })), { kind: 'duplicate' });
  t.match(judgeCommand(bytes(open({ expiresAt: T0 - 500 })), ctx({ seenAs: 'seen' })), { kind: 'reject', reason: 'replayed' }, 'replay is judged before expiry');
});

t.test('an expired command is rejected by the cloud-time estimate and its id remembered', async (t) => {
  t.match(judgeCommand(bytes(open({ expiresAt: T0 - 250 })), ctx()), { kind: 'reject', reason: 'expired', remember: true, detail: 'expired 250 ms ago by cloud-time estimate' });
  t.match(judgeCommand(bytes(open({ expiresAt: T0 })), ctx()), { kind: 'reject', reason: 'expired' }, 'expiring now is expired');
  t.match(judgeCommand(bytes(open({ expiresAt: T0 + 1 })), ctx()), { kind: 'accept' });
});
