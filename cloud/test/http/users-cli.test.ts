/** `portier users ...` and `portier roles ...` against the API on a real port, their `--json` output parsed. */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { runAdmin } from '../../src/cli/admin.ts';
import { cliIo, listeningCliApp } from './helpers.ts';

async function run(env: Record<string, string>, args: string[], stdin = ''): Promise<{ code: number; stdout: string; stderr: string }> {
  const io = cliIo(env);
  io.readStdin = async () => stdin;
  const code = await runAdmin(args, io);
  return { code, stdout: io.stdout, stderr: io.stderr };
}

t.test('portier users add, get, search, edit, list, delete with --json', async (t) => {
  const { ta, env } = await listeningCliApp(t);
  const admin = env('admin');
  const add = await run(
    admin,
    ['--json', 'users', 'add', '-u', 'ann', '-r', 'operator', '--first-name', 'Ann', '--last-name', 'Archer', '--email', 'ann@acme.test', '--employee-id', 'E-1', '--access-level', 'location:loc', '--password-stdin'],
    'ann-password-1\n',
  );
  t.equal(add.code, 0, add.stderr);
  const ann = (JSON.parse(add.stdout) as { user: { id: string; hasPassword: boolean; accessLevel: unknown } }).user;
  t.match(ann, { hasPassword: true, accessLevel: { kind: 'location', id: 'loc' } });
  t.ok(await ta.auth.login('ann', 'ann-password-1', '127.0.0.1'), 'the password from stdin signs in');

  const get = await run(admin, ['--json', 'users', 'get', ann.id]);
  t.match(JSON.parse(get.stdout), { user: { id: ann.id, firstName: 'Ann', lastName: 'Archer', email: 'ann@acme.test', employeeId: 'E-1' } });

  const search = await run(admin, ['--json', 'users', 'search', 'arch']);
  t.same((JSON.parse(search.stdout) as { users: { id: string }[] }).users.map((u) => u.id), [ann.id]);

  const edit = await run(admin, ['--json', 'users', 'edit', ann.id, '--language', 'fr', '--disable']);
  t.equal(edit.code, 0, edit.stderr);
  t.match(JSON.parse(edit.stdout), { user: { language: 'fr', disabled: true } });

  const human = await run(admin, ['users', 'list']);
  t.match(human.stdout, /^id\s+username\s+firstName\s+lastName\s+email\s+role\s+access\s+employeeId\s+state\n/);
  t.match(human.stdout, new RegExp(`${ann.id}\\s+ann\\s+Ann\\s+Archer\\s+ann@acme.test\\s+operator\\s+location:loc\\s+E-1\\s+disabled`));

  const dup = await run(admin, ['users', 'add', '-u', 'ann2', '-r', 'operator', '--email', 'ANN@acme.test']);
  t.equal(dup.code, 1);
  t.match(dup.stderr, /CONFLICT: .*e-mail.*\(body\.email\)/);
  const badLevel = await run(admin, ['users', 'add', '-u', 'ann3', '-r', 'operator', '--access-level', 'room:1']);
  t.equal(badLevel.code, 2, 'a usage error');

  const denied = await run(env('operator'), ['--json', 'users', 'list']);
  t.equal(denied.code, 1);
  t.match(denied.stderr, /FORBIDDEN/);

  const del = await run(admin, ['--json', 'users', 'delete', ann.id]);
  t.same(JSON.parse(del.stdout), { deleted: ann.id });
  const list = await run(admin, ['--json', 'users', 'list']);
  t.notOk((JSON.parse(list.stdout) as { users: { id: string }[] }).users.some((u) => u.id === ann.id), 'gone from the list');

  const help = await run(admin, ['users', 'add', '--help']);
  t.match(help.stdout, /--employee-id/);
});

t.test('portier roles permissions, add, get, edit, list, delete with --json', async (t) => {
  const { env } = await listeningCliApp(t);
  const admin = env('admin');
  const perms = JSON.parse((await run(admin, ['--json', 'roles', 'permissions'])).stdout) as { permissions: { id: string }[] };
  t.ok(perms.permissions.some((p) => p.id === 'users'), 'the catalogue');

  const add = await run(admin, ['--json', 'roles', 'add', '-n', 'Door desk', '-p', 'lockers.view,reports']);
  t.equal(add.code, 0, add.stderr);
  const role = (JSON.parse(add.stdout) as { role: { id: string; permissions: string[] } }).role;
  t.same(role.permissions, ['lockers.view', 'reports']);

  const edit = await run(admin, ['--json', 'roles', 'edit', role.id, '-p', 'lockers.view']);
  t.match(JSON.parse(edit.stdout), { role: { id: role.id, permissions: ['lockers.view'] } });
  t.match(JSON.parse((await run(admin, ['--json', 'roles', 'get', role.id])).stdout), { role: { name: 'Door desk' } });
  const list = JSON.parse((await run(admin, ['--json', 'roles', 'list'])).stdout) as { roles: { id: string }[] };
  t.ok(list.roles.some((r) => r.id === 'admin') && list.roles.some((r) => r.id === role.id));

  const fixed = await run(admin, ['roles', 'edit', 'admin', '-p', 'reports']);
  t.equal(fixed.code, 1, 'the predefined administrator role is fixed');
  t.match(fixed.stderr, /INVALID_STATE/);

  t.same(JSON.parse((await run(admin, ['--json', 'roles', 'delete', role.id])).stdout), { deleted: role.id });
  t.equal((await run(admin, ['roles', 'get', role.id])).code, 1, 'gone');
});

t.test('portier users template, import, export with --json; a refused file prints every bad row; users credentials', async (t) => {
  const { ta, env } = await listeningCliApp(t);
  const admin = env('admin');
  const dir = await mkdtemp(join(tmpdir(), 'portier-users-cli-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));

  const tplFile = join(dir, 'template.csv');
  const tpl = await run(admin, ['users', 'template', '--out', tplFile]);
  t.equal(tpl.code, 0, tpl.stderr);
  const header = await readFile(tplFile, 'utf8');
  t.equal(header, 'Email,FirstName,LastName,Role,AccessLevel,EmployeeID,Language,BadgeID\r\n');

  const file = join(dir, 'users.csv');
  await writeFile(file, `${header}ann@acme.test,Ann,Archer,operator,loc,E-1,fr,\nbob@acme.test,Bob,Berg,recipient,,,,\n`);
  const imp = await run(admin, ['--json', 'users', 'import', file]);
  t.equal(imp.code, 0, imp.stderr);
  t.same(JSON.parse(imp.stdout), { import: { ok: true, rows: 2, added: 2, updated: 0, unchanged: 0 } });
  const human = await run(admin, ['users', 'import', file]);
  t.equal(human.stdout, '2 rows: 0 added, 0 updated, 2 unchanged\n');

  const bad = join(dir, 'bad.csv');
  await writeFile(bad, `${header}cy@acme.test,Cy,Stone,janitor,,,,\nann@acme.test,Ann,Archer,operator,nowhere,,,\n`);
  const refused = await run(admin, ['--json', 'users', 'import', bad]);
  t.equal(refused.code, 1);
  t.same(JSON.parse(refused.stdout).problems, [
    { line: 2, column: 'Role', problem: 'no role "janitor"' },
    { line: 3, column: 'AccessLevel', problem: 'no access level "nowhere" inside yours' },
  ]);
  t.match(refused.stderr, /not imported/);
  const refusedHuman = await run(admin, ['users', 'import', bad]);
  t.match(refusedHuman.stdout, /^2 lines have problems; no users were imported\nline 2, Role: no role "janitor"\nline 3, AccessLevel: no access level "nowhere" inside yours\n$/);

  const exp = await run(admin, ['--json', 'users', 'export']);
  t.equal(exp.code, 0, exp.stderr);
  const csv = (JSON.parse(exp.stdout) as { csv: string }).csv;
  t.match(csv, /\r\nann@acme\.test,Ann,Archer,operator,loc,E-1,fr,\r\n/);
  t.match(csv, /\r\nbob@acme\.test,Bob,Berg,recipient,enterprise,,,\r\n/);
  const plain = await run(admin, ['users', 'export']);
  t.equal(plain.stdout, csv, 'without --json: the CSV itself');

  const ann = ta.store.list('users').find((u) => u.email === 'ann@acme.test')!;
  await ta.service.issueStaffCredential({ role: 'operator', subjectId: ann.id, kind: 'badge', code: 'BADGE-5', label: 'front door' }, { role: 'admin' });
  const creds = await run(admin, ['--json', 'users', 'credentials', ann.id]);
  t.equal(creds.code, 0, creds.stderr);
  t.match(JSON.parse(creds.stdout), { staffCredentials: [{ kind: 'badge', role: 'operator', subjectId: ann.id, label: 'front door' }] });
  t.notMatch(creds.stdout, /BADGE-5/, 'never the code');

  const help = await run(admin, ['users', 'import', '--help']);
  t.match(help.stdout, /merged by e-mail/);
});

t.test('portier org enterprise get|set --employee-id-required with --json', async (t) => {
  const { ta, env } = await listeningCliApp(t);
  const admin = env('admin');
  const set = await run(admin, ['--json', 'org', 'enterprise', 'set', '--employee-id-required', 'yes']);
  t.equal(set.code, 0, set.stderr);
  t.match(JSON.parse(set.stdout), { enterprise: { id: 'ent', settings: { employeeIdRequired: true } } });
  const get = await run(admin, ['--json', 'org', 'enterprise', 'get']);
  t.match(JSON.parse(get.stdout), { enterprise: { id: 'ent', name: 'Acme', settings: { employeeIdRequired: true } } });
  const human = await run(admin, ['org', 'enterprise', 'get']);
  t.match(human.stdout, /^id\s+name\s+employeeIdRequired\nent\s+Acme\s+yes\n/);

  const noId = await run(admin, ['users', 'add', '-u', 'noid', '-r', 'operator']);
  t.equal(noId.code, 1);
  t.match(noId.stderr, /VALIDATION: .*employee ID.*\(body\.employeeId\)/);

  t.equal((await run(admin, ['org', 'enterprise', 'set', '--employee-id-required', 'maybe'])).code, 2, 'a usage error');
  t.equal((await run(admin, ['org', 'enterprise', 'set'])).code, 2, 'nothing to change');
  const denied = await run(env('operator'), ['--json', 'org', 'enterprise', 'set', '--employee-id-required', 'no']);
  t.equal(denied.code, 1);
  t.match(denied.stderr, /FORBIDDEN/);
  t.equal(ta.store.get('enterprises', 'ent')?.settings?.employeeIdRequired, true, 'unchanged');
  const help = await run(admin, ['org', 'enterprise', 'set', '--help']);
  t.match(help.stdout, /--employee-id-required <yes\|no>/);
});
