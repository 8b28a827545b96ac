// `doors`: hands the terminal to the live view of the doors (live-view.ts) until a key is pressed.
import { noMoreArgs } from './args.ts';
import type { Command, CommandHost } from './types.ts';

export function doorsCommand(h: CommandHost): Command {
  return {
    name: 'doors',
    usage: 'doors',
    summary: 'live view of the doors (any key stops it)',
    help: 'Redraws the door table as sensors change. On a dumb terminal, prints one line per change.',
    run: (args) => {
      noMoreArgs(args, 0);
      h.startLive();
    },
  };
}
