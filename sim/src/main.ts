// portier-sim: runs virtual locker hardware. Sub-commands slot in with commander
// (`column` now; `kiosk` and the cloud-connected mode come later).
import { Command, CommanderError } from 'commander';
import { pino } from 'pino';
import { ConfigError, loadColumnConfig } from './cli/column-config.ts';
import { runColumn } from './cli/column.ts';
import { registerBankCommand } from './cli/bank.ts';
import { registerKioskCommand, NoKioskError } from './cli/kiosk.ts';
import { BankConfigError } from './bank/bank-config.ts';
import { PtyError } from './pty/socat.ts';

export function buildProgram(): Command {
  const program = new Command('portier-sim')
    .description('Portier hardware simulator: virtual locker columns (KR-CU16 lock boards on a pty), doors with behaviours.')
    .showHelpAfterError()
    .exitOverride();

  program
    .command('column')
    .description('run one column of virtual doors on KR-CU16 boards behind a pty; prints the tty the controller opens')
    .requiredOption('-c, --config <file>', 'column description (YAML or JSON): doors (count or list with size/behaviour), boards, pulse time')
    .option('--tty <path>', 'where to create the controller-side tty link (overrides ttyLink in the file)')
    .option('--events', 'print door and lock events as JSON lines on stdout')
    .option('--log-level <level>', 'pino log level on stderr', process.env.LOG_LEVEL ?? 'info')
    .action(async (opts: { config: string; tty?: string; events?: boolean; logLevel: string }) => {
      const log = pino({ name: 'portier-sim', level: opts.logLevel }, pino.destination(2));
      const config = await loadColumnConfig(opts.config);
      if (opts.tty) config.ttyLink = opts.tty;
      const column = await runColumn(config);
      log.info({ doors: column.doors.size, boards: [...column.boards.boards.keys()], tty: column.controllerPath }, 'column running');
      if (opts.events) {
        for (const door of column.doors.values()) {
          door.on('moved', (e) => process.stdout.write(`${JSON.stringify({ event: 'moved', ...e })}\n`));
          door.on('lock', (e) => process.stdout.write(`${JSON.stringify({ event: 'lock', ...e })}\n`));
        }
      }
      // The one line a script needs: where the controller's serial port is.
      process.stdout.write(`controller tty: ${column.controllerPath}\n`);
      await new Promise<void>((resolve) => {
        const stop = (signal: NodeJS.Signals): void => {
          log.info({ signal }, 'stopping');
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          resolve();
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
      await column.close();
    });

  registerBankCommand(program);
  registerKioskCommand(program);

  return program;
}

export async function main(argv: string[] = process.argv): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode; // help, version, usage errors: commander printed them
    if (err instanceof ConfigError || err instanceof BankConfigError || err instanceof NoKioskError) {
      process.stderr.write(`portier-sim: invalid configuration ${err.message}\n`);
      return 2;
    }
    if (err instanceof PtyError) {
      process.stderr.write(`portier-sim: ${err.message}\n`);
      return 3;
    }
    process.stderr.write(`portier-sim: ${(err as Error).stack ?? String(err)}\n`);
    return 1;
  }
}

const isEntry = process.argv[1] !== undefined && import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (isEntry) process.exitCode = await main();
