/**
 * `portier-cloud init-admin`. What the command needs (the store, the auth service, argon2) is loaded when it runs, not
 * when the program is built.
 */
import type { Command } from 'commander';
import type { CommonOptions } from './config-flags.ts';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export function registerInitAdmin(program: Command): void {
  program
    .command('init-admin')
    .description('create an administrator who may also create enterprises and take backups (with the file store, the service must not be running on the same data folder)')
    .requiredOption('-u, --user <name>', 'user name of the admin')
    .option('-c, --config <file>', 'YAML or JSON configuration file')
    .option('-d, --data <dir>', 'data folder')
    .option('--password-stdin', 'read the password from stdin (default when stdin is not a terminal)')
    .option('--enterprise-id <id>', 'the enterprise the admin joins (needed when the folder has several)')
    .option('--enterprise-name <name>', 'the name of the enterprise made when the folder has none yet', 'Portier')
    .action(async (opts: CommonOptions & { user: string; passwordStdin?: boolean; enterpriseId?: string; enterpriseName: string }) => {
      const { generatePassword } = await import('../auth/passwords.ts');
      const { enterpriseForFirstAdmin } = await import('../auth/bootstrap.ts');
      const { PasswordSchema, UserNameSchema } = await import('../auth/users.ts');
      const { openDataFolder } = await import('../data-folder/data-folder.ts');
      const { DomainError } = await import('../domain/errors.ts');
      const { LockerService } = await import('../domain/service.ts');
      const { makeAuth, runtimePaths: dataPaths } = await import('../runtime/shared.ts');
      const { openStore } = await import('../runtime/open-store.ts');
      const { configFromFlags } = await import('./config-flags.ts');
      const { CliError } = await import('./errors.ts');
      const { pino } = await import('pino');

      const name = UserNameSchema.safeParse(opts.user);
      if (!name.success) throw new CliError('USAGE', `--user: ${name.error.issues[0]?.message ?? 'invalid'}`);
      const config = configFromFlags(opts);
      let password: string | undefined;
      if (opts.passwordStdin || !process.stdin.isTTY) {
        const text = (await readStdin()).replace(/\r?\n$/, '');
        if (text.length > 0) {
          const p = PasswordSchema.safeParse(text);
          if (!p.success) throw new CliError('USAGE', `password: ${p.error.issues[0]?.message ?? 'invalid'}`);
          password = p.data;
        }
      }
      const generated = password === undefined;
      password ??= generatePassword();

      const logger = pino({ name: 'portier-cloud', level: config.log.level === 'info' ? 'warn' : config.log.level });
      const paths = dataPaths(config.dataDir);
      await openDataFolder(paths.root, { logger });
      const opened = await openStore({ config: config.store, paths, logger, now: Date.now });
      const store = opened.store;
      try {
        const tokens = await opened.sessions();
        const service = new LockerService({ store, logger });
        const auth = makeAuth(config, service, tokens, logger);
        if (await auth.findUserByName(name.data)) throw new CliError('FAILED', `user ${JSON.stringify(name.data)} already exists`);
        const enterpriseId = await enterpriseForFirstAdmin(service, { enterpriseId: opts.enterpriseId, name: opts.enterpriseName, requireChoice: true }).catch((err: unknown) => {
          throw new CliError('FAILED', (err as Error).message);
        });
        // The first admin of a folder is also an operator of the cloud itself: new enterprises, backups.
        const user = await auth.createUser({ username: name.data, password, role: 'admin', enterpriseId, platformAdmin: true }).catch((err: unknown) => {
          // The enterprise's password policy (a common password, the user name): a usage error, without a stack.
          if (err instanceof DomainError && err.code === 'VALIDATION') throw new CliError('USAGE', err.message);
          throw err;
        });
        process.stdout.write(`created admin ${user.username} (${user.id})\n`);
        // Shown this once; only its hash is stored.
        if (generated) process.stdout.write(`password: ${password}\n`);
      } finally {
        await store.close();
      }
    });
}
