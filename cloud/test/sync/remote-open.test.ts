import { parsePayload, verifyMessage, type AckStatus, type Command } from '@portier/protocol';
import sinon from 'sinon';
import t from 'tap';
import { RemoteOpen, type DoorMap, type RemoteOpenAuditEntry, type RemoteOpenRequest, type RemoteOpenResult } from '../../src/sync/remote-open.ts';
import { makeTestApp, seedModel } from '../http/helpers.ts';
import { controller, schemaErrors, world, type World } from './helpers/world.ts';

const doorMap: DoorMap = {
  lookup: (bankId, n) =>
    bankId === 'bank-1' && n === 101 ? { controllerId: 'col-a', door: 1 } : bankId === 'bank-1' && n === 201 ? { controllerId: 'col-b', door: 3 } : bankId === 'bank-1' && n === 301 ? { controllerId: 'col-r', door: 1 } : undefined,
};
const actor = { role: 'admin' as const, id: 'u-1' };

/** A fake controller that answers every open-door with `status` (and records what it got). */
async function answering(t: Parameters<typeof world>[0], w: World, id: string, status: AckStatus | 'silent', reason?: string) {
  const c = await controller(t, w, id);
  const got: Command[] = [];
  c.on('message', (topic, payload) => {
    if (topic !== c.topic('cmd')) return;
    const r = parsePayload('cmd', payload);
    if (!r.ok) return;
    got.push(r.value);
    if (status === 'silent' || r.value.type !== 'open-door') return;
    const ack = { v: 1, commandId: r.value.id, status, ...(reason ? { reason } : {}), at: Date.now() };
    if (schemaErrors('ack', ack)) throw new Error('fake controller built an invalid ack');
    c.publish(c.topic('ack'), JSON.stringify(ack), { qos: 1 });
  });
  return { c, got };
}

t.test('remote open resolves from the controller ack; the command is signed, expiring, schema-valid; audited', async (t) => {
  const w = await world(t);
  const audit: RemoteOpenAuditEntry[] = [];
  const ro = new RemoteOpen({ link: w.link, doorMap, audit: (e) => void audit.push(e) });
  t.teardown(() => ro.close());
  const a = await answering(t, w, 'col-a', 'opened');
  const r = await ro.open({ bankId: 'bank-1', lockerNumber: 101, reason: 'courier stuck', actor, timeoutMs: 5000 });
  t.match(r, { outcome: 'opened', controllerId: 'col-a', door: 1 });
  const cmd = a.got[0]!;
  t.equal(cmd.id, r.commandId);
  t.match(cmd, { type: 'open-door', bankId: 'bank-1', controllerId: 'col-a', body: { door: 1, reason: 'courier stuck', actor } });
  t.ok(verifyMessage(cmd, w.publicKey), 'signed');
  t.equal(schemaErrors('cmd', cmd), null, 'valid by the published JSON Schema');
  t.equal(cmd.expiresAt - cmd.issuedAt, 5000, 'expires when the caller stops waiting');
  t.same(audit.map((e) => [e.phase, e.outcome]), [['requested', undefined], ['finished', 'opened']]);
  t.match(audit[0], { commandId: r.commandId, bankId: 'bank-1', lockerNumber: 101, reason: 'courier stuck', actor });
});

t.test('the outcome record does not hold the answer back; drain() waits for it; a failing one is logged, not thrown', async (t) => {
  const w = await world(t);
  const written: string[] = [];
  let release!: () => void;
  const slow = new Promise<void>((r) => (release = r));
  const ro = new RemoteOpen({
    link: w.link,
    doorMap,
    audit: async (e) => {
      if (e.phase === 'finished') await slow;
      written.push(e.phase);
    },
  });
  t.teardown(() => ro.close());
  await answering(t, w, 'col-a', 'opened');
  const r = await ro.open({ bankId: 'bank-1', lockerNumber: 101, reason: 'slow disk', actor, timeoutMs: 5000 });
  t.equal(r.outcome, 'opened', 'the caller has the outcome');
  t.same(written, ['requested'], 'the request was on record before the door opened; the outcome is still being written');
  let drained = false;
  const d = ro.drain().then(() => (drained = true));
  await new Promise((r) => setImmediate(r));
  t.notOk(drained, 'drain waits for the outcome record');
  release();
  await d;
  t.same(written, ['requested', 'finished']);

  const failing = new RemoteOpen({ link: w.link, doorMap, audit: (e) => (e.phase === 'finished' ? Promise.reject(new Error('disk full')) : undefined) });
  t.teardown(() => failing.close());
  t.equal((await failing.open({ bankId: 'bank-1', lockerNumber: 101, reason: 'x', actor, timeoutMs: 5000 })).outcome, 'opened');
  await failing.drain();
});

t.test('every outcome the door or controller gives reaches the caller', async (t) => {
  for (const [status, reason, outcome] of [
    ['already_open', undefined, 'already_open'],
    ['jammed', undefined, 'jammed'],
    ['unknown', 'bus_silent', 'unknown'],
    ['rejected', 'expired', 'rejected'],
  ] as const) {
    const w = await world(t);
    const ro = new RemoteOpen({ link: w.link, doorMap });
    await answering(t, w, 'col-a', status, reason);
    const r = await ro.open({ bankId: 'bank-1', lockerNumber: 101, reason: 'test', actor });
    t.equal(r.outcome, outcome, status);
    if (reason) t.equal(r.reason, reason);
    ro.close();
  }
});

t.test("an ack from another controller with the same command id is not the answer; nobody answering is timed_out", async (t) => {
  const w = await world(t);
  const ro = new RemoteOpen({ link: w.link, doorMap, ackGraceMs: 500 });
  t.teardown(() => ro.close());
  const a = await answering(t, w, 'col-a', 'silent');
  const b = await controller(t, w, 'col-b');
  // B sees nothing of A's command, but guesses its id from... anywhere: it may not answer for A.
  const commandSeen = new Promise<Command>((resolve) => {
    a.c.on('message', (topic, payload) => {
      const r = parsePayload('cmd', payload);
      if (r.ok) resolve(r.value);
    });
  });
  const clock = sinon.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'], shouldAdvanceTime: false });
  t.teardown(() => clock.restore());
  const pending = ro.open({ bankId: 'bank-1', lockerNumber: 101, reason: 'nobody home', actor, timeoutMs: 2000 });
  const cmd = await commandSeen;
  await b.publishAsync(b.topic('ack'), JSON.stringify({ v: 1, commandId: cmd.id, status: 'opened', at: Date.now() }), { qos: 1 });
  await clock.tickAsync(2000 + 499);
  t.equal(ro.pending, 1, 'still waiting just before the deadline');
  await clock.tickAsync(1);
  const r: RemoteOpenResult = await pending;
  t.equal(r.outcome, 'timed_out');
  t.equal(r.commandId, cmd.id);
  t.equal(cmd.expiresAt - cmd.issuedAt, 2000, 'the command had expired by then');
});

t.test('unknown locker and revoked controller are errors with codes', async (t) => {
  const w = await world(t);
  const ro = new RemoteOpen({ link: w.link, doorMap });
  t.teardown(() => ro.close());
  await t.rejects(ro.open({ bankId: 'bank-1', lockerNumber: 999, reason: 'x', actor }), { code: 'LOCKER_NOT_FOUND' });
  await t.rejects(ro.open({ bankId: 'bank-1', lockerNumber: 301, reason: 'x', actor }), { code: 'CONTROLLER_UNAVAILABLE' });
  await t.rejects(ro.open({ bankId: 'bank-1', lockerNumber: 101, reason: 'x', actor, timeoutMs: 10 }), { code: 'INVALID' });
});

t.test('POST /banks/:bankId/lockers/:number/open', async (t) => {
  const calls: RemoteOpenRequest[] = [];
  const ta = await makeTestApp({
    remoteOpen: {
      async open(req) {
        calls.push(req);
        if (req.lockerNumber === 4) {
          // A locker the domain has but no controller drives (the door map does not know it).
          const { RemoteOpenError } = await import('../../src/sync/remote-open.ts');
          throw new RemoteOpenError('LOCKER_NOT_FOUND', 'no locker 4 in bank bank', 'number');
        }
        return { commandId: 'cmd-1', outcome: req.lockerNumber === 3 ? 'rejected' : 'opened', ...(req.lockerNumber === 3 ? { reason: 'out_of_service' } : {}), controllerId: 'col-a', door: 1 };
      },
    },
  });
  t.teardown(() => ta.app.close());
  await seedModel(ta.service);
  const post = (url: string, body: unknown, authorization = `Bearer ${ta.tokens.admin}`) =>
    ta.app.inject({ method: 'POST', url, payload: body as object, headers: { authorization } });

  let res = await post('/api/v1/banks/bank/lockers/1/open', { reason: '  courier stuck ' });
  t.equal(res.statusCode, 200);
  t.same(res.json(), { commandId: 'cmd-1', outcome: 'opened' });
  t.match(calls[0], { bankId: 'bank', lockerNumber: 1, reason: 'courier stuck', actor: { role: 'admin' } });

  res = await post('/api/v1/banks/bank/lockers/3/open', { reason: 'x' });
  t.same(res.json(), { commandId: 'cmd-1', outcome: 'rejected', reason: 'out_of_service' });
  res = await post('/api/v1/banks/bank/lockers/4/open', { reason: 'x' });
  t.equal(res.statusCode, 404);
  t.same(res.json(), { error: { code: 'LOCKER_NOT_FOUND', message: 'no locker 4 in bank bank', field: 'params.number' } });

  const n = calls.length;
  t.equal((await post('/api/v1/banks/bank/lockers/1/open', { reason: 'x' }, 'Bearer no')).statusCode, 401, 'the access layer runs');
  t.equal((await post('/api/v1/banks/bank/lockers/1/open', { reason: 'x', door: 3 })).statusCode, 400, 'unknown body field');
  t.equal((await post('/api/v1/banks/bank/lockers/1/open', {})).statusCode, 400, 'missing reason');
  t.equal((await post('/api/v1/banks/bank/lockers/1/open', { reason: '   ' })).statusCode, 400, 'blank reason');
  t.equal((await post('/api/v1/banks/bank/lockers/0/open', { reason: 'x' })).statusCode, 400, 'locker 0');
  t.equal((await post('/api/v1/banks/bank/lockers/1e3/open', { reason: 'x' })).statusCode, 400, 'not digits');
  t.equal((await post('/api/v1/banks/b+c/lockers/1/open', { reason: 'x' })).statusCode, 400, 'bad bank id');
  t.equal(calls.length, n, 'none of the refused requests reached the service');
});

t.test('served by the API server over TCP: in the OpenAPI document, any case of the bearer scheme, errors in the API format', async (t) => {
  const calls: RemoteOpenRequest[] = [];
  const ta = await makeTestApp({
    remoteOpen: {
      async open(req) {
        calls.push(req);
        return { commandId: 'cmd-tcp', outcome: 'opened', controllerId: 'ctl-1', door: req.lockerNumber };
      },
    },
  });
  t.teardown(() => ta.app.close());
  await seedModel(ta.service);
  await ta.app.listen({ host: '127.0.0.1', port: 0 });
  const addr = ta.app.server.address();
  const base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}/api/v1`;
  const open = (path: string, authorization: string) =>
    fetch(`${base}${path}`, { method: 'POST', headers: { authorization, 'content-type': 'application/json' }, body: JSON.stringify({ reason: 'stuck door' }) });

  const doc = (await (await fetch(`${base}/openapi.json`)).json()) as { paths: Record<string, Record<string, unknown>> };
  t.ok(doc.paths['/api/v1/banks/{bankId}/lockers/{number}/open']?.post, 'documented');
  for (const scheme of ['Bearer', 'bearer', 'BEARER']) {
    const res = await open('/banks/bank/lockers/2/open', `${scheme} ${ta.tokens.operator}`);
    t.equal(res.status, 200, `scheme ${scheme}`);
    t.same(await res.json(), { commandId: 'cmd-tcp', outcome: 'opened' });
  }
  t.match(calls, [{ bankId: 'bank', lockerNumber: 2, reason: 'stuck door', actor: { role: 'operator' } }, {}, {}]);
  const missing = await open('/banks/bank/lockers/99/open', `bearer ${ta.tokens.admin}`);
  t.equal(missing.status, 404);
  t.match(await missing.json(), { error: { code: 'LOCKER_NOT_FOUND', field: 'params.number' } });
  t.equal((await open('/banks/bank/lockers/2/open', `bearer ${ta.tokens.carrier}`)).status, 403, 'a carrier may not');
  t.equal(calls.length, 3, 'refused requests reached no controller');
});
