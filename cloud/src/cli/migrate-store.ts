/**
 * `portier-cloud migrate-store`: moves the file store of a stopped cloud's data folder into an empty PostgreSQL
 * database (store/pg/import.ts), with the open sign-in sessions and the controller sync state (events journal, desired
 * states: store/pg/import-link.ts), then checks the database against them. The data folder is left as it is, and its
 * keys and identities stay in use. What the command needs is loaded when it runs, not when
 * the program is built.
 */
import type { Command } from 'commander';
import type { CommonOptions } from './config-flags.ts';

interface MigrateOptions extends CommonOptions {
  to?: string;
  toEnv?: boolean;
}

export function registerMigrateStore(program: Command): void {
  program
    .command('migrate-store')
    .description(
      "move the data folder's file store into an empty PostgreSQL database (the cloud stopped); every collection, all history in retention, the sign-in sessions, the controllers' events journal and desired states, checked afterwards; the file store and the sync state are left as they are",
    )
    .option('-c, --config <file>', 'YAML or JSON configuration file (its dataDir names the data folder)')
    .option('-d, --data <dir>', 'data folder')
    .option('--to <url>', 'the database: postgres://user:password@host:5432/database (visible to other users of this machine: prefer --to-env)')
    .option('--to-env', 'read the database URL from the environment variable PORTIER_DATABASE_URL')
    .addHelpText(
      'after',
      '\nThen set `store: { kind: postgres }` in the configuration (the URL in store.url or PORTIER_DATABASE_URL) and start the cloud.' +
        '\nA database that already holds a store is refused (exit 2); so is a data folder a running cloud holds (exit 1).',
    )
    .action(async (opts: MigrateOptions) => {
      const { existsSync } = await import('node:fs');
      const { pino } = await import('pino');
      const { DATABASE_URL_ENV, maskDatabaseUrl, PostgresUrlSchema } = await import('../config/config.ts');
      const { openDataFolder } = await import('../data-folder/data-folder.ts');
      const { runtimePaths } = await import('../runtime/shared.ts');
      const { DurableStore } = await import('../store/durable.ts');
      const { FileTokenRepo } = await import('../auth/token-file.ts');
      const { desiredStateHash } = await import('@portier/protocol');
      const { DesiredStore } = await import('../sync/desired-store.ts');
      const { JOURNAL_FILE } = await import('../sync/event-journal.ts');
      const { join } = await import('node:path');
      const { ImportError, importIntoEmpty } = await import('../store/pg/import.ts');
      const { COLLECTIONS, StoreError } = await import('../store/store.ts');
      const { configFromFlags } = await import('./config-flags.ts');
      const { CliError } = await import('./errors.ts');

      if ((opts.to === undefined) === (opts.toEnv !== true)) throw new CliError('USAGE', 'give the database with --to <url> or --to-env (not both)');
      const field = opts.to !== undefined ? '--to' : DATABASE_URL_ENV;
      const url = opts.to ?? process.env[DATABASE_URL_ENV];
      if (!url) throw new CliError('USAGE', `${DATABASE_URL_ENV} is not set`);
      const parsed = PostgresUrlSchema.safeParse(url);
      if (!parsed.success) throw new CliError('USAGE', `${field}: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
      const config = configFromFlags(opts);
      // On stderr: the report is stdout's; a move of millions of rows says how far it got (info) while it runs.
      const logger = pino({ name: 'portier-cloud', level: config.log.level }, pino.destination(2));
      const paths = runtimePaths(config.dataDir);
      // Opening makes a folder that is not there: a mistyped path must not be moved as an empty store.
      if (!existsSync(paths.store)) throw new CliError('FAILED', `no file store at ${paths.store}`);
      await openDataFolder(paths.root, { logger });
      const store = await DurableStore.open(paths.store, { logger }).catch((err: unknown) => {
        if (err instanceof StoreError && err.code === 'LOCKED') {
          throw new CliError('FAILED', `the data folder ${paths.root} is in use by a running cloud (${err.message}): stop it before moving its store`);
        }
        throw err;
      });
      const where = maskDatabaseUrl(url);
      process.stdout.write(`moving the file store ${paths.store} into ${where}\n`);
      const started = Date.now();
      try {
        // Open sessions move too (expired ones are left out as the file is read): nobody signs in again.
        const tokens = await FileTokenRepo.open(paths.tokens, Date.now(), (m) => logger.warn(m));
        // Opening the desired folder makes one that is not there: read only one that is.
        const desired = existsSync(paths.desired) ? (await DesiredStore.open(paths.desired, (d) => desiredStateHash(d.state))).all() : [];
        const link = { journalFile: join(paths.events, JOURNAL_FILE), desired };
        const report = await importIntoEmpty(url, store, { logger, sessions: tokens.all(), link }).catch((err: unknown) => {
          if (err instanceof ImportError) throw new CliError(err.code === 'NOT_EMPTY' ? 'USAGE' : 'FAILED', `${where}: ${err.message}`);
          if (err instanceof StoreError) throw err;
          throw new CliError('FAILED', `${where}: ${(err as Error).message}`);
        });
        const width = Math.max(...COLLECTIONS.map((c) => c.length), 'ended reservations'.length, 'controller event conflicts'.length);
        const line = (name: string, n: number): string => `  ${name.padEnd(width)} ${n}\n`;
        process.stdout.write(COLLECTIONS.map((c) => line(c, report.collections[c])).join(''));
        process.stdout.write(line('ended reservations', report.ended) + line('activity', report.activity) + line('sign-in sessions', report.sessions));
        const l = report.link;
        process.stdout.write(line('controller events', l.events) + line('controller event gaps', l.gaps) + line('controller event conflicts', l.conflicts) + line('desired states', l.desired));
        if (report.cutoff > 0) process.stdout.write(`  history before ${new Date(report.cutoff).toISOString()} is out of retention: not moved\n`);
        process.stdout.write(
          `checked: every collection, the history counts, the newest ended reservations and the oldest and latest activity are equal; so are the controller events (counts, each controller's last, the latest) and every desired state (${((Date.now() - started) / 1000).toFixed(1)} s)\n` +
            `the file store and the sync state are left as they were; set store: { kind: postgres } in the configuration to run on the database\n`,
        );
      } finally {
        await store.close();
      }
    });
}
