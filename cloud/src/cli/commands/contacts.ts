/**
 * `portier contacts ...`: the address book's contacts through the HTTP API: list and search (paged), get, add, edit,
 * delete, and the CSV import (the file sent as a text/csv body; its per-row report printed when refused), export
 * and template (to a file or stdout).
 */
import type { Command } from 'commander';
import { table, type CommandContext } from '../client.ts';
import { CliError } from '../errors.ts';
import { registerCsvFiles } from './csv-files.ts';

interface ContactLike {
  id: string;
  firstName: string;
  lastName: string;
  email?: string;
  personnelId?: string;
  departmentId?: string;
  locationId?: string;
  private: boolean;
}

const COLUMNS = ['id', 'personnelId', 'firstName', 'lastName', 'email', 'departmentId', 'locationId', 'private'];

/** The body of `add` and `edit` from their options (only the options given). */
function contactBody(o: Record<string, unknown>, forEdit: boolean): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  const text: [string, string][] = [
    ['firstName', 'first'],
    ['lastName', 'last'],
    ['email', 'email'],
    ['phone', 'phone'],
    ['personnelId', 'personnelId'],
    ['departmentId', 'department'],
    ['locationId', 'location'],
    ['badgeId', 'badge'],
    ['notifications', 'notifications'],
    ['language', 'language'],
  ];
  for (const [field, opt] of text) {
    const v = o[opt];
    if (typeof v === 'string') body[field] = forEdit && v === '' ? null : v;
  }
  for (const [field, opt] of [
    ['needsAccessible', 'accessible'],
    ['private', 'private'],
  ] as const) {
    const v = o[opt];
    if (v === undefined) continue;
    if (v !== 'yes' && v !== 'no') throw new CliError('USAGE', `--${opt} takes yes or no`);
    body[field] = v === 'yes';
  }
  return body;
}

function contactOptions(cmd: Command, forEdit: boolean): Command {
  const clear = forEdit ? ' ("" clears it)' : '';
  return cmd
    .option('--email <address>', `e-mail${clear}`)
    .option('--phone <number>', `phone${clear}`)
    .option('--personnel-id <id>', `personnel ID, unique in the enterprise${clear}`)
    .option('--department <id>', `primary department id${clear}`)
    .option('--location <id>', `location id (none: every location's)${clear}`)
    .option('--badge <id>', `badge id${clear}`)
    .option('--accessible <yes|no>', 'needs accessibility accommodations for locker use')
    .option('--private <yes|no>', 'a private contact cannot be reserved for')
    .option('--notifications <email|none>', 'notification preference')
    .option('--language <en|fr>', 'language');
}

export function registerContactCommands(program: Command, ctx: CommandContext): void {
  const contacts = program.command('contacts').description('the address book: list, search, add, edit, delete, import and export contacts');
  const human = (list: ContactLike[]): string => table(list as unknown as Record<string, unknown>[], COLUMNS);

  for (const name of ['list', 'search'] as const) {
    const cmd = contacts
      .command(name === 'search' ? 'search <text>' : 'list')
      .description(name === 'search' ? 'contacts whose name, e-mail or personnel ID holds the text (case and accents ignored)' : 'contacts in name order')
      .option('--offset <n>', 'skip this many', '0')
      .option('--limit <n>', 'at most this many', '100')
      .action(async (...args: unknown[]) => {
        const q = name === 'search' ? (args[0] as string) : undefined;
        const o = (name === 'search' ? args[1] : args[0]) as { offset: string; limit: string };
        const params = new URLSearchParams({ offset: o.offset, limit: o.limit, ...(q !== undefined ? { q } : {}) });
        const r = await (await ctx.client()).json<{ contacts: ContactLike[]; total: number }>('GET', `/contacts?${params.toString()}`);
        ctx.print(r, () => `${human(r.contacts)}${r.contacts.length} of ${r.total}\n`);
      });
    void cmd;
  }

  contacts
    .command('get <contactId>')
    .description('one contact')
    .action(async (id: string) => {
      const r = await (await ctx.client()).json<{ contact: ContactLike }>('GET', `/contacts/${encodeURIComponent(id)}`);
      ctx.print(r, () => human([r.contact]));
    });

  contactOptions(
    contacts.command('add').description('add a contact').requiredOption('--first <name>', 'first name').requiredOption('--last <name>', 'last name'),
    false,
  ).action(async (o: Record<string, unknown>) => {
    const r = await (await ctx.client()).json<{ contact: ContactLike }>('POST', '/contacts', contactBody(o, false));
    ctx.print(r, () => `added contact ${r.contact.id}\n`);
  });

  contactOptions(contacts.command('edit <contactId>').description('change the fields given').option('--first <name>', 'first name').option('--last <name>', 'last name'), true).action(
    async (id: string, o: Record<string, unknown>) => {
      const body = contactBody(o, true);
      if (Object.keys(body).length === 0) throw new CliError('USAGE', 'nothing to change: give at least one option');
      const r = await (await ctx.client()).json<{ contact: ContactLike }>('PATCH', `/contacts/${encodeURIComponent(id)}`, body);
      ctx.print(r, () => `changed contact ${r.contact.id}\n`);
    },
  );

  contacts
    .command('delete <contactId>')
    .description('delete a contact (refused while a live parcel, a dedicated locker or a login names them)')
    .action(async (id: string) => {
      const r = await (await ctx.client()).json<{ contact: ContactLike }>('DELETE', `/contacts/${encodeURIComponent(id)}`);
      ctx.print(r, () => `deleted contact ${r.contact.id}\n`);
    });

  registerCsvFiles<{ rows: number; added: number; updated: number; unchanged: number; removed: number; kept: { id: string; reason: string }[] }>(contacts, ctx, {
    base: '/contacts',
    importHelp: 'import a contacts CSV (at most 5 MB); nothing is written when any row is bad',
    exportHelp: 'every contact you may see as CSV',
    templateHelp: 'the CSV template (its header row)',
    importOptions: {
      add: (cmd) => cmd.option('--mode <merge|replace>', 'merge: add and update by PersonnelID; replace: also delete the contacts the file does not name', 'merge'),
      query: (o) => {
        if (o['mode'] !== 'merge' && o['mode'] !== 'replace') throw new CliError('USAGE', '--mode takes merge or replace');
        return `?mode=${o['mode']}`;
      },
    },
    summary: (i) => `${i.rows} rows: ${i.added} added, ${i.updated} updated, ${i.unchanged} unchanged, ${i.removed} removed${i.kept.map((k) => `\nkept ${k.id}: ${k.reason}`).join('')}`,
  });
}
