// `config show [PREFIX]` and `config set KEY VALUE`: the controller's settings in effect (secrets masked), and one
// change validated against the config schema and saved durably. A secret's value is never printed.
import { ConsoleError } from '../backend.ts';
import { isSecretKey, MASK, parseConfigValue } from '../config-file.ts';
import { noMoreArgs, truncate } from './args.ts';
import { UsageError, type Command, type CommandHost } from './types.ts';

export function configCommand(h: CommandHost): Command {
  const show = async (args: string[]): Promise<void> => {
    noMoreArgs(args, 2);
    const prefix = args[1];
    const view = await h.backend.config.show();
    const lines = view.entries.filter((e) => !prefix || e.key === prefix || e.key.startsWith(`${prefix}.`));
    if (lines.length === 0) throw new UsageError(`no setting under "${truncate(prefix ?? '', 40)}"`);
    const width = Math.min(48, Math.max(...lines.map((e) => e.key.length + e.value.length + 3)));
    for (const e of lines) h.print(e.isDefault ? `${`${e.key} = ${e.value}`.padEnd(width)}   (default)` : `${e.key} = ${e.value}`);
    if (view.problems) h.print(`(defaults not shown: the file has problems; ${view.problems.map((x) => `${x.path}: ${x.message}`).join('; ')})`);
  };
  const set = async (args: string[], rest: string): Promise<string> => {
    const key = args[1];
    if (key === undefined) throw new UsageError('missing KEY');
    const valueText = rest.replace(/^set\s+\S+/, '').trim();
    if (valueText === '') throw new UsageError('missing VALUE');
    const r = await h.backend.config.set(key, parseConfigValue(valueText));
    if (!r.ok) throw new ConsoleError(r.code, `${r.message}; nothing was changed`);
    const shown = isSecretKey(key) ? MASK : JSON.stringify(r.value);
    if (!r.changed) h.print(`${key} is already ${shown}`);
    else h.print(`${key} = ${shown} saved${r.restartNeeded ? '; restart needed (reboot-safe) for it to take effect' : ', in effect now'}`);
    return r.changed ? (r.restartNeeded ? 'saved, restart needed' : 'saved, live') : 'unchanged';
  };
  return {
    name: 'config',
    usage: 'config show|set KEY VALUE',
    summary: 'show the configuration, or change one setting',
    help: 'config show [PREFIX]   every setting in effect as KEY = VALUE, the ones the file\n                        leaves out marked (default); secrets masked\nconfig set KEY VALUE    validate against the config schema, save durably,\n                        and say whether a restart (reboot-safe) is needed',
    run: async (args, rest) => {
      const sub = args[0];
      if (sub === 'show') return show(args);
      if (sub === 'set') return set(args, rest);
      throw new UsageError(sub ? `unknown subcommand "${truncate(sub, 20)}"` : 'missing show or set');
    },
  };
}

/** The arguments of a config command as audited: the value of a secret key never leaves the controller. */
export function configAuditArgs(args: string[]): string[] {
  if (args[0] === 'set' && args[1] !== undefined && isSecretKey(args[1])) return ['set', args[1], MASK];
  return args;
}
