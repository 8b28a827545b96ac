// The scheduled import in the browser, against a real OpenSSH server the test starts on a loopback port: settings
// saved (checked through the API, the password never in the page), run now and its run in the history (the contacts
// imported, as the API says), the pinned host key forgotten, the import deleted; axe on the page before it is set up
// (English) and with its run (English and French). Skipped by name where there is no sshd to start (cloud/test/sftp/sshd.ts).
import type { Test } from 'tap';
import { sshdMissing, startSshd } from '../../sftp/sshd.ts';
import { ADMIN_PASSWORD, type ConsoleWorld } from '../browser-world.ts';
import type { Journey } from './index.ts';
import { axeClean, confirm, language } from './steps.ts';


async function journey(t: Test, w: ConsoleWorld): Promise<void> {
  const sshd = await startSshd(t);
  const path = await sshd.put('contacts.csv', 'PersonnelID,FirstName,LastName,Email\nS-1,Sam,Sftp,sam@example.com\nS-2,Sue,Secure,sue@example.com\n');
  const admin = await w.adminToken();
  const base = w.cloud.rt.httpUrl;
  const page = await w.page(t);
  await w.signIn(page, 'admin', ADMIN_PASSWORD);
  await page.goto(`${base}/console/settings`);
  await Promise.all([page.waitForURL(/\/console\/imports$/), page.click('main a:has-text("Scheduled imports")')]);
  t.match(await page.textContent('main'), /The import is not set up yet\./);
  await axeClean(t, w, page, 'the imports page, not set up (en)');

  await page.fill('#host', sshd.host);
  await page.fill('#port', String(sshd.port));
  await page.fill('#username', sshd.user);
  await page.fill('#password', sshd.password);
  await page.fill('#remotePath', path);
  await page.fill('#schedule', '0 2 * * *');
  await Promise.all([page.waitForURL(/\/console\/imports\?done=saved$/), page.click('button:has-text("Save the settings")')]);
  t.match((await w.api('GET', '/sftp-import', undefined, admin)).json.sftpImport, { host: sshd.host, port: sshd.port, username: sshd.user, hasPassword: true, remotePath: path, enabled: true }, 'saved, as the API says');
  t.notOk((await page.content()).includes(sshd.password), 'the password is not in the page');
  t.equal(await page.inputValue('#password'), '', 'its field is empty');

  await Promise.all([page.waitForURL(/\/console\/imports\?done=run-ok/), page.click('button:has-text("Run now")')]);
  const runs = (await w.api('GET', '/sftp-import/runs', undefined, admin)).json.runs as Array<Record<string, unknown>>;
  t.match(runs, [{ trigger: 'manual', outcome: 'ok', rows: 2, added: 2 }], 'the run, as the API says');
  const sam = (await w.api('GET', '/contacts?q=Sftp', undefined, admin)).json.contacts as unknown[];
  t.equal(sam.length, 1, 'the contacts imported, as the API says');
  t.match(await page.textContent('#runs tbody tr:first-child'), /Run now\s*Imported\s*2\s*2\s*0\s*0\s*0/, 'the run in the history');
  t.ok((await page.textContent('main dl'))?.includes(await sshd.fingerprint()), 'the host key pinned by the run');
  await axeClean(t, w, page, 'the imports page with its run (en)');

  await language(page, 'Français', /\/console\/imports/);
  t.equal(await page.getAttribute('html', 'lang'), 'fr');
  t.match(await page.textContent('#runs tbody tr:first-child'), /Importé/);
  await axeClean(t, w, page, 'the imports page with its run (fr)');
  await language(page, 'English', /\/console\/imports/);

  await confirm(page, 'Forget the server’s host key', 'Forget the host key', /\?done=key-forgotten$/);
  t.notOk((await w.api('GET', '/sftp-import', undefined, admin)).json.sftpImport.hostKey, 'forgotten, as the API says');
  await confirm(page, 'Delete the import', 'Delete the import', /\?done=deleted$/);
  t.equal((await w.api('GET', '/sftp-import', undefined, admin)).status, 404, 'deleted, as the API says');
  t.match(await page.textContent('main'), /The import is not set up yet\./);
  t.same(w.errors(page), [], 'no refused script or style, no failed request');
}

export const importsJourney: Journey = {
  name: 'imports',
  title: 'scheduled imports: settings saved against a real SFTP server, run now and its run in the history, host key forgotten, import deleted (checked through the API); axe in English and French',
  async run(t, w) {
    await t.test('against a real OpenSSH server', { skip: sshdMissing }, (tt) => journey(tt, w));
  },
};
