// The console's security screen as forms and pages (inject): the enterprise's sign-in settings with their ranges shown
// and a refused value explained at its field, single sign-on (the client secret never shown again, an empty field
// keeping it), API keys (shown once, working, revoked), each change checked through the API; who sees which section.
import t from 'tap';
import { consoleApp, PASSWORD, type ConsoleApp, type Json } from './helpers.ts';


let a: ConsoleApp;
let admin: string;

const settingsOf = async () => ((await a.api('GET', '/enterprises/ent')).json['enterprise'] as Json)['settings'] as Json | undefined;

/** Every field of the settings form as the page gives it, with `changes`. */
function settingsForm(changes: Record<string, string>): Record<string, string> {
  return {
    idleTimeoutMinutes: '15',
    sessionMaxHours: '12',
    lockoutThreshold: '5',
    lockoutMinutes: '30',
    passwordMinLength: '8',
    passwordCommonCheck: 'on',
    welcomeLinkHours: '72',
    mfaRequired: 'off',
    mfaRememberDays: '30',
    mfaEmailCodes: 'on',
    ...changes,
  };
}

async function userWithRole(username: string, name: string, permissions: string[]): Promise<string> {
  const role = await a.api('POST', '/roles', { name, permissions });
  await a.api('POST', '/users', { username, password: PASSWORD, role: (role.json['role'] as Json)['id'] });
  return a.cookieOf(username);
}

t.before(async () => {
  a = await consoleApp(t);
  admin = await a.cookieOf('admin');
});

t.test('the settings: each range and default shown from the API’s schema; the sections the role may use', async (t) => {
  const r = await a.request(admin, 'GET', '/console/security');
  t.equal(r.statusCode, 200);
  t.match(r.body, /<h1>Security<\/h1>/);
  t.match(r.body, /<input type="number" id="idleTimeoutMinutes" name="idleTimeoutMinutes" value="15" inputmode="numeric" step="1" min="5" max="60"/);
  t.match(r.body, /From 5 to 60 minutes \(default 15\)/);
  t.match(r.body, /id="lockoutThreshold-hint">From 1 to 100 \(default 5\)/);
  t.match(r.body, /From 8 to 64 characters/);
  t.match(r.body, /<input type="radio" id="mfaRequired" name="mfaRequired" value="off" checked>/, 'two-step sign-in: nobody by default');
  t.match(r.body, /<input type="checkbox" id="passwordCommonCheck" name="passwordCommonCheck" value="on" checked/);
  t.match(r.body, /href="\/console\/security\/sso"/, 'an administrator may set up single sign-on');
  t.match(r.body, /href="\/console\/security\/api-keys"/, 'and make API keys');
});

t.test('save: checked through the API; a refused value is explained at its field; nothing changes then', async (t) => {
  const saved = await a.request(admin, 'POST', '/console/security', settingsForm({ idleTimeoutMinutes: '30', lockoutThreshold: '7', mfaRequired: 'admins', mfaEmailCodes: '' }));
  t.equal(saved.statusCode, 303);
  t.equal(saved.headers.location, '/console/security?done=saved');
  t.match(await settingsOf(), { idleTimeoutMinutes: 30, lockoutThreshold: 7, mfaRequired: 'admins', mfaEmailCodes: false, passwordMinLength: 8 }, 'as the API says');
  const page = await a.request(admin, 'GET', '/console/security?done=saved');
  t.match(page.body, /role="status"><p>The security settings were saved\.<\/p>/);
  t.match(page.body, /id="idleTimeoutMinutes" name="idleTimeoutMinutes" value="30"/, 'the form shows what is saved');

  const tooLong = await a.request(admin, 'POST', '/console/security', settingsForm({ idleTimeoutMinutes: '61' }));
  t.equal(tooLong.statusCode, 400, 'the API refused it');
  t.match(tooLong.body, /<a href="#idleTimeoutMinutes">Enter a whole number from 5 to 60\.<\/a>/, 'the summary links to the field');
  t.match(tooLong.body, /<p class="field-error" id="idleTimeoutMinutes-error">Enter a whole number from 5 to 60\.<\/p><input type="number" id="idleTimeoutMinutes" name="idleTimeoutMinutes" value="61"[^>]*aria-describedby="idleTimeoutMinutes-hint idleTimeoutMinutes-error" aria-invalid="true">/);
  t.match(await settingsOf(), { idleTimeoutMinutes: 30 }, 'unchanged');

  const lockout = await a.request(admin, 'POST', '/console/security', settingsForm({ lockoutMinutes: '0' }));
  t.equal(lockout.statusCode, 400);
  t.match(lockout.body, /id="lockoutMinutes-error">Enter a whole number from 1 to 10080\./);

  const words = await a.request(admin, 'POST', '/console/security', settingsForm({ sessionMaxHours: 'twelve' }));
  t.equal(words.statusCode, 400);
  t.match(words.body, /<a href="#sessionMaxHours">Enter a whole number\.<\/a>/);
  t.match(await settingsOf(), { sessionMaxHours: 12 });

  const mfa = await a.request(admin, 'POST', '/console/security', settingsForm({ mfaRequired: 'sometimes' }));
  t.equal(mfa.statusCode, 400);
  t.match(mfa.body, /<a href="#mfaRequired">/, 'the API’s refusal of a choice, at its field');

  const back = await a.request(admin, 'POST', '/console/security', settingsForm({}));
  t.equal(back.statusCode, 303);
  t.match(await settingsOf(), { idleTimeoutMinutes: 15, lockoutThreshold: 5, mfaRequired: 'off', mfaEmailCodes: true });
});

t.test('a post without the anti-forgery token is refused and changes nothing', async (t) => {
  const r = await a.request(admin, 'POST', '/console/security', settingsForm({ idleTimeoutMinutes: '40' }), { csrf: '' });
  t.equal(r.statusCode, 403);
  t.match(await settingsOf(), { idleTimeoutMinutes: 15 });
});

t.test('single sign-on: saved, the secret never shown again and kept when left empty, refused at its field, removed', async (t) => {
  const none = await a.request(admin, 'GET', '/console/security/sso');
  t.equal(none.statusCode, 200);
  t.match(none.body, /Single sign-on is not set up/);
  t.match(none.body, /<input type="password" id="clientSecret" name="clientSecret" value=""/);

  const noSecret = await a.request(admin, 'POST', '/console/security/sso', { issuer: 'https://id.example.com', clientId: 'portier', clientSecret: '', emailClaim: 'email', passwordSignIn: 'on', enabled: 'on' });
  t.equal(noSecret.statusCode, 422);
  t.match(noSecret.body, /<a href="#clientSecret">/, 'a first set-up needs the secret');

  const secret = 'very-secret-client-value-123';
  const saved = await a.request(admin, 'POST', '/console/security/sso', { issuer: 'https://id.example.com', clientId: 'portier', clientSecret: secret, emailClaim: 'email', defaultRole: '', passwordSignIn: 'on', enabled: 'on' });
  t.equal(saved.statusCode, 303);
  t.match((await a.api('GET', '/enterprises/ent/sso')).json['sso'], { issuer: 'https://id.example.com', clientId: 'portier', hasClientSecret: true, passwordSignIn: true, enabled: true, createUsers: false });
  const page = await a.request(admin, 'GET', '/console/security/sso?done=saved');
  t.match(page.body, /Single sign-on was saved\./);
  t.match(page.body, /Saved \(never shown again\)/);
  t.match(page.body, /Leave this empty to keep it/);
  t.notOk(page.body.includes(secret), 'the secret is never in the page');

  const bad = await a.request(admin, 'POST', '/console/security/sso', { issuer: 'http://id.example.com', clientId: 'portier', clientSecret: 'another-secret-typed', emailClaim: 'email', passwordSignIn: 'on', enabled: 'on' });
  t.equal(bad.statusCode, 400);
  t.match(bad.body, /<a href="#issuer">the issuer must be an https URL/);
  t.match(bad.body, /id="issuer-error"/);
  t.notOk(bad.body.includes('another-secret-typed'), 'a secret typed into a refused form is not sent back');

  const kept = await a.request(admin, 'POST', '/console/security/sso', { issuer: 'https://login.example.com', clientId: 'portier-2', clientSecret: '', emailClaim: 'mail', createUsers: 'on', defaultRole: 'operator', passwordSignIn: 'on', enabled: 'on' });
  t.equal(kept.statusCode, 303, 'an empty secret field keeps the saved one');
  t.match((await a.api('GET', '/enterprises/ent/sso')).json['sso'], { issuer: 'https://login.example.com', clientId: 'portier-2', hasClientSecret: true, emailClaim: 'mail', createUsers: true, defaultRole: 'operator' });
  const secretOf = a.store.get('ssoConfigs', 'ent')!.clientSecret;
  t.not(secretOf, '', 'the stored (sealed) secret is still there');

  const removed = await a.request(admin, 'POST', '/console/security/sso/remove', {});
  t.equal(removed.statusCode, 303);
  t.equal(removed.headers.location, '/console/security/sso?done=removed');
  t.equal((await a.api('GET', '/enterprises/ent/sso')).status, 404, 'removed, as the API says');
});

t.test('API keys: made and shown once, working on the API, listed without the key, revoked and then refused', async (t) => {
  const list = await a.request(admin, 'GET', '/console/security/api-keys');
  t.equal(list.statusCode, 200);
  t.match(list.body, /There are no API keys yet/);
  t.match(list.body, /<option value="admin">Administrator<\/option>/);
  t.match(list.body, /<option value="location:loc">Location: Main<\/option>/);
  t.match(list.body, /At most 730 days from today/);

  const badDate = await a.request(admin, 'POST', '/console/security/api-keys', { name: 'Sync', role: 'operator', accessLevel: 'enterprise', expiresAt: 'soon' });
  t.equal(badDate.statusCode, 400);
  t.match(badDate.body, /<a href="#expiresAt">Enter a date\.<\/a>/);
  const past = await a.request(admin, 'POST', '/console/security/api-keys', { name: 'Sync', role: 'operator', accessLevel: 'enterprise', expiresAt: '2001-01-01' });
  t.equal(past.statusCode, 422);
  t.match(past.body, /<a href="#expiresAt">the expiry must lie in the future<\/a>/, 'the API’s refusal at the field');
  const noName = await a.request(admin, 'POST', '/console/security/api-keys', { name: ' ', role: 'operator', accessLevel: 'enterprise', expiresAt: '2099-01-01' });
  t.equal(noName.statusCode, 400);
  t.match(noName.body, /<a href="#name">/);

  const day = new Date(Date.now() + 30 * 86_400_000);
  const expires = `${day.getFullYear()}-${String(day.getMonth() + 1).padStart(2, '0')}-${String(day.getDate()).padStart(2, '0')}`;
  const made = await a.request(admin, 'POST', '/console/security/api-keys', { name: 'Nightly sync', role: 'operator', accessLevel: 'location:loc', expiresAt: expires });
  t.equal(made.statusCode, 200);
  t.equal(made.headers['cache-control'], 'no-store', 'the page with the key is never cached');
  const key = /<textarea id="new-key" class="key" rows="3" readonly[^>]*>(pk_[^<]+)<\/textarea>/.exec(made.body)?.[1];
  t.ok(key, 'the key is shown');
  t.match(made.body, /it is shown this once and can never be shown again/);
  t.match(made.body, /<th scope="row">Nightly sync<\/th><td>Operator<\/td><td>Location: Main<\/td>/, 'and listed');
  const works = await a.app.inject({ method: 'GET', url: '/api/v1/banks', headers: { authorization: `Bearer ${key}` } });
  t.equal(works.statusCode, 200, 'the key works on the API');
  const keys = (await a.api('GET', '/api-keys')).json['apiKeys'] as Json[];
  t.match(keys, [{ name: 'Nightly sync', role: 'operator', accessLevel: { kind: 'location', id: 'loc' }, status: 'active' }]);
  t.equal(new Date(keys[0]!['expiresAt'] as number).getDate(), day.getDate(), 'it expires on the day chosen');

  const again = await a.request(admin, 'GET', '/console/security/api-keys');
  t.notOk(again.body.includes(key!), 'never shown again');
  t.match(again.body, /<th scope="row">Nightly sync<\/th>(<td>[^<]*<\/td>){4}<td>\d{1,2} \w{3} \d{4}, \d{2}:\d{2}<\/td>/, 'its last use shown');
  t.match(again.body, /<details class="confirm"><summary>Revoke Nightly sync<\/summary>/, 'revoking asks first');
  const id = String(keys[0]!['id']);
  const revoked = await a.request(admin, 'POST', `/console/security/api-keys/${id}/revoke`, {});
  t.equal(revoked.statusCode, 303);
  t.equal(revoked.headers.location, '/console/security/api-keys?done=revoked');
  t.match((await a.api('GET', `/api-keys/${id}`)).json['apiKey'], { status: 'revoked' });
  const refused = await a.app.inject({ method: 'GET', url: '/api/v1/banks', headers: { authorization: `Bearer ${key}` } });
  t.equal(refused.statusCode, 401, 'the revoked key no longer works');
  const after = await a.request(admin, 'GET', '/console/security/api-keys?done=revoked');
  t.match(after.body, /The key was revoked\./);
  t.match(after.body, /<span class="tag bad">Revoked<\/span>/, 'the state in words');
  t.notMatch(after.body, /Revoke Nightly sync/, 'a revoked key has nothing left to revoke');
});

t.test('who may open what: each section only for a role that may call its API', async (t) => {
  const operator = await userWithRole('desk', 'Desk', ['lockers.view']);
  for (const path of ['/console/security', '/console/security/sso', '/console/security/api-keys']) {
    t.equal((await a.request(operator, 'GET', path)).statusCode, 403, `no ${path} without its permission`);
  }
  const setter = await userWithRole('setter', 'Setter', ['settings']);
  const page = await a.request(setter, 'GET', '/console/security');
  t.equal(page.statusCode, 200);
  t.notMatch(page.body, /\/console\/security\/sso/, 'no single sign-on without sso');
  t.notMatch(page.body, /\/console\/security\/api-keys/, 'no API keys without users');
  t.equal((await a.request(setter, 'GET', '/console/security/sso')).statusCode, 403);
  const csrf = /name="csrf" value="([^"]+)"/.exec(page.body)![1]!;
  t.equal((await a.request(setter, 'POST', '/console/security/api-keys', { name: 'x', role: 'operator', expiresAt: '2099-01-01' }, { csrf })).statusCode, 403);
  const keys = await userWithRole('keys', 'Keys', ['settings', 'users', 'lockers.view']);
  const withKeys = await a.request(keys, 'GET', '/console/security');
  t.match(withKeys.body, /\/console\/security\/api-keys/);
  t.notMatch(withKeys.body, /\/console\/security\/sso/);
  const offered = await a.request(keys, 'GET', '/console/security/api-keys');
  t.notMatch(offered.body, /<option value="admin">/, 'no role with a right the person lacks is offered');

  const sso = await userWithRole('idp', 'Identity', ['sso']);
  const ssoPage = await a.request(sso, 'GET', '/console/security/sso');
  t.equal(ssoPage.statusCode, 200, 'single sign-on needs only its own permission');
  t.match(ssoPage.body, /<input type="text" id="defaultRole" name="defaultRole"/, 'without reading roles, the role is typed');
  t.equal((await a.request(sso, 'GET', '/console/security')).statusCode, 403, 'the settings are not theirs');

  // A division-level administrator: the enterprise's settings are for whoever acts for all of it.
  await a.api('POST', '/users', { username: 'divadmin', password: PASSWORD, role: 'admin', accessLevel: { kind: 'division', id: 'div' } });
  const div = await a.request(await a.cookieOf('divadmin'), 'GET', '/console/security');
  t.equal(div.statusCode, 200);
  t.match(div.body, /Only someone whose access level is the whole enterprise changes its settings\./);
  t.notMatch(div.body, /id="idleTimeoutMinutes"/);
});

t.test('in French', async (t) => {
  t.equal((await a.request(admin, 'POST', '/console/language', { lang: 'fr', back: '/console/security' })).statusCode, 303);
  t.teardown(() => a.request(admin, 'POST', '/console/language', { lang: 'en', back: '/console/security' }));
  const page = await a.request(admin, 'GET', '/console/security');
  t.match(page.body, /<html lang="fr">/);
  t.match(page.body, /<h1>Sécurité<\/h1>/);
  t.match(page.body, /De 5 à 60 minutes \(par défaut 15\)/);
  const bad = await a.request(admin, 'POST', '/console/security', settingsForm({ lockoutThreshold: '101' }));
  t.match(bad.body, /<a href="#lockoutThreshold">Saisissez un nombre entier de 1 à 100\.<\/a>/);
  t.match((await a.request(admin, 'GET', '/console/security/sso')).body, /L’authentification unique n’est pas configurée/);
  t.match((await a.request(admin, 'GET', '/console/security/api-keys')).body, /<h1>Clés d’API<\/h1>/);
});
