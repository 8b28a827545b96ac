import t from 'tap';
import { CODES, T0, createKiosk, desiredState, extendStorage, type Kiosk } from './helpers.ts';

const H = 3_600_000;

async function startStorage(k: Kiosk, duration: 'fixed' | 'chosen' | 'no-end', pin = '2468', hours?: string): Promise<void> {
  await k.press('enter');
  await k.engine.select('storage');
  await k.engine.select('size-S');
  await k.engine.select(duration);
  if (hours !== undefined) await k.type(hours);
  await k.type(pin);
  await k.type(pin);
}

t.test('day-use storage for a chosen time: start, reopen while active, extend, end', async (t) => {
  const k = createKiosk(t);
  await startStorage(k, 'chosen', '2468', '3');
  t.equal(k.engine.screen.page, 'storage-open');
  t.same(k.doors.unlocked, [10], 'the free small locker');
  const start = k.sink.transactions('storage-start')[0];
  t.match(start, { doors: [10], trackingIds: [], endsAt: T0 + 3 * H, via: 'pin' });
  t.match(k.text(), /Your storage ends at 12:00/);
  k.doors.close(10);
  await k.engine.select('done');

  await k.tick(H);
  await k.type('2468');
  t.equal(k.engine.screen.page, 'storage-active');
  await k.engine.select('open');
  t.same(k.doors.unlocked, [10, 10]);
  t.match(k.sink.transactions('storage-open')[0], { doors: [10], reservationIds: start?.reservationIds });
  await extendStorage(k, '2468', '20');
  t.match(k.text(), /cannot last more than 12 hours/);
  await k.type('2');
  t.match(k.sink.transactions('storage-extend')[0], { endsAt: T0 + 5 * H });
  t.match(k.text(), /now ends at 14:00/);
  await k.engine.select('end');
  t.match(k.sink.transactions('storage-end')[0], { doors: [10], reservationIds: start?.reservationIds, actor: { role: 'recipient' } });
  t.match(k.text(), /Your storage has ended/);
  k.doors.close(10);
  await k.engine.select('done');

  await k.type('2468');
  t.match(k.text(), /not valid/, 'the PIN ends with the storage');
});

t.test('fixed end: the storage ends at the end of the day, then staff remove it as expired', async (t) => {
  const k = createKiosk(t);
  await startStorage(k, 'fixed');
  const endsAt = new Date(2026, 10, 24, 22, 0, 0, 0).getTime();
  t.match(k.sink.transactions('storage-start')[0], { endsAt });
  k.doors.close(10);
  await k.tick(endsAt - Date.now() - 1);
  t.equal(k.sink.transactions('storage-end').length, 0);
  await k.tick(1);
  t.match(k.sink.transactions('storage-end')[0], { doors: [10], actor: { role: 'system' } });
  await k.type('2468');
  t.match(k.text(), /not valid/);
  await k.engine.badge(CODES.operatorBadge);
  await k.engine.select('remove-expired');
  t.match(k.text(), /locker 20, column 4, first door from the top/);
});

t.test('no end time: asked at each opening whether to end', async (t) => {
  const k = createKiosk(t);
  await startStorage(k, 'no-end', '13579');
  t.equal(k.sink.transactions('storage-start')[0]?.endsAt, undefined);
  t.match(k.text(), /no end time/);
  k.doors.close(10);
  await k.engine.select('done');
  await k.type('13579');
  t.notOk(k.engine.screen.options.some((o) => o.id === 'extend'), 'nothing to extend');
  await k.engine.select('open');
  t.equal(k.engine.screen.page, 'storage-ask-end');
  t.match(k.text(), /end your storage now/);
  await k.engine.select('keep');
  t.equal(k.sink.transactions('storage-open').length, 1);
  k.doors.close(10);
  await k.engine.select('done');
  await k.type('13579');
  await k.engine.select('open');
  await k.engine.select('end');
  t.equal(k.sink.transactions('storage-end').length, 1);
  t.same(k.doors.unlocked, [10, 10, 10]);
});

t.test('storage input checks: hours range, PIN length, PIN mismatch, chosen time clipped at day end', async (t) => {
  const k = createKiosk(t);
  await k.tick(11 * H); // 20:00
  await k.press('enter');
  await k.engine.select('storage');
  await k.engine.select('size-M');
  await k.engine.select('chosen');
  await k.type('13');
  t.match(k.text(), /between 1 and 12 hours/);
  await k.type('5');
  await k.type('12');
  t.match(k.text(), /4 to 8 digits/);
  await k.type('1234');
  await k.type('4321');
  t.match(k.text(), /do not match/);
  t.equal(k.engine.screen.page, 'storage-pin');
  await k.type('1234');
  await k.type('1234');
  t.match(k.sink.transactions('storage-start')[0], { doors: [11], endsAt: new Date(2026, 10, 24, 22, 0).getTime() });
});

t.test('no free locker for storage: the documented error', async (t) => {
  const k = createKiosk(t);
  for (const pin of ['1111', '2222', '3333']) {
    await k.press('enter');
    await k.engine.select('storage');
    const size = k.engine.screen.options.find((o) => o.id.startsWith('size-'))?.id as string;
    await k.engine.select(size);
    await k.engine.select('fixed');
    await k.type(pin);
    await k.type(pin);
    await k.engine.select('done');
  }
  await k.press('enter');
  await k.engine.select('storage');
  t.match(k.text(), /No lockers are currently available in selected locker bank/);
  t.same([...k.doors.unlocked].sort(), [10, 11, 12]);
});

t.test('with headphones, day-use storage offers a locker within reach first', async (t) => {
  for (const plugged of [false, true]) {
    t.test(plugged ? 'audio mode' : 'screen', async (t) => {
      const k = createKiosk(t);
      const s = desiredState();
      // A second free small locker, higher up the numbering but within reach (door 10 is not).
      s.doors.push({ door: 13, locker: 23, size: 'S', column: 4, fromTop: 4, accessible: true, service: 'in-service' });
      k.state.set(s);
      await k.engine.settled();
      if (plugged) await k.engine.headphones(true);
      await startStorage(k, 'fixed');
      t.same(k.doors.unlocked, [plugged ? 13 : 10]);
    });
  }
});

t.test('the cloud ends a session', async (t) => {
  const k = createKiosk(t);
  await k.engine.badge(CODES.operatorBadge);
  await k.engine.endSession();
  t.equal(k.engine.screen.page, 'home');
  t.equal(k.engine.screen.role, undefined);
});

t.test('day-use storage: back from either PIN page is the choice of duration, and nothing is started', async (t) => {
  const k = createKiosk(t);
  await k.press('enter');
  await k.engine.select('storage');
  await k.engine.select('size-S');
  await k.engine.select('no-end');
  t.equal(k.engine.screen.page, 'storage-pin');
  await k.engine.back();
  t.equal(k.engine.screen.page, 'storage-duration', 'back from the PIN: the durations again');
  await k.engine.select('no-end');
  await k.type('2468');
  t.equal(k.engine.screen.page, 'storage-pin-confirm');
  await k.engine.select('back');
  t.equal(k.engine.screen.page, 'storage-duration', 'back from the PIN confirmation: the durations again');
  t.same(k.doors.unlocked, [], 'no door opened');
  t.same(k.sink.transactions('storage-start'), [], 'no storage started');
  await k.engine.select('chosen');
  await k.type('2');
  await k.type('1357');
  await k.type('1357');
  t.equal(k.engine.screen.page, 'storage-open', 'a storage chosen afresh starts with the new PIN');
  t.match(k.sink.transactions('storage-start')[0], { doors: [10], endsAt: T0 + 2 * H });
});
