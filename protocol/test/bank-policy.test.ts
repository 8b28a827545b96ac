// Bank policy in the desired state: the ranges of the kiosk timers (the reopen grace after a drop-off included), the
// day-use storage modes and their limits, the delivery quota and its rule, and a state signed before these fields.
import t from 'tap';
import { generateKeyPairSync } from 'node:crypto';
import {
  bankRuleProblems,
  bankRulesSchema,
  DEFAULT_BANK_RULES,
  DEFAULT_KIOSK_TIMERS,
  desiredStateHash,
  kioskTimerProblems,
  kioskTimersSchema,
  parsePayload,
  signMessage,
  storageMayTake,
  storageOffer,
  verifyMessage,
} from '../src/index.ts';
import { sampleDesiredState } from './fixtures/samples.ts';

const { privateKey, publicKey } = generateKeyPairSync('ed25519');
const desiredWith = (state: Record<string, unknown>): string =>
  JSON.stringify(signMessage({ v: 1 as const, bankId: 'bank-1', controllerId: 'ctl-1', version: 9, issuedAt: 1_700_000_000_000, state }, privateKey));

t.test('the reopen grace after a drop-off: 0 to 600 s, optional', async (t) => {
  for (const ok of [0, 30, 600]) t.ok(kioskTimersSchema.safeParse({ ...DEFAULT_KIOSK_TIMERS, dropOffReopenGraceS: ok }).success, `${ok} s accepted`);
  for (const bad of [-1, 601, 2.5]) {
    const r = parsePayload('desired', desiredWith({ ...sampleDesiredState(), timers: { ...DEFAULT_KIOSK_TIMERS, dropOffReopenGraceS: bad } }));
    t.notOk(r.ok, `${bad} refused`);
    if (!r.ok) t.equal(r.field, 'state.timers.dropOffReopenGraceS', 'naming the field');
  }
  t.ok(kioskTimersSchema.safeParse(DEFAULT_KIOSK_TIMERS).success, 'absent is fine');
});

t.test('timer combination rules, shared by the cloud and the kiosk', async (t) => {
  t.same(kioskTimerProblems(DEFAULT_KIOSK_TIMERS), []);
  t.same(
    kioskTimerProblems({ ...DEFAULT_KIOSK_TIMERS, adminSessionTimeoutS: 30, returnHomeOnInactivityS: 60 }).map((p) => p.field),
    ['adminSessionTimeoutS'],
  );
  t.same(kioskTimerProblems({ ...DEFAULT_KIOSK_TIMERS, lockerAccessAfterPickupS: 5, returnHomeAfterPickupS: 10 }).map((p) => p.field), ['lockerAccessAfterPickupS']);
  t.same(kioskTimerProblems({ ...DEFAULT_KIOSK_TIMERS, lockerAccessAfterPickupS: 0, returnHomeAfterPickupS: 10 }), [], 'grace 0: no reopen, no rule');
});

t.test('storage modes and their limits in the bank rules', async (t) => {
  const rules = (extra: Record<string, unknown>) => bankRulesSchema.safeParse({ ...DEFAULT_BANK_RULES, ...extra });
  t.ok(rules({ storageModes: ['fixed', 'no-end'], fixedStorageHours: [2, 4], flexibleStorageMaxH: 6 }).success);
  t.ok(rules({ storageModes: [] }).success, 'no mode: no day-use storage');
  const bad: Array<[Record<string, unknown>, string]> = [
    [{ storageModes: ['forever'] }, 'storageModes.0'],
    [{ storageModes: ['fixed', 'fixed'] }, 'storageModes'],
    [{ fixedStorageHours: [0] }, 'fixedStorageHours.0'],
    [{ fixedStorageHours: [721] }, 'fixedStorageHours.0'],
    [{ fixedStorageHours: [1, 2, 3, 4, 5, 6, 7] }, 'fixedStorageHours'],
    [{ flexibleStorageMaxH: 0 }, 'flexibleStorageMaxH'],
    [{ flexibleStorageMaxH: 721 }, 'flexibleStorageMaxH'],
  ];
  for (const [extra, field] of bad) {
    const r = parsePayload('desired', desiredWith({ ...sampleDesiredState(), rules: { ...DEFAULT_BANK_RULES, ...extra } }));
    t.notOk(r.ok, `${JSON.stringify(extra)} refused`);
    if (!r.ok) t.equal(r.field, `state.rules.${field}`);
  }
  t.same(bankRuleProblems({ ...DEFAULT_BANK_RULES, maxStorageH: 8, fixedStorageHours: [4, 10] }).map((p) => p.field), ['fixedStorageHours'], 'within maxStorageH');
  t.same(bankRuleProblems({ ...DEFAULT_BANK_RULES, maxStorageH: 8, flexibleStorageMaxH: 9 }).map((p) => p.field), ['flexibleStorageMaxH']);
  t.same(bankRuleProblems({ ...DEFAULT_BANK_RULES, fixedStorageHours: [2, 2] }).map((p) => p.field), ['fixedStorageHours']);
  t.same(storageOffer(DEFAULT_BANK_RULES), { modes: ['fixed', 'flexible', 'no-end'], fixedHours: [], flexibleMaxH: 12 }, 'absent: all modes, as before');
  t.same(storageOffer({ ...DEFAULT_BANK_RULES, storageModes: ['flexible'], fixedStorageHours: [4, 2], flexibleStorageMaxH: 3 }), {
    modes: ['flexible'],
    fixedHours: [2, 4],
    flexibleMaxH: 3,
  });
});

t.test('delivery quota: in the desired state, and the rule storage follows', async (t) => {
  const ok = parsePayload('desired', desiredWith({ ...sampleDesiredState(), deliveryQuota: { S: 2, XL: 0 } }));
  t.ok(ok.ok, 'a quota per standard size');
  for (const [quota, field] of [
    [{ custom: 1 }, 'state.deliveryQuota'],
    [{ S: -1 }, 'state.deliveryQuota.S'],
    [{ M: 10_000 }, 'state.deliveryQuota.M'],
  ] as const) {
    const r = parsePayload('desired', desiredWith({ ...sampleDesiredState(), deliveryQuota: quota }));
    t.notOk(r.ok, `${JSON.stringify(quota)} refused`);
    if (!r.ok) t.match(r.field, field);
  }
  t.ok(storageMayTake('S', 3, { S: 2 }), 'more free than the quota');
  t.notOk(storageMayTake('S', 2, { S: 2 }), 'at the quota: refused');
  t.notOk(storageMayTake('S', 1, { S: 2 }), 'below: refused');
  t.ok(storageMayTake('M', 1, { S: 2 }), 'no quota for the size');
  t.notOk(storageMayTake('M', 0, undefined), 'no free locker at all');
  t.ok(storageMayTake('custom', 1, { S: 5 }), 'custom lockers have no quota');
});

t.test('a desired state signed before the policy fields parses unchanged: same signature, same hash', async (t) => {
  const before = sampleDesiredState();
  t.notOk('deliveryQuota' in before || 'storageModes' in before.rules || 'dropOffReopenGraceS' in before.timers, 'the fixture has none of the new fields');
  const text = desiredWith(before);
  const r = parsePayload('desired', text);
  t.ok(r.ok);
  if (!r.ok) return;
  t.same(r.value, JSON.parse(text), 'no field added on parse');
  t.ok(verifyMessage(r.value, publicKey), 'its signature still verifies');
  t.equal(desiredStateHash(r.value.state), desiredStateHash(before), 'its hash is the one the cloud computed');
});
