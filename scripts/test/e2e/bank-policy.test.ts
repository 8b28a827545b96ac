// End to end, a bank's policy from the API to the kiosk (cloud + embedded broker + real controller + simulated bank):
// a PATCH on the cloud's bank changes what the kiosk offers for day-use storage (its modes and limit), and its delivery
// quota keeps every size from storage, once the next desired state reached the kiosk controller.
import t from 'tap';
import { api, expectCondition } from './helpers.ts';
import { doorsOpen, kioskState, kioskWorld, type KioskWorld } from './kiosk-world.ts';

/** From the home page: menu -> storage; the ids of what the kiosk then offers (sizes, or the menu's when refused). */
async function storageSizes(w: KioskWorld): Promise<string[]> {
  const kiosk = w.bank.kiosk!;
  await kiosk.expectPage('home');
  await kiosk.keypad('enter');
  await kiosk.expectPage('menu');
  await kiosk.select('storage');
  return kiosk.engine.screen.options.map((o) => o.id);
}

async function durations(w: KioskWorld): Promise<string[]> {
  const kiosk = w.bank.kiosk!;
  const size = (await storageSizes(w)).find((id) => id.startsWith('size-'));
  if (!size) throw new Error('no size offered for storage');
  await kiosk.select(size);
  await kiosk.expectPage('storage-duration');
  return kiosk.engine.screen.options.map((o) => o.id);
}

async function patchBank(w: KioskWorld, body: Record<string, unknown>): Promise<void> {
  const r = await api(w.cloud, 'PATCH', `/banks/${w.bankId}`, w.token, body);
  if (r.status !== 200) throw new Error(`PATCH /banks: ${r.status} ${JSON.stringify(r.json)}`);
}

t.test('a PATCH on the bank changes what the kiosk offers for day-use storage', async (t) => {
  const w = await kioskWorld(t);
  const kiosk = w.bank.kiosk!;
  t.same(await durations(w), ['fixed', 'chosen', 'no-end', 'back'], 'before: every mode');
  await kiosk.engine.endSession();

  await patchBank(w, { rules: { storageModes: ['flexible'], flexibleStorageMaxH: 3 }, timers: { dropOffReopenGraceS: 20 } });
  await expectCondition(() => JSON.stringify(kioskState(w)?.rules.storageModes) === '["flexible"]', 10_000, 'the storage modes reached the kiosk');
  t.equal(kioskState(w)?.timers.dropOffReopenGraceS, 20, 'the reopen grace too');
  t.same(await durations(w), ['chosen', 'back'], 'after: flexible only');
  await kiosk.select('chosen');
  await kiosk.expectPage('storage-hours');
  await kiosk.type('4');
  t.equal(kiosk.engine.screen.page, 'storage-hours', '4 hours refused: the bank maximum is now 3');
  t.ok(kiosk.engine.screen.error, 'an error is shown');
  await kiosk.engine.endSession();

  await patchBank(w, { deliveryQuota: { XS: 99, S: 99, M: 99, L: 99, XL: 99 } });
  await expectCondition(() => kioskState(w)?.deliveryQuota?.S === 99, 10_000, 'the delivery quota reached the kiosk');
  const refused = await storageSizes(w);
  t.equal(kiosk.engine.screen.page, 'menu', 'no size left for storage: back on the menu');
  t.notOk(refused.some((id) => id.startsWith('size-')));
  t.same(doorsOpen(w.bank), [], 'nothing opened');
});
