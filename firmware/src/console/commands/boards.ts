// `boards scan`: which lock boards answer on the bus, and which configured ones do not.
import { renderScan } from '../render.ts';
import { noMoreArgs, onlySubcommand } from './args.ts';
import type { Command, CommandHost } from './types.ts';

export function boardsCommand(h: CommandHost): Command {
  return {
    name: 'boards',
    usage: 'boards scan',
    summary: 'find the lock boards on the bus by address',
    help: 'Asks every address on the lock bus and lists the boards that answer,\nand the configured ones that do not.',
    run: async (args) => {
      onlySubcommand(args, 'scan');
      noMoreArgs(args, 1);
      h.print('scanning...');
      const r = await h.backend.scanBoards();
      h.print(renderScan(r));
      return `${r.found.length} found, ${r.missing.length} missing`;
    },
  };
}
