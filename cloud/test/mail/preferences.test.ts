// A contact's preferences page: shown in their language with a strict CSP and no referrer; a post without the form's
// token (or with another contact's) is refused and changes nothing; a post from the page switches e-mail notices off
// and the language to French; a token that was not made by this cloud is a 404.
import t from 'tap';
import { CodeVault } from '../../src/domain/code-vault.ts';
import { preferencesToken } from '../../src/mail/preferences.ts';
import { makeTestApp, seedModel } from '../http/helpers.ts';

t.test('the preferences page changes the contact, behind a CSRF token', async (t) => {
  const vault = CodeVault.ephemeral();
  const ta = await makeTestApp({ vault });
  const { service } = ta;
  t.teardown(() => ta.app.close());
  await seedModel(service);
  const actor = { role: 'admin' as const, id: 'seed' };
  await service.createContact({ enterpriseId: 'ent', id: 'c-pref', firstName: 'Ada', lastName: 'Lovelace', email: 'ada@example.org', needsAccessible: false }, actor);
  const url = `/preferences/${preferencesToken(vault, 'c-pref')}`;
  const form = (fields: Record<string, string>) => ({ method: 'POST' as const, url, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams(fields).toString() });

  const page = await ta.app.inject({ method: 'GET', url });
  t.equal(page.statusCode, 200);
  t.match(page.headers['content-type'], /^text\/html; charset=utf-8/);
  t.equal(page.headers['content-security-policy'], "default-src 'none'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'", 'no script, no inline style, posts to itself only');
  t.equal(page.headers['referrer-policy'], 'no-referrer', 'the token in the address goes nowhere');
  t.match(page.body, '<html lang="en">');
  t.notMatch(page.body, /<script|style=/, 'nothing the CSP would block');
  for (const id of ['n-email', 'n-none', 'language']) t.match(page.body, `<label for="${id}">`, `a label for ${id}`);
  t.match(page.body, /<fieldset><legend>E-mail notices<\/legend>/);
  const csrf = /name="csrf" value="([^"]+)"/.exec(page.body)?.[1];
  t.ok(csrf, 'the form carries its token');

  const without = await ta.app.inject(form({ notifications: 'none', language: 'fr' }));
  t.equal(without.statusCode, 403, 'a post without the form token is refused');
  const other = preferencesToken(vault, 'c-rec');
  const otherPage = await ta.app.inject({ method: 'GET', url: `/preferences/${other}` });
  const otherCsrf = /name="csrf" value="([^"]+)"/.exec(otherPage.body)![1]!;
  const crossed = await ta.app.inject(form({ notifications: 'none', language: 'fr', csrf: otherCsrf }));
  t.equal(crossed.statusCode, 403, "another contact's form token is refused");
  t.match(await service.getContact('c-pref'), { notifications: 'email', language: 'en' }, 'nothing changed');

  const saved = await ta.app.inject(form({ notifications: 'none', language: 'fr', csrf: csrf! }));
  t.equal(saved.statusCode, 200);
  t.match(saved.body, '<html lang="fr">', 'answered in the language just chosen');
  t.match(saved.body, 'Vos préférences sont enregistrées.');
  t.match(await service.getContact('c-pref'), { notifications: 'none', language: 'fr' }, 'the contact is changed');

  const forged = await ta.app.inject({ method: 'GET', url: `/preferences/v1.${'A'.repeat(16)}.${'B'.repeat(40)}` });
  t.equal(forged.statusCode, 404);
  t.match(forged.body, 'This link is not valid');
});
