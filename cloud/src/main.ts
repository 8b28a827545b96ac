/**
 * `portier-cloud`: the allocation service, its HTTP API and MQTT broker. Sub-commands register themselves (serve,
 * init-admin, unlock, provision, revoke, mosquitto-files, nats-files, backup, restore, migrate-store) so each stays in its own module.
 * Only this file handles signals and exits the process.
 * Building the program loads little more than commander: each command loads what it needs when it runs, so `--help`
 * or `init-admin` does not load the HTTP server, the broker or the mail.
 */
import { pathToFileURL } from 'node:url';
import { Command, CommanderError } from 'commander';
import { registerBackupCommands } from './cli/backup.ts';
import { registerInitAdmin } from './cli/init-admin.ts';
import { registerMigrateStore } from './cli/migrate-store.ts';
import { registerServe, type RunningCloud } from './cli/serve.ts';
import { registerUnlock } from './cli/unlock.ts';
import { registerProvisionCommands } from './provision/commands.ts';

export function buildProgram(onStarted?: (c: RunningCloud) => void): Command {
  const program = new Command('portier-cloud')
    .description('Portier cloud: locker allocation service, HTTP API under /api/v1, MQTT broker for the controllers')
    .showHelpAfterError()
    .exitOverride();
  registerServe(program, onStarted);
  registerInitAdmin(program);
  registerUnlock(program);
  registerProvisionCommands(program);
  registerBackupCommands(program);
  registerMigrateStore(program);
  program.addHelpText(
    'after',
    '\nExit codes: 0 done; 1 failed; 2 bad usage or configuration; 3 the data folder was refused (written by a newer release, or a restore target that is not empty).',
  );
  return program;
}

async function fail(err: unknown): Promise<number> {
  if (err instanceof CommanderError) return err.exitCode;
  // The modules of these errors: already loaded by the command that threw one, loaded here only on a failure.
  const [{ ConfigError }, { SecretsKeyError }, { DataFolderError }, { CliError }, { StoreError }] = await Promise.all([
    import('./config/config.ts'),
    import('./provision/secrets-key.ts'),
    import('./data-folder/data-folder.ts'),
    import('./cli/errors.ts'),
    import('./store/store.ts'),
  ]);
  if (err instanceof ConfigError) {
    process.stderr.write(`portier-cloud: ${err.message}\n`);
    return 2;
  }
  if (err instanceof SecretsKeyError) {
    process.stderr.write(`portier-cloud: ${err.message}\n`);
    return 2;
  }
  if (err instanceof DataFolderError) {
    process.stderr.write(`portier-cloud: ${err.message}\n`);
    return err.exitCode;
  }
  if (err instanceof CliError) {
    process.stderr.write(`portier-cloud: ${err.message}\n`);
    return err.exitCode;
  }
  if (err instanceof StoreError) {
    process.stderr.write(`portier-cloud: store: ${err.message}\n`);
    return 1;
  }
  process.stderr.write(`portier-cloud: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  return 1;
}

export async function main(argv: string[]): Promise<void> {
  let running: RunningCloud | undefined;
  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) {
      process.stderr.write(`portier-cloud: ${signal} again, exiting now\n`);
      process.exit(130);
    }
    stopping = true;
    if (!running) process.exit(0);
    // Close the server first (no new writes), then flush and close the store.
    running.close().then(
      () => process.exit(0),
      async (err: unknown) => process.exit(await fail(err)),
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);

  const program = buildProgram((c) => {
    running = c;
  });
  try {
    await program.parseAsync(argv);
  } catch (err) {
    process.exitCode = await fail(err);
  }
  // A one-shot command (init-admin, --help) is done: do not wait for the signal handlers.
  if (!running) {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}

// Run when executed directly (`node --import tsx cloud/src/main.ts`); the bin script calls main() itself.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main(process.argv);
