/**
 * `portier-cloud unlock`: ends a user's lock-out on the data folder of a stopped cloud, so an enterprise whose last
 * administrator locked themselves out is never stuck. A running cloud holds the store's lock: then the command is
 * refused, and the API's unlock (`portier users unlock`) is the way. With the store in PostgreSQL it works beside
 * running instances (they read the change from the database). What the command needs is loaded when it runs, not when
 * the program is built.
 */
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import type { User } from '../domain/model.ts';
import type { Store } from '../store/store.ts';
import type { CommonOptions } from './config-flags.ts';

/** Who the command acts as in the activity log. */
const CLI_ACTOR = { role: 'system', id: 'cli' } as const;

/** The one user `who` names: their user name, else their e-mail address (any case). */
async function userNamed(store: Store, who: string): Promise<User> {
  const { CliError } = await import('./errors.ts');
  const lower = who.trim().toLowerCase();
  const users = store.list('users');
  const byName = users.find((u) => u.username.toLowerCase() === lower);
  if (byName) return byName;
  const byEmail = users.filter((u) => u.email?.toLowerCase() === lower);
  if (byEmail.length === 1) return byEmail[0]!;
  if (byEmail.length > 1) throw new CliError('FAILED', `several users have the e-mail address ${JSON.stringify(who)}: give the user name (${byEmail.map((u) => u.username).join(', ')})`);
  throw new CliError('FAILED', `no user has the user name or e-mail address ${JSON.stringify(who)}`);
}

export function registerUnlock(program: Command): void {
  program
    .command('unlock')
    .description("end a user's lock-out after failed sign-ins, on the data folder of a stopped cloud (a running cloud: `portier users unlock`)")
    .argument('<user>', 'user name or e-mail address')
    .option('-c, --config <file>', 'YAML or JSON configuration file')
    .option('-d, --data <dir>', 'data folder')
    .action(async (who: string, opts: CommonOptions) => {
      const { AccountLockout } = await import('../auth/lockout.ts');
      const { openDataFolder } = await import('../data-folder/data-folder.ts');
      const { cryptoRandom } = await import('../domain/core.ts');
      const { runtimePaths } = await import('../runtime/shared.ts');
      const { openStore } = await import('../runtime/open-store.ts');
      const { StoreError } = await import('../store/store.ts');
      const { configFromFlags } = await import('./config-flags.ts');
      const { CliError } = await import('./errors.ts');
      const { pino } = await import('pino');

      const config = configFromFlags(opts);
      const logger = pino({ name: 'portier-cloud', level: config.log.level === 'info' ? 'warn' : config.log.level });
      const paths = runtimePaths(config.dataDir);
      // Opening makes a folder that is not there: a mistyped path must not become a new, empty cloud.
      if (!existsSync(config.store.kind === 'file' ? paths.store : paths.root)) throw new CliError('FAILED', `no data folder at ${paths.root}`);
      await openDataFolder(paths.root, { logger });
      const { store } = await openStore({ config: config.store, paths, logger, now: Date.now }).catch((err: unknown) => {
        if (err instanceof StoreError && err.code === 'LOCKED') {
          throw new CliError('FAILED', `the data folder ${paths.root} is in use by a running cloud (${err.message}): stop it first, or unlock through its API with \`portier users unlock\``);
        }
        throw err;
      });
      try {
        const user = await userNamed(store, who);
        const lockout = new AccountLockout({ store, now: Date.now, random: cryptoRandom });
        const unlocked = await lockout.unlock(user, CLI_ACTOR, 'admin');
        process.stdout.write(`user ${user.username} (${user.id}) ${unlocked ? 'unlocked' : 'was not locked'}\n`);
      } finally {
        await store.close();
      }
    });
}
