import { PortierError } from '@portier/protocol';
import type { ConsoleBackend } from './backend.ts';
import { ConsoleError } from './backend.ts';
import { isSecretKey, MASK, parseConfigValue } from './config-file.ts';
import { renderEvent, renderLockTest, renderNetTest, renderScan, renderStatus, renderUnlock } from './render.ts';

export const FACTORY_RESET_PHRASE = 'FACTORY RESET';

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

export function helpOf(cmd: Command): string {
  return `${cmd.usage}\n  ${cmd.summary}\n${cmd.help
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n')}`;
}

function doorArg(backend: ConsoleBackend, arg: string | undefined): number {
  if (arg === undefined) throw new UsageError('missing door number');
  if (!/^[0-9]{1,4}$/.test(arg)) throw new UsageError(`"${truncate(arg, 20)}" is not a door number`);
  const n = Number(arg);
  const doors = backend.doors().map((d) => d.door);
  if (!doors.includes(n)) {
    throw new UsageError(`no door ${n} on this controller (doors ${doors.length ? `${Math.min(...doors)}..${Math.max(...doors)}` : 'none'})`);
  }
  return n;
}

function noMoreArgs(args: string[], max: number): void {
  if (args.length > max) throw new UsageError(`unexpected "${truncate(args[max]!, 20)}"`);
}

/** The console's commands, in the order `help` lists them. */
export function buildCommands(h: CommandHost): Command[] {
const p = (s: string): void => h.print(s);
  return [
    {
      name: 'help',
      usage: 'help [COMMAND]',
      summary: 'list the commands, or explain one',
      help: 'Every command also answers "COMMAND help".',
      run: (args) => {
        if (args.length === 0) {
          p('commands:');
          for (const c of h.commandList()) p(`  ${c.usage.padEnd(24)} ${c.summary}`);
          p('keys: arrows edit and recall history, Ctrl-C clears the line, Ctrl-D signs out');
          return;
        }
        const c = h.findCommand(args[0]!.toLowerCase());
        if (!c) throw new UsageError(`no command "${truncate(args[0]!, 40)}"`);
        p(helpOf(c));
      },
    },
    {
      name: 'status',
      usage: 'status',
      summary: 'doors, sensors, lock boards, broker, outbox, versions, clock, uptime',
      help: 'One screen of everything the controller knows about itself.',
      run: async (args) => {
        noMoreArgs(args, 0);
        p(renderStatus(await h.backend.status(), h.now()));
      },
    },
    {
      name: 'doors',
      usage: 'doors',
      summary: 'live view of the doors (any key stops it)',
      help: 'Redraws the door table as sensors change. On a dumb terminal, prints one line per change.',
      run: (args) => {
        noMoreArgs(args, 0);
        h.startLive();
      },
    },
    {
      name: 'open',
      usage: 'open N',
      summary: 'unlock door N and report what the door did',
      help: 'Goes through the door controller: pulse length limit and power budget apply.\nThe answer is what the sensor saw: opened, already open, jammed or unknown.',
      run: async (args) => {
        noMoreArgs(args, 1);
        const door = doorArg(h.backend, args[0]);
        p(`opening door ${door}...`);
        const r = await h.backend.open(door);
        p(renderUnlock(r));
        return r.outcome;
      },
    },
    {
      name: 'test',
      usage: 'test N',
      summary: 'lock test of door N: pulse, watch the sensor, report',
      help: 'Reads the door and item sensors, pulses the lock once through the door controller,\nand reports whether the latch released. Close the door afterwards.',
      run: async (args) => {
        noMoreArgs(args, 1);
        const door = doorArg(h.backend, args[0]);
        p(`testing door ${door}...`);
        const r = await h.backend.test(door);
        p(renderLockTest(r));
        return r.outcome;
      },
    },
    {
      name: 'boards',
      usage: 'boards scan',
      summary: 'find the lock boards on the bus by address',
      help: 'Asks every address on the lock bus and lists the boards that answer,\nand the configured ones that do not.',
      run: async (args) => {
        if (args[0] !== 'scan') throw new UsageError(args[0] ? `unknown subcommand "${truncate(args[0], 20)}"` : 'missing subcommand');
        noMoreArgs(args, 1);
        p('scanning...');
        const r = await h.backend.scanBoards();
        p(renderScan(r));
        return `${r.found.length} found, ${r.missing.length} missing`;
      },
    },
    {
      name: 'service',
      usage: 'service N out|in',
      summary: 'take door N out of service, or back in',
      help: 'An out-of-service door is not offered for drop-offs; the cloud is told (service-changed).',
      run: async (args) => {
        noMoreArgs(args, 2);
        const door = doorArg(h.backend, args[0]);
        const s = args[1]?.toLowerCase();
        if (s !== 'out' && s !== 'in') throw new UsageError(s === undefined ? 'missing out|in' : `"${truncate(args[1]!, 20)}" is not out or in`);
        const state = s === 'out' ? 'out-of-service' : 'in-service';
        await h.backend.setService(door, state);
        p(`door ${door} is now ${state}`);
        return state;
      },
    },
    {
      name: 'config',
      usage: 'config show|set KEY VALUE',
      summary: 'show the configuration, or change one setting',
      help: 'config show [PREFIX]   every setting in effect as KEY = VALUE, the ones the file\n                        leaves out marked (default); secrets masked\nconfig set KEY VALUE    validate against the config schema, save durably,\n                        and say whether a restart (reboot-safe) is needed',
      run: async (args, rest) => {
        const sub = args[0];
        if (sub === 'show') {
          noMoreArgs(args, 2);
          const prefix = args[1];
          const view = await h.backend.config.show();
          const lines = view.entries.filter((e) => !prefix || e.key === prefix || e.key.startsWith(`${prefix}.`));
          if (lines.length === 0) throw new UsageError(`no setting under "${truncate(prefix ?? '', 40)}"`);
          const width = Math.min(48, Math.max(...lines.map((e) => e.key.length + e.value.length + 3)));
          for (const e of lines) p(e.isDefault ? `${`${e.key} = ${e.value}`.padEnd(width)}   (default)` : `${e.key} = ${e.value}`);
          if (view.problems) p(`(defaults not shown: the file has problems; ${view.problems.map((x) => `${x.path}: ${x.message}`).join('; ')})`);
          return;
        }
        if (sub === 'set') {
          const key = args[1];
          if (key === undefined) throw new UsageError('missing KEY');
          const valueText = rest.replace(/^set\s+\S+/, '').trim();
          if (valueText === '') throw new UsageError('missing VALUE');
          const r = await h.backend.config.set(key, parseConfigValue(valueText));
          if (!r.ok) throw new ConsoleError(r.code, `${r.message}; nothing was changed`);
          const shown = isSecretKey(key) ? MASK : JSON.stringify(r.value);
          if (!r.changed) p(`${key} is already ${shown}`);
          else p(`${key} = ${shown} saved${r.restartNeeded ? '; restart needed (reboot-safe) for it to take effect' : ', in effect now'}`);
          return r.changed ? (r.restartNeeded ? 'saved, restart needed' : 'saved, live') : 'unchanged';
        }
        throw new UsageError(sub ? `unknown subcommand "${truncate(sub, 20)}"` : 'missing show or set');
      },
    },
    {
      name: 'net',
      usage: 'net test',
      summary: 'check that the broker answers and accepts our credentials',
      help: 'Connects to the configured broker once with the controller credentials.',
      run: async (args) => {
        if (args[0] !== 'test') throw new UsageError(args[0] ? `unknown subcommand "${truncate(args[0], 20)}"` : 'missing subcommand');
        noMoreArgs(args, 1);
        p('testing the broker connection...');
        const r = await h.backend.netTest();
        p(renderNetTest(r));
        if (!r.ok && r.result !== 'not-configured') throw new ConsoleError('IO', `net test failed: ${r.result}`);
        return r.result;
      },
    },
    {
      name: 'logs',
      usage: 'logs [N]',
      summary: 'the last N log lines (default 20)',
      help: 'From the in-memory ring of recent log lines.',
      run: (args) => {
        noMoreArgs(args, 1);
        const n = count(args[0], 20);
        const lines = h.backend.logs(n);
        if (lines.length === 0) p('(no log lines)');
        for (const l of lines) p(l);
      },
    },
    {
      name: 'events',
      usage: 'events [N]',
      summary: 'the last N events of this controller (default 20)',
      help: 'Door events, faults, transactions and console actions, oldest first.',
      run: (args) => {
        noMoreArgs(args, 1);
        const n = count(args[0], 20);
        const evs = h.backend.events(n);
        if (evs.length === 0) p('(no events)');
        for (const e of evs) p(renderEvent(e));
      },
    },
    {
      name: 'reboot-safe',
      usage: 'reboot-safe',
      summary: 'drive every lock output safe and restart the controller daemon',
      help: 'Pending unlocks end as unknown; the daemon restarts with the saved configuration.',
      run: async (args) => {
        noMoreArgs(args, 0);
        p('driving outputs safe and restarting...');
        h.audit('reboot-safe', [], true, 'requested');
        await h.backend.rebootSafe();
        p('outputs safe; restarting now.');
        return 'done';
      },
    },
    {
      name: 'factory-reset',
      usage: 'factory-reset',
      summary: 'erase local state and configuration changes (typed confirmation)',
      help: `Asks you to type ${FACTORY_RESET_PHRASE} exactly; anything else cancels.`,
      run: async (args) => {
        noMoreArgs(args, 0);
        p('This erases the local state (desired copy, outbox, seen commands) and configuration changes,');
        p('then restarts the controller.');
        const answer = await h.confirm(`Type ${FACTORY_RESET_PHRASE} to confirm: `);
        if (answer === null || answer.trim() !== FACTORY_RESET_PHRASE) {
          p('factory reset cancelled; nothing was changed.');
          throw new Declined('not confirmed');
        }
        h.audit('factory-reset', [], true, 'confirmed');
        await h.backend.factoryReset();
        p('factory reset done; restarting now.');
        return 'done';
      },
    },
    {
      name: 'exit',
      usage: 'exit',
      summary: 'sign out (also Ctrl-D)',
      help: 'Ends the session; the PIN is needed again.',
      run: () => {
        h.signOut('user');
      },
    },
  ];
}

function count(arg: string | undefined, dflt: number): number {
  if (arg === undefined) return dflt;
  if (!/^[0-9]{1,5}$/.test(arg) || Number(arg) < 1) throw new UsageError(`"${truncate(arg, 20)}" is not a count (1..99999)`);
  return Number(arg);
}

export function auditArgs(cmd: string, args: string[]): string[] {
  // `config set KEY VALUE`: the value of a secret key never leaves the controller.
  if (cmd === 'config' && args[0] === 'set' && args[1] !== undefined && isSecretKey(args[1])) return ['set', args[1], MASK];
  return args;
}

export function truncate(s: string, n: number): string {
  return s.length <= n ? s : `${s.slice(0, n - 1)}…`;
}
