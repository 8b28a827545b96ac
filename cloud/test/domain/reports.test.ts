import t from 'tap';
import { dayStart, daysOf, dwellStats, localDate, occupancyByDay, readBankUse, type ReportStore } from '../../src/domain/reports.ts';
import type { Reservation } from '../../src/domain/model.ts';
import type { PastReservationQuery } from '../../src/store/store.ts';

const H = 3600_000;
/** Midnight of 1 to 4 December 2026 in the server's time zone. */
const D = [1, 2, 3, 4].map((d) => new Date(2026, 11, d).getTime());

t.test('occupancy per day: the most lockers occupied at once and the share of locker-time, stays cut at the period', async (t) => {
  const bounds = [D[0]!, D[1]!, D[2]!, D[3]!];
  const stays = [
    { start: D[0]! - 5 * H, end: D[0]! + 10 * H }, // began the day before
    { start: D[0]! + 6 * H, end: D[0]! + 12 * H },
    { start: D[0]! + 10 * H, end: D[2]! + 6 * H }, // taken the moment the first one was freed; covers all of day 2
    { start: D[2]! + 6 * H, end: D[3]! + 30 * H }, // goes on after the period
    { start: D[3]! + H, end: D[3]! + 2 * H }, // after the period
  ];
  const days = occupancyByDay(stays, bounds, 4);
  t.same(
    days.map((d) => d.peak),
    [2, 1, 1],
    'a locker freed and taken at the same moment is counted once',
  );
  t.same(
    days.map((d) => d.averageShare),
    [30 / 96, 24 / 96, 24 / 96],
    'occupied hours over 4 lockers x 24 h',
  );
  t.same(days.map((d) => d.peakShare), [0.5, 0.25, 0.25]);
  t.same(occupancyByDay(stays, [D[0]!, D[0]! + 12 * H], 4)[0], { peak: 2, peakShare: 0.5, averageShare: (10 + 6 + 2) / 48 }, 'a day cut at "now" is shared over its hours so far');
  t.same(occupancyByDay(stays, bounds, 0).map((d) => d.averageShare), [0, 0, 0], 'a bank without lockers');
  t.same(occupancyByDay([], [D[0]!], 4), [], 'no day');
});

t.test('the days of a period are calendar days of the server, both ends included', async (t) => {
  const p = daysOf('2026-12-30', '2027-01-02');
  t.same(p.dates, ['2026-12-30', '2026-12-31', '2027-01-01', '2027-01-02']);
  t.equal(p.bounds.length, 5);
  t.equal(p.bounds[0], new Date(2026, 11, 30).getTime());
  t.equal(p.bounds[4], new Date(2027, 0, 3).getTime());
  t.same(daysOf('2026-12-01', '2026-12-01').dates, ['2026-12-01']);
  t.equal(dayStart('2026-02-30'), undefined, 'not a day');
  t.equal(dayStart('2026-2-3'), undefined, 'not the format');
  t.equal(localDate(D[1]! + 23 * H), '2026-12-02');
});

t.test('dwell time: count, median, 90th percentile (nearest rank) and average', async (t) => {
  t.same(dwellStats([5, 1, 3, 2, 4].map((h) => h * H)), { count: 5, medianMs: 3 * H, p90Ms: 5 * H, averageMs: 3 * H });
  t.same(dwellStats([1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((h) => h * H)), { count: 10, medianMs: 5.5 * H, p90Ms: 9 * H, averageMs: 5.5 * H });
  t.same(dwellStats([]), { count: 0 });
});

function reservation(id: string, bankId: string, o: Partial<Reservation>): Reservation {
  return { id, bankId, lockerNumber: 1, kind: 'package', status: 'ended', recipient: { type: 'contact', id: 'c' }, packages: [], createdAt: D[0]! - 48 * H, createdBy: { role: 'operator' }, ...o };
}

t.test('what the reports read: live stays up to now, ended ones from history newest first, down to the period only', async (t) => {
  const now = D[2]! + 12 * H;
  const live = [
    reservation('live', 'b1', { status: 'occupied', occupiedAt: D[1]! + H }),
    reservation('reserved', 'b1', { status: 'reserved' }), // nothing dropped off yet: no locker occupied
    reservation('other', 'b2', { status: 'occupied', occupiedAt: D[1]! }), // a bank not asked for
  ];
  // History of b1, newest first, two to a page; the last page is never needed.
  const ended = [
    reservation('picked', 'b1', { occupiedAt: D[1]! + 2 * H, endedAt: D[1]! + 5 * H, endReason: 'picked-up' }),
    reservation('cancelled', 'b1', { endedAt: D[1]!, endReason: 'cancelled' }), // never dropped off
    reservation('early', 'b1', { occupiedAt: D[0]! - 10 * H, endedAt: D[0]! + 2 * H, endReason: 'picked-up' }),
    reservation('before', 'b1', { occupiedAt: D[0]! - 10 * H, endedAt: D[0]! - 2 * H, endReason: 'picked-up' }),
    reservation('older', 'b1', { occupiedAt: D[0]! - 30 * H, endedAt: D[0]! - 20 * H, endReason: 'picked-up' }),
    reservation('oldest', 'b1', { occupiedAt: D[0]! - 50 * H, endedAt: D[0]! - 40 * H, endReason: 'picked-up' }),
  ];
  const asked: PastReservationQuery[] = [];
  const store: ReportStore = {
    list: ((c: string) => (c === 'reservations' ? live : [])) as ReportStore['list'],
    pastReservations: async (q) => {
      asked.push(q);
      const at = q.cursor !== undefined ? Number(q.cursor) : 0;
      const mine = ended.filter((r) => r.bankId === q.bankId);
      const items = mine.slice(at, at + 2);
      return at + 2 < mine.length ? { items, nextCursor: String(at + 2) } : { items };
    },
  };
  const use = await readBankUse(store, ['b1'], D[0]!, now, now);
  t.same([...use.keys()], ['b1']);
  t.same(use.get('b1')!.stays, [
    { start: D[1]! + H, end: now },
    { start: D[1]! + 2 * H, end: D[1]! + 5 * H },
    { start: D[0]! - 10 * H, end: D[0]! + 2 * H },
  ]);
  t.same(use.get('b1')!.dwellMs, [3 * H, 12 * H], 'pickups in the period, each from its drop-off');
  t.equal(asked.length, 2, 'history is read down to the first page reaching before the period, not further');
  t.ok(
    asked.every((q) => q.bankId === 'b1'),
    'only the banks asked for',
  );
});
