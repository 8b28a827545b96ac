/** `portier departments ...`: list, get, add, edit (name, members, key contact) and delete departments. */
import type { Command } from 'commander';
import { table, type CommandContext } from '../client.ts';
import { CliError } from '../errors.ts';

interface DepartmentLike {
  id: string;
  name: string;
  memberIds: string[];
  keyContactId?: string;
}

const list = (s: string): string[] => s.split(',').map((x) => x.trim()).filter((x) => x !== '');

export function registerDepartmentCommands(program: Command, ctx: CommandContext): void {
  const departments = program.command('departments').description('departments of the address book: members and the key contact who may collect their parcels');
  const human = (ds: DepartmentLike[]): string =>
    table(
      ds.map((d) => ({ id: d.id, name: d.name, members: d.memberIds.length, keyContact: d.keyContactId })),
      ['id', 'name', 'members', 'keyContact'],
    );

  departments
    .command('list')
    .description('every department')
    .action(async () => {
      const r = await (await ctx.client()).json<{ departments: DepartmentLike[] }>('GET', '/departments');
      ctx.print(r, () => human(r.departments));
    });
  departments
    .command('get <departmentId>')
    .description('one department')
    .action(async (id: string) => {
      const r = await (await ctx.client()).json<{ department: DepartmentLike }>('GET', `/departments/${encodeURIComponent(id)}`);
      ctx.print(r, () => `${human([r.department])}members: ${r.department.memberIds.join(', ')}\n`);
    });
  departments
    .command('add')
    .description('add a department')
    .requiredOption('--name <name>', 'its name')
    .option('--members <ids>', 'contact ids, comma-separated')
    .option('--key-contact <id>', 'who may collect its parcels')
    .action(async (o: { name: string; members?: string; keyContact?: string }) => {
      const body = { name: o.name, ...(o.members !== undefined ? { memberIds: list(o.members) } : {}), ...(o.keyContact !== undefined ? { keyContactId: o.keyContact } : {}) };
      const r = await (await ctx.client()).json<{ department: DepartmentLike }>('POST', '/departments', body);
      ctx.print(r, () => `added department ${r.department.id}\n`);
    });
  departments
    .command('edit <departmentId>')
    .description('change its name, members (the list replaces them) or key contact ("" removes it)')
    .option('--name <name>', 'new name')
    .option('--members <ids>', 'contact ids, comma-separated')
    .option('--key-contact <id>', 'who may collect its parcels')
    .action(async (id: string, o: { name?: string; members?: string; keyContact?: string }) => {
      const body = {
        ...(o.name !== undefined ? { name: o.name } : {}),
        ...(o.members !== undefined ? { memberIds: list(o.members) } : {}),
        ...(o.keyContact !== undefined ? { keyContactId: o.keyContact === '' ? null : o.keyContact } : {}),
      };
      if (Object.keys(body).length === 0) throw new CliError('USAGE', 'nothing to change: give at least one option');
      const r = await (await ctx.client()).json<{ department: DepartmentLike }>('PATCH', `/departments/${encodeURIComponent(id)}`, body);
      ctx.print(r, () => `changed department ${r.department.id}\n`);
    });
  departments
    .command('delete <departmentId>')
    .description('delete a department (refused while a live parcel is for it or a locker is dedicated to it)')
    .action(async (id: string) => {
      const r = await (await ctx.client()).json<{ department: DepartmentLike }>('DELETE', `/departments/${encodeURIComponent(id)}`);
      ctx.print(r, () => `deleted department ${r.department.id}\n`);
    });
}
