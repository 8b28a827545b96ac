/**
 * `portier org divisions|locations|banks|columns list|get|add|edit|delete`: the organisation below the enterprise.
 * Each level has the same five verbs; `add` and `edit` take that level's fields as options. Locations also have
 * `import|export|template`: divisions and locations as CSV (the file sent as a text/csv body; its per-row report
 * printed when refused). `portier org enterprise get|set`: the enterprise itself, its name and settings.
 */
import type { Command } from 'commander';
import { table, type CommandContext } from '../client.ts';
import { CliError } from '../errors.ts';
import { numberArg } from './common.ts';
import { registerCsvFiles } from './csv-files.ts';

type Row = Record<string, unknown> & { id: string };
type Opts = Record<string, string | number | boolean | undefined>;

interface Level {
  /** Plural as in the command and the API (`divisions`), singular as in the API's answers (`division`). */
  plural: string;
  singular: string;
  columns: string[];
  /** How the list is narrowed to a parent: its flag and query key (columns: the bank, required). */
  parent: { flag: string; description: string; key: string; required?: boolean };
  /** The list URL for a parent id (default: `/<plural>?<key>=<id>`). */
  listPath?: (parent: string | undefined) => string;
  add: Array<[flags: string, description: string, parse?: (v: string) => unknown]>;
  edit: Array<[flags: string, description: string, parse?: (v: string) => unknown]>;
  addBody(o: Opts, parent: string | undefined): Record<string, unknown>;
  editBody(o: Opts): Record<string, unknown>;
}

/** `--reach default|ada-2010|MIN-MAX` (cm). */
function reach(v: string): unknown {
  if (v === 'default' || v === 'ada-2010') return { preset: v };
  const m = /^(\d+(?:\.\d+)?)-(\d+(?:\.\d+)?)$/.exec(v);
  if (!m) throw new CliError('USAGE', `--reach: expected default, ada-2010 or MIN-MAX in cm, got ${JSON.stringify(v)}`);
  return { preset: 'custom', minCm: Number(m[1]), maxCm: Number(m[2]) };
}

const defined = (o: Record<string, unknown>): Record<string, unknown> => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

const LEVELS: Level[] = [
  {
    plural: 'divisions',
    singular: 'division',
    columns: ['id', 'name', 'enterpriseId'],
    parent: { flag: '--enterprise <id>', description: 'enterprise id', key: 'enterpriseId' },
    add: [['--name <name>', 'display name'], ['--id <id>', 'id (default: generated)']],
    edit: [['--name <name>', 'new name']],
    addBody: (o, parent) => defined({ id: o.id, enterpriseId: parent, name: o.name }),
    editBody: (o) => defined({ name: o.name }),
  },
  {
    plural: 'locations',
    singular: 'location',
    columns: ['id', 'name', 'divisionId', 'address'],
    parent: { flag: '--division <id>', description: 'division id', key: 'divisionId' },
    add: [['--name <name>', 'display name'], ['--id <id>', 'id (default: generated)'], ['--address <text>', 'postal address'], ['--reach <range>', 'reach range: default, ada-2010 or MIN-MAX in cm', reach]],
    edit: [['--name <name>', 'new name'], ['--address <text>', 'postal address'], ['--no-address', 'remove the address'], ['--reach <range>', 'default, ada-2010 or MIN-MAX in cm', reach]],
    addBody: (o, parent) => defined({ id: o.id, divisionId: parent, name: o.name, address: o.address, reach: o.reach }),
    editBody: (o) => defined({ name: o.name, address: o.address === false ? null : o.address, reach: o.reach }),
  },
  {
    plural: 'banks',
    singular: 'bank',
    columns: ['id', 'name', 'locationId'],
    parent: { flag: '--location <id>', description: 'location id', key: 'locationId' },
    add: [['--name <name>', 'display name'], ['--id <id>', 'id (default: generated)']],
    edit: [['--name <name>', 'new name']],
    addBody: (o, parent) => defined({ id: o.id, locationId: parent, name: o.name }),
    editBody: (o) => defined({ name: o.name }),
  },
  {
    plural: 'columns',
    singular: 'column',
    columns: ['id', 'bankId', 'position', 'kind', 'controllerId'],
    parent: { flag: '--bank <id>', description: 'bank id', key: 'bankId', required: true },
    listPath: (bank) => `/banks/${encodeURIComponent(bank ?? '')}/columns`,
    add: [['--position <n>', '1-based position from the left', numberArg], ['--kind <kind>', 'kiosk or plain'], ['--controller <id>', "its controller board's id"], ['--id <id>', 'id (default: generated)']],
    edit: [['--kind <kind>', 'kiosk or plain']],
    addBody: (o, parent) => defined({ id: o.id, bankId: parent, position: o.position, kind: o.kind, controllerId: o.controller }),
    editBody: (o) => defined({ kind: o.kind }),
  },
];

function registerLevel(org: Command, ctx: CommandContext, level: Level): Command {
  const { plural, singular } = level;
  const cmd = org.command(plural).description(`${plural}: list, get, add, edit, delete${plural === 'locations' ? ', import, export, template (CSV)' : ''}`);
  const item = (id: string): string => `/${plural}/${encodeURIComponent(id)}`;
  const one = (r: Record<string, Row>): string => table([r[singular]!], level.columns);

  const list = cmd.command('list').description(`list ${plural}`);
  if (level.parent.required) list.requiredOption(level.parent.flag, `the ${level.parent.description}`);
  else list.option(level.parent.flag, `only those of this ${level.parent.description}`);
  list.action(async (o: Opts) => {
      const parent = o[level.parent.key.replace(/Id$/, '')] as string | undefined;
      const path = level.listPath ? level.listPath(parent) : `/${plural}${parent ? `?${level.parent.key}=${encodeURIComponent(parent)}` : ''}`;
      const r = await (await ctx.client()).json<Record<string, Row[]>>('GET', path);
      ctx.print(r, () => table(r[plural] ?? [], level.columns));
    });

  cmd
    .command('get')
    .description(`one ${singular}`)
    .argument('<id>', `${singular} id`)
    .action(async (id: string) => {
      const path = item(id);
      const r = await (await ctx.client()).json<Record<string, Row>>('GET', path);
      ctx.print(r, () => one(r));
    });

  const add = cmd.command('add').description(`add a ${singular}`).requiredOption(level.parent.flag, level.parent.description);
  for (const [flags, description, parse] of level.add) add.option(flags, description, parse as never);
  add.action(async (o: Opts) => {
    const parent = o[level.parent.key.replace(/Id$/, '')] as string;
    const r = await (await ctx.client()).json<Record<string, Row>>('POST', `/${plural}`, level.addBody(o, parent));
    ctx.print(r, () => `added ${singular} ${r[singular]!.id}\n`);
  });

  const edit = cmd.command('edit').description(`change a ${singular}`).argument('<id>', `${singular} id`);
  for (const [flags, description, parse] of level.edit) edit.option(flags, description, parse as never);
  edit.action(async (id: string, o: Opts) => {
    const body = level.editBody(o);
    if (Object.keys(body).length === 0) throw new CliError('USAGE', `nothing to change: give ${level.edit.map(([f]) => f.split(' ')[0]).join(', ')}`);
    const path = item(id);
    const r = await (await ctx.client()).json<Record<string, Row>>('PATCH', path, body);
    ctx.print(r, () => `changed ${singular} ${id}\n${one(r)}`);
  });

  cmd
    .command('delete')
    .description(`delete a ${singular} (refused while anything depends on it)${plural === 'columns' ? "; its controller's identity is revoked" : ''}`)
    .argument('<id>', `${singular} id`)
    .action(async (id: string) => {
      const path = item(id);
      const r = await (await ctx.client()).json<Record<string, Row>>('DELETE', path);
      ctx.print(r, () => `deleted ${singular} ${id}\n`);
    });
  return cmd;
}

/** `portier org locations import|export|template`. */
function registerLocationCsv(locations: Command, ctx: CommandContext): void {
  registerCsvFiles<{ rows: number; added: number; updated: number; unchanged: number; divisions: number }>(locations, ctx, {
    base: '/locations',
    importHelp: 'import divisions and locations from a CSV (at most 5 MB): a row with a LocationID updates it, one without adds a location; nothing is written when any row is bad',
    exportHelp: 'every division and location you may see as CSV (a division without locations: a row of its DivisionID alone)',
    templateHelp: 'the locations CSV template (its header row)',
    summary: (i) => `${i.rows} rows: ${i.added} added, ${i.updated} updated, ${i.unchanged} unchanged, ${i.divisions} divisions without locations`,
  });
}

export function registerOrgCommands(program: Command, ctx: CommandContext): void {
  const org = program.command('org').description('the organisation: your enterprise, divisions, locations, banks, columns');
  registerEnterprise(org, ctx);
  for (const level of LEVELS) {
    const cmd = registerLevel(org, ctx, level);
    if (level.plural === 'locations') registerLocationCsv(cmd, ctx);
  }
}

type EnterpriseRow = Row & { name: string; settings?: { employeeIdRequired?: boolean } };

/** `org enterprise get|set`: the signed-in user's enterprise (or the one given), its name and settings. */
function registerEnterprise(org: Command, ctx: CommandContext): void {
  const cmd = org.command('enterprise').description('your enterprise: get, set its name and settings');
  const enterpriseId = async (given: string | undefined): Promise<string> =>
    given ?? (await (await ctx.client()).json<{ user: { enterpriseId: string } }>('GET', '/auth/me')).user.enterpriseId;
  const show = (r: { enterprise: EnterpriseRow }) =>
    ctx.print(r, () => table([{ ...r.enterprise, employeeIdRequired: r.enterprise.settings?.employeeIdRequired === true ? 'yes' : 'no' }], ['id', 'name', 'employeeIdRequired']));
  cmd
    .command('get')
    .description('the enterprise and its settings')
    .option('--enterprise <id>', 'enterprise id (default: yours)')
    .action(async (o: { enterprise?: string }) => show(await (await ctx.client()).json('GET', `/enterprises/${encodeURIComponent(await enterpriseId(o.enterprise))}`)));
  cmd
    .command('set')
    .description("rename the enterprise (permission lockers.manage) or change its settings (permission settings)")
    .option('--enterprise <id>', 'enterprise id (default: yours)')
    .option('--name <name>', 'new name')
    .option('--employee-id-required <yes|no>', 'every user must have an employee ID (create, edit and import refuse one without)')
    .action(async (o: { enterprise?: string; name?: string; employeeIdRequired?: string }) => {
      const body: Record<string, unknown> = defined({ name: o.name });
      if (o.employeeIdRequired !== undefined) {
        if (o.employeeIdRequired !== 'yes' && o.employeeIdRequired !== 'no') throw new CliError('USAGE', '--employee-id-required takes yes or no');
        body['settings'] = { employeeIdRequired: o.employeeIdRequired === 'yes' };
      }
      if (Object.keys(body).length === 0) throw new CliError('USAGE', 'nothing to change: give --name or --employee-id-required');
      show(await (await ctx.client()).json('PATCH', `/enterprises/${encodeURIComponent(await enterpriseId(o.enterprise))}`, body));
    });
}
