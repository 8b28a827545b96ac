// The simulated column and its real controller, in a process of their own (as on a locker bank: the controller is
// not the cloud's process), and beside them the controller half of the reference path when asked for. Started by
// run.ts with `fork`; the bank description comes as JSON in argv[2]. Over IPC:
// -> `{ close: n }` a person shuts door n (answered `{ closed: n }`), `{ stop: true }` ends the process;
// <- `{ ready: true }` once the controller (and the reference controller) are connected.
import { pino } from 'pino';
import { z } from 'zod';
import { runSimBank, validateBankConfig } from '@portier/rig';
import { startReferenceController } from './reference-controller.ts';

const message = z.union([z.strictObject({ close: z.number().int().min(1) }), z.strictObject({ stop: z.literal(true) })]);
const referenceSchema = z.strictObject({
  username: z.string(),
  password: z.string(),
  bankId: z.string(),
  publicKeyPem: z.string(),
  logPath: z.string(),
  doors: z.number().int().min(1),
  boardReplyDelayMs: z.number().int().min(0),
  pulseMs: z.number().int().min(1),
});
const args = z
  .strictObject({ bank: z.unknown(), brokerUrl: z.string().url(), reference: referenceSchema.optional() })
  .parse(JSON.parse(process.argv[2] ?? '{}'));
const log = pino({ level: process.env.LOG_LEVEL ?? 'warn' });
const bank = await runSimBank({ bank: validateBankConfig(args.bank), cloud: { brokerUrl: args.brokerUrl }, logger: log });
const reference = args.reference ? await startReferenceController({ ...args.reference, brokerUrl: args.brokerUrl }) : undefined;
const column = bank.column(1);
process.on('message', (raw) => {
  const m = message.safeParse(raw);
  if (!m.success) return log.warn({ problem: m.error.message }, 'bad message from the bench');
  if ('close' in m.data) {
    column.door(m.data.close).close();
    process.send?.({ closed: m.data.close });
    return;
  }
  void Promise.all([bank.close(), reference?.close()]).finally(() => process.exit(0));
});
process.send?.({ ready: true });
