import { dirname, basename } from 'node:path';
import { mkdirSync } from 'node:fs';
import { VirtualDoor } from '../door.ts';
import { VirtualCu16BoardSet, type VirtualCu16BoardOptions } from '../cu16/boards.ts';
import { startCu16OnPty, type Cu16OnPty } from '../pty/cu16-pty.ts';
import { dialectFromConfig } from '@portier/firmware/hal/kerong-cu16/dialect.ts';
import type { ColumnConfig } from './column-config.ts';

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
