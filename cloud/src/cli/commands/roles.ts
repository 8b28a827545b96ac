/** `portier roles list|get|add|edit|delete|permissions`: the roles API (permission 'roles'). */
import type { Command } from 'commander';
import { CliError } from '../errors.ts';
import { table, type CommandContext } from '../client.ts';
import { commaList } from './common.ts';

type RoleRow = { id: string; name: string; permissions: string[]; predefined?: boolean };
const COLUMNS = ['id', 'name', 'kind', 'permissions'];
const row = (r: RoleRow) => ({ ...r, kind: r.predefined ? 'predefined' : 'own', permissions: r.permissions.join(',') });

const permissionList = (s: string): string[] => commaList(s, 'permissions: a comma-separated list (see `portier roles permissions`)');

export function registerRoleCommands(program: Command, ctx: CommandContext): void {
  const roles = program.command('roles').description("the predefined roles and your enterprise's own (permission 'roles')");

  roles
    .command('list')
    .description('list the roles')
    .action(async () => {
      const r = await (await ctx.client()).json<{ roles: RoleRow[] }>('GET', '/roles');
      ctx.print(r, () => table(r.roles.map(row), COLUMNS));
    });

  roles
    .command('permissions')
    .description('the catalogue of permissions a role is made of')
    .action(async () => {
      const r = await (await ctx.client()).json<{ permissions: { id: string; description: string }[] }>('GET', '/permissions');
      ctx.print(r, () => table(r.permissions, ['id', 'description']));
    });

  roles
    .command('get')
    .description('one role')
    .argument('<id>', 'role id')
    .action(async (id: string) => {
      const r = await (await ctx.client()).json<{ role: RoleRow }>('GET', `/roles/${encodeURIComponent(id)}`);
      ctx.print(r, () => table([row(r.role)], COLUMNS));
    });

  roles
    .command('add')
    .description('make a role')
    .requiredOption('-n, --name <name>', 'role name')
    .requiredOption('-p, --permissions <list>', 'comma-separated permissions')
    .action(async (o: { name: string; permissions: string }) => {
      const r = await (await ctx.client()).json<{ role: RoleRow }>('POST', '/roles', { name: o.name, permissions: permissionList(o.permissions) });
      ctx.print(r, () => `role ${r.role.name} added: ${r.role.id}\n`);
    });

  roles
    .command('edit')
    .description('rename a role or set its permissions (the predefined roles cannot be changed)')
    .argument('<id>', 'role id')
    .option('-n, --name <name>', 'new name')
    .option('-p, --permissions <list>', 'comma-separated permissions (replaces the set)')
    .action(async (id: string, o: { name?: string; permissions?: string }) => {
      const body = { ...(o.name !== undefined ? { name: o.name } : {}), ...(o.permissions !== undefined ? { permissions: permissionList(o.permissions) } : {}) };
      if (Object.keys(body).length === 0) throw new CliError('USAGE', 'nothing to change');
      const r = await (await ctx.client()).json<{ role: RoleRow }>('PATCH', `/roles/${encodeURIComponent(id)}`, body);
      ctx.print(r, () => `role ${r.role.name} changed\n`);
    });

  roles
    .command('delete')
    .description('delete a role nobody holds')
    .argument('<id>', 'role id')
    .action(async (id: string) => {
      await (await ctx.client()).call('DELETE', `/roles/${encodeURIComponent(id)}`);
      ctx.print({ deleted: id }, () => `role ${id} deleted\n`);
    });
}
