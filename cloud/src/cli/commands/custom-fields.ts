/** `portier custom-fields list|add|edit|remove`: the enterprise's custom fields (reading them: 'settings', 'users', 'addressBook' or 'reservations.manage'; changing them: 'settings'). */
import type { Command } from 'commander';
import { CliError } from '../errors.ts';
import { table, type CommandContext } from '../client.ts';
import { commaList } from './common.ts';

interface FieldRow {
  id: string;
  label: { en: string; fr: string };
  type: string;
  options?: string[];
  required: boolean;
  appliesTo: string[];
  removedAt?: number;
}
const COLUMNS = ['id', 'label', 'label_fr', 'type', 'options', 'required', 'on', 'state'];
const row = (f: FieldRow) => ({
  id: f.id,
  label: f.label.en,
  label_fr: f.label.fr,
  type: f.type,
  options: (f.options ?? []).join(','),
  required: f.required ? 'yes' : 'no',
  on: f.appliesTo.join(','),
  state: f.removedAt !== undefined ? 'removed' : 'live',
});

const list = (s: string, what: string): string[] => commaList(s, `${what}: a comma-separated list`);

export function registerCustomFieldCommands(program: Command, ctx: CommandContext): void {
  const group = program.command('custom-fields').description("your enterprise's custom fields on users, contacts and reservations (changing them: permission 'settings')");

  group
    .command('list')
    .description('the custom fields, in the order they were made')
    .option('--all', 'removed ones too')
    .action(async (o: { all?: boolean }) => {
      const r = await (await ctx.client()).json<{ customFields: FieldRow[] }>('GET', `/custom-fields${o.all ? '?includeRemoved=true' : ''}`);
      ctx.print(r, () => table(r.customFields.map(row), COLUMNS));
    });

  group
    .command('add')
    .description('add a custom field (at most 10 per enterprise)')
    .requiredOption('--label <label>', 'English label (the CSV column)')
    .requiredOption('--label-fr <label>', 'French label')
    .requiredOption('--type <type>', 'text, number, date (YYYY-MM-DD) or choice')
    .requiredOption('--on <records>', 'comma-separated: users, contacts, reservations')
    .option('--options <list>', "a choice's comma-separated options")
    .option('--required', 'asked of every new record')
    .option('--id <id>', 'id (default: generated)')
    .action(async (o: { label: string; labelFr: string; type: string; on: string; options?: string; required?: boolean; id?: string }) => {
      const body = {
        ...(o.id !== undefined ? { id: o.id } : {}),
        label: { en: o.label, fr: o.labelFr },
        type: o.type,
        appliesTo: list(o.on, '--on'),
        ...(o.options !== undefined ? { options: list(o.options, '--options') } : {}),
        required: o.required === true,
      };
      const r = await (await ctx.client()).json<{ customField: FieldRow }>('POST', '/custom-fields', body);
      ctx.print(r, () => `custom field ${r.customField.label.en} added: ${r.customField.id}\n`);
    });

  group
    .command('edit')
    .description("change a custom field's labels, options, required or records (its type stays; values are kept)")
    .argument('<id>', 'custom field id')
    .option('--label <label>', 'new English label')
    .option('--label-fr <label>', 'new French label')
    .option('--on <records>', 'comma-separated: users, contacts, reservations (replaces the set)')
    .option('--options <list>', "a choice's comma-separated options (replaces them)")
    .option('--required', 'asked of every new record from now on')
    .option('--optional', 'no longer required')
    .action(async (id: string, o: { label?: string; labelFr?: string; on?: string; options?: string; required?: boolean; optional?: boolean }) => {
      if (o.required && o.optional) throw new CliError('USAGE', '--required or --optional, not both');
      const label = { ...(o.label !== undefined ? { en: o.label } : {}), ...(o.labelFr !== undefined ? { fr: o.labelFr } : {}) };
      const body = {
        ...(Object.keys(label).length > 0 ? { label } : {}),
        ...(o.on !== undefined ? { appliesTo: list(o.on, '--on') } : {}),
        ...(o.options !== undefined ? { options: list(o.options, '--options') } : {}),
        ...(o.required || o.optional ? { required: o.required === true } : {}),
      };
      if (Object.keys(body).length === 0) throw new CliError('USAGE', 'nothing to change');
      const r = await (await ctx.client()).json<{ customField: FieldRow }>('PATCH', `/custom-fields/${encodeURIComponent(id)}`, body);
      ctx.print(r, () => `custom field ${r.customField.label.en} changed\n`);
    });

  group
    .command('remove')
    .description('remove a custom field: no longer offered, checked, exported or shown; the activity log still names it')
    .argument('<id>', 'custom field id')
    .action(async (id: string) => {
      const r = await (await ctx.client()).json<{ customField: FieldRow }>('DELETE', `/custom-fields/${encodeURIComponent(id)}`);
      ctx.print(r, () => `custom field ${r.customField.label.en} removed\n`);
    });
}
