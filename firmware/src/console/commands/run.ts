// How one command run ends, for the screen and the audit: a usage error is shown with the command's usage line, a
// refused action (ConsoleError) with its message and audited with its code, a declined one was already explained by
// the command, and anything else is a fault of the controller, logged with its stack.
import type { Logger } from 'pino';
import { ConsoleError } from '../backend.ts';
import { truncate } from './args.ts';
import { configAuditArgs } from './config.ts';
import { Declined, UsageError, type Command } from './types.ts';

export interface CommandOutcome {
  ok: boolean;
  /** The audit detail: what the command returned, or why it failed. */
  detail?: string;
}

/** Commands audited with their subcommand as part of the action (`boards scan`, `config set`...). */
const SUBCOMMANDS = new Set(['boards', 'config', 'net']);

/** Runs `cmd` (typed as `typed`) and tells how it ended; the failure is already on the screen. */
export async function runCommand(
  cmd: Command,
  typed: string,
  args: string[],
  rest: string,
  out: { print(text: string): void; log: Logger },
): Promise<CommandOutcome> {
  try {
    const d = await cmd.run(args, rest);
    return typeof d === 'string' ? { ok: true, detail: d } : { ok: true };
  } catch (err) {
    if (err instanceof Declined) return { ok: false, detail: err.message };
    if (err instanceof UsageError) {
      out.print(`error: ${err.message} (usage: ${cmd.usage})\n`);
      return { ok: false, detail: err.message };
    }
    if (err instanceof ConsoleError) {
      out.print(`error: ${err.message}\n`);
      return { ok: false, detail: `${err.code}: ${err.message}` };
    }
    out.log.error({ err, command: typed }, 'console command failed');
    out.print(`error: ${(err as Error).message}\n`);
    return { ok: false, detail: (err as Error).message };
  }
}

/** The action and arguments a command run is audited as, or undefined for the ones that are not (help, exit). */
export function auditEntryOf(cmd: Command, args: string[]): { action: string; args: string[] } | undefined {
  if (cmd.name === 'help' || cmd.name === 'exit') return undefined;
  const sub = SUBCOMMANDS.has(cmd.name) && args[0] !== undefined;
  const audited = cmd.name === 'config' ? configAuditArgs(args) : args;
  return { action: sub ? `${cmd.name} ${truncate(args[0]!, 20)}` : cmd.name, args: audited.slice(sub ? 1 : 0) };
}
