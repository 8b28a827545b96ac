// portier-sim: virtual locker hardware (`column`, from the simulator) and the rigs that run it under the real
// firmware (`bank`: simulated columns driven by real controllers; `kiosk`: the same with the terminal kiosk).
import { Command, CommanderError } from 'commander';
import { ConfigError, PtyError, registerColumnCommand } from '@portier/sim';
import { BadOptionError, registerBankCommand } from './cli/bank.ts';
import { registerKioskCommand, NoKioskError } from './cli/kiosk.ts';
import { BankConfigError } from './bank/bank-config.ts';

export function buildProgram(): Command {
  const program = new Command('portier-sim')
    .description('Portier hardware simulator: virtual locker columns (KR-CU16 lock boards on a pty), doors with behaviours.')
    .showHelpAfterError()
    .exitOverride();
  registerColumnCommand(program);
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
    if (err instanceof BadOptionError) {
      process.stderr.write(`portier-sim: ${err.message}\n`);
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
