// The console's frame and its manage-lockers screen, in process: who may open what (the server's one access table),
// the anti-forgery token of every post, the headers of every page, the language of each user, and what the lockers
// page shows and does, checked through the store.
import t from 'tap';
import type { Access } from '../../src/auth/roles.ts';
import { PREDEFINED_ROLES } from '../../src/domain/model.ts';
import { CONSOLE_ACCESS } from '../../src/web/console-access.ts';
import { SETUP_PATHS } from '../../src/web/settings/setup-screens.ts';
import { consoleApp, PASSWORD, type ConsoleApp } from './helpers.ts';

const seed = { role: 'admin' as const, id: 'seed' };
const menuRoute: Record<string, string> = {
  Lockers: '/console/lockers',
  Reservations: '/console/reservations',
  Activity: '/console/activity',
  Reports: '/console/reports',
  'Address book': '/console/contacts',
  Users: '/console/users',
  Roles: '/console/roles',
};

/** Whether the test's predefined role may pass an access entry, by the role's permissions. */
function roleAllows(role: string, access: Access): boolean {
  if (access === 'public' || access === 'signed-in') return true;
  const perms = new Set<string>(PREDEFINED_ROLES[role as keyof typeof PREDEFINED_ROLES].permissions);
  if (access === 'platform') return false;
  return (typeof access === 'string' ? [access] : access).some((a) => perms.has(a));
}
/** Whether the role may open one of the set-up screens built so far (the set-up entry shows then). */
function setsUp(role: string): boolean {
  return role !== 'recipient' && Object.values(SETUP_PATHS).some((p) => { const e = CONSOLE_ACCESS[`GET ${p}`]; return e !== undefined && roleAllows(role, e.access); });
}

async function withUsers(t: Parameters<typeof consoleApp>[0]): Promise<ConsoleApp> {
  const c = await consoleApp(t);
  for (const role of ['operator', 'carrier', 'recipient'] as const) await c.auth.createUser({ enterpriseId: 'ent', username: role, password: PASSWORD, role });
  await c.auth.createUser({ enterpriseId: 'ent', username: 'annex-op', password: PASSWORD, role: 'operator', accessLevel: { kind: 'location', id: 'loc2' } });
  return c;
}

/** A concrete URL for a console route pattern. */
function sample(pattern: string): string {
  return pattern.replace(':bankId', 'lobby').replace(':number', '1').replace(':file', 'none.js').replace(/:(\w+)/g, 'x-$1');
}

t.test('who may open what: every console route by role, as the access table says, and the menu offers only those', async (t) => {
  const c = await withUsers(t);
  t.equal((await c.app.inject({ url: '/' })).headers.location, '/console', 'the server address leads to the console');
  const anon = await c.app.inject({ url: '/console/lockers' });
  t.equal(anon.statusCode, 303);
  t.equal(anon.headers.location, '/account/sign-in?lang=en&next=%2Fconsole%2Flockers', 'no session: to sign-in, then back');
  const fragment = await c.app.inject({ method: 'POST', url: '/console/lockers/lobby/1/open', headers: { 'hx-request': 'true', 'hx-current-url': 'http://localhost/console/lockers/lobby/1' } });
  t.equal(fragment.statusCode, 401);
  t.equal(fragment.headers['hx-redirect'], '/account/sign-in?lang=en&next=%2Fconsole%2Flockers%2Flobby%2F1', 'an htmx request: the page it came from');
  const forged = await c.app.inject({ url: '/console/lockers', headers: { cookie: 'portier_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' } });
  t.equal(forged.statusCode, 303, 'an unknown session: to sign-in');
  const bearer = await c.app.inject({ url: '/console/lockers', headers: c.admin });
  t.equal(bearer.statusCode, 303, 'a bearer header is no way into the console');

  const expected: Record<string, string[]> = {
    admin: ['Lockers', 'Reservations', 'Activity', 'Reports', 'Address book', 'Users', 'Roles', 'Set-up'],
    operator: ['Lockers', 'Reservations', 'Activity', 'Reports', 'Address book', 'Set-up'],
    carrier: ['Lockers'],
    recipient: [],
  };
  for (const role of ['admin', 'operator', 'carrier', 'recipient']) {
    const cookie = await c.cookieOf(role);
    const start = await c.request(cookie, 'GET', '/console');
    t.equal(start.headers.location, role === 'recipient' ? '/account?lang=en' : '/console/lockers', `${role}: the start`);
    if (role !== 'recipient') {
      const page = await c.request(cookie, 'GET', '/console/lockers');
      const menu = [...(/<nav class="menu"[^]*?<\/nav>/.exec(page.body)?.[0] ?? '').matchAll(/<a [^>]*>([^<]+)<\/a>/g)].map((m) => m[1]);
      // Only the screens built so far are in the menu: the expected entries that have a route.
      const built = (expected[role] ?? []).filter((x) => (x === 'Set-up' ? setsUp(role) : menuRoute[x] !== undefined && `GET ${menuRoute[x]}` in CONSOLE_ACCESS));
      t.same(menu, built, `${role}: the menu offers only what the role may open`);
    }
    for (const [key, entry] of Object.entries(CONSOLE_ACCESS)) {
      const [method, pattern] = key.split(' ') as ['GET' | 'POST', string];
      if (entry.access === 'public' || !pattern.startsWith('/console/') || pattern === '/console/sign-out') continue;
      // A recipient has no console page, hence no anti-forgery token: its posts are refused either way.
      const r = await c.request(cookie, method, sample(pattern), method === 'POST' ? {} : undefined, role === 'recipient' ? { csrf: '' } : {});
      const allowed = key === 'GET /console/settings' ? setsUp(role) : roleAllows(role, entry.access);
      if (!allowed || role === 'recipient') t.ok([403, 404].includes(r.statusCode), `${role}: ${key} refused (${r.statusCode})`);
      else t.not(r.statusCode, 403, `${role}: ${key} not refused by role`);
    }
  }
});

t.test('every post needs its own session’s anti-forgery token: a forged form changes nothing', async (t) => {
  const c = await withUsers(t);
  const admin = await c.cookieOf('admin');
  const operator = await c.cookieOf('operator');
  const out = { state: 'out-of-service' as const, reason: 'broken hinge' };
  const missing = await c.request(admin, 'POST', '/console/lockers/lobby/2/service', out, { csrf: '' });
  t.equal(missing.statusCode, 403, 'no token');
  t.match(missing.body, /This form has expired/);
  const other = await c.request(admin, 'POST', '/console/lockers/lobby/2/service', out, { csrf: await c.csrfOf(operator) });
  t.equal(other.statusCode, 403, "another session's token");
  t.equal(c.store.get('lockers', 'lobby:2')?.service ?? (await c.service.getLocker('lobby', 2)).locker.service, 'in-service', 'the locker is still in service');
  const done = await c.request(admin, 'POST', '/console/lockers/lobby/2/service', out);
  t.equal(done.statusCode, 303, 'with its token the post is taken');
  t.match(await c.service.getLocker('lobby', 2), { status: 'out-of-service', locker: { serviceReason: 'broken hinge' } });
  const back = await c.request(admin, 'GET', done.headers.location as string);
  t.match(back.body, /Done\./);
  t.match(back.body, /Put back in service/);
});

t.test('every page carries a strict policy, is never cached, and its assets come from this server', async (t) => {
  const c = await withUsers(t);
  const r = await c.request(await c.cookieOf('admin'), 'GET', '/console/lockers');
  t.equal(r.statusCode, 200);
  t.match(r.headers['content-security-policy'], /script-src 'self'; style-src 'self'/);
  t.notMatch(r.headers['content-security-policy'], /unsafe/);
  t.equal(r.headers['cache-control'], 'no-store');
  t.equal(r.headers['x-frame-options'], 'DENY');
  t.notMatch(r.body, /<script>|<style>| style=| on[a-z]+=/, 'no inline script, style or handler');
  const scripts = [...r.body.matchAll(/<script src="([^"]+)"/g)].map((m) => m[1]!);
  t.equal(scripts.length, 2, 'htmx and the console script');
  for (const src of scripts) {
    t.match(src, /^\/console\/assets\//, 'served by the cloud');
    const a = await c.app.inject({ url: src, headers: { 'accept-encoding': 'gzip' } });
    t.equal(a.statusCode, 200);
    t.equal(a.headers['content-encoding'], 'gzip');
    t.match(a.headers['cache-control'], /immutable/);
  }
  t.equal((await c.app.inject({ url: '/console/assets/htmx-nothing.js' })).statusCode, 404);
});

t.test('the lockers page: the bank as it stands, counts per status, a filter, the contents summary, a scoped operator', async (t) => {
  const c = await withUsers(t);
  await c.service.createContact({ id: 'kim', enterpriseId: 'ent', firstName: 'Kim', lastName: '<b>Lee</b>', email: 'kim@example.com', language: 'en', needsAccessible: false }, seed);
  const r = await c.service.reserve({ bankId: 'lobby', kind: 'package', size: 'S', recipient: { type: 'contact', id: 'kim' }, trackingId: 'TRK-42' }, seed);
  await c.service.dropOff({ reservationId: r.reservation.id }, seed);
  await c.service.setServiceState('lobby', 8, { state: 'out-of-service', reason: 'door bent' }, seed);
  const admin = await c.cookieOf('admin');
  const page = (await c.request(admin, 'GET', '/console/lockers?bank=lobby')).body;
  t.match(page, /Available \(6\)/);
  t.match(page, /Occupied \(1\)/);
  t.match(page, /Out of service \(1\)/);
  t.ok(page.indexOf('Column 1 (kiosk)') < page.indexOf('Column 2'), 'columns left to right');
  const col1 = /Column 1 \(kiosk\)[^]*?<\/section>/.exec(page)![0];
  t.same([...col1.matchAll(/class="n">(\d+)</g)].map((m) => Number(m[1])), [4, 3, 2, 1], 'top door first');
  const n = r.reservation.lockerNumber!;
  const tip = new RegExp(`id="tip-${n}">([^]*?)</div>`).exec(page)![1]!;
  t.match(tip, /Kim &lt;b&gt;Lee&lt;\/b&gt;/, 'the recipient, escaped');
  t.match(tip, /TRK-42/);
  t.match(tip, /Notification/);
  t.match(page, new RegExp(`href="/console/lockers/lobby/${n}" aria-describedby="tip-${n}"`), 'the summary is tied to the locker link');
  const filtered = (await c.request(admin, 'GET', '/console/lockers?bank=lobby&status=occupied')).body;
  t.equal([...filtered.matchAll(/<a href="\/console\/lockers\/lobby\/\d+"/g)].length, 1, 'only the occupied locker is a link');
  t.match(filtered, /aria-current="true">Occupied \(1\)/);
  const offline = /Controller offline; door states unknown/.exec(page);
  t.ok(offline, 'no link: controllers offline, doors unknown');

  const scoped = await c.cookieOf('annex-op');
  const annex = (await c.request(scoped, 'GET', '/console/lockers?bank=lobby')).body;
  t.notMatch(annex, /Lobby/, 'another location’s bank is not offered, not even when asked for');
  t.match(annex, /Annex bank/);
  t.equal((await c.request(scoped, 'GET', `/console/lockers/lobby/${n}`)).statusCode, 404, 'nor its lockers');
  const carrier = (await c.request(await c.cookieOf('carrier'), 'GET', '/console/lockers?bank=lobby')).body;
  t.notMatch(carrier, /TRK-42|Kim/, 'no contents for a role without lockers.contents');
});

t.test('a locker’s page: its actions by role, end a reservation, and a remote open without a link says why', async (t) => {
  const c = await withUsers(t);
  const r = await c.service.reserve({ bankId: 'lobby', kind: 'package', recipient: { type: 'contact', id: (await c.service.createContact({ enterpriseId: 'ent', firstName: 'Al', lastName: 'Bo', language: 'en', needsAccessible: false }, seed)).id }, size: 'S' }, seed);
  const n = r.reservation.lockerNumber!;
  const admin = await c.cookieOf('admin');
  const page = (await c.request(admin, 'GET', `/console/lockers/lobby/${n}`)).body;
  t.match(page, /Open the door/);
  t.match(page, /End the reservation/);
  const carrierPage = (await c.request(await c.cookieOf('carrier'), 'GET', `/console/lockers/lobby/${n}`)).body;
  t.notMatch(carrierPage, /Open the door|End the reservation|Put out of service/, 'a carrier is offered no action');
  const noReason = await c.request(admin, 'POST', `/console/lockers/lobby/${n}/open`, { reason: ' ' }, { htmx: true });
  t.equal(noReason.statusCode, 400);
  t.match(noReason.body, /Enter why the door is opened/);
  const open = await c.request(admin, 'POST', `/console/lockers/lobby/${n}/open`, { reason: 'check' }, { htmx: true });
  t.equal(open.statusCode, 503);
  t.match(open.body, /no MQTT link/, "the API's reason");
  const end = await c.request(admin, 'POST', `/console/lockers/lobby/${n}/end`, { reservationId: r.reservation.id, reason: 'cancelled' });
  t.equal(end.statusCode, 303);
  t.equal((await c.service.getLocker('lobby', n)).status, 'available', 'the reservation ended');
});

t.test('each user’s language: the switch is saved with the user, and a way back outside the console is refused', async (t) => {
  const c = await withUsers(t);
  const op = await c.cookieOf('operator');
  const sw = await c.request(op, 'POST', '/console/language', { lang: 'fr', back: '/console/lockers?bank=annex' });
  t.equal(sw.headers.location, '/console/lockers?bank=annex');
  t.equal(c.store.list('users').find((u) => u.username === 'operator')?.language, 'fr', 'saved with the user');
  const page = (await c.request(op, 'GET', '/console/lockers')).body;
  t.match(page, /<html lang="fr">/);
  t.match(page, /Casiers/);
  t.match(page, /lang="en">English</, 'the switch back');
  const evil = await c.request(op, 'POST', '/console/language', { lang: 'en', back: 'https://evil.example/console' });
  t.equal(evil.headers.location, '/console/lockers', 'no open redirect');
  const slashes = await c.request(op, 'POST', '/console/language', { lang: 'en', back: '//evil.example/console' });
  t.equal(slashes.headers.location, '/console/lockers');
});

t.test('signing out ends the session', async (t) => {
  const c = await withUsers(t);
  const op = await c.cookieOf('operator');
  const out = await c.request(op, 'POST', '/console/sign-out', {});
  t.equal(out.headers.location, '/account/sign-in?lang=en&signedOut=1');
  t.match(String(out.headers['set-cookie']), /portier_session=; Path=\/; Max-Age=0/);
  t.equal((await c.request(op, 'GET', '/console/lockers')).statusCode, 303, 'the old cookie no longer works');
});
