/** `portier custom-fields list|add|edit|remove` against the API on a real port, `--json` parsed and the tables read. */
import t from 'tap';
import { runAdmin } from '../../src/cli/admin.ts';
import { cliIo, listeningCliApp } from './helpers.ts';

async function run(env: Record<string, string>, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const io = cliIo(env);
  const code = await runAdmin(args, io);
  return { code, stdout: io.stdout, stderr: io.stderr };
}

t.test('portier custom-fields add, list, edit, remove', async (t) => {
  const { ta, env } = await listeningCliApp(t);
  const admin = env('admin');
  const add = await run(admin, ['--json', 'custom-fields', 'add', '--label', 'Shift', '--label-fr', 'Équipe', '--type', 'choice', '--options', 'Day, Night', '--on', 'contacts,users', '--required']);
  t.equal(add.code, 0, add.stderr);
  const id = (JSON.parse(add.stdout) as { customField: { id: string } }).customField.id;
  t.match(ta.service.customFields.get('ent', id), { label: { en: 'Shift', fr: 'Équipe' }, type: 'choice', options: ['Day', 'Night'], required: true, appliesTo: ['contacts', 'users'] });

  const bad = await run(admin, ['custom-fields', 'add', '--label', 'Shift', '--label-fr', 'Autre', '--type', 'text', '--on', 'contacts']);
  t.equal(bad.code, 1);
  t.match(bad.stderr, /already labelled "Shift"/);

  const edit = await run(admin, ['custom-fields', 'edit', id, '--label', 'Work shift', '--optional', '--options', 'Day,Night,Weekend']);
  t.equal(edit.code, 0, edit.stderr);
  t.equal(edit.stdout, 'custom field Work shift changed\n');
  const list = await run(admin, ['custom-fields', 'list']);
  t.match(list.stdout, /^id\s+label\s+label_fr\s+type\s+options\s+required\s+on\s+state\n/);
  t.match(list.stdout, new RegExp(`${id}\\s+Work shift\\s+Équipe\\s+choice\\s+Day,Night,Weekend\\s+no\\s+contacts,users\\s+live`));

  t.equal((await run(env('operator'), ['custom-fields', 'remove', id])).code, 1, 'an operator may not');
  const removed = await run(admin, ['custom-fields', 'remove', id]);
  t.equal(removed.stdout, 'custom field Work shift removed\n');
  t.notMatch((await run(admin, ['custom-fields', 'list'])).stdout, /Work shift/);
  t.match((await run(admin, ['custom-fields', 'list', '--all'])).stdout, /Work shift.*removed/);
});
