/**
 * `portier`: the admin CLI, a thin client of the HTTP API. The token comes from `PORTIER_TOKEN`, else from the
 * token file written by `portier login` (`PORTIER_TOKEN_FILE`, default `~/.config/portier/token.json`, mode 0600).
 * `portier open` sends a remote open through the API (answered once the controller acted).
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Command, CommanderError } from 'commander';
import { registerPolicyCommands } from './commands/policy.ts';
import { registerContactCommands } from './commands/contacts.ts';
import { registerDepartmentCommands } from './commands/departments.ts';
import { CliError } from './errors.ts';
import { Client, clientFor, DEFAULT_URL, table, tokenFilePath, parseRef, type AdminIo, type CommandContext, type GlobalOpts, type LockerViewLike } from './client.ts';
import { registerCarrierCommands } from './commands/carriers.ts';
import { registerLockerCommands } from './commands/lockers.ts';
import { registerOrgCommands } from './commands/org.ts';
import { registerRoleCommands } from './commands/roles.ts';
import { registerSftpCommands } from './commands/sftp.ts';
import { registerSsoCommands } from './commands/sso.ts';
import { registerBrandingCommands } from './commands/branding.ts';
import { registerUserCommands } from './commands/users.ts';
import { registerCustomFieldCommands } from './commands/custom-fields.ts';
import { registerTemplateCommands } from './commands/templates.ts';
import { registerApiKeyCommands } from './commands/api-keys.ts';

// What the CLI's helpers moved to client.ts, still importable from here (tests, `portier-cloud backup`).
export { Client, DEFAULT_URL, readTokenFile, tokenFilePath, type AdminIo, type CommandContext } from './client.ts';

export function buildAdminProgram(io: AdminIo): Command {
  const program = new Command('portier')
    .description('Portier admin CLI: talks to the portier-cloud HTTP API')
    .option('--url <url>', `API base URL (env PORTIER_URL; default: from the token file, else ${DEFAULT_URL})`)
    .option('--token-file <file>', 'where `login` saves the token (env PORTIER_TOKEN_FILE)')
    .option('--json', 'print raw JSON answers')
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: io.err });
  const g = (): GlobalOpts => program.opts<GlobalOpts>();
  const print = (value: unknown, human: () => string): void => io.out(g().json ? `${JSON.stringify(value, null, 2)}\n` : human());
  const ctx: CommandContext = { io, client: () => clientFor(io, g()), print, json: () => g().json === true };

  program
    .command('login')
    .description('log in and save a bearer token (password from stdin, or env PORTIER_PASSWORD)')
    .requiredOption('-u, --user <name>', 'user name')
    .option('--code <code>', 'a current code of your authenticator app, when your account signs in with a second factor (env PORTIER_MFA_CODE)')
    .option('--recovery-code <code>', 'one of your recovery codes instead (each works once)')
    .action(async (opts: { user: string; code?: string; recoveryCode?: string }) => {
      const password = io.env.PORTIER_PASSWORD ?? (await io.readStdin()).replace(/\r?\n$/, '');
      if (!password) throw new CliError('USAGE', 'no password: pipe it on stdin or set PORTIER_PASSWORD');
      const url = g().url ?? io.env.PORTIER_URL ?? DEFAULT_URL;
      const client = new Client(io, url, undefined);
      type Session = { token: string; expiresAt: string; user: { role: string } };
      const first = await client.json<Session | { mfaRequired: true; challenge: string; methods: string[]; enrol: boolean }>('POST', '/auth/login', { username: opts.user, password });
      let r: Session;
      if ('mfaRequired' in first) {
        const code = opts.recoveryCode ?? opts.code ?? io.env.PORTIER_MFA_CODE;
        if (first.enrol && !first.methods.includes('totp')) throw new CliError('USAGE', 'your organisation requires a second factor and your account has none yet: add an authenticator at the sign-in page first');
        if (!code) throw new CliError('USAGE', 'this account signs in with a second factor: give --code (a current code of your authenticator app) or --recovery-code');
        r = await client.json<Session>('POST', '/auth/mfa/verify', { challenge: first.challenge, method: opts.recoveryCode ? 'recovery' : 'totp', code });
      } else {
        r = first;
      }
      const path = tokenFilePath(io, g().tokenFile);
      await mkdir(dirname(path), { recursive: true, mode: 0o700 });
      await writeFile(path, JSON.stringify({ url, token: r.token, expiresAt: r.expiresAt }), { mode: 0o600 });
      io.out(`logged in to ${url} as ${opts.user} (${r.user.role}) until ${r.expiresAt}; token saved in ${path}\n`);
    });

  program
    .command('logout')
    .description('end the session of the saved token and delete the token file')
    .option('--everywhere', 'end every session of yours, on every device, not only this one')
    .action(async (opts: { everywhere?: boolean }) => {
      const c = await clientFor(io, g());
      // Signing out everywhere must say so when it failed: the other sessions would still be open.
      if (opts.everywhere) await c.call('POST', '/auth/logout-all');
      else await c.call('POST', '/auth/logout').catch(() => undefined);
      await rm(tokenFilePath(io, g().tokenFile), { force: true });
      io.out(opts.everywhere ? 'logged out everywhere\n' : 'logged out\n');
    });

  registerOrgCommands(program, ctx);
  registerLockerCommands(program, ctx);
  registerCarrierCommands(program, ctx);

  program
    .command('reserve')
    .description('reserve a locker (package ahead of delivery by default)')
    .requiredOption('-b, --bank <bankId>', 'locker bank id')
    .requiredOption('-r, --recipient <type:id>', 'contact:ID or department:ID')
    .option('-k, --kind <kind>', 'package, return, exchange or storage', 'package')
    .option('-s, --size <size>', 'XS, S, M, L or XL')
    .option('-t, --tracking <id>', 'tracking id of the parcel')
    .option('--drop-off <type:id>', 'drop-off party of a return or exchange (contact|department|carrier:ID)')
    .option('--pickup <type:id>', 'pick-up party of a return or exchange')
    .option('--storage <mode[:minutes[:max]]>', 'day-use storage: fixed:60, flexible:60:240 or open')
    .option('--if-no-locker <what>', 'refuse (default) or hold: a package no locker fits waits at the mailroom desk for one')
    .action(
      async (opts: { bank: string; recipient: string; kind: string; size?: string; tracking?: string; dropOff?: string; pickup?: string; storage?: string; ifNoLocker?: string }) => {
        const body: Record<string, unknown> = { bankId: opts.bank, kind: opts.kind, recipient: parseRef(opts.recipient, ['contact', 'department']) };
        if (opts.size) body.size = opts.size;
        if (opts.tracking) body.trackingId = opts.tracking;
        if (opts.dropOff) body.dropOffParty = parseRef(opts.dropOff, ['contact', 'department', 'carrier']);
        if (opts.pickup) body.pickupParty = parseRef(opts.pickup, ['contact', 'department', 'carrier']);
        if (opts.ifNoLocker) body.ifNoLocker = opts.ifNoLocker;
        if (opts.storage) {
          const [mode, minutes, max] = opts.storage.split(':');
          body.storage = { mode, ...(minutes ? { minutes: Number(minutes) } : {}), ...(max ? { maxMinutes: Number(max) } : {}) };
        }
        const c = await clientFor(io, g());
        const r = await c.json<{ reservation: { id: string; lockerNumber?: number; bankId: string }; addedToExisting: boolean }>('POST', '/reservations', body);
        print(r, () =>
          r.reservation.lockerNumber === undefined
            ? `no locker fits: held at the mailroom desk of bank ${r.reservation.bankId}: reservation ${r.reservation.id}\n`
            : `reserved locker ${r.reservation.lockerNumber} of bank ${r.reservation.bankId}: reservation ${r.reservation.id}${r.addedToExisting ? ' (added to the existing locker)' : ''}\n`,
        );
      },
    );

  program
    .command('reservations')
    .description('list live reservations')
    .option('-b, --bank <bankId>', 'only this bank')
    .option('--location <locationId>', "only this location's banks")
    .option('--status <status>', 'held (at the mailroom desk), reserved, occupied or expired')
    .option('--unassigned', 'only kiosk drop-offs that named no recipient (see `portier assign`)')
    .action(async (opts: { bank?: string; location?: string; status?: string; unassigned?: boolean }) => {
      const qs = new URLSearchParams();
      if (opts.bank) qs.set('bankId', opts.bank);
      if (opts.location) qs.set('locationId', opts.location);
      if (opts.status) qs.set('status', opts.status);
      if (opts.unassigned) qs.set('unassigned', 'true');
      const c = await clientFor(io, g());
      const r = await c.json<{ reservations: Record<string, unknown>[] }>('GET', `/reservations${qs.size ? `?${qs}` : ''}`);
      print(r, () =>
        table(
          r.reservations.map((x) => ({ ...x, recipient: `${(x.recipient as { type: string; id: string }).type}:${(x.recipient as { id: string }).id}` })),
          ['id', 'bankId', 'lockerNumber', 'kind', 'status', 'recipient'],
        ),
      );
    });

  program
    .command('service')
    .description('put a locker out of service or back in service')
    .requiredOption('-b, --bank <bankId>', 'locker bank id')
    .requiredOption('-l, --locker <number>', 'locker number')
    .requiredOption('--state <state>', 'in-service or out-of-service')
    .option('--reason <text>', 'why')
    .action(async (opts: { bank: string; locker: string; state: string; reason?: string }) => {
      const c = await clientFor(io, g());
      const r = await c.json<LockerViewLike>('PUT', `/banks/${encodeURIComponent(opts.bank)}/lockers/${encodeURIComponent(opts.locker)}/service`, {
        state: opts.state,
        ...(opts.reason ? { reason: opts.reason } : {}),
      });
      print(r, () => `locker ${r.locker.number}: ${r.locker.service} (${r.status})\n`);
    });

  program
    .command('new-code')
    .description('issue a new pickup code for a filled locker (lost code, notice never arrived); prints it once, the old one stops working')
    .requiredOption('-r, --reservation <id>', 'reservation id (see `portier reservations`)')
    .action(async (opts: { reservation: string }) => {
      const c = await clientFor(io, g());
      const r = await c.json<{ code: string; expiresAt: number; reservation: { lockerNumber: number } }>(
        'POST',
        `/reservations/${encodeURIComponent(opts.reservation)}/pickup-code`,
      );
      print(r, () => `locker ${r.reservation.lockerNumber}: new pickup code ${r.code} (valid until ${new Date(r.expiresAt).toISOString()})\n`);
    });

  program
    .command('assign')
    .description('name the recipient of a package in its locker (a kiosk drop-off that named nobody, or the wrong person); a new pickup code goes to them')
    .requiredOption('-r, --reservation <id>', 'reservation id (see `portier reservations --unassigned`)')
    .requiredOption('--to <type:id>', 'contact:ID or department:ID')
    .option('--note <text>', 'why (kept in the activity)')
    .action(async (opts: { reservation: string; to: string; note?: string }) => {
      const c = await clientFor(io, g());
      const body = { recipient: parseRef(opts.to, ['contact', 'department']), ...(opts.note ? { note: opts.note } : {}) };
      const r = await c.json<{ code: string; expiresAt: number; reservation: { lockerNumber: number } }>('POST', `/reservations/${encodeURIComponent(opts.reservation)}/recipient`, body);
      print(r, () => `locker ${r.reservation.lockerNumber}: now for ${opts.to}; new pickup code ${r.code} (valid until ${new Date(r.expiresAt).toISOString()}), handed to the notification hook\n`);
    });

  program
    .command('open')
    .description('open a locker door remotely; prints what the door did (opened, already_open, jammed, unknown, rejected, timed_out)')
    .requiredOption('-b, --bank <bankId>', 'locker bank id')
    .requiredOption('-l, --locker <number>', 'locker number')
    .requiredOption('--reason <text>', 'why (kept in the audit log)')
    .action(async (opts: { bank: string; locker: string; reason: string }) => {
      const c = await clientFor(io, g());
      const r = await c.json<{ commandId: string; outcome: string; reason?: string }>(
        'POST',
        `/banks/${encodeURIComponent(opts.bank)}/lockers/${encodeURIComponent(opts.locker)}/open`,
        { reason: opts.reason },
      );
      print(r, () => `locker ${opts.locker}: ${r.outcome}${r.reason ? ` (${r.reason})` : ''}  [command ${r.commandId}]\n`);
      // A door that did not open is a failure for scripts.
      if (r.outcome !== 'opened' && r.outcome !== 'already_open') process.exitCode = 3;
    });

  const staff = program.command('staff').description('kiosk PINs and badges of operators, carriers and admins (admin only)');
  staff
    .command('add')
    .description('issue a kiosk PIN (drawn when --code is left out; shown once) or a badge')
    .requiredOption('--role <role>', 'operator, carrier or admin')
    .requiredOption('--subject <id>', 'the user (or carrier) it belongs to')
    .option('--kind <kind>', 'staff-pin or badge', 'staff-pin')
    .option('--code <code>', 'the PIN (4-10 digits) or the badge number as the reader reads it')
    .option('-b, --bank <bankId...>', 'banks where it signs in (default: every bank)')
    .option('--expires <date>', 'ISO 8601 date-time or epoch ms')
    .option('--label <text>', 'a name for the list')
    .action(async (opts: { role: string; subject: string; kind: string; code?: string; bank?: string[]; expires?: string; label?: string }) => {
      const body: Record<string, unknown> = { role: opts.role, subjectId: opts.subject, kind: opts.kind };
      if (opts.code !== undefined) body.code = opts.code;
      if (opts.bank) body.bankIds = opts.bank;
      if (opts.label !== undefined) body.label = opts.label;
      if (opts.expires !== undefined) {
        const at = /^\d+$/.test(opts.expires) ? Number(opts.expires) : Date.parse(opts.expires);
        if (!Number.isFinite(at)) throw new CliError('USAGE', `--expires: not a date: ${JSON.stringify(opts.expires)}`);
        body.expiresAt = at;
      }
      const c = await clientFor(io, g());
      const r = await c.json<{ staffCredential: { id: string; role: string; kind: string; subjectId: string }; code: string }>('POST', '/staff-credentials', body);
      print(r, () => {
        const what = r.staffCredential.kind === 'badge' ? `badge ${r.code}` : `PIN ${r.code} (shown this once)`;
        return `${r.staffCredential.role} ${what} for ${r.staffCredential.subjectId}: credential ${r.staffCredential.id}\n`;
      });
    });
  staff
    .command('list')
    .description('every staff credential, revoked ones marked, with the banks whose kiosks cannot check it (never a PIN)')
    .action(async () => {
      const c = await clientFor(io, g());
      const r = await c.json<{
        staffCredentials: Array<Record<string, unknown> & { bankIds: string[]; expiresAt?: number; revokedAt?: number; notCheckableAt?: string[] }>;
      }>('GET', '/staff-credentials');
      print(r, () => {
        const rows = r.staffCredentials.map((x) => ({
          ...x,
          banks: x.bankIds.length ? x.bankIds.join(',') : 'all',
          expires: x.expiresAt !== undefined ? new Date(x.expiresAt).toISOString() : '',
          state: x.revokedAt !== undefined ? 'revoked' : x.expiresAt !== undefined && x.expiresAt <= Date.now() ? 'expired' : 'live',
          'not checkable at': (x.notCheckableAt ?? []).join(','),
        }));
        const gaps = rows.some((x) => x['not checkable at'] !== '');
        const note = gaps ? '\n"not checkable at": banks created or re-keyed after the credential was issued; their kiosks cannot check it: issue a new one.\n' : '';
        return table(rows, ['id', 'role', 'kind', 'subjectId', 'banks', 'expires', 'state', 'not checkable at', 'label']) + note;
      });
    });
  staff
    .command('revoke')
    .description('revoke a staff credential')
    .argument('<id>', 'credential id (see `portier staff list`)')
    .action(async (id: string) => {
      const c = await clientFor(io, g());
      const r = await c.json<{ staffCredential: { id: string } }>('DELETE', `/staff-credentials/${encodeURIComponent(id)}`);
      print(r, () => `revoked ${r.staffCredential.id}\n`);
    });

  program
    .command('activity')
    .description('activity log with the names a person reads; --csv for the CSV export, --json for the rows as the API answers them')
    .option('--type <types>', 'transaction type, or several comma-separated')
    .option('-b, --bank <bankId>', 'only this bank')
    .option('-l, --location <locationId>', "only this location's banks")
    .option('-r, --recipient <id>', 'only this recipient (contact or department id)')
    .option('-a, --actor <id>', 'only what this user, carrier or controller did')
    .option('--from <date>', 'ISO 8601 date-time or epoch ms (inclusive)')
    .option('--to <date>', 'ISO 8601 date-time or epoch ms (exclusive)')
    .option('-n, --limit <n>', 'at most this many entries')
    .option('--cursor <cursor>', 'the next page: the cursor the page before printed')
    .option('--csv', 'CSV export')
    .action(async (opts: Record<'type' | 'bank' | 'location' | 'recipient' | 'actor' | 'from' | 'to' | 'limit' | 'cursor', string | undefined> & { csv?: boolean }) => {
      const qs = new URLSearchParams();
      const keys = { cursor: 'cursor', type: 'type', bank: 'bankId', location: 'locationId', recipient: 'recipientId', actor: 'actorId', from: 'from', to: 'to', limit: 'limit' } as const;
      for (const [opt, key] of Object.entries(keys)) if (opts[opt as keyof typeof keys]) qs.set(key, opts[opt as keyof typeof keys]!);
      if (opts.csv) qs.set('format', 'csv');
      const c = await clientFor(io, g());
      if (opts.csv) {
        io.out((await c.call('GET', `/activity?${qs}`, undefined, 'text/csv')).text);
        return;
      }
      const r = await c.json<{ activity: Record<string, unknown>[]; nextCursor?: string }>('GET', `/activity${qs.size ? `?${qs}` : ''}`);
      // Names where the cloud resolved them, ids where not; an administrative change says on what and what changed.
      const row = (a: Record<string, unknown>): Record<string, unknown> => ({
        at: new Date(a.at as number).toISOString(),
        type: a.type,
        actor: a.actorName,
        bank: a.bankName ?? a.bankId,
        location: a.locationName,
        locker: a.lockerNumber,
        recipient: a.recipientName ?? a.recipientId,
        trackingId: a.trackingId ?? (a.trackingIds as string[] | undefined)?.join(' '),
        status: a.status,
        detail: [a.detail, a.targetName, a.changesText].filter(Boolean).join(': '),
      });
      print(r, () => table(r.activity.map(row), ['at', 'type', 'actor', 'bank', 'location', 'locker', 'recipient', 'trackingId', 'status', 'detail']) + (r.nextCursor ? `more: --cursor ${r.nextCursor}\n` : ''));
    });

  program
    .command('erase-contact')
    .description("erase a person's personal data (admin only): name and contact details replaced, their links in history replaced, the events kept")
    .requiredOption('-c, --contact <id>', 'contact id')
    .action(async (opts: { contact: string }) => {
      const c = await clientFor(io, g());
      const r = await c.json<{ erasure: { replacementId: string; ended: number; activity: number } }>('POST', `/contacts/${encodeURIComponent(opts.contact)}/erase`);
      const e = r.erasure;
      print(r, () => `contact ${opts.contact} erased: ${e.ended} ended reservations and ${e.activity} activity entries now under ${e.replacementId}\n`);
    });

  registerPolicyCommands(program, ctx);
  registerContactCommands(program, ctx);
  registerDepartmentCommands(program, ctx);
  registerUserCommands(program, ctx);
  registerApiKeyCommands(program, ctx);
  registerRoleCommands(program, ctx);
  registerSftpCommands(program, ctx);
  registerSsoCommands(program, ctx);
  registerBrandingCommands(program, ctx);
  registerCustomFieldCommands(program, ctx);
  registerTemplateCommands(program, ctx);
  return program;
}

/** Runs the CLI; answers the exit code instead of exiting, so tests can call it. */
export async function runAdmin(argv: string[], io: AdminIo): Promise<number> {
  const program = buildAdminProgram(io);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode;
    if (err instanceof CliError) {
      io.err(`portier: ${err.message}\n`);
      return err.exitCode;
    }
    io.err(`portier: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}

export function processIo(): AdminIo {
  return {
    env: process.env,
    out: (s) => process.stdout.write(s),
    err: (s) => process.stderr.write(s),
    readStdin: async () => {
      if (process.stdin.isTTY) return '';
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks).toString('utf8');
    },
    fetch: globalThis.fetch,
  };
}
