// portier-controller: the firmware daemon of one locker column. Kept thin on purpose: the sub-commands live in
// runtime/cli.ts, over the composed runtime (lock bus, door controller, MQTT link, kiosk, technician console).
import { Command } from 'commander';
import { registerRuntimeCommands } from './runtime/cli.ts';

export { runController as run } from './runtime/cli.ts';

export async function main(argv: string[] = process.argv): Promise<void> {
  const program = new Command();
  program
    .name('portier-controller')
    .description(
      'Portier controller firmware for one locker column: drives the lock bus, reports door events, executes signed cloud commands over MQTT, serves the kiosk and the technician console.',
    )
    .showHelpAfterError();
  registerRuntimeCommands(program);
  await program.parseAsync(argv);
}
