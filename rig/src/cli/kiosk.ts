// `portier-sim kiosk --config bank.yaml`: the simulated bank, plus the terminal kiosk on this terminal for the bank's
// kiosk column, so a person can try every flow (make demo) against the real controller and the cloud.
import type { Command } from 'commander';
import { PortierError } from '@portier/protocol';
import { runTerminalKiosk } from '../kiosk-terminal/index.ts';
import { describeBank, startBankFromFile, type BankCommandOptions } from './bank.ts';

export class NoKioskError extends PortierError<'NO_KIOSK_COLUMN'> {
  override name = 'NoKioskError';
  constructor(message: string) {
    super('NO_KIOSK_COLUMN', message);
  }
}

export function registerKioskCommand(program: Command): void {
  program
    .command('kiosk')
    .description(
      'run a simulated bank (as `bank`) and the terminal kiosk of its kiosk column on stdin/stdout; logs go to stderr. Extra keys: C = a person shuts every open door, D = list open doors',
    )
    .requiredOption('-c, --config <file>', 'bank description (YAML or JSON) with one column marked kiosk: true')
    .option('--broker <url>', "broker URL, or a cluster's nodes separated by commas (overrides cloud.brokerUrl in the file)")
    .option('--transport <kind>', 'mock (in-process serial mock) or pty (socat pty pairs, real ttys)')
    .option('--screen-port <port>', "also serve the kiosk column's touch screen on this port of 127.0.0.1 (0: any free port)")
    .option('--log-level <level>', 'pino log level on stderr (default: logLevel in the file)')
    .action(async (opts: BankCommandOptions) => {
      const { bank, logger } = await startBankFromFile(opts);
      const kiosk = bank.kiosk;
      if (!kiosk) {
        await bank.close();
        throw new NoKioskError('no column of the bank is marked kiosk: true');
      }
      process.stderr.write(describeBank(bank));
      const ac = new AbortController();
      const onSignal = (): void => ac.abort();
      process.once('SIGTERM', onSignal);
      process.once('SIGINT', onSignal);
      await runTerminalKiosk({
        input: process.stdin,
        output: process.stdout,
        engine: kiosk.engine,
        logger,
        signal: ac.signal,
        extraKeys: {
          C: {
            help: 'a person shuts every open door',
            run: () => process.stdout.write(`(${bank.closeAllDoors()} door(s) shut)\n`),
          },
          D: {
            help: 'list open doors',
            run: () => {
              const open = bank.columns.flatMap((c) => [...c.doors.values()].filter((d) => d.open).map((d) => `column ${c.number} door ${d.number}`));
              process.stdout.write(`open: ${open.length ? open.join(', ') : 'none'}\n`);
            },
          },
        },
      });
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      await bank.close();
      process.stdout.write('\nbye\n');
    });
}
