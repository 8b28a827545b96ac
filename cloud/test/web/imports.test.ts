// The console's scheduled imports screen as forms and pages (inject), behind an API whose runner fetches through a
// stand-in for SSH (the real server is the browser journey's): settings saved (checked through the API), a secret
// never put back into a page and kept when its field is left empty, the API's refusals at the field they name, run
// now with its report (a good file, then a bad row), forget the host key, delete, and who may open the screen.
import t from 'tap';
import type { FetchRequest } from '../../src/sftp/fetch.ts';
import { SftpRunner } from '../../src/sftp/runner.ts';
import { consoleApp, PASSWORD, type ConsoleApp, type Json } from './helpers.ts';


const SECRET = 'sftp secret never shown 1';
const HEADER = 'PersonnelID,FirstName,LastName,Email';

let a: ConsoleApp;
let admin: string;
let file = '';
let fetched: FetchRequest | undefined;

const settings = (o: Record<string, string> = {}) => ({ host: 'sftp.example.com', port: '2222', username: 'portier', password: SECRET, remotePath: '/out/contacts.csv', delimiter: 'comma', mode: 'merge', schedule: '0 3 * * *', timezone: 'Europe/Paris', enabled: 'on', ...o });

t.before(async () => {
  let runner: SftpRunner | undefined;
  a = await consoleApp(t, { sftp: { run: (e, trigger, by) => runner!.run(e, trigger, by) } });
  runner = new SftpRunner({
    imports: a.service.sftpImports,
    store: a.store,
    instanceId: 'console-test',
    random: a.service.random,
    fetch: async (req) => {
      fetched = req;
      return { bytes: Buffer.from(file), fingerprint: 'SHA256:c29tZS1ob3N0LWtleQ' };
    },
  });
  admin = await a.cookieOf('admin');
  await a.api('POST', '/users', { username: 'plain', password: PASSWORD, role: 'operator' });
  await a.api('POST', '/users', { username: 'local', password: PASSWORD, role: 'operator', accessLevel: { kind: 'location', id: 'loc' } });
  await a.api('POST', '/users', { username: 'courier', password: PASSWORD, role: 'carrier' });
});

t.test('not set up: the empty form, no run yet', async (t) => {
  const page = await a.request(admin, 'GET', '/console/imports');
  t.equal(page.statusCode, 200);
  t.match(page.body, /<title>Scheduled imports/);
  t.match(page.body, /The import is not set up yet\./);
  t.match(page.body, /<h2 id="settings-h">Set up the import<\/h2>/);
  t.match(page.body, /<input type="text" id="port" name="port" value="22"/);
  t.match(page.body, /No run yet\./);
  t.notMatch(page.body, /Run now<\/button>/, 'nothing to run');
});

t.test('settings saved, checked through the API; the secret never shown again, kept when left empty', async (t) => {
  const save = await a.post(admin, '/console/imports', settings());
  t.equal(save.statusCode, 303, save.body);
  t.equal(save.headers.location, '/console/imports?done=saved');
  t.match((await a.api('GET', '/sftp-import')).json['sftpImport'], { host: 'sftp.example.com', port: 2222, username: 'portier', hasPassword: true, hasPrivateKey: false, remotePath: '/out/contacts.csv', delimiter: ',', mode: 'merge', schedule: '0 3 * * *', timezone: 'Europe/Paris', enabled: true }, 'saved, as the API says');
  const page = await a.request(admin, 'GET', '/console/imports?done=saved');
  t.match(page.body, /role="status"><p>The settings were saved\./);
  t.match(page.body, /<dt>Signs in with<\/dt><dd>A password \(stored, never shown\)<\/dd>/);
  t.match(page.body, /<dt>Server<\/dt><dd>sftp\.example\.com:2222<\/dd>/);
  t.match(page.body, /<input type="password" id="password" name="password" value="" [^>]*autocomplete="new-password"[^>]*aria-describedby="password-hint"/);
  t.match(page.body, /id="password-hint">A password is stored\. Leave this empty to keep it\./);
  t.notMatch(page.body, new RegExp(SECRET), 'the secret is nowhere in the page');

  const edit = await a.post(admin, '/console/imports', settings({ password: '', delimiter: 'tab', mode: 'replace', enabled: '' }));
  t.equal(edit.statusCode, 303);
  t.match((await a.api('GET', '/sftp-import')).json['sftpImport'], { hasPassword: true, delimiter: '\t', mode: 'replace', enabled: false }, 'changed, the password kept');
  await a.post(admin, '/console/imports', settings({ password: '' }));
});

t.test("the API's refusals at the field they name; what was typed kept, but never a secret", async (t) => {
  const badSchedule = await a.post(admin, '/console/imports', settings({ schedule: 'every night', password: 'typed but refused' }));
  t.equal(badSchedule.statusCode, 400);
  t.match(badSchedule.body, /<a href="#schedule">a cron schedule has 5 fields/);
  t.match(badSchedule.body, /id="schedule-error">a cron schedule has 5 fields[^<]*<\/p><input type="text" id="schedule" name="schedule" value="every night"[^>]*aria-invalid="true"/);
  t.notMatch(badSchedule.body, /typed but refused/, 'a typed secret is not sent back either');
  const badPort = await a.post(admin, '/console/imports', settings({ port: 'twenty-two' }));
  t.equal(badPort.statusCode, 400);
  t.match(badPort.body, /<a href="#port">/);
  const both = await a.post(admin, '/console/imports', settings({ privateKey: '-----BEGIN RSA PRIVATE KEY-----\nnope\n-----END RSA PRIVATE KEY-----' }));
  t.equal(both.statusCode, 400);
  t.match(both.body, /<a href="#privateKey">give a password or a private key, not both<\/a>/);
  t.match(both.body, /<textarea id="privateKey" name="privateKey"[^>]*aria-invalid="true"><\/textarea>/, 'the key typed is not sent back');
  t.match((await a.api('GET', '/sftp-import')).json['sftpImport'], { schedule: '0 3 * * *', port: 2222 }, 'nothing changed');
});

t.test('run now: a good file imported with its report; a bad row imports nothing and says why (in French too)', async (t) => {
  file = `${HEADER}\nP-501,Ann,Able,ann@acme.test\nP-502,Ben,Baker,ben@acme.test\n`;
  const run = await a.post(admin, '/console/imports/run', {});
  t.equal(run.statusCode, 303);
  t.equal(run.headers.location, '/console/imports?done=run-ok#runs');
  t.match(fetched, { host: 'sftp.example.com', port: 2222, username: 'portier', auth: { password: SECRET }, remotePath: '/out/contacts.csv' }, 'the stored password used');
  t.equal(((await a.api('GET', '/contacts?q=Able')).json['contacts'] as Json[]).length, 1, 'imported, as the API says');
  const ok = await a.request(admin, 'GET', '/console/imports?done=run-ok');
  t.match(ok.body, /role="status"><p>The import ran\./);
  t.match(ok.body, /<td>Run now<\/td><td><span class="tag">Imported<\/span><\/td><td class="num">2<\/td><td class="num">2<\/td><td class="num">0<\/td><td class="num">0<\/td><td class="num">0<\/td>/);
  t.match(ok.body, /<code>SHA256:c29tZS1ob3N0LWtleQ, pinned on /, 'the host key pinned by the run');

  file = `${HEADER}\nP-503,Cy,Cole,cy@acme.test\nP-503,Cy,Again,cy2@acme.test\n`;
  const bad = await a.post(admin, '/console/imports/run', {});
  t.equal(bad.headers.location, '/console/imports?done=run-failed#runs');
  t.equal(((await a.api('GET', '/contacts?q=Cole')).json['contacts'] as Json[]).length, 0, 'nothing imported');
  const failed = await a.request(admin, 'GET', '/console/imports?done=run-failed');
  t.match(failed.body, /role="alert"><p>The import failed and nothing was imported\./);
  t.match(failed.body, /<span class="tag bad">Failed<\/span>[\s\S]*<summary>1 problem<\/summary><ul class="plain"><li>Line 3, column PersonnelID: Duplicate Personnel ID/, 'the bad row by line and column');
  t.ok(failed.body.indexOf('Failed') < failed.body.indexOf('Imported</span>'), 'newest first');

  await a.api('PATCH', '/auth/me', { language: 'fr' });
  const fr = await a.request(admin, 'GET', '/console/imports');
  t.match(fr.body, /<li>Ligne 3, colonne PersonnelID : <span lang="en">Duplicate Personnel ID/, "in French, the API's English words marked as such");
  t.match(fr.body, /<span class="tag bad">Échec<\/span>/);
  await a.api('PATCH', '/auth/me', { language: 'en' });
});

t.test('forget the host key, then delete the import: each checked through the API', async (t) => {
  const forget = await a.post(admin, '/console/imports/host-key', {});
  t.equal(forget.headers.location, '/console/imports?done=key-forgotten');
  t.notOk(((await a.api('GET', '/sftp-import')).json['sftpImport'] as Json)['hostKey'], 'forgotten, as the API says');
  t.match((await a.request(admin, 'GET', '/console/imports')).body, /Not pinned yet/);
  const del = await a.post(admin, '/console/imports/delete', {});
  t.equal(del.headers.location, '/console/imports?done=deleted');
  t.equal((await a.api('GET', '/sftp-import')).status, 404, 'deleted, as the API says');
  t.match((await a.request(admin, 'GET', '/console/imports?done=deleted')).body, /The import was deleted\.[\s\S]*The import is not set up yet\./);
});

t.test('who may: the address book at the enterprise level; hidden from others; a post needs its token', async (t) => {
  t.equal((await a.request(await a.cookieOf('plain'), 'GET', '/console/imports')).statusCode, 200, 'an operator holds the address book');
  const courier = await a.cookieOf('courier');
  t.equal((await a.request(courier, 'GET', '/console/imports')).statusCode, 404, 'hidden like the API');
  t.equal((await a.post(courier, '/console/imports', settings())).statusCode, 404);
  for (const url of ['/console/imports/run', '/console/imports/host-key', '/console/imports/delete']) t.equal((await a.post(courier, url, {})).statusCode, 404, `POST ${url}`);
  t.equal((await a.request(await a.cookieOf('local'), 'GET', '/console/imports')).statusCode, 403, "the API's refusal of a location's operator");
  const forged = await a.post(admin, '/console/imports', settings(), 'forged');
  t.equal(forged.statusCode, 403);
  t.equal((await a.api('GET', '/sftp-import')).status, 404, 'nothing saved');
});

t.test('a server that runs no imports says so on the page', async (t) => {
  const b = await consoleApp(t);
  const cookie = await b.cookieOf('admin');
  const csrf = await b.csrfOf(cookie);
  const form = (f: Record<string, string>) => b.app.inject({ method: 'POST', url: '/console/imports', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams({ csrf, ...f }).toString() });
  t.equal((await form(settings())).statusCode, 303);
  const run = await b.app.inject({ method: 'POST', url: '/console/imports/run', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: `csrf=${encodeURIComponent(csrf)}` });
  t.equal(run.statusCode, 503);
  t.match(run.body, /role="alert"><p>this server runs no SFTP imports<\/p>/);
});
