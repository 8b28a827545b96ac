// The console's commands: the registry lists them in the order `help` shows them; each lives in its own module.
import { boardsCommand } from './boards.ts';
import { configCommand } from './config.ts';
import { openCommand, serviceCommand, testCommand } from './door-actions.ts';
import { doorsCommand } from './doors.ts';
import { exitCommand } from './exit.ts';
import { helpCommand } from './help.ts';
import { eventsCommand, logsCommand } from './history.ts';
import { netCommand } from './net.ts';
import { factoryResetCommand, rebootSafeCommand } from './restart.ts';
import { statusCommand } from './status.ts';
import type { Command, CommandHost } from './types.ts';

export { Declined, UsageError, type Command, type CommandHost } from './types.ts';
export { helpOf } from './help.ts';
export { truncate } from './args.ts';
export { FACTORY_RESET_PHRASE } from './restart.ts';
export { runCommand, auditEntryOf, type CommandOutcome } from './run.ts';

/** Every command, in the order `help` lists them. */
const REGISTRY: ReadonlyArray<(h: CommandHost) => Command> = [
  helpCommand,
  statusCommand,
  doorsCommand,
  openCommand,
  testCommand,
  boardsCommand,
  serviceCommand,
  configCommand,
  netCommand,
  logsCommand,
  eventsCommand,
  rebootSafeCommand,
  factoryResetCommand,
  exitCommand,
];

/** The console's commands, bound to their session. */
export function buildCommands(h: CommandHost): Command[] {
  return REGISTRY.map((make) => make(h));
}
