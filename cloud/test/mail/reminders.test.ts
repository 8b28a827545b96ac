// Reminders and expiring-soon notices under fake time: queued once each by the sweep when they fall due (a day after
// the drop-off and a day before the code expires, as the enterprise set), then the expiry notice; a contact who
// turned notices off gets none of them, each recorded as skipped.
import t from 'tap';
import { lockerRows } from '../fixtures/site.ts';
import { eventually, mailedService } from './helpers.ts';

const T0 = Date.UTC(2027, 4, 3, 9, 0);
const H = 3_600_000;
const SWEEP_MS = 600_000;

t.test('reminder after reminderDays, expiring soon expiringSoonHours before the expiry, each once; none to an opted-out contact', async (t) => {
  const { peer, clock, store, service, actor } = await mailedService(t, {
    now: T0,
    sweepMs: SWEEP_MS,
    seed: async (service) => {
      const actor = { role: 'admin' as const, id: 'seed' };
      await service.orgAdmin.updateEnterprise('ent', { settings: { reminderDays: 1, expiringSoonHours: 24 } }, actor);
      await service.createLockers(lockerRows({ bankId: 'bank', columnId: 'col1', first: 1, count: 4, size: 'M', perRow: 4, bottomCm: 40, rowCm: 32 }), actor);
      await service.createContact({ enterpriseId: 'ent', id: 'ada', firstName: 'Ada', lastName: 'L', email: 'ada@example.org', needsAccessible: false }, actor);
      await service.createContact({ enterpriseId: 'ent', id: 'quiet', firstName: 'Q', lastName: 'Uiet', email: 'quiet@example.org', notifications: 'none', needsAccessible: false }, actor);
    },
  });

  const dropOff = async (who: string) => {
    const r = await service.reserve({ bankId: 'bank', kind: 'package', recipient: { type: 'contact', id: who }, size: 'S' }, actor);
    return { id: r.reservation.id, code: (await service.dropOff({ reservationId: r.reservation.id }, actor)).pickupCode! };
  };
  const ada = await dropOff('ada');
  const quiet = await dropOff('quiet');
  await clock.tickAsync(0);
  await peer.received(1);
  const subjects = () => peer.messages.map((m) => m.subject);
  const at = async (ms: number) => {
    clock.setSystemTime(T0 + ms);
    await clock.tickAsync(SWEEP_MS);
    // Whatever the sweep queued is sent before the test looks.
    await eventually(() => store.list('mailOutbox').every((m) => m.status !== 'queued' && m.status !== 'sending'), 'the outbox drained', 10_000, () => clock.tickAsync(1));
  };

  await at(24 * H - 2 * SWEEP_MS);
  t.same(subjects(), ['Your parcel is ready for pickup at Lobby'], 'no reminder before a day has passed');
  await at(24 * H);
  t.same(subjects().slice(1), ['Reminder: your parcel is waiting at Lobby'], 'the reminder a day after the drop-off');
  t.match(peer.messages[1]!.text, `Your pickup code: ${ada.code}`, 'with the code');
  await at(36 * H);
  t.equal(peer.messages.length, 2, 'the reminder goes once');
  await at(48 * H);
  t.match(subjects().slice(2), [/^Your parcel must be collected by 6 May 2027 at 09:00 UTC$/], 'expiring soon a day before the code expires');
  await at(60 * H);
  t.equal(peer.messages.length, 3, 'expiring soon goes once');
  await at(72 * H);
  await service.expireDue();
  await eventually(() => peer.messages.length >= 4, 'the expiry notice sent', 10_000, () => clock.tickAsync(1));
  t.same(subjects().slice(3), ['Your parcel was returned to the mailroom'], 'the expiry notice');

  t.ok(peer.messages.every((m) => !Array.isArray(m.to) && m.to?.text === 'ada@example.org'), 'nothing to the opted-out contact');
  const quietMail = store.list('mailOutbox').filter((m) => m.reservationId === quiet.id);
  t.same(quietMail.map((m) => [m.kind, m.status]).sort(), [
    ['expired', 'skipped'],
    ['expiring-soon', 'skipped'],
    ['parcel-ready', 'skipped'],
    ['reminder', 'skipped'],
  ]);
  // The peer has the last message before the sender hears its answer and records it sent.
  const adaMail = () => store.list('mailOutbox').filter((m) => m.reservationId === ada.id);
  await eventually(() => adaMail().every((m) => m.status !== 'queued' && m.status !== 'sending'), 'the last send recorded', 10_000, () => clock.tickAsync(1));
  t.same(adaMail().map((m) => m.status), ['sent', 'sent', 'sent', 'sent'], 'every message to the contact recorded sent');
});
