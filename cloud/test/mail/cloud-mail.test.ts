// E-mail from a whole running cloud (startCloud) to a real SMTP server that asks for a password: API drop-offs notify
// the recipient in their language with the code and its QR image, a return's code goes to the person bringing it,
// storage gets its PIN, a pickup its receipt, a welcome its link, a failed import its administrators; an opted-out
// contact gets nothing (recorded as skipped); each reservation lists its messages and the activity log records them.
// After the run, neither the data folder nor the logs hold a code, PIN, link token or the SMTP password in clear.
import t from 'tap';
import { lockerRows } from '../fixtures/site.ts';
import { decodePng } from '../http/barcode-decode.ts';
import { seedBank } from '../runtime/helpers.ts';
import { eventually, secretsInClear, startMailedCloud } from './helpers.ts';

const SMTP = { user: 'portier', pass: 'smtp-Secret-4711-xyz' };
const ADMIN = { user: 'admin', password: 'admin-password-1' };
const BASE = 'https://lockers.example.com';

t.test('a running cloud mails its recipients, records it, and keeps no secret in clear', async (t) => {
  const { rt, peer, dir, logs } = await startMailedCloud(t, { smtp: SMTP, admin: ADMIN, publicBaseUrl: BASE });
  const s = rt.service;
  const actor = { role: 'admin' as const, id: 'seed' };
  await seedBank(s, 'bank', [{ id: 'col1', kind: 'kiosk', controllerId: 'ctl-1' }]);
  const ent = s.store.get('divisions', 'div')!.enterpriseId;
  await s.createLockers(lockerRows({ bankId: 'bank', columnId: 'col1', first: 1, count: 8, size: 'M', perRow: 4, bottomCm: 40, rowCm: 32 }), actor);
  const contact = (id: string, extra: object) => s.createContact({ enterpriseId: ent, id, firstName: 'Test', lastName: id, needsAccessible: false, ...extra }, actor);
  await contact('c-en', { email: 'ada@example.org' });
  await contact('c-fr', { email: 'elodie@example.org', language: 'fr' });
  await contact('c-off', { email: 'quiet@example.org', notifications: 'none' });

  const login = await fetch(`${rt.httpUrl}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: ADMIN.user, password: ADMIN.password }) });
  const token = ((await login.json()) as { token: string }).token;
  const api = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${rt.httpUrl}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- test-side view of JSON replies
    return (await res.json()) as Record<string, any>;
  };
  const dropOff = async (recipient: string) => {
    const r = await api('POST', '/reservations', { bankId: 'bank', kind: 'package', recipient: { type: 'contact', id: recipient }, size: 'S', trackingId: `T-${recipient}` });
    const d = await api('POST', `/reservations/${r.reservation.id}/drop-off`, {});
    return { id: r.reservation.id as string, code: d.pickupCode as string };
  };
  const secrets: string[] = [];

  const fr = await dropOff('c-fr');
  const en = await dropOff('c-en');
  const off = await dropOff('c-off');
  secrets.push(fr.code, en.code, off.code);
  const [m1, m2] = await peer.received(2);
  const byTo = new Map([m1!, m2!].map((m) => [m.to && !Array.isArray(m.to) ? m.to.text : '', m]));
  const frMail = byTo.get('elodie@example.org')!;
  t.equal(frMail.subject, 'Votre colis est prêt à être retiré à Lobby', 'the French subject arrives intact');
  t.match(frMail.text, `Votre code de retrait : ${fr.code}`);
  t.same(decodePng(frMail.attachments[0]!.content), { text: fr.code, format: 'qrcode' }, 'its QR image reads back as the code');
  const enMail = byTo.get('ada@example.org')!;
  t.equal(enMail.subject, 'Your parcel is ready for pickup at Lobby');
  const prefsLink = /Change your notification preferences: (\S+)/.exec(enMail.text ?? '')?.[1];
  t.match(prefsLink, new RegExp(`^${BASE}/preferences/v1\\.`), 'a preferences link on the public base URL');
  secrets.push(prefsLink!.split('/').pop()!);

  const shown = await api('GET', `/reservations/${en.id}`);
  await eventually(() => rt.store.get('mailOutbox', shown.messages[0].id)?.status === 'sent', 'marked sent');
  const again = await api('GET', `/reservations/${en.id}`);
  t.match(again.messages, [{ kind: 'parcel-ready', status: 'sent', attempts: 1 }], 'the reservation lists its message and status');
  t.notMatch(JSON.stringify(again), /ada@example\.org/, 'not its address');
  t.match((await api('GET', `/reservations/${off.id}`)).messages, [{ kind: 'parcel-ready', status: 'skipped', lastError: 'the contact turned e-mail notices off' }]);

  // A return: the person bringing it gets the drop-off code; storage: the PIN; a pickup: the receipt.
  const ret = await api('POST', '/reservations', { bankId: 'bank', kind: 'return', recipient: { type: 'contact', id: 'c-en' }, size: 'S', dropOffParty: { type: 'contact', id: 'c-fr' }, pickupParty: { type: 'contact', id: 'c-en' } });
  const sto = await api('POST', '/reservations', { bankId: 'bank', kind: 'storage', recipient: { type: 'contact', id: 'c-en' }, storage: { mode: 'fixed', minutes: 60 } });
  secrets.push(ret.dropOffCode, sto.dropOffCode);
  const picked = await api('POST', '/pickups', { bankId: 'bank', code: en.code });
  t.ok(picked.reservations ?? picked.reservation, 'picked up with its code');
  const more = await peer.received(5);
  const subjects = more.slice(2).map((m) => m.subject).sort();
  t.same(subjects, ['Receipt: your parcel was picked up', 'Votre code pour déposer un retour à Lobby', 'Your storage locker is reserved at Lobby']);
  t.match(more.find((m) => m.subject?.startsWith('Votre code'))!.text, `Votre code de dépôt : ${ret.dropOffCode}`);
  t.match(more.find((m) => m.subject?.startsWith('Your storage'))!.text, `Your PIN: ${sto.dropOffCode}`);

  // Account messages through the AccountMail seam, and a failed import to the enterprise's administrators.
  const link = `${BASE}/set-password/tok-${'x'.repeat(20)}`;
  secrets.push(link.split('/').pop()!);
  await rt.mail.accountMail.queue({ kind: 'welcome', enterpriseId: ent, userId: 'u1', to: 'new@example.org', name: 'New User', language: 'en', link, expiresAt: Date.now() + 3_600_000 });
  const admin = (await s.users.findUserByUsername(ADMIN.user))!;
  await s.users.updateUser(admin.id, { email: 'boss@example.org' }, actor);
  rt.sftp.runner.emit('run-failed', {
    run: { id: 'run-1', enterpriseId: ent, trigger: 'schedule', startedAt: Date.now(), endedAt: Date.now(), outcome: 'failed', mode: 'merge', rows: 0, added: 0, changed: 0, removed: 0, unchanged: 0, kept: [], errors: [{ problem: 'connection refused' }] },
    alert: { id: 'a-1', at: Date.now(), type: 'alert', actor: { role: 'system' } },
  } as never);
  const last = await peer.received(7);
  t.same(last.slice(5).map((m) => m.subject).sort(), [`Address book import failed: ${s.store.get('enterprises', ent)!.name}`, 'Welcome to Portier: set your password']);

  const notices = await api('GET', '/activity?type=notification&limit=100');
  const details = notices.activity as Array<{ detail: string; reservationId?: string }>;
  t.ok(details.some((a) => a.detail === 'parcel-ready e-mail sent' && a.reservationId === en.id), 'the activity log records the send');
  t.notMatch(JSON.stringify(details), /@example\.org/, 'no address in the activity log');

  await eventually(() => rt.store.list('mailOutbox').every((m) => m.status === 'sent' || m.status === 'skipped'), 'everything sent');
  await rt.stop();
  secrets.push(SMTP.pass);
  t.same(await secretsInClear(dir, logs(), secrets), [], `no code, PIN, link token or SMTP password in clear (${secrets.length} secrets looked for)`);
  t.match(logs(), /e-mail sent/, 'the logs were captured');
});
