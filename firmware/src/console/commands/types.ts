// What a console command is, what it may ask of its session, and the two ways a command ends without doing its job.
import { PortierError } from '@portier/protocol';
import type { ConsoleBackend } from '../backend.ts';

export interface Command {
  name: string;
  usage: string;
  summary: string;
  help: string;
  /** Returns the audit detail; throws UsageError for bad arguments. */
  run(args: string[], rest: string): Promise<string | void> | string | void;
}

/** Bad arguments: shown with the command's usage. */
export class UsageError extends PortierError<'USAGE'> {
  override name = 'UsageError';
  constructor(message: string) {
    super('USAGE', message);
  }
}

/** A command the technician called off: it already said so on the screen; audited as not done. */
export class Declined extends PortierError<'DECLINED'> {
  override name = 'Declined';
  constructor(message: string) {
    super('DECLINED', message);
  }
}

/** What the commands need from their session. */
export interface CommandHost {
  readonly backend: ConsoleBackend;
  now(): number;
  /** Prints one line (or several, joined by newlines). */
  print(line: string): void;
  commandList(): Iterable<Command>;
  findCommand(name: string): Command | undefined;
  startLive(): void;
  audit(action: string, args: string[], ok: boolean, detail?: string): void;
  confirm(prompt: string): Promise<string | null>;
  signOut(reason: 'user'): void;
}
