/**
 * `portier sftp ...`: the enterprise's scheduled SFTP import of its address book: show, set, remove, run now, the
 * latest runs, forget the pinned host key. Secrets come from files (`--password-file`, `--key-file`,
 * `--passphrase-file`), never from the command line, and are never printed: the API answers only whether one is set.
 */
import { InvalidArgumentError, type Command } from 'commander';
import { table, type CommandContext } from '../client.ts';
import { CliError } from '../errors.ts';
import { numberArg, secretFile } from './common.ts';

interface ImportLike {
  host: string;
  port: number;
  username: string;
  hasPassword: boolean;
  hasPrivateKey: boolean;
  hasPassphrase: boolean;
  remotePath: string;
  delimiter: string;
  mode: string;
  schedule: string;
  timezone?: string;
  enabled: boolean;
  hostKey?: { fingerprint: string; pinnedAt: number };
  nextRunAt?: number;
}

interface RunLike {
  id: string;
  trigger: string;
  startedAt: number;
  endedAt: number;
  outcome: string;
  rows: number;
  added: number;
  changed: number;
  removed: number;
  unchanged: number;
  kept: { id: string; personnelId?: string; reason: string }[];
  errors: { line?: number; column?: string; problem: string }[];
}

interface SetOptions {
  host?: string;
  port?: number;
  user?: string;
  passwordFile?: string;
  keyFile?: string;
  passphraseFile?: string;
  path?: string;
  delimiter?: string;
  mode?: string;
  schedule?: string;
  timezone?: string;
  enable?: boolean;
  disable?: boolean;
}

const DELIMITERS: Record<string, string> = { ',': ',', comma: ',', ';': ';', semicolon: ';', tab: '\t', '\t': '\t' };
const iso = (ms: number | undefined): string => (ms === undefined ? '' : new Date(ms).toISOString());
const delimiterName = (d: string): string => (d === '\t' ? 'tab' : d);

function describe(i: ImportLike): string {
  const auth = i.hasPassword ? 'password (set)' : `private key (set${i.hasPassphrase ? ', with a passphrase' : ''})`;
  return [
    `server:     ${i.username}@${i.host}:${i.port}`,
    `sign-in:    ${auth}`,
    `host key:   ${i.hostKey ? `${i.hostKey.fingerprint} (pinned ${iso(i.hostKey.pinnedAt)})` : 'not pinned yet (pinned on the next connection)'}`,
    `file:       ${i.remotePath} (delimiter ${delimiterName(i.delimiter)})`,
    `mode:       ${i.mode}`,
    `schedule:   ${i.schedule}${i.timezone ? ` (${i.timezone})` : ' (UTC)'}${i.enabled ? '' : ' - disabled'}`,
    ...(i.nextRunAt !== undefined ? [`next run:   ${iso(i.nextRunAt)}`] : []),
  ].join('\n') + '\n';
}

function report(r: RunLike): string {
  const lines = [`run ${r.id} (${r.trigger}): ${r.outcome}; ${r.rows} rows, ${r.added} added, ${r.changed} changed, ${r.removed} removed, ${r.unchanged} unchanged`];
  for (const k of r.kept) lines.push(`kept ${k.personnelId ?? k.id}: ${k.reason}`);
  for (const e of r.errors) lines.push(`${e.line !== undefined ? `line ${e.line}${e.column ? ` ${e.column}` : ''}: ` : ''}${e.problem}`);
  return lines.join('\n') + '\n';
}

export function registerSftpCommands(program: Command, ctx: CommandContext): void {
  const sftp = program
    .command('sftp')
    .description("the address book imported from an SFTP server on a schedule (your enterprise's; secrets are set from files and never shown)");

  /** The import as a route answers it. */
  const call = async (method: string, path: string, body?: unknown): Promise<{ sftpImport: ImportLike }> => (await ctx.client()).json<{ sftpImport: ImportLike }>(method, path, body);
  const current = async (): Promise<ImportLike | undefined> => {
    try {
      return (await call('GET', '/sftp-import')).sftpImport;
    } catch (err) {
      if (err instanceof CliError && err.message.startsWith('NOT_FOUND')) return undefined;
      throw err;
    }
  };

  sftp
    .command('show')
    .description('the import: server, sign-in (whether a password or key is set), pinned host key, file, mode, schedule, next run')
    .action(async () => {
      const r = await call('GET', '/sftp-import');
      ctx.print(r, () => describe(r.sftpImport));
    });

  sftp
    .command('set')
    .description('set the import up, or change the options given (the others, and the secret unless a new one is given, are kept)')
    .option('--host <host>', 'SFTP server')
    .option('--port <port>', 'its port (default 22)', numberArg)
    .option('--user <name>', 'user name on the server')
    .option('--password-file <file>', 'sign in with the password in this file')
    .option('--key-file <file>', 'sign in with the PEM private key in this file')
    .option('--passphrase-file <file>', "the private key's passphrase, from this file")
    .option('--path <remotePath>', 'the CSV file on the server')
    .option('--delimiter <d>', 'comma, semicolon or tab (default comma)', (v: string) => {
      const d = DELIMITERS[v];
      if (d === undefined) throw new InvalidArgumentError('must be comma, semicolon or tab');
      return d;
    })
    .option('--mode <mode>', 'merge (add and change) or replace (also remove the contacts not in the file)')
    .option('--schedule <cron>', 'when it runs, in cron syntax: minute hour day-of-month month day-of-week (e.g. "0 2 * * *")')
    .option('--timezone <tz>', 'IANA time zone the schedule is read in (default UTC)')
    .option('--enable', 'run on the schedule')
    .option('--disable', 'keep the settings but do not run on the schedule')
    .action(async (o: SetOptions) => {
      if (o.passwordFile !== undefined && o.keyFile !== undefined) throw new CliError('USAGE', 'give --password-file or --key-file, not both');
      if (o.enable && o.disable) throw new CliError('USAGE', 'give --enable or --disable, not both');
      const old = await current();
      const body: Record<string, unknown> = {
        ...(old ? { host: old.host, port: old.port, username: old.username, remotePath: old.remotePath, delimiter: old.delimiter, mode: old.mode, schedule: old.schedule, enabled: old.enabled } : {}),
        ...(old?.timezone !== undefined ? { timezone: old.timezone } : {}),
        ...(o.host !== undefined ? { host: o.host } : {}),
        ...(o.port !== undefined ? { port: o.port } : {}),
        ...(o.user !== undefined ? { username: o.user } : {}),
        ...(o.path !== undefined ? { remotePath: o.path } : {}),
        ...(o.delimiter !== undefined ? { delimiter: o.delimiter } : {}),
        ...(o.mode !== undefined ? { mode: o.mode } : {}),
        ...(o.schedule !== undefined ? { schedule: o.schedule } : {}),
        ...(o.timezone !== undefined ? { timezone: o.timezone } : {}),
        ...(o.enable ? { enabled: true } : o.disable ? { enabled: false } : {}),
      };
      if (o.passwordFile !== undefined) body.password = await secretFile(o.passwordFile, true);
      if (o.keyFile !== undefined) body.privateKey = await secretFile(o.keyFile, false);
      if (o.passphraseFile !== undefined) body.passphrase = await secretFile(o.passphraseFile, true);
      const missing = [['host', '--host'], ['username', '--user'], ['remotePath', '--path'], ['schedule', '--schedule']].filter(([k]) => body[k!] === undefined).map(([, flag]) => flag);
      if (!old && body.password === undefined && body.privateKey === undefined) missing.push('--password-file or --key-file');
      if (missing.length > 0) throw new CliError('USAGE', `a new import needs ${missing.join(', ')}`);
      const r = await call('PUT', '/sftp-import', body);
      ctx.print(r, () => `${old ? 'changed' : 'set up'} the SFTP import\n${describe(r.sftpImport)}`);
    });

  sftp
    .command('remove')
    .description('remove the import, its secrets and its runs')
    .action(async () => {
      const r = await call('DELETE', '/sftp-import');
      ctx.print(r, () => `removed the SFTP import from ${r.sftpImport.host}\n`);
    });

  sftp
    .command('run')
    .description('run the import now and print its report (exit 1 when it failed or was skipped)')
    .action(async () => {
      const r = await (await ctx.client()).json<{ run: RunLike }>('POST', '/sftp-import/run');
      ctx.print(r, () => report(r.run));
      if (r.run.outcome !== 'ok') throw new CliError('FAILED', `the run ${r.run.outcome === 'skipped' ? 'was skipped' : 'failed'}`);
    });

  sftp
    .command('runs')
    .description('the latest runs, newest first')
    .action(async () => {
      const r = await (await ctx.client()).json<{ runs: RunLike[] }>('GET', '/sftp-import/runs');
      ctx.print(r, () =>
        table(
          r.runs.map((x) => ({ ...x, startedAt: iso(x.startedAt), errors: x.errors.length > 0 ? `${x.errors.length}: ${x.errors[0]!.line !== undefined ? `line ${x.errors[0]!.line} ` : ''}${x.errors[0]!.problem}` : '' })),
          ['id', 'startedAt', 'trigger', 'outcome', 'added', 'changed', 'removed', 'errors'],
        ),
      );
    });

  sftp
    .command('forget-host-key')
    .description("forget the server's pinned host key (after the server's key was replaced on purpose); the next run pins the new one")
    .action(async () => {
      const r = await call('DELETE', '/sftp-import/host-key');
      ctx.print(r, () => 'forgot the pinned host key: the next run pins the key the server shows\n');
    });
}
