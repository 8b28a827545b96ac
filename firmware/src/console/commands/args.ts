// Argument checks shared by the commands: each bad argument is a UsageError naming what was wrong, shown with the
// command's usage line.
import type { ConsoleBackend } from '../backend.ts';
import { UsageError } from './types.ts';

/** Cuts a text the technician typed (or an audit field) to `n` characters, marking the cut. */
export function truncate(s: string, n: number): string {
  return s.length <= n ? s : `${s.slice(0, n - 1)}…`;
}

/** A door number of this controller. */
export function doorArg(backend: ConsoleBackend, arg: string | undefined): number {
  if (arg === undefined) throw new UsageError('missing door number');
  if (!/^[0-9]{1,4}$/.test(arg)) throw new UsageError(`"${truncate(arg, 20)}" is not a door number`);
  const n = Number(arg);
  const doors = backend.doors().map((d) => d.door);
  if (!doors.includes(n)) {
    throw new UsageError(`no door ${n} on this controller (doors ${doors.length ? `${Math.min(...doors)}..${Math.max(...doors)}` : 'none'})`);
  }
  return n;
}

export function noMoreArgs(args: string[], max: number): void {
  if (args.length > max) throw new UsageError(`unexpected "${truncate(args[max]!, 20)}"`);
}

/** A count of lines or events (`dflt` when absent). */
export function countArg(arg: string | undefined, dflt: number): number {
  if (arg === undefined) return dflt;
  if (!/^[0-9]{1,5}$/.test(arg) || Number(arg) < 1) throw new UsageError(`"${truncate(arg, 20)}" is not a count (1..99999)`);
  return Number(arg);
}

/** A subcommand that must be `expected` (`boards scan`, `net test`). */
export function onlySubcommand(args: string[], expected: string): void {
  if (args[0] !== expected) throw new UsageError(args[0] ? `unknown subcommand "${truncate(args[0], 20)}"` : 'missing subcommand');
}
