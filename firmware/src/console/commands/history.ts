// `logs [N]` and `events [N]`: what the controller did lately, from its in-memory log ring and its event history.
import { renderEvent } from '../render.ts';
import { countArg, noMoreArgs } from './args.ts';
import type { Command, CommandHost } from './types.ts';

export function logsCommand(h: CommandHost): Command {
  return {
    name: 'logs',
    usage: 'logs [N]',
    summary: 'the last N log lines (default 20)',
    help: 'From the in-memory ring of recent log lines.',
    run: (args) => {
      noMoreArgs(args, 1);
      const lines = h.backend.logs(countArg(args[0], 20));
      if (lines.length === 0) h.print('(no log lines)');
      for (const l of lines) h.print(l);
    },
  };
}

export function eventsCommand(h: CommandHost): Command {
  return {
    name: 'events',
    usage: 'events [N]',
    summary: 'the last N events of this controller (default 20)',
    help: 'Door events, faults, transactions and console actions, oldest first.',
    run: (args) => {
      noMoreArgs(args, 1);
      const evs = h.backend.events(countArg(args[0], 20));
      if (evs.length === 0) h.print('(no events)');
      for (const e of evs) h.print(renderEvent(e));
    },
  };
}
