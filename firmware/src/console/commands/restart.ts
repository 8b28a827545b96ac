// The commands that end the controller's run: `reboot-safe` (outputs driven safe, then a restart) and `factory-reset`
// (local state and configuration changes erased after a typed confirmation). Each is audited before it acts, since
// the restart may cut the session off.
import { noMoreArgs } from './args.ts';
import { Declined, type Command, type CommandHost } from './types.ts';

export const FACTORY_RESET_PHRASE = 'FACTORY RESET';

export function rebootSafeCommand(h: CommandHost): Command {
  return {
    name: 'reboot-safe',
    usage: 'reboot-safe',
    summary: 'drive every lock output safe and restart the controller daemon',
    help: 'Pending unlocks end as unknown; the daemon restarts with the saved configuration.',
    run: async (args) => {
      noMoreArgs(args, 0);
      h.print('driving outputs safe and restarting...');
      h.audit('reboot-safe', [], true, 'requested');
      await h.backend.rebootSafe();
      h.print('outputs safe; restarting now.');
      return 'done';
    },
  };
}

export function factoryResetCommand(h: CommandHost): Command {
  return {
    name: 'factory-reset',
    usage: 'factory-reset',
    summary: 'erase local state and configuration changes (typed confirmation)',
    help: `Asks you to type ${FACTORY_RESET_PHRASE} exactly; anything else cancels.`,
    run: async (args) => {
      noMoreArgs(args, 0);
      h.print('This erases the local state (desired copy, outbox, seen commands) and configuration changes,');
      h.print('then restarts the controller.');
      const answer = await h.confirm(`Type ${FACTORY_RESET_PHRASE} to confirm: `);
      if (answer === null || answer.trim() !== FACTORY_RESET_PHRASE) {
        h.print('factory reset cancelled; nothing was changed.');
        throw new Declined('not confirmed');
      }
      h.audit('factory-reset', [], true, 'confirmed');
      await h.backend.factoryReset();
      h.print('factory reset done; restarting now.');
      return 'done';
    },
  };
}
