// `status`: one screen of everything the controller knows about itself.
import { renderStatus } from '../render.ts';
import { noMoreArgs } from './args.ts';
import type { Command, CommandHost } from './types.ts';

export function statusCommand(h: CommandHost): Command {
  return {
    name: 'status',
    usage: 'status',
    summary: 'doors, sensors, lock boards, broker, outbox, versions, clock, uptime',
    help: 'One screen of everything the controller knows about itself.',
    run: async (args) => {
      noMoreArgs(args, 0);
      h.print(renderStatus(await h.backend.status(), h.now()));
    },
  };
}
