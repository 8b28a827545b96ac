/** `portier users ...` and `portier roles ...` against the API on a real port, their `--json` output parsed. */
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
