// One simulated column and its real controller, in a process of its own so the soak can SIGKILL it. Started with
// `fork`; argv[2] is JSON `{ bank, brokerUrl, mode }`:
// - `answer`: a person shuts every door 50 ms after it springs open (remote opens always find it shut again);
// - `doors`: doors are forced open and shut again, one change every `periodMs`, so the controller records door events.
// Over IPC: <- `{ ready: true }` once connected; <- `{ recorded: seq }` for each event on disk in the controller's
// outbox; -> `{ quiet: true }` stops the door changes and answers `{ drained: seq }` once every recorded event is
// acknowledged by the cloud (outbox empty), seq being the last one; -> `{ stop: true }` ends the process cleanly.
import { pino } from 'pino';
import { z } from 'zod';
import { runSimBank, validateBankConfig } from '@portier/rig';

const args = z
  .strictObject({ bank: z.unknown(), brokerUrl: z.string().url(), mode: z.enum(['answer', 'doors']), periodMs: z.number().int().min(1).default(40) })
  .parse(JSON.parse(process.argv[2] ?? '{}'));
const message = z.union([z.strictObject({ quiet: z.literal(true) }), z.strictObject({ stop: z.literal(true) })]);
const log = pino({ level: process.env.LOG_LEVEL ?? 'warn' });
const bank = await runSimBank({ bank: validateBankConfig(args.bank), cloud: { brokerUrl: args.brokerUrl }, logger: log });
const column = bank.column(1);
let last = 0;
column.controller.on('event', (e) => {
  if (e.seq === undefined) return;
  last = Math.max(last, e.seq);
  process.send?.({ recorded: e.seq });
});
const doors = [...column.doors.values()];
if (args.mode === 'answer') {
  for (const d of doors) d.on('moved', (m) => void (m.open && setTimeout(() => d.close(), 50).unref()));
}
let changes: NodeJS.Timeout | undefined;
if (args.mode === 'doors') {
  let i = 0;
  changes = setInterval(() => {
    const d = doors[i++ % doors.length]!;
    if (d.open) d.close();
    else d.force();
  }, args.periodMs);
}

process.on('message', (raw) => {
  const m = message.safeParse(raw);
  if (!m.success) return log.warn({ problem: m.error.message }, 'bad message from the soak');
  if ('quiet' in m.data) {
    if (changes) clearInterval(changes);
    const poll = setInterval(() => {
      const s = column.controller.linkStatus();
      if (s && s.outboxDepth === 0 && s.state === 'online') {
        clearInterval(poll);
        process.send?.({ drained: Math.max(last, s.nextSeq - 1) });
      }
    }, 50);
    return;
  }
  if (changes) clearInterval(changes);
  void bank.close().finally(() => process.exit(0));
});
process.send?.({ ready: true });
