// `portier-sim column --config FILE`: one column of virtual doors on KR-CU16 boards behind a pty, for a real
// controller in another process to open like /dev/ttyUSB0.
import { dirname, basename } from 'node:path';
import { mkdirSync } from 'node:fs';
import type { Command } from 'commander';
import { pino } from 'pino';
import { dialectFromConfig } from '@portier/firmware/hal';
import { VirtualDoor } from '../door.ts';
import { VirtualCu16BoardSet, type VirtualCu16BoardOptions } from '../cu16/boards.ts';
import { startCu16OnPty, type Cu16OnPty } from '../pty/cu16-pty.ts';
import { loadColumnConfig, type ColumnConfig } from './column-config.ts';

type DoorEntry = Exclude<ColumnConfig['doors'], number>[number];

/** A running simulated column: doors, CU16 boards, and the pty the controller opens. */
export interface RunningColumn {
  readonly doors: ReadonlyMap<number, VirtualDoor>;
  readonly boards: VirtualCu16BoardSet;
  readonly controllerPath: string;
  close(): Promise<void>;
}

/** Builds the doors and boards a configuration describes (no I/O). */
export function buildColumn(config: ColumnConfig): { doors: Map<number, VirtualDoor>; boards: VirtualCu16BoardSet } {
  const entries: DoorEntry[] = typeof config.doors === 'number' ? Array.from({ length: config.doors }, () => ({})) : config.doors;
  const doors = new Map<number, VirtualDoor>();
  entries.forEach((e, i) => {
    const number = e.number ?? i + 1;
    const door = new VirtualDoor(number, { ...config.behaviour, ...e.behaviour });
    if (e.item) door.setItem(true);
    if (e.open) door.force();
    doors.set(number, door);
  });
  const maxDoor = Math.max(...doors.keys());
  const boardList = config.boards ?? Array.from({ length: Math.ceil(maxDoor / 16) }, (_, address) => ({ address }));
  const boards: VirtualCu16BoardOptions[] = boardList.map((b, index) => ({
    address: b.address,
    // The index-th board carries doors index*16+1 .. index*16+16, in order.
    locks: Array.from({ length: 16 }, (_, lock) => doors.get(index * 16 + lock + 1)),
    pulseMs: config.pulseMs,
    hardwareMaxPulseMs: config.hardwareMaxPulseMs,
    dialect: dialectFromConfig({ ...config.dialect, ...('dialect' in b && b.dialect ? b.dialect : {}) }),
  }));
  const set = new VirtualCu16BoardSet({ boards, replyDelayMs: config.replyDelayMs });
  boardList.forEach((b) => {
    if ('faults' in b && b.faults) set.board(b.address).setFaults(b.faults);
  });
  return { doors, boards: set };
}

/** Starts the column on a socat pty pair. */
export async function runColumn(config: ColumnConfig): Promise<RunningColumn> {
  const { doors, boards } = buildColumn(config);
  let pty: Cu16OnPty;
  try {
    if (config.ttyLink) {
      mkdirSync(dirname(config.ttyLink), { recursive: true });
      pty = await startCu16OnPty(boards, { dir: dirname(config.ttyLink), controllerName: basename(config.ttyLink), simName: `${basename(config.ttyLink)}.sim` });
    } else {
      pty = await startCu16OnPty(boards);
    }
  } catch (err) {
    boards.dispose();
    for (const d of doors.values()) d.dispose();
    throw err;
  }
  let closing: Promise<void> | undefined;
  return {
    doors,
    boards,
    controllerPath: pty.controllerPath,
    close() {
      closing ??= (async () => {
        await pty.close();
        boards.dispose();
        for (const d of doors.values()) d.dispose();
      })();
      return closing;
    },
  };
}

/** Registers `column` on the `portier-sim` program. */
export function registerColumnCommand(program: Command): void {
  program
    .command('column')
    .description('run one column of virtual doors on KR-CU16 boards behind a pty; prints the tty the controller opens')
    .requiredOption('-c, --config <file>', 'column description (YAML or JSON): doors (count or list with size/behaviour), boards, pulse time')
    .option('--tty <path>', 'where to create the controller-side tty link (overrides ttyLink in the file)')
    .option('--events', 'print door and lock events as JSON lines on stdout')
    .option('--log-level <level>', 'pino log level on stderr', process.env.LOG_LEVEL ?? 'info')
    .action(async (opts: { config: string; tty?: string; events?: boolean; logLevel: string }) => {
      const log = pino({ name: 'portier-sim', level: opts.logLevel }, pino.destination(2));
      const config = await loadColumnConfig(opts.config);
      if (opts.tty) config.ttyLink = opts.tty;
      const column = await runColumn(config);
      log.info({ doors: column.doors.size, boards: [...column.boards.boards.keys()], tty: column.controllerPath }, 'column running');
      if (opts.events) {
        for (const door of column.doors.values()) {
          door.on('moved', (e) => process.stdout.write(`${JSON.stringify({ event: 'moved', ...e })}\n`));
          door.on('lock', (e) => process.stdout.write(`${JSON.stringify({ event: 'lock', ...e })}\n`));
        }
      }
      // The one line a script needs: where the controller's serial port is.
      process.stdout.write(`controller tty: ${column.controllerPath}\n`);
      await new Promise<void>((resolve) => {
        const stop = (signal: NodeJS.Signals): void => {
          log.info({ signal }, 'stopping');
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          resolve();
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
      await column.close();
    });
}
