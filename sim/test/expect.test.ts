import t from 'tap';
import sinon from 'sinon';
import { VirtualDoor } from '../src/door.ts';
import { ExpectTimeoutError, expectCondition, expectEvent, expectNoEvent, expectValue } from '../src/expect.ts';

t.test('expectEvent resolves with the first event that matches', async (t) => {
  const clock = sinon.useFakeTimers();
  t.teardown(() => clock.restore());
  const door = new VirtualDoor(3, { springDelayMs: 10, releaseAfterMs: 5 });
  t.teardown(() => door.dispose());
  const opened = expectEvent(door, 'moved', 100, (e) => e.open);
  door.setLock(true);
  await clock.tickAsync(20);
  const [ev] = await opened;
  t.equal(ev.door, 3);
  t.equal(ev.open, true);
});

t.test('a timeout names the event, the condition and where the wait started', async (t) => {
  const clock = sinon.useFakeTimers();
  t.teardown(() => clock.restore());
  const door = new VirtualDoor(7);
  const waiting = expectEvent(door, 'moved', 50, { predicate: (e) => e.open, description: 'door 7 open' });
  const caught = waiting.catch((e: unknown) => e);
  await clock.tickAsync(60);
  const err = await caught;
  t.ok(err instanceof ExpectTimeoutError);
  const msg = (err as Error).message;
  t.match(msg, /"moved"/);
  t.match(msg, /door 7 open/);
  t.match(msg, /50 ms/);
  t.match(msg, /VirtualDoor/);
  t.match(msg, /expect\.test\.[jt]s:\d+/, 'points at the test line');
  t.equal(door.listenerCount('moved'), 0, 'listener removed');
});

t.test('expectCondition and expectNoEvent', async (t) => {
  const clock = sinon.useFakeTimers();
  t.teardown(() => clock.restore());
  const door = new VirtualDoor(1);
  let flag = false;
  setTimeout(() => (flag = true), 30);
  const cond = expectCondition(() => flag, 100, 'flag set');
  await clock.tickAsync(40);
  await cond;
  const quiet = expectNoEvent(door, 'moved', 50);
  await clock.tickAsync(60);
  await quiet;
  const noisy = expectNoEvent(door, 'moved', 50).catch((e: unknown) => e);
  door.force();
  t.match(String(await noisy), /unexpected "moved"/);
  const never = expectCondition(() => false, 20, 'never true').catch((e: unknown) => e);
  await clock.tickAsync(30);
  t.match(String(await never), /never true/);
});

t.test('expectCondition takes an async check, never two at once; expectValue returns what it waited for', async (t) => {
  const clock = sinon.useFakeTimers();
  t.teardown(() => clock.restore());
  let n = 0;
  let inFlight = 0;
  let overlapped = false;
  const check = async (): Promise<boolean> => {
    overlapped ||= inFlight > 0;
    inFlight++;
    await new Promise((r) => setTimeout(r, 12));
    inFlight--;
    return ++n >= 3;
  };
  const cond = expectCondition(check, 1000, 'three checks');
  await clock.tickAsync(100);
  await cond;
  t.equal(n, 3, 'resolved on the third check');
  t.notOk(overlapped, 'a slow check is not overlapped by the next');
  const items: string[] = [];
  setTimeout(() => items.push('a', 'b'), 30);
  const found = expectValue(() => items.find((x) => x === 'b'), 100, 'item b');
  await clock.tickAsync(40);
  t.equal(await found, 'b');
  const failing = expectCondition(() => Promise.reject(new Error('store unreadable')), 100).catch((e: unknown) => e);
  t.match(String(await failing), /store unreadable/, 'an error of the check rejects the wait');
});

t.test('a jump of a faked Date does not cut a wait short: the bound is a timer', async (t) => {
  const clock = sinon.useFakeTimers({ toFake: ['Date'], now: 1_000_000 });
  t.teardown(() => clock.restore());
  let ready = false;
  const waiting = expectCondition(() => ready, 2000, 'ready');
  clock.tick(10 * 60_000);
  await new Promise((r) => setTimeout(r, 20));
  ready = true;
  await waiting;
  t.pass('still waiting after ten faked minutes, resolved once ready');
});
