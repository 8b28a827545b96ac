// Second factors through the API: adding an authenticator and signing in with its codes (computed here by otplib,
// another implementation of RFC 6238), recovery codes, codes by e-mail, remembered devices, an enterprise that
// requires a factor, and an administrator's reset. Time is the test app's clock.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateSync } from 'otplib';
import t, { type Test } from 'tap';
import { runAdmin } from '../../src/cli/admin.ts';
import { call, cliIo, listeningCliApp, makeTestApp, PASSWORD, type TestApp } from '../http/helpers.ts';
import { CapturingMail } from '../pages/helpers.ts';

let address = 0;
const T0 = Date.UTC(2026, 0, 15, 9, 0, 10);

/** The code an authenticator app shows at `at` (default: the app's clock). */
const totp = (ta: TestApp, secret: string, at = ta.clock.now) => generateSync({ secret, epoch: Math.floor(at / 1000) });

function post(ta: TestApp, url: string, payload: Record<string, unknown>, headers: Record<string, string> = {}) {
  address += 1;
  return ta.app.inject({ method: 'POST', url: `/api/v1${url}`, payload, headers, remoteAddress: `10.2.${address >> 8}.${address & 255}` });
}

const login = (ta: TestApp, username: string, extra: Record<string, unknown> = {}) => post(ta, '/auth/login', { username, password: PASSWORD, ...extra });

/** Signs `username` in with the password: the challenge it gets (fails the test when none). */
async function challenge(t: Test, ta: TestApp, username: string, extra: Record<string, unknown> = {}): Promise<{ challenge: string; methods: string[]; enrol: boolean }> {
  const r = await login(ta, username, extra);
  t.equal(r.statusCode, 200);
  const body = r.json<{ mfaRequired?: true; challenge: string; methods: string[]; enrol: boolean; token?: string }>();
  t.equal(body.mfaRequired, true, `${username}: a second factor is asked for`);
  t.notOk(body.token, 'and no session yet');
  return body;
}

/** The admin adds an authenticator with their session: its secret. */
async function enrolAdmin(t: Test, ta: TestApp): Promise<{ secret: string; recoveryCodes: string[] }> {
  const begin = await call(ta, 'POST', '/auth/mfa/totp');
  t.equal(begin.statusCode, 200);
  const { secret, uri, qrSvg } = begin.json<{ secret: string; uri: string; qrSvg: string }>();
  t.match(uri, new RegExp(`^otpauth://totp/Portier%20\\(Acme\\):admin(%40example\\.com)?\\?secret=${secret}&issuer=Portier\\+%28Acme%29&`), 'the URI an authenticator app reads');
  t.match(qrSvg, /^<svg[\s\S]*<\/svg>\s*$/, 'its QR code as SVG');
  const wrong = await call(ta, 'POST', '/auth/mfa/totp/confirm', { code: totp(ta, secret, ta.clock.now - 5 * 60_000) });
  t.match(wrong.json(), { error: { code: 'MFA_CODE_INVALID', field: 'code' } }, 'a code of another time does not confirm it');
  const ok = await call(ta, 'POST', '/auth/mfa/totp/confirm', { code: totp(ta, secret) });
  t.equal(ok.statusCode, 200);
  const { recoveryCodes } = ok.json<{ recoveryCodes: string[] }>();
  t.equal(recoveryCodes.length, 10, 'ten recovery codes');
  t.ok(recoveryCodes.every((c) => /^[a-z2-7]{5}-[a-z2-7]{5}$/.test(c)));
  return { secret, recoveryCodes };
}

const verify = (ta: TestApp, c: string, method: string, code: string, extra: Record<string, unknown> = {}) => post(ta, '/auth/mfa/verify', { challenge: c, method, code, ...extra });

t.test('an authenticator: enrolment, sign-in with its codes; wrong, reused and out-of-window codes refused', async (t) => {
  const ta = await makeTestApp();
  t.teardown(() => ta.app.close());
  ta.clock.now = T0;
  t.equal((await login(ta, 'admin')).json<{ token?: string }>().token?.length, 43, 'no factor yet: the password opens a session');
  const { secret } = await enrolAdmin(t, ta);
  const replace = await call(ta, 'POST', '/auth/mfa/totp');
  t.match(replace.json(), { error: { code: 'MFA_CODE_INVALID', field: 'code' } }, 'replacing the authenticator takes a code of it');
  t.equal((await call(ta, 'POST', '/auth/mfa/totp', { code: '000000' })).statusCode, 401, 'a wrong one does not do');
  const status = (await call(ta, 'GET', '/auth/mfa')).json();
  t.match(status, { totp: true, recoveryCodesLeft: 10, required: false, emailCodes: false, devices: [] });

  ta.clock.now += 60_000;
  const c1 = await challenge(t, ta, 'admin');
  t.same(c1.methods, ['totp', 'recovery'], 'no e-mail codes without a mail outbox');
  t.equal(c1.enrol, false);
  const wrong = await verify(ta, c1.challenge, 'totp', totp(ta, secret, ta.clock.now + 10 * 60_000));
  t.equal(wrong.statusCode, 401);
  t.match(wrong.json(), { error: { code: 'MFA_CODE_INVALID', field: 'code' } }, 'a code of ten minutes ahead is refused');
  t.equal((await verify(ta, c1.challenge, 'totp', totp(ta, secret, ta.clock.now - 90_000))).statusCode, 401, 'three steps back: out of the window');
  const code = totp(ta, secret);
  const good = await verify(ta, c1.challenge, 'totp', code);
  t.equal(good.statusCode, 200);
  const token = good.json<{ token: string }>().token;
  t.equal((await ta.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: { authorization: `Bearer ${token}` } })).statusCode, 200, 'the session works');
  t.match((await verify(ta, c1.challenge, 'totp', totp(ta, secret))).json(), { error: { code: 'MFA_CHALLENGE_INVALID' } }, 'a challenge serves once');

  const c2 = await challenge(t, ta, 'admin');
  t.match((await verify(ta, c2.challenge, 'totp', code)).json(), { error: { code: 'MFA_CODE_INVALID' } }, 'the same code again is refused');
  t.equal((await verify(ta, c2.challenge, 'totp', totp(ta, secret, ta.clock.now - 30_000))).statusCode, 401, 'and so is an older one');
  ta.clock.now += 60_000;
  t.equal((await verify(ta, c2.challenge, 'totp', totp(ta, secret, ta.clock.now - 30_000))).statusCode, 200, "a minute on, the previous step's code: within the window");

  await t.rejects(ta.auth.login('admin', PASSWORD, '127.0.0.1'), { code: 'MFA_REQUIRED' }, 'a sign-in without the second step gets no session');
  const stored = JSON.stringify(ta.store.list('mfaFactors'));
  t.notOk(stored.includes(secret), 'the secret is not stored in clear');
});

t.test('recovery codes work once each; wrong codes wear a challenge out and count towards the lock-out', async (t) => {
  const ta = await makeTestApp();
  t.teardown(() => ta.app.close());
  ta.clock.now = T0;
  const { recoveryCodes } = await enrolAdmin(t, ta);
  t.notOk(JSON.stringify(ta.store.list('mfaFactors')).includes(recoveryCodes[0]!.replace('-', '')), 'recovery codes are stored hashed');
  const c1 = await challenge(t, ta, 'admin');
  t.equal((await verify(ta, c1.challenge, 'recovery', recoveryCodes[0]!.toUpperCase())).statusCode, 200, 'a recovery code, any case');
  const c2 = await challenge(t, ta, 'admin');
  t.match((await verify(ta, c2.challenge, 'recovery', recoveryCodes[0]!)).json(), { error: { code: 'MFA_CODE_INVALID' } }, 'used once: refused');
  t.equal((await verify(ta, c2.challenge, 'recovery', recoveryCodes[1]!.replace('-', ' '))).statusCode, 200, 'another one works');
  t.match((await call(ta, 'GET', '/auth/mfa')).json(), { recoveryCodesLeft: 8 });
  const both = await challenge(t, ta, 'admin');
  const racing = await Promise.all([verify(ta, both.challenge, 'recovery', recoveryCodes[2]!), verify(ta, both.challenge, 'recovery', recoveryCodes[3]!)]);
  t.same(racing.map((r) => r.statusCode).sort(), [200, 401], 'two right codes sent at once: one session, not two');

  await call(ta, 'PATCH', '/enterprises/ent', { settings: { lockoutThreshold: 8 } });
  const c3 = await challenge(t, ta, 'admin');
  for (let i = 1; i <= 4; i++) t.equal((await verify(ta, c3.challenge, 'totp', '000000')).statusCode, 401, `wrong code ${i}`);
  t.match((await verify(ta, c3.challenge, 'totp', '000000')).json(), { error: { code: 'MFA_CHALLENGE_INVALID' } }, 'the fifth ends the challenge');
  const c4 = await challenge(t, ta, 'admin');
  t.equal((await verify(ta, c4.challenge, 'recovery', 'aaaaa-aaaaa')).statusCode, 401, 'a new challenge: the password again does not clear the count');
  t.equal((await verify(ta, c4.challenge, 'recovery', 'aaaaa-aaaab')).statusCode, 401);
  const locked = await verify(ta, c4.challenge, 'recovery', 'aaaaa-aaaac');
  t.equal(locked.statusCode, 423, 'the eighth wrong code in a row locks the account');
  t.equal((await login(ta, 'admin')).statusCode, 423, 'and the password is refused while locked');
});

t.test('codes by e-mail: sent on request, once each, for ten minutes; not too fast', async (t) => {
  const mail = new CapturingMail();
  const ta = await makeTestApp({ mail });
  t.teardown(() => ta.app.close());
  ta.clock.now = T0;
  const admin = ta.store.list('users').find((u) => u.username === 'admin')!;
  await call(ta, 'PATCH', `/users/${admin.id}`, { email: 'admin@example.com', firstName: 'Ada', lastName: 'Min' });
  await enrolAdmin(t, ta);
  const c = await challenge(t, ta, 'admin');
  t.same(c.methods, ['totp', 'recovery', 'email']);
  const sent = await post(ta, '/auth/mfa/email', { challenge: c.challenge });
  t.equal(sent.statusCode, 202);
  t.equal(mail.codes.length, 1);
  t.match(mail.codes[0], { kind: 'mfa-code', to: 'admin@example.com', name: 'Ada Min', expiresAt: ta.clock.now + 10 * 60_000 });
  const code = mail.codes[0]!.code;
  t.match(code, /^\d{6}$/);
  t.equal((await post(ta, '/auth/mfa/email', { challenge: c.challenge })).statusCode, 429, 'another at once: too fast');
  t.notOk(JSON.stringify(ta.store.list('mfaChallenges')).includes(`"${code}"`), 'the code is not stored in clear');
  const wrongCode = code === '123456' ? '654321' : '123456';
  t.equal((await verify(ta, c.challenge, 'email', wrongCode)).statusCode, 401, 'a wrong e-mail code');
  ta.clock.now += 10 * 60_000;
  t.match((await verify(ta, c.challenge, 'email', code)).json(), { error: { code: 'MFA_CHALLENGE_INVALID' } }, 'ten minutes later the sign-in is over');

  const c2 = await challenge(t, ta, 'admin');
  await post(ta, '/auth/mfa/email', { challenge: c2.challenge });
  const code2 = mail.codes.at(-1)!.code;
  ta.clock.now += 5 * 60_000;
  const signedIn = await verify(ta, c2.challenge, 'email', code2);
  t.equal(signedIn.statusCode, 200, 'the e-mailed code signs in');
  const fresh = { authorization: `Bearer ${signedIn.json<{ token: string }>().token}` };
  const c3 = await challenge(t, ta, 'admin');
  t.equal((await verify(ta, c3.challenge, 'email', code2)).statusCode, 401, 'not twice: the code was for the sign-in before');

  await ta.app.inject({ method: 'PATCH', url: '/api/v1/enterprises/ent', payload: { settings: { mfaEmailCodes: false } }, headers: fresh });
  const c4 = await challenge(t, ta, 'admin');
  t.same(c4.methods, ['totp', 'recovery'], 'the enterprise turned e-mail codes off');
  t.equal((await post(ta, '/auth/mfa/email', { challenge: c4.challenge })).statusCode, 401);
});

t.test('a remembered device is spared the challenge until it expires or is revoked, for its own user only', async (t) => {
  const ta = await makeTestApp();
  t.teardown(() => ta.app.close());
  ta.clock.now = T0;
  await call(ta, 'PATCH', '/enterprises/ent', { settings: { mfaRememberDays: 7, mfaRequired: 'all' } });
  const { secret } = await enrolAdmin(t, ta);
  ta.clock.now += 30_000;
  const c = await challenge(t, ta, 'admin');
  const r = await verify(ta, c.challenge, 'totp', totp(ta, secret), { rememberDevice: true });
  const { deviceToken, deviceExpiresAt } = r.json<{ deviceToken: string; deviceExpiresAt: string }>();
  t.equal(deviceExpiresAt, new Date(ta.clock.now + 7 * 24 * 3600_000).toISOString(), 'for the enterprise’s seven days');
  t.notOk(JSON.stringify(ta.store.list('mfaDevices')).includes(deviceToken.split('.')[2]!), 'its signature is not stored');

  ta.clock.now += 6 * 24 * 3600_000;
  const spared = await login(ta, 'admin', { deviceToken });
  t.equal(spared.json<{ token?: string }>().token?.length, 43, 'six days on, the device signs in with the password alone');
  await challenge(t, ta, 'operator', { deviceToken });
  const tampered = deviceToken.replace(/\.(\d+)\./, (_m, exp: string) => `.${Number(exp) + 86_400_000}.`);
  await challenge(t, ta, 'admin', { deviceToken: tampered });
  ta.clock.now += 24 * 3600_000;
  await challenge(t, ta, 'admin', { deviceToken });
  t.pass('after seven days it is asked again');

  const c2 = await challenge(t, ta, 'admin');
  const second = (await verify(ta, c2.challenge, 'totp', totp(ta, secret), { rememberDevice: true })).json<{ deviceToken: string; token: string }>();
  const status = (await ta.app.inject({ method: 'GET', url: '/api/v1/auth/mfa', headers: { authorization: `Bearer ${second.token}` } })).json<{ devices: { id: string }[] }>();
  t.equal(status.devices.length, 1, 'the live device is listed');
  const del = await ta.app.inject({ method: 'DELETE', url: `/api/v1/auth/mfa/devices/${status.devices[0]!.id}`, headers: { authorization: `Bearer ${second.token}` } });
  t.equal(del.statusCode, 204);
  await challenge(t, ta, 'admin', { deviceToken: second.deviceToken });
  t.pass('a revoked device is asked again');
});

t.test('an enterprise that requires a factor of administrators: enrolment within the sign-in; the administrator’s reset', async (t) => {
  const ta = await makeTestApp();
  t.teardown(() => ta.app.close());
  ta.clock.now = T0;
  await call(ta, 'PATCH', '/enterprises/ent', { settings: { mfaRequired: 'admins' } });
  t.equal((await login(ta, 'operator')).json<{ token?: string }>().token?.length, 43, 'an operator is not asked');
  const c = await challenge(t, ta, 'admin');
  t.same(c, { ...c, methods: [], enrol: true }, 'the administrator must add an authenticator');
  const begin = await post(ta, '/auth/mfa/enrol', { challenge: c.challenge });
  const { secret } = begin.json<{ secret: string }>();
  t.equal((await post(ta, '/auth/mfa/enrol/confirm', { challenge: c.challenge, code: '000000' })).statusCode, 401, 'a wrong first code');
  const done = await post(ta, '/auth/mfa/enrol/confirm', { challenge: c.challenge, code: totp(ta, secret) });
  t.equal(done.statusCode, 200);
  t.match(done.json(), { tokenType: 'Bearer', recoveryCodes: Array(10).fill(/^[a-z2-7]{5}-[a-z2-7]{5}$/) });
  const adminToken = done.json<{ token: string }>().token;
  const removed = await ta.app.inject({ method: 'POST', url: '/api/v1/auth/mfa/totp/remove', payload: { code: totp(ta, secret, ta.clock.now + 30_000) }, headers: { authorization: `Bearer ${adminToken}` } });
  t.match(removed.json(), { error: { code: 'MFA_REQUIRED' } }, 'an administrator may not remove the factor the enterprise requires');

  await call(ta, 'PATCH', '/enterprises/ent', { settings: { mfaRequired: 'all' } });
  const op = await challenge(t, ta, 'operator');
  t.equal(op.enrol, true, 'everyone, when the enterprise says all');

  const admin = ta.store.list('users').find((u) => u.username === 'admin')!;
  const operator = ta.store.list('users').find((u) => u.username === 'operator')!;
  const mfaShown = async () => (await ta.app.inject({ method: 'GET', url: `/api/v1/users/${admin.id}`, headers: { authorization: `Bearer ${adminToken}` } })).json<{ user: { mfa: unknown } }>().user.mfa;
  t.same(await mfaShown(), { totp: true }, 'the user view says an authenticator is set up (and nothing of it)');
  const reset = await ta.app.inject({ method: 'POST', url: `/api/v1/users/${admin.id}/mfa/reset`, headers: { authorization: `Bearer ${adminToken}` } });
  t.match(reset.json(), { reset: true, user: { username: 'admin' } });
  t.notOk(ta.store.get('mfaFactors', admin.id), 'the factors are gone');
  t.same(await mfaShown(), { totp: false }, 'and the user view says so');
  const again = await challenge(t, ta, 'admin');
  t.equal(again.enrol, true, 'after a reset the administrator enrols again');
  t.match((await call(ta, 'POST', `/users/${operator.id}/mfa/reset`, undefined, 'operator')).statusCode, 403, 'an operator may not reset anyone');
  const log = (await ta.app.inject({ method: 'GET', url: '/api/v1/activity?type=account', headers: { authorization: `Bearer ${adminToken}` } })).json<{ activity: { detail: string }[] }>();
  t.ok(log.activity.some((a) => a.detail === 'second factors reset'), 'the reset is in the activity log');
  t.ok(log.activity.some((a) => a.detail === 'authenticator added'));
});

t.test('the CLI: `portier login` with a code of the authenticator or a recovery code; `portier users reset-mfa`', async (t) => {
  const { ta, env } = await listeningCliApp(t);
  ta.clock.now = T0;
  const { secret, recoveryCodes } = await enrolAdmin(t, ta);
  ta.clock.now += 30_000;
  const dir = mkdtempSync(join(tmpdir(), 'portier-mfa-cli-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const base = { PORTIER_URL: env('admin').PORTIER_URL!, PORTIER_PASSWORD: PASSWORD, PORTIER_TOKEN_FILE: join(dir, 'token.json') };
  const without = cliIo(base);
  t.equal(await runAdmin(['login', '-u', 'admin'], without), 2);
  t.match(without.stderr, /this account signs in with a second factor: give --code/);
  const wrong = cliIo(base);
  t.equal(await runAdmin(['login', '-u', 'admin', '--code', '000000'], wrong), 1);
  t.match(wrong.stderr, /That code is not right/);
  const io = cliIo(base);
  t.equal(await runAdmin(['login', '-u', 'admin', '--code', totp(ta, secret)], io), 0, io.stderr);
  t.match(io.stdout, /^logged in to .* as admin \(admin\)/);
  const byRecovery = cliIo(base);
  t.equal(await runAdmin(['login', '-u', 'admin', '--recovery-code', recoveryCodes[3]!], byRecovery), 0, byRecovery.stderr);

  const reset = cliIo({ ...env('admin'), PORTIER_TOKEN: JSON.parse(readFileSync(join(dir, 'token.json'), 'utf8')).token });
  t.equal(await runAdmin(['users', 'reset-mfa', 'admin'], reset), 0, reset.stderr);
  t.equal(reset.stdout, 'user admin: second factors reset\n');
  const plain = cliIo(base);
  t.equal(await runAdmin(['login', '-u', 'admin'], plain), 0, 'after the reset the password alone signs in (nothing required)');
});
