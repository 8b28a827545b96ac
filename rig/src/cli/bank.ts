// `portier-sim bank --config bank.yaml`: a simulated bank of real controllers against a cloud's broker.
import type { Command } from 'commander';
import { pino, type Logger } from 'pino';
import { z } from 'zod';
import { PortierError } from '@portier/protocol';
import { loadBankConfig, runSimBank, type SimBank } from '../bank/index.ts';

export interface BankCommandOptions {
  config: string;
  broker?: string;
  transport?: 'mock' | 'pty';
  events?: boolean;
  logLevel?: string;
  /** The kiosk column's touch screen on this loopback port (0: any free one). */
  screenPort?: string;
}

export class BadOptionError extends PortierError<'BAD_OPTION'> {
  override name = 'BadOptionError';
  constructor(message: string) {
    super('BAD_OPTION', message);
  }
}

const portSchema = z.coerce.number().int().min(0).max(65535);

/** `--screen-port` as a port number, or a clear refusal naming the option. */
export function screenPortOf(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const r = portSchema.safeParse(value);
  if (!r.success || value.trim() === '') throw new BadOptionError(`--screen-port: ${JSON.stringify(value)} is not a port (0 to 65535)`);
  return r.data;
}

/** Loads the description and starts the bank (what both `bank` and `kiosk` do first). */
export async function startBankFromFile(opts: BankCommandOptions): Promise<{ bank: SimBank; logger: Logger }> {
  const screenPort = screenPortOf(opts.screenPort);
  const config = await loadBankConfig(opts.config);
  const logger = pino({ name: 'portier-sim', level: opts.logLevel ?? config.logLevel }, pino.destination(2));
  const bank = await runSimBank({
    bank: config,
    ...(opts.broker ? { cloud: { brokerUrl: opts.broker } } : {}),
    ...(opts.transport ? { transport: opts.transport } : {}),
    ...(screenPort !== undefined ? { kioskScreen: { port: screenPort } } : {}),
    logger,
  });
  return { bank, logger };
}

/** What a person (or a script) needs to know about the running bank. */
export function describeBank(bank: SimBank): string {
  const lines = [`bank ${bank.bankId}: ${bank.columns.length} column(s), broker ${bank.brokerUrl}, transport ${bank.transport}`];
  for (const c of bank.columns) {
    const link = c.controller.linkStatus();
    lines.push(
      `  column ${c.number}: controller ${c.controllerId}, doors 1..${c.doors.size}${c.kiosk ? ', kiosk' : ''}${c.controller.screen ? `, touch screen ${c.controller.screen.url}` : ''}${c.tty ? `, tty ${c.tty}` : ''}, link ${link?.state ?? 'none'}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/** Resolves on SIGINT or SIGTERM. */
export function untilSignal(logger: Logger): Promise<void> {
  return new Promise<void>((resolve) => {
    const stop = (signal: NodeJS.Signals): void => {
      logger.info({ signal }, 'stopping');
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

export function registerBankCommand(program: Command): void {
  program
    .command('bank')
    .description(
      'run a simulated locker bank: every column is virtual doors on virtual KR-CU16 boards driven by a real controller (portier-controller runtime) that connects to the broker',
    )
    .requiredOption('-c, --config <file>', 'bank description (YAML or JSON): bankId, cloud.brokerUrl, columns with doors and controller identities')
    .option('--broker <url>', "broker URL, or a cluster's nodes separated by commas (overrides cloud.brokerUrl in the file)")
    .option('--transport <kind>', 'mock (in-process serial mock) or pty (socat pty pairs, real ttys)')
    .option('--screen-port <port>', "serve the kiosk column's touch screen on this port of 127.0.0.1 (0: any free port); open it in a browser")
    .option('--events', 'print every event the controllers record as a JSON line on stdout')
    .option('--log-level <level>', 'pino log level on stderr (default: logLevel in the file)')
    .action(async (opts: BankCommandOptions) => {
      const { bank, logger } = await startBankFromFile(opts);
      process.stdout.write(describeBank(bank));
      if (opts.events) {
        for (const c of bank.columns) {
          c.controller.on('event', (e) => process.stdout.write(`${JSON.stringify({ column: c.number, controllerId: c.controllerId, seq: e.seq, ...e.body })}\n`));
        }
      }
      await untilSignal(logger);
      await bank.close();
    });
}
