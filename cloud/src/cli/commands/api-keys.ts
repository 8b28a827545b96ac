/**
 * `portier api-keys list|create|revoke`: API keys of scripts and integrations (permission 'users'); `portier
 * sessions` and `portier sessions end --user ID`: your own sessions, and ending another user's.
 */
import { type Command, InvalidArgumentError } from 'commander';
import { table, type CommandContext } from '../client.ts';
import { parseAccessLevel } from './users.ts';

type ApiKeyRow = Record<string, unknown> & { id: string; name: string; accessLevel: { kind: string; id?: string }; expiresAt: number; lastUsedAt?: number };
type SessionRow = Record<string, unknown> & { createdAt: number; lastSeenAt: number; expiresAt: number; idleExpiresAt: number; current: boolean };

const DAY_MS = 86_400_000;
const iso = (ms: number | undefined) => (ms !== undefined ? new Date(ms).toISOString() : '');

/** `--expires`: a number of days ahead (`90d`) or a date or time (`2027-06-30`, `2027-06-30T18:00:00Z`). */
export function expiryArg(now: () => number): (v: string) => number {
  return (v) => {
    const days = /^(\d{1,4})d$/.exec(v);
    if (days) return now() + Number(days[1]) * DAY_MS;
    const at = /^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(v) ? Date.parse(v) : NaN;
    if (Number.isNaN(at)) throw new InvalidArgumentError('expected a number of days (90d) or a date (2027-06-30)');
    return at;
  };
}

function keyRow(k: ApiKeyRow): Record<string, unknown> {
  return { ...k, access: k.accessLevel.id !== undefined ? `${k.accessLevel.kind}:${k.accessLevel.id}` : k.accessLevel.kind, expires: iso(k.expiresAt), lastUsed: iso(k.lastUsedAt) };
}

export function registerApiKeyCommands(program: Command, ctx: CommandContext): void {
  const keys = program.command('api-keys').description("API keys for scripts and integrations (permission 'users'); a key is shown once, when made");

  keys
    .command('list')
    .description("your enterprise's API keys, revoked and expired ones included (never a key)")
    .action(async () => {
      const r = await (await ctx.client()).json<{ apiKeys: ApiKeyRow[] }>('GET', '/api-keys');
      ctx.print(r, () => table(r.apiKeys.map(keyRow), ['id', 'name', 'role', 'access', 'status', 'expires', 'lastUsed', 'createdBy']));
    });

  keys
    .command('create')
    .description('make an API key; it acts with the role given, never beyond what you may do yourself')
    .requiredOption('-n, --name <name>', 'what the key is for (shown in lists)')
    .requiredOption('-r, --role <role>', 'role id (one with a right you lack is refused)')
    .requiredOption('--expires <when>', 'when it stops working: days ahead (90d) or a date (2027-06-30); at most 730 days', expiryArg(Date.now))
    .option('--access-level <level>', 'enterprise (default), division:ID or location:ID')
    .action(async (o: { name: string; role: string; expires: number; accessLevel?: string }) => {
      const body = { name: o.name, role: o.role, expiresAt: o.expires, ...(o.accessLevel !== undefined ? { accessLevel: parseAccessLevel(o.accessLevel) } : {}) };
      const r = await (await ctx.client()).json<{ key: string; apiKey: ApiKeyRow }>('POST', '/api-keys', body);
      ctx.print(r, () => `API key ${r.apiKey.id} (${r.apiKey.name}) made, valid until ${iso(r.apiKey.expiresAt)}.\nKey, shown this once (send it as "Authorization: Bearer <key>"):\n${r.key}\n`);
    });

  keys
    .command('revoke')
    .description('revoke an API key: refused from its next request on')
    .argument('<id>', 'API key id')
    .action(async (id: string) => {
      const r = await (await ctx.client()).json<{ apiKey: ApiKeyRow }>('POST', `/api-keys/${encodeURIComponent(id)}/revoke`);
      ctx.print(r, () => `API key ${r.apiKey.id} (${r.apiKey.name}) revoked\n`);
    });

  const sessions = program
    .command('sessions')
    .description('your open sessions (where and when you signed in)')
    .action(async () => {
      const r = await (await ctx.client()).json<{ sessions: SessionRow[] }>('GET', '/auth/sessions');
      ctx.print(r, () =>
        table(
          r.sessions.map((s) => ({ ...s, signedIn: iso(s.createdAt), lastSeen: iso(s.lastSeenAt), endsBy: iso(Math.min(s.expiresAt, s.idleExpiresAt)), this: s.current ? '*' : '' })),
          ['id', 'this', 'signedIn', 'lastSeen', 'endsBy', 'ip', 'userAgent'],
        ),
      );
    });
  sessions
    .command('end')
    .description("end every session of a user of yours (permission 'users'); they sign in again")
    .requiredOption('--user <id>', 'user id')
    .action(async (o: { user: string }) => {
      const r = await (await ctx.client()).json<{ ended: number }>('POST', `/users/${encodeURIComponent(o.user)}/sessions/end`);
      ctx.print(r, () => `${r.ended} session${r.ended === 1 ? '' : 's'} of user ${o.user} ended\n`);
    });
}
