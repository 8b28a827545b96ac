// `net test`: one connection to the configured broker with the controller's credentials.
import { ConsoleError } from '../backend.ts';
import { renderNetTest } from '../render.ts';
import { noMoreArgs, onlySubcommand } from './args.ts';
import type { Command, CommandHost } from './types.ts';

export function netCommand(h: CommandHost): Command {
  return {
    name: 'net',
    usage: 'net test',
    summary: 'check that the broker answers and accepts our credentials',
    help: 'Connects to the configured broker once with the controller credentials.',
    run: async (args) => {
      onlySubcommand(args, 'test');
      noMoreArgs(args, 1);
      h.print('testing the broker connection...');
      const r = await h.backend.netTest();
      h.print(renderNetTest(r));
      if (!r.ok && r.result !== 'not-configured') throw new ConsoleError('IO', `net test failed: ${r.result}`);
      return r.result;
    },
  };
}
