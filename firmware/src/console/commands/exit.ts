// `exit`: signs the technician out (as Ctrl-D does); the PIN is needed again.
import type { Command, CommandHost } from './types.ts';

export function exitCommand(h: CommandHost): Command {
  return {
    name: 'exit',
    usage: 'exit',
    summary: 'sign out (also Ctrl-D)',
    help: 'Ends the session; the PIN is needed again.',
    run: () => {
      h.signOut('user');
    },
  };
}
