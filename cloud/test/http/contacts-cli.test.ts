/** `portier contacts ...` and `portier departments ...` against the API on a real port, `--json` parsed. */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { runAdmin } from '../../src/cli/admin.ts';
import { cliIo, listeningCliApp } from './helpers.ts';

t.test('portier contacts add, search, edit, export, import, delete; departments add, edit, delete', async (t) => {
  const { ta, env } = await listeningCliApp(t);
  const dir = await mkdtemp(join(tmpdir(), 'portier-contacts-cli-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const op = env('operator');
  const run = async (args: string[], code = 0) => {
    const io = cliIo(op);
    t.equal(await runAdmin(args, io), code, `portier ${args.join(' ')}: ${io.stderr}`);
    return io;
  };
  const json = async <T>(args: string[]): Promise<T> => JSON.parse((await run(['--json', ...args])).stdout) as T;

  const added = await json<{ contact: { id: string; firstName: string; private: boolean } }>(['contacts', 'add', '--first', 'Zoé', '--last', 'Quinn', '--personnel-id', 'Z-9', '--private', 'yes', '--department', 'dep']);
  t.match(added.contact, { firstName: 'Zoé', private: true });
  const id = added.contact.id;
  t.same((await json<{ contacts: { id: string }[]; total: number }>(['contacts', 'search', 'zoe'])).contacts.map((c) => c.id), [id], 'search, accents ignored');
  t.equal((await json<{ total: number }>(['contacts', 'list', '--limit', '1'])).total, 3);
  t.match(await json(['contacts', 'edit', id, '--email', 'zoe@example.org', '--private', 'no']), { contact: { email: 'zoe@example.org', private: false } });
  t.match(await json(['contacts', 'get', id]), { contact: { id, personnelId: 'Z-9' } });
  t.match((await run(['contacts', 'list'])).stdout, /^id\s+personnelId\s+firstName\s+lastName/, 'a table without --json');

  const tpl = await run(['contacts', 'template']);
  t.match(tpl.stdout, /^PersonnelID,FirstName,LastName,Email/);
  const out = join(dir, 'contacts.csv');
  await run(['contacts', 'export', '--out', out]);
  t.match(await readFile(out, 'utf8'), /Z-9,Zoé,Quinn,zoe@example.org/);

  const bad = join(dir, 'bad.csv');
  await writeFile(bad, 'PersonnelID;FirstName;LastName\nQ-1;Ann;One\nQ-1;Ann;Again\n;No;Id\n');
  const refused = cliIo(op);
  t.equal(await runAdmin(['--json', 'contacts', 'import', bad], refused), 1);
  t.match(JSON.parse(refused.stdout), { error: { code: 'IMPORT_REJECTED' }, problems: [{ line: 3, column: 'PersonnelID', problem: 'Duplicate Personnel ID (also on line 2)' }, { line: 4, column: 'PersonnelID', problem: 'required' }] });
  const human = await run(['contacts', 'import', bad], 1);
  t.match(human.stdout, /line 3, PersonnelID: Duplicate Personnel ID \(also on line 2\)\nline 4, PersonnelID: required\n/, 'the per-row report');
  const good = join(dir, 'good.csv');
  await writeFile(good, 'PersonnelID,FirstName,LastName\nQ-1,Ann,One\nZ-9,Zoé,Quinn\n');
  t.match(await json(['contacts', 'import', good]), { import: { rows: 2, added: 1, updated: 0 } });

  const dep = await json<{ department: { id: string } }>(['departments', 'add', '--name', 'Legal', '--members', `${id},c-ada`, '--key-contact', 'c-rec']);
  t.match(await json(['departments', 'edit', dep.department.id, '--name', 'Legal & Tax', '--key-contact', '']), { department: { name: 'Legal & Tax', memberIds: [id, 'c-ada'] } });
  t.same((await json<{ departments: { name: string }[] }>(['departments', 'list'])).departments.map((d) => d.name), ['Finance', 'Legal & Tax']);
  t.match(await json(['departments', 'delete', dep.department.id]), { department: { id: dep.department.id } });
  t.match(await json(['contacts', 'delete', id]), { contact: { id } });
  const gone = await run(['contacts', 'get', id], 1);
  t.match(gone.stderr, /NOT_FOUND/);
  t.match((await run(['contacts', '--help'])).stdout, /import \[options\] <file>/);
  void ta;
});

t.test('without the address-book permission the commands meet a 404', async (t) => {
  const { env } = await listeningCliApp(t);
  const io = cliIo(env('carrier'));
  t.equal(await runAdmin(['contacts', 'list'], io), 1);
  t.match(io.stderr, /NOT_FOUND: no route GET \/api\/v1\/contacts/);
});
