// `portier templates list|set|reset|preview` against the API on a real port: own words from a file, an unknown
// placeholder refused with its name, the preview printed, the built-in words back after a reset.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { listeningCliApp, runCli } from '../http/helpers.ts';


t.test('portier templates set, list, preview, reset', async (t) => {
  const { ta, env } = await listeningCliApp(t);
  const admin = env('admin');
  const dir = await mkdtemp(join(tmpdir(), 'portier-templates-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'ready-fr.txt');
  await writeFile(file, 'Bonjour {{recipientName}},\n\nVotre code : {{pickupCode}}\n');

  const set = await runCli(admin, ['templates', 'set', 'parcel-ready', 'fr', '--subject', 'Courrier : votre {{item}}', '--body-file', file]);
  t.equal(set.code, 0, set.stderr);
  t.equal(set.stdout, 'parcel-ready e-mail in fr now says your words\n');
  t.same(ta.store.get('mailTemplates', 'ent/parcel-ready/fr')?.subject, 'Courrier : votre {{item}}');

  const bad = await runCli(admin, ['templates', 'set', 'parcel-ready', 'en', '--subject', 'Hi', '--body', 'Your {{colour}} parcel']);
  t.equal(bad.code, 1);
  t.match(bad.stderr, /unknown placeholder \{\{colour\}\}/);

  const list = await runCli(admin, ['templates', 'list']);
  t.match(list.stdout, /^kind\s+language\s+words\s+subject\s+placeholders\n/);
  t.match(list.stdout, /parcel-ready\s+fr\s+own\s+Courrier : votre \{\{item\}\}/);
  t.match(list.stdout, /parcel-ready\s+en\s+built-in\s+Your \{\{item\}\} is ready for pickup at \{\{bank\}\}/);

  const preview = await runCli(admin, ['templates', 'preview', 'parcel-ready', 'fr']);
  t.equal(preview.code, 0, preview.stderr);
  t.match(preview.stdout, /^Subject: Courrier : votre colis\n\nBonjour Élodie Martin,\n\nVotre code : 482913\n/);

  t.equal((await runCli(env('operator'), ['templates', 'reset', 'parcel-ready', 'fr'])).code, 1, 'an operator may not');
  const reset = await runCli(admin, ['templates', 'reset', 'parcel-ready', 'fr']);
  t.equal(reset.stdout, 'parcel-ready e-mail in fr back to the built-in words\n');
  t.match((await runCli(admin, ['templates', 'preview', 'parcel-ready', 'fr'])).stdout, /^Subject: Votre colis est prêt à être retiré à Lobby\n/);
});
