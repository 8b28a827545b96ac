/**
 * `portier users list|get|add|edit|unlock|reset-mfa|delete|search|credentials|import|export|template`: the users API (permission
 * 'users'); the CSV import sends the file as a text/csv body and prints its per-row report when refused.
 */
import type { Command } from 'commander';
import { CliError } from '../errors.ts';
import { table, type Client, type CommandContext } from '../client.ts';
import { registerCsvFiles } from './csv-files.ts';

type UserRow = Record<string, unknown> & { id: string; username: string; accessLevel: { kind: string; id?: string } };
const COLUMNS = ['id', 'username', 'firstName', 'lastName', 'email', 'role', 'access', 'employeeId', 'state'];

function row(u: UserRow): Record<string, unknown> {
  return { ...u, access: u.accessLevel.id !== undefined ? `${u.accessLevel.kind}:${u.accessLevel.id}` : u.accessLevel.kind, state: u['disabled'] === true ? 'disabled' : 'active' };
}

/** `enterprise`, `division:ID` or `location:ID`. */
export function parseAccessLevel(s: string): { kind: 'enterprise' } | { kind: 'division' | 'location'; id: string } {
  if (s === 'enterprise') return { kind: 'enterprise' };
  const m = /^(division|location):(.+)$/.exec(s);
  if (!m) throw new CliError('USAGE', `access level: expected enterprise, division:ID or location:ID, got ${JSON.stringify(s)}`);
  return { kind: m[1] as 'division' | 'location', id: m[2]! };
}

interface ProfileOpts {
  firstName?: string;
  lastName?: string;
  email?: string;
  language?: string;
  employeeId?: string;
  badgeId?: string;
  role?: string;
  accessLevel?: string;
  passwordStdin?: boolean;
}

function withProfileOptions(cmd: Command): Command {
  return cmd
    .option('--first-name <name>', 'first name')
    .option('--last-name <name>', 'last name')
    .option('--email <email>', 'e-mail address')
    .option('--language <lang>', 'en or fr')
    .option('--employee-id <id>', 'employee ID (unique in the enterprise)')
    .option('--badge-id <id>', 'badge ID')
    .option('--access-level <level>', 'enterprise, division:ID or location:ID')
    .option('--password-stdin', 'read a password from stdin (without one the user cannot sign in)');
}

async function profileBody(ctx: CommandContext, o: ProfileOpts): Promise<Record<string, unknown>> {
  const body: Record<string, unknown> = {};
  const fields = [['firstName', o.firstName], ['lastName', o.lastName], ['email', o.email], ['language', o.language], ['employeeId', o.employeeId], ['badgeId', o.badgeId], ['role', o.role]] as const;
  for (const [k, v] of fields) if (v !== undefined) body[k] = v;
  if (o.accessLevel !== undefined) body['accessLevel'] = parseAccessLevel(o.accessLevel);
  if (o.passwordStdin) body['password'] = (await ctx.io.readStdin()).replace(/\r?\n$/, '');
  return body;
}

/** The id of the user `who` names: their id, user name or e-mail address (any case), among the users you may see. */
async function userIdOf(client: Client, who: string): Promise<string> {
  const { users } = await client.json<{ users: UserRow[] }>('GET', `/users?${new URLSearchParams({ q: who })}`);
  const lower = who.toLowerCase();
  const named = users.filter((u) => u.username.toLowerCase() === lower || (typeof u['email'] === 'string' && u['email'].toLowerCase() === lower));
  if (named.length === 1) return named[0]!.id;
  if (named.length > 1) throw new CliError('FAILED', `several users answer to ${JSON.stringify(who)}: give the user id (${named.map((u) => u.id).join(', ')})`);
  // No user of that name or address: an id (the search does not look at ids), which the API checks itself.
  return who;
}

export function registerUserCommands(program: Command, ctx: CommandContext): void {
  const users = program.command('users').description("your enterprise's users inside your access level (permission 'users')");
  const list = (r: { users: UserRow[] }) => ctx.print(r, () => table(r.users.map(row), COLUMNS));

  users
    .command('list')
    .description('list the users you may see')
    .action(async () => list(await (await ctx.client()).json<{ users: UserRow[] }>('GET', '/users')));

  users
    .command('search')
    .description('users whose name, user name, e-mail or employee ID holds TEXT (prefix matches first)')
    .argument('<text>', 'what to look for')
    .action(async (text: string) => list(await (await ctx.client()).json<{ users: UserRow[] }>('GET', `/users?${new URLSearchParams({ q: text })}`)));

  users
    .command('get')
    .description('one user')
    .argument('<id>', 'user id')
    .action(async (id: string) => {
      const r = await (await ctx.client()).json<{ user: UserRow }>('GET', `/users/${encodeURIComponent(id)}`);
      ctx.print(r, () => table([row(r.user)], COLUMNS));
    });

  withProfileOptions(
    users
      .command('add')
      .description('add a user')
      .requiredOption('-u, --username <name>', 'user name (signs in with it)')
      .requiredOption('-r, --role <role>', 'role id (admin, operator, carrier, recipient or one of the enterprise)'),
  ).action(async (o: ProfileOpts & { username: string }) => {
    const r = await (await ctx.client()).json<{ user: UserRow }>('POST', '/users', { username: o.username, ...(await profileBody(ctx, o)) });
    ctx.print(r, () => `user ${r.user.username} added: ${r.user.id}\n`);
  });

  withProfileOptions(
    users
      .command('edit')
      .description('edit a user (only the fields given change)')
      .argument('<id>', 'user id')
      .option('-r, --role <role>', 'role id')
      .option('--disable', 'disable the user (ends their sessions)')
      .option('--enable', 'enable the user again'),
  ).action(async (id: string, o: ProfileOpts & { disable?: boolean; enable?: boolean }) => {
    if (o.disable && o.enable) throw new CliError('USAGE', '--disable and --enable together');
    const body = { ...(await profileBody(ctx, o)), ...(o.disable ? { disabled: true } : {}), ...(o.enable ? { disabled: false } : {}) };
    if (Object.keys(body).length === 0) throw new CliError('USAGE', 'nothing to change');
    const r = await (await ctx.client()).json<{ user: UserRow }>('PATCH', `/users/${encodeURIComponent(id)}`, body);
    ctx.print(r, () => `user ${r.user.username} changed\n`);
  });

  users
    .command('unlock')
    .description('end the lock-out of a user whose account locked after failed sign-ins (a stopped cloud: `portier-cloud unlock`)')
    .argument('<user>', 'user id, user name or e-mail address')
    .action(async (who: string) => {
      const client = await ctx.client();
      const id = await userIdOf(client, who);
      const r = await client.json<{ user: UserRow; unlocked: boolean }>('POST', `/users/${encodeURIComponent(id)}/unlock`);
      ctx.print(r, () => `user ${r.user.username} ${r.unlocked ? 'unlocked' : 'was not locked'}\n`);
    });

  users
    .command('reset-mfa')
    .description("reset a user's second factors (a lost phone): authenticator, recovery codes and remembered devices; they add one again where required")
    .argument('<user>', 'user id, user name or e-mail address')
    .action(async (who: string) => {
      const client = await ctx.client();
      const id = await userIdOf(client, who);
      const r = await client.json<{ user: UserRow; reset: boolean }>('POST', `/users/${encodeURIComponent(id)}/mfa/reset`);
      ctx.print(r, () => `user ${r.user.username}: ${r.reset ? 'second factors reset' : 'had no second factor'}\n`);
    });

  users
    .command('credentials')
    .description("the user's kiosk PINs and badges, revoked and expired ones included (permission staffCredentials; never a code)")
    .argument('<id>', 'user id')
    .action(async (id: string) => {
      const r = await (await ctx.client()).json<{ staffCredentials: (Record<string, unknown> & { revokedAt?: number; expiresAt?: number })[] }>(
        'GET',
        `/users/${encodeURIComponent(id)}/staff-credentials`,
      );
      const when = (ms: number | undefined) => (ms !== undefined ? new Date(ms).toISOString() : '');
      ctx.print(r, () => table(r.staffCredentials.map((c) => ({ ...c, expires: when(c.expiresAt), revoked: when(c.revokedAt) })), ['id', 'kind', 'role', 'label', 'expires', 'revoked']));
    });

  registerCsvFiles<{ rows: number; added: number; updated: number; unchanged: number }>(users, ctx, {
    base: '/users',
    importHelp: 'import a users CSV (Email, FirstName, LastName, Role, AccessLevel, EmployeeID, Language, BadgeID; at most 1 MB): merged by e-mail; nothing is written when any row is bad; users added have no password until one is set',
    exportHelp: 'every user you may see as CSV',
    templateHelp: 'the users CSV template (its header row)',
    summary: (i) => `${i.rows} rows: ${i.added} added, ${i.updated} updated, ${i.unchanged} unchanged`,
  });

  users
    .command('delete')
    .description('delete a user (the last administrator cannot be deleted)')
    .argument('<id>', 'user id')
    .action(async (id: string) => {
      await (await ctx.client()).call('DELETE', `/users/${encodeURIComponent(id)}`);
      ctx.print({ deleted: id }, () => `user ${id} deleted\n`);
    });
}
