// `help` and `help COMMAND` (every command also answers `COMMAND help`, which the session handles with helpOf).
import { truncate } from './args.ts';
import { UsageError, type Command, type CommandHost } from './types.ts';

export function helpOf(cmd: Command): string {
  return `${cmd.usage}\n  ${cmd.summary}\n${cmd.help
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n')}`;
}

export function helpCommand(h: CommandHost): Command {
  return {
    name: 'help',
    usage: 'help [COMMAND]',
    summary: 'list the commands, or explain one',
    help: 'Every command also answers "COMMAND help".',
    run: (args) => {
      if (args.length === 0) {
        h.print('commands:');
        for (const c of h.commandList()) h.print(`  ${c.usage.padEnd(24)} ${c.summary}`);
        h.print('keys: arrows edit and recall history, Ctrl-C clears the line, Ctrl-D signs out');
        return;
      }
      const c = h.findCommand(args[0]!.toLowerCase());
      if (!c) throw new UsageError(`no command "${truncate(args[0]!, 40)}"`);
      h.print(helpOf(c));
    },
  };
}
