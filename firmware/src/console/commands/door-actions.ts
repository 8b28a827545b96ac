// The commands that act on one door: `open N`, `test N` (a lock test) and `service N out|in`. Each goes through the
// controller's door controller (pulse limit and power budget apply) and reports what the door did.
import { renderLockTest, renderUnlock } from '../render.ts';
import { doorArg, noMoreArgs, truncate } from './args.ts';
import { UsageError, type Command, type CommandHost } from './types.ts';

export function openCommand(h: CommandHost): Command {
  return {
    name: 'open',
    usage: 'open N',
    summary: 'unlock door N and report what the door did',
    help: 'Goes through the door controller: pulse length limit and power budget apply.\nThe answer is what the sensor saw: opened, already open, jammed or unknown.',
    run: async (args) => {
      noMoreArgs(args, 1);
      const door = doorArg(h.backend, args[0]);
      h.print(`opening door ${door}...`);
      const r = await h.backend.open(door);
      h.print(renderUnlock(r));
      return r.outcome;
    },
  };
}

export function testCommand(h: CommandHost): Command {
  return {
    name: 'test',
    usage: 'test N',
    summary: 'lock test of door N: pulse, watch the sensor, report',
    help: 'Reads the door and item sensors, pulses the lock once through the door controller,\nand reports whether the latch released. Close the door afterwards.',
    run: async (args) => {
      noMoreArgs(args, 1);
      const door = doorArg(h.backend, args[0]);
      h.print(`testing door ${door}...`);
      const r = await h.backend.test(door);
      h.print(renderLockTest(r));
      return r.outcome;
    },
  };
}

export function serviceCommand(h: CommandHost): Command {
  return {
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
      h.print(`door ${door} is now ${state}`);
      return state;
    },
  };
}
