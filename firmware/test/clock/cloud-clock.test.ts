import t from 'tap';
import { CloudClock } from '../../src/clock/cloud-clock.ts';

function clocks(local0: number) {
  let local = local0;
  let mono = 0;
  return {
    now: () => local,
    monotonic: () => mono,
    advance(ms: number) {
      local += ms;
      mono += ms;
    },
    stepLocal(ms: number) {
      local += ms;
    },
  };
}

t.test('unlearned: local clock; learned: local + offset from signed timestamps', async (t) => {
  const c = clocks(1_000_000);
  const clock = new CloudClock(c);
  t.notOk(clock.learned);
  t.equal(clock.now(), 1_000_000);
  t.ok(clock.observe(1_000_000 + 3_600_000), 'first sample is worth persisting');
  t.equal(clock.offsetMs, 3_600_000);
  c.advance(10_000);
  t.equal(clock.now(), 1_000_000 + 3_600_000 + 10_000);
});

t.test('a delayed or old message does not pull the estimate back; the highest lower bound wins', async (t) => {
  const c = clocks(5_000_000);
  const clock = new CloudClock(c);
  clock.observe(5_000_000 + 500);
  clock.observe(5_000_000 - 86_400_000, 1000); // a message a day old
  t.equal(clock.offsetMs, 500);
});

t.test('negative offsets (a board clock ahead) are learned', async (t) => {
  const c = clocks(9_000_000);
  const clock = new CloudClock(c);
  clock.observe(9_000_000 - 120_000);
  t.equal(clock.offsetMs, -120_000);
  t.equal(clock.now(), 9_000_000 - 120_000);
});

t.test('the window lets a stepped clock be followed', async (t) => {
  const c = clocks(1_000_000);
  const clock = new CloudClock({ ...c, windowMs: 60_000 });
  clock.observe(1_000_000 + 10_000);
  c.advance(30_000);
  c.stepLocal(50_000); // NTP stepped the local clock forward
  clock.observe(1_030_000 + 10_000);
  t.equal(clock.offsetMs, 10_000, 'old sample still in the window');
  c.advance(61_000);
  clock.observe(1_030_000 + 61_000 + 10_000);
  t.equal(clock.offsetMs, 10_000 - 50_000, 'old sample left the window');
});

t.test('the highest issuedAt seen is a floor, advanced by monotonic time, whatever the wall clock does', async (t) => {
  const c = clocks(2_000_000);
  const clock = new CloudClock(c);
  clock.observe(2_000_000);
  c.advance(1000);
  c.stepLocal(-1_000_000); // the wall clock jumps back
  t.ok(clock.now() >= 2_001_000, `${clock.now()} >= floor`);
  t.equal(clock.nowFor(3_000_000), 3_000_000, 'never earlier than the message own issue time');
});

t.test('the persisted offset is kept across restarts, dropped when the local clock went backwards', async (t) => {
  const c = clocks(10_000_000);
  const a = new CloudClock(c);
  a.observe(10_000_000 + 42_000);
  const state = a.state();
  t.same(state, { offsetMs: 42_000, learnedAtLocal: 10_000_000, maxCloudSeen: 10_042_000 });
  const b = new CloudClock({ ...clocks(10_500_000), state });
  t.ok(b.learned);
  t.equal(b.offsetMs, 42_000);
  t.notOk(b.droppedPersisted);
  // A board without RTC booted in 1970: the learned offset is meaningless now.
  const d = new CloudClock({ ...clocks(1_000), state });
  t.notOk(d.learned);
  t.ok(d.droppedPersisted);
  t.ok(d.now() >= 10_042_000, 'but cloud time is still at least the last signed time seen');
  // A persisted offset outweighs a stale first message after restart.
  const e = new CloudClock({ ...clocks(10_500_000), state });
  e.observe(10_500_000 - 3_600_000);
  t.equal(e.offsetMs, 42_000);
});
