// An enterprise's own words and rules reach real messages (a real SMTP peer, fake time): a template edited in English
// and in French is what the next parcel notice of each language says, with the code's QR image still attached; reset,
// the built-in words come back. Who is told follows the rules: the department's key contact and the user who
// reserved only when chosen, each once however often the sweep runs, never a contact who turned notices off.
import t from 'tap';
import type { Actor } from '../../src/domain/model.ts';
import { lockerRows } from '../fixtures/site.ts';
import { decodePng } from '../http/barcode-decode.ts';
import { eventually, mailedService } from '../mail/helpers.ts';

const T0 = Date.UTC(2027, 4, 3, 9, 0);
const SWEEP_MS = 600_000;
const admin = { role: 'admin' as const, id: 'seed' };

t.test('own words in both languages, reset to the built-in ones; rules choose the key contact and the reserving user', async (t) => {
  let desk = { id: '' };
  const { peer, clock, store, service } = await mailedService(t, {
    now: T0,
    sweepMs: SWEEP_MS,
    seed: async (service) => {
      await service.createLockers(lockerRows({ bankId: 'bank', columnId: 'col1', first: 1, count: 12, size: 'M', perRow: 4, bottomCm: 40, rowCm: 32 }), admin);
      await service.createDepartment({ id: 'dep', enterpriseId: 'ent', name: 'Finance', memberIds: [] }, admin);
      const contact = (id: string, email: string, more: Record<string, unknown> = {}) =>
        service.createContact({ enterpriseId: 'ent', id, firstName: id, lastName: 'Test', email, needsAccessible: false, ...more }, admin);
      await contact('ada', 'ada@example.org', { departmentId: 'dep' });
      await contact('elodie', 'elodie@example.org', { language: 'fr', departmentId: 'dep' });
      await contact('keeper', 'keeper@example.org');
      await service.addressBook.departments.update('dep', { keyContactId: 'keeper' }, admin);
      desk = await service.users.createUser({ enterpriseId: 'ent', username: 'desk', role: 'operator', email: 'desk@example.org', firstName: 'Dee', lastName: 'Desk' }, admin);
    },
  });
  const deskActor = { role: 'operator' as const, id: desk.id };

  const drained = () => eventually(() => store.list('mailOutbox').every((m) => m.status !== 'queued' && m.status !== 'sending'), 'the outbox drained', 10_000, () => clock.tickAsync(1));
  /** A parcel for `who`, reserved by `by`, dropped off; resolves with the messages it brought, once all are sent. */
  const parcel = async (who: string, by: Actor = admin) => {
    const before = peer.messages.length;
    const r = await service.reserve({ bankId: 'bank', kind: 'package', recipient: { type: 'contact', id: who }, size: 'S' }, by);
    const code = (await service.dropOff({ reservationId: r.reservation.id }, by)).pickupCode!;
    await clock.tickAsync(0);
    await drained();
    return { id: r.reservation.id, code, got: peer.messages.slice(before) };
  };
  const to = (m: { to?: unknown }) => (m.to as { text: string }).text;

  await t.test('an edited template is what the next message says, in English and in French', async (t) => {
    await service.notifications.setTemplate('ent', 'parcel-ready', 'en', { subject: 'Acme mailroom: {{item}} for {{recipientName}}', body: 'Hi {{recipientName}},\n\nLocker {{lockerNumber}} at {{bank}}.\nCode {{pickupCode}}.\n\nAcme <mailroom>' }, admin);
    await service.notifications.setTemplate('ent', 'parcel-ready', 'fr', { subject: 'Courrier Acme : {{item}} pour {{recipientName}}', body: 'Bonjour {{recipientName}},\n\nCasier {{lockerNumber}} à {{bank}}, code {{pickupCode}}.' }, admin);
    const en = await parcel('ada');
    const fr = await parcel('elodie');
    t.equal(en.got.length, 1);
    t.equal(fr.got.length, 1);
    const [e, f] = [en.got[0]!, fr.got[0]!];
    t.equal(e.subject, 'Acme mailroom: parcel for ada Test');
    t.match(e.text, new RegExp(`^Hi ada Test,\\n\\nLocker \\d+ at Lobby\\.\\nCode ${en.code}\\.\\n\\nAcme <mailroom>\\n\\nChange your notification preferences: https://lockers\\.example\\.com/preferences/`), 'the own words, then the preferences link');
    t.match(String(e.html), 'Acme &lt;mailroom&gt;', 'escaped in the HTML part');
    t.match(String(e.html), '<br>', 'a line break kept');
    t.same(decodePng(e.attachments[0]!.content), { format: 'qrcode', text: en.code }, 'the QR code of the code still attached');
    t.equal(f.subject, 'Courrier Acme : colis pour elodie Test');
    t.match(f.text, `Casier`);
    t.match(f.text, `code ${fr.code}.`);
    t.match(f.text, 'Modifier vos préférences de notification');
    t.match(String(f.html), '<html lang="fr">');
  });

  await t.test('a message waiting for a retry is sent in the words set meanwhile (worded when sent)', async (t) => {
    peer.mode = 'temporary-failure';
    const r = await service.reserve({ bankId: 'bank', kind: 'package', recipient: { type: 'contact', id: 'ada' }, size: 'S' }, admin);
    await service.dropOff({ reservationId: r.reservation.id }, admin);
    const waiting = () => store.list('mailOutbox').find((m) => m.reservationId === r.reservation.id);
    await eventually(() => waiting()?.attempts === 1 && waiting()?.status === 'queued', 'the first attempt refused', 10_000, () => clock.tickAsync(1));
    await service.notifications.setTemplate('ent', 'parcel-ready', 'en', { subject: 'Meanwhile: {{item}} at {{bank}}', body: 'Hi {{recipientName}}, code {{pickupCode}}.' }, admin);
    peer.mode = 'accept';
    const before = peer.messages.length;
    await clock.tickAsync(60_000);
    await drained();
    t.same(peer.messages.slice(before).map((m) => m.subject), ['Meanwhile: parcel at Lobby']);
  });

  await t.test('a reset template is back to the built-in words', async (t) => {
    await service.notifications.resetTemplate('ent', 'parcel-ready', 'en', admin);
    const en = await parcel('ada');
    t.equal(en.got[0]!.subject, 'Your parcel is ready for pickup at Lobby');
    t.match(en.got[0]!.text, `Your pickup code: ${en.code}`);
    const fr = await parcel('elodie');
    t.equal(fr.got[0]!.subject, 'Courrier Acme : colis pour elodie Test', 'the French words are still the own ones');
  });

  await t.test('rules: the key contact and the reserving user only when chosen, each once', async (t) => {
    await service.notifications.resetTemplate('ent', 'parcel-ready', 'fr', admin);
    const alone = await parcel('ada', deskActor);
    t.same(alone.got.map(to), ['ada@example.org'], 'by default the recipient alone');

    await service.notifications.setRules('ent', { rules: { 'parcel-ready': ['recipient', 'keyContact', 'reservedBy'] } }, admin);
    const all = await parcel('ada', deskActor);
    t.same(all.got.map(to).sort(), ['ada@example.org', 'desk@example.org', 'keeper@example.org'], 'recipient, key contact and the reserving user');
    const desks = all.got.find((m) => to(m) === 'desk@example.org')!;
    t.match(desks.text, `Your pickup code: ${all.code}`);
    t.notMatch(desks.text, 'preferences', 'a user has no contact preferences page');
    const byAdmin = await parcel('ada');
    t.same(byAdmin.got.map(to).sort(), ['ada@example.org', 'keeper@example.org'], 'nobody for reservedBy when no user with an e-mail reserved');

    await service.notifications.setRules('ent', { rules: { 'parcel-ready': ['keyContact'] } }, admin);
    const keyOnly = await parcel('ada', deskActor);
    t.same(keyOnly.got.map(to), ['keeper@example.org'], 'the key contact instead of the recipient');

    const count = peer.messages.length;
    await clock.tickAsync(SWEEP_MS);
    await clock.tickAsync(SWEEP_MS);
    await drained();
    t.equal(peer.messages.length, count, 'the sweep queues none of them twice, nor reaches back to parcels notified before the rules changed');

    await service.updateContact('keeper', { notifications: 'none' }, admin);
    const quiet = await parcel('ada', deskActor);
    t.same(quiet.got, [], 'a key contact who turned notices off gets none');
    t.same(
      store.list('mailOutbox').filter((m) => m.reservationId === quiet.id).map((m) => [m.to.id, m.status]),
      [['keeper', 'skipped']],
      'recorded as skipped',
    );
  });
});
