// The account flows of a whole running cloud, their e-mails through a real SMTP server: a new user's welcome link
// sets the password, a run of wrong passwords locks the account, "forgot password" mails a reset link whose use ends
// the user's other sessions and the lock, an API key works, a drop-off mails its code. Afterwards neither the data
// folder nor the logs hold any password, link token, session token, API key, pickup code or the SMTP password in clear.
import t from 'tap';
import { lockerRows } from '../fixtures/site.ts';
import { seedBank } from '../runtime/helpers.ts';
import { secretsInClear, startMailedCloud } from './helpers.ts';

const SMTP = { user: 'portier', pass: 'smtp-Secret-9137-abc' };
const ADMIN = { user: 'admin', password: 'admin-password-7' };
const LOCKED = 'This user account is locked. Too many unsuccessful login attempts.';

/** The token of the single-use link in a message's text. */
function linkToken(text: string | undefined): string {
  const m = /\/account\/(?:set|reset)-password\?token=([A-Za-z0-9_-]+)/.exec(text ?? '');
  if (!m) throw new Error(`no link in ${JSON.stringify(text)}`);
  return m[1]!;
}

t.test('welcome, lock-out, reset, API key and a drop-off, mailed for real, leave no secret in clear', async (t) => {
  const { rt, peer, dir, logs } = await startMailedCloud(t, { smtp: SMTP, admin: ADMIN, publicBaseUrl: 'https://lockers.example.com' });
  const secrets: string[] = [SMTP.pass, ADMIN.password];

  const call = async (method: string, path: string, body?: unknown, token?: string) => {
    const res = await fetch(`${rt.httpUrl}/api/v1${path}`, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- test-side view of JSON replies
    return { status: res.status, body: (await res.json().catch(() => ({}))) as Record<string, any> };
  };
  const login = (who: object, password: string) => call('POST', '/auth/login', { ...who, password });
  const admin = (await login({ username: ADMIN.user }, ADMIN.password)).body['token'] as string;
  secrets.push(admin);

  // A new user without a password is welcomed with a link that sets it, once.
  const made = await call('POST', '/users', { username: 'rita', email: 'rita@example.org', firstName: 'Rita', lastName: 'Mailroom', language: 'fr', role: 'operator' }, admin);
  t.equal(made.status, 201, 'user created');
  const ritaId = made.body['user']?.id ?? made.body['id'];
  const [welcome] = await peer.received(1);
  t.equal(welcome!.to && 'text' in welcome!.to ? welcome!.to.text : '', 'rita@example.org', 'the welcome goes to the new user');
  t.match(welcome!.subject, /Bienvenue/i, 'in her language');
  const welcomeToken = linkToken(welcome!.text);
  secrets.push(welcomeToken);
  const ritaPassword = 'rita-first-Password-2';
  secrets.push(ritaPassword);
  t.equal((await call('POST', '/auth/reset-password', { token: welcomeToken, password: ritaPassword })).status, 200, 'the welcome link sets her password');
  t.not((await call('POST', '/auth/reset-password', { token: welcomeToken, password: 'another-Password-3' })).status, 200, 'and only once');
  const first = await login({ email: 'RITA@example.org' }, ritaPassword);
  t.equal(first.status, 200, 'she signs in by e-mail');
  const ritaSession = first.body['token'] as string;
  secrets.push(ritaSession);

  // Five wrong passwords lock the account, even against the right one.
  for (let i = 0; i < 5; i++) await login({ username: 'rita' }, `wrong-guess-${i}-xyz`);
  const locked = await login({ username: 'rita' }, ritaPassword);
  t.equal(locked.body['error']?.message, LOCKED, 'the exact lock message');

  // "Forgot password" mails a reset link; using it unlocks, sets the password and ends her other sessions.
  t.equal((await call('POST', '/auth/forgot-password', { email: 'rita@example.org' })).status, 202);
  t.equal((await call('POST', '/auth/forgot-password', { email: 'nobody@example.org' })).status, 202, 'the same answer for an unknown address');
  const [, reset] = await peer.received(2);
  const resetToken = linkToken(reset!.text);
  secrets.push(resetToken);
  const ritaNew = 'rita-second-Password-4';
  secrets.push(ritaNew);
  t.equal((await call('POST', '/auth/reset-password', { token: resetToken, password: ritaNew })).status, 200, 'the reset link sets a new password');
  t.equal((await call('GET', '/auth/me', undefined, ritaSession)).status, 401, 'her session from before is over');
  const again = await login({ username: 'rita' }, ritaNew);
  t.equal(again.status, 200, 'the reset ended the lock');
  const account = await call('GET', '/activity?type=account&limit=100', undefined, admin);
  const about = (account.body['activity'] as Array<{ target?: { id: string }; detail?: string }>).filter((e) => e.target?.id === ritaId);
  t.ok(about.length >= 2, `the lock and its end are in the activity log (${about.map((e) => e.detail).join('; ')})`);
  secrets.push(again.body['token'] as string);

  // An API key, shown once, works as a bearer token.
  const key = await call('POST', '/api-keys', { name: 'Nightly export', role: 'operator', expiresAt: Date.now() + 30 * 86_400_000 }, admin);
  t.equal(key.status, 201, 'API key made');
  const apiKey = key.body['key'] as string;
  secrets.push(apiKey);
  t.equal((await call('GET', '/lockers?bankId=bank', undefined, apiKey)).status === 401, false, 'the key is let in');

  // A drop-off for a contact mails the pickup code.
  const s = rt.service;
  const actor = { role: 'admin' as const, id: 'seed' };
  await seedBank(s, 'bank', [{ id: 'col1', kind: 'kiosk', controllerId: 'ctl-1' }]);
  const ent = s.store.get('divisions', 'div')!.enterpriseId;
  await s.createLockers(lockerRows({ bankId: 'bank', columnId: 'col1', first: 1, count: 4, size: 'M', perRow: 4, bottomCm: 40, rowCm: 32 }), actor);
  await s.createContact({ enterpriseId: ent, id: 'c-ada', firstName: 'Ada', lastName: 'L', email: 'ada@example.org', needsAccessible: false }, actor);
  const r = await call('POST', '/reservations', { bankId: 'bank', kind: 'package', recipient: { type: 'contact', id: 'c-ada' }, size: 'S', trackingId: 'T-ada' }, admin);
  const d = await call('POST', `/reservations/${r.body['reservation'].id}/drop-off`, {}, admin);
  const code = d.body['pickupCode'] as string | undefined;
  t.ok(code, 'the drop-off answers the code');
  secrets.push(code!);
  const [, , parcel] = await peer.received(3);
  t.match(parcel!.text, code!, 'the recipient is mailed the code');

  await rt.stop();
  const clear = await secretsInClear(dir, logs(), secrets);
  t.same(clear, [], `no password, token, key, code or SMTP password in clear (${secrets.length} secrets looked for)`);
});
