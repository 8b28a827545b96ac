/**
 * Bank policy through `PATCH /banks/{id}`: kiosk timers (the reopen grace after a drop-off included), day-use storage
 * modes and their limits, the delivery quota. Each is stored and reaches the next desired state; a value out of its
 * range is refused naming the field, and nothing is stored; the change is in the activity log; storage asked for
 * through the API is held to the same offer.
 */
import { DEFAULT_KIOSK_TIMERS } from '@portier/protocol';
import t from 'tap';
import { buildDesiredState } from '../../src/bridge/desired-builder.ts';
import { FORM } from '../bridge/helpers.ts';
import { makeTestApp, seedModel, storeSnapshot, type TestApp } from './helpers.ts';

async function app(t: { teardown(fn: () => unknown): void }): Promise<TestApp> {
  const ta = await makeTestApp();
  t.teardown(() => ta.app.close());
  await seedModel(ta.service);
  return ta;
}

const patch = (ta: TestApp, payload: Record<string, unknown>, role: 'admin' | 'operator' = 'admin') =>
  ta.app.inject({ method: 'PATCH', url: '/api/v1/banks/bank', headers: ta.headers(role), payload });

const desired = (ta: TestApp) => buildDesiredState(ta.store, { bankId: 'bank', column: 1, now: ta.clock.now, form: FORM }).state;

t.test('each policy field is stored and carried by the next desired state', async (t) => {
  const ta = await app(t);
  const before = desired(ta);
  t.same(before.timers, DEFAULT_KIOSK_TIMERS, 'defaults before');
  t.notOk('deliveryQuota' in before, 'no quota, no field: the state of a bank without policy is unchanged');

  const timers = await patch(ta, { timers: { doorLeftOpenS: 90, dropOffReopenGraceS: 30 } });
  t.equal(timers.statusCode, 200, timers.body);
  t.same(timers.json().bank.timers, { ...DEFAULT_KIOSK_TIMERS, doorLeftOpenS: 90, dropOffReopenGraceS: 30 }, 'merged over the defaults');
  t.same(desired(ta).timers, { ...DEFAULT_KIOSK_TIMERS, doorLeftOpenS: 90, dropOffReopenGraceS: 30 });

  const again = await patch(ta, { timers: { returnHomeOnInactivityS: 120 } });
  t.same(again.json().bank.timers.doorLeftOpenS, 90, 'a second change keeps the first');

  const rules = await patch(ta, { rules: { storageModes: ['fixed', 'flexible'], fixedStorageHours: [2, 4], flexibleStorageMaxH: 6 } });
  t.equal(rules.statusCode, 200, rules.body);
  const r = desired(ta).rules;
  t.same([r.storageModes, r.fixedStorageHours, r.flexibleStorageMaxH, r.addToExistingLocker], [['fixed', 'flexible'], [2, 4], 6, false], 'other rules kept');

  const quota = await patch(ta, { deliveryQuota: { S: 1, M: 2 } });
  t.equal(quota.statusCode, 200, quota.body);
  t.same(desired(ta).deliveryQuota, { S: 1, M: 2 });
});

t.test('a value out of its range is refused naming the field, and nothing is stored', async (t) => {
  const ta = await app(t);
  const cases: Array<[Record<string, unknown>, RegExp]> = [
    [{ timers: { doorLeftOpenS: 5 } }, /timers\.doorLeftOpenS$/],
    [{ timers: { dropOffReopenGraceS: 601 } }, /timers\.dropOffReopenGraceS$/],
    [{ timers: { dropOffReopenGraceS: -1 } }, /timers\.dropOffReopenGraceS$/],
    [{ timers: { returnHomeAfterPickupS: 200 } }, /timers\.returnHomeAfterPickupS$/],
    [{ timers: { adminSessionTimeoutS: 30 } }, /timers\.adminSessionTimeoutS$/],
    [{ timers: { lockerAccessAfterPickupS: 5 } }, /timers\.lockerAccessAfterPickupS$/],
    [{ timers: { napS: 5 } }, /timers/],
    [{ rules: { storageModes: ['forever'] } }, /rules\.storageModes/],
    [{ rules: { storageModes: ['fixed', 'fixed'] } }, /rules\.storageModes$/],
    [{ rules: { fixedStorageHours: [13] } }, /rules\.fixedStorageHours$/],
    [{ rules: { fixedStorageHours: [0] } }, /rules\.fixedStorageHours/],
    [{ rules: { flexibleStorageMaxH: 13 } }, /rules\.flexibleStorageMaxH$/],
    [{ rules: { maxStorageH: 4, fixedStorageHours: [6] } }, /rules\.fixedStorageHours$/],
    [{ deliveryQuota: { S: -1 } }, /deliveryQuota\.S$/],
    [{ deliveryQuota: { custom: 1 } }, /deliveryQuota/],
  ];
  const snapshot = await storeSnapshot(ta.store);
  for (const [payload, field] of cases) {
    const res = await patch(ta, payload);
    t.ok(res.statusCode === 400 || res.statusCode === 422, `${JSON.stringify(payload)} refused with a 4xx: ${res.body}`);
    const e = res.json().error as { code: string; message: string; field?: string };
    t.equal(e.code, 'VALIDATION');
    t.match(e.field ?? '', field, `names the field: ${e.field}`);
    t.ok(e.message.length > 0);
  }
  t.equal(await storeSnapshot(ta.store), snapshot, 'nothing stored, nothing in the activity log');
  t.equal((await patch(ta, { timers: { doorLeftOpenS: 90 } }, 'operator')).statusCode, 403, 'an operator may not change the policy');
});

t.test('a policy change is in the activity log with the actor and what changed', async (t) => {
  const ta = await app(t);
  t.equal((await patch(ta, { timers: { dropOffReopenGraceS: 45 }, rules: { storageModes: ['no-end'] } })).statusCode, 200);
  t.equal((await patch(ta, { timers: { dropOffReopenGraceS: 45 } })).statusCode, 200, 'no change');
  const res = await ta.app.inject({ url: '/api/v1/activity?type=admin-change', headers: ta.headers('admin') });
  // The test app's users and the bank's creation are administrative changes too: the bank's changes are looked at here.
  const rows = (res.json().activity as Array<{ type: string; actor: { role: string; id?: string }; bankId: string; detail: string; target?: { kind: string } }>).filter(
    (a) => a.target?.kind === 'bank' && a.detail !== 'bank created',
  );
  t.equal(rows.length, 1, 'one entry: a change that changes nothing is not recorded');
  const [row] = rows;
  t.equal(row!.bankId, 'bank');
  t.equal(row!.actor.role, 'admin');
  t.ok(row!.actor.id, 'the user who acted');
  t.match(row!.detail, /rules\.storageModes \(default\) -> \["no-end"\]/);
  t.match(row!.detail, /timers\.dropOffReopenGraceS \(default\) -> 45/);
  t.match(row, { target: { kind: 'bank', id: 'bank' }, enterpriseId: 'ent', changes: [{ field: 'rules.storageModes', from: '(default)', to: '["no-end"]' }, { field: 'timers.dropOffReopenGraceS', from: '(default)', to: '45' }] });
});

t.test('storage asked for through the API is held to the bank offer', async (t) => {
  const ta = await app(t);
  t.equal((await patch(ta, { rules: { storageModes: ['fixed', 'flexible'], fixedStorageHours: [2, 4], flexibleStorageMaxH: 6 } })).statusCode, 200);
  const reserve = (storage: Record<string, unknown>) =>
    ta.app.inject({
      method: 'POST',
      url: '/api/v1/reservations',
      headers: ta.headers('admin'),
      payload: { bankId: 'bank', kind: 'storage', recipient: { type: 'contact', id: 'c-rec' }, size: 'S', storage },
    });
  const refused: Array<[Record<string, unknown>, RegExp]> = [
    [{ mode: 'open' }, /storage\.mode$/],
    [{ mode: 'fixed', minutes: 180 }, /storage\.minutes$/],
    [{ mode: 'flexible', minutes: 60, maxMinutes: 420 }, /storage\.maxMinutes$/],
    [{ mode: 'flexible', minutes: 420 }, /storage\.minutes$/],
  ];
  const snapshot = await storeSnapshot(ta.store);
  for (const [storage, field] of refused) {
    const res = await reserve(storage);
    t.ok(res.statusCode === 400 || res.statusCode === 422, `${JSON.stringify(storage)} refused: ${res.body}`);
    t.match(res.json().error.field, field);
  }
  t.equal(await storeSnapshot(ta.store), snapshot, 'nothing reserved');
  const fixed = await reserve({ mode: 'fixed', minutes: 240 });
  t.equal(fixed.statusCode, 201, fixed.body);
  const flexible = await reserve({ mode: 'flexible', minutes: 60 });
  t.equal(flexible.statusCode, 201, flexible.body);
  const res = flexible.json().reservation as { endsAt: number; maxEndsAt: number; createdAt: number };
  t.equal(res.maxEndsAt - res.createdAt, 6 * 3_600_000, "a flexible stay's maximum is the bank's flexible maximum");
});
