/** `portier custom-fields list|add|edit|remove` against the API on a real port, `--json` parsed and the tables read. */
import t from 'tap';
import { listeningCliApp, runCli } from './helpers.ts';


t.test('portier custom-fields add, list, edit, remove', async (t) => {
  const { ta, env } = await listeningCliApp(t);
  const admin = env('admin');
  const add = await runCli(admin, ['--json', 'custom-fields', 'add', '--label', 'Shift', '--label-fr', 'Équipe', '--type', 'choice', '--options', 'Day, Night', '--on', 'contacts,users', '--required']);
  t.equal(add.code, 0, add.stderr);
  const id = (JSON.parse(add.stdout) as { customField: { id: string } }).customField.id;
  t.match(ta.service.customFields.get('ent', id), { label: { en: 'Shift', fr: 'Équipe' }, type: 'choice', options: ['Day', 'Night'], required: true, appliesTo: ['contacts', 'users'] });

  const bad = await runCli(admin, ['custom-fields', 'add', '--label', 'Shift', '--label-fr', 'Autre', '--type', 'text', '--on', 'contacts']);
  t.equal(bad.code, 1);
  t.match(bad.stderr, /already labelled "Shift"/);

  const edit = await runCli(admin, ['custom-fields', 'edit', id, '--label', 'Work shift', '--optional', '--options', 'Day,Night,Weekend']);
  t.equal(edit.code, 0, edit.stderr);
  t.equal(edit.stdout, 'custom field Work shift changed\n');
  const list = await runCli(admin, ['custom-fields', 'list']);
  t.match(list.stdout, /^id\s+label\s+label_fr\s+type\s+options\s+required\s+on\s+state\n/);
  t.match(list.stdout, new RegExp(`${id}\\s+Work shift\\s+Équipe\\s+choice\\s+Day,Night,Weekend\\s+no\\s+contacts,users\\s+live`));

  t.equal((await runCli(env('operator'), ['custom-fields', 'remove', id])).code, 1, 'an operator may not');
  const removed = await runCli(admin, ['custom-fields', 'remove', id]);
  t.equal(removed.stdout, 'custom field Work shift removed\n');
  t.notMatch((await runCli(admin, ['custom-fields', 'list'])).stdout, /Work shift/);
  t.match((await runCli(admin, ['custom-fields', 'list', '--all'])).stdout, /Work shift.*removed/);
});
