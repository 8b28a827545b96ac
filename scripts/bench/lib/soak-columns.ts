// Starting and stopping the soak's simulated columns (column-worker.ts) as child processes.
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { validateBankConfig } from '@portier/rig';

export interface ColumnProcess {
  readonly child: ChildProcess;
  /** Seqs the controller reported on disk, in the order reported. */
  readonly recorded: number[];
  /** Stops the door changes and resolves with the last seq once the cloud has acknowledged every event. */
  drain(timeoutMs: number): Promise<number>;
  /** SIGKILL: no goodbye, no flush. */
  kill(): Promise<void>;
  /** Clean stop (outputs safe, files flushed). */
  stop(): Promise<void>;
}

export async function startColumn(o: {
  controllerConfig: string;
  simDir: string;
  doors: number;
  brokerUrl: string;
  mode: 'answer' | 'doors';
  periodMs?: number;
}): Promise<ColumnProcess> {
  const bank = validateBankConfig({
    bankId: 'soak-bank',
    transport: 'mock',
    dataDir: o.simDir,
    logLevel: 'error',
    columns: [{ controllerConfig: o.controllerConfig, doors: o.doors, behaviour: { springDelayMs: 5 }, boardReplyDelayMs: 0 }],
  });
  const child = fork(new URL('./soak-column-worker.ts', import.meta.url), [JSON.stringify({ bank, brokerUrl: o.brokerUrl, mode: o.mode, ...(o.periodMs ? { periodMs: o.periodMs } : {}) })], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const recorded: number[] = [];
  let drained: ((seq: number) => void) | undefined;
  child.on('message', (m: unknown) => {
    if (m && typeof m === 'object' && 'recorded' in m && typeof m.recorded === 'number') recorded.push(m.recorded);
    if (m && typeof m === 'object' && 'drained' in m && typeof m.drained === 'number') drained?.(m.drained);
  });
  const exited = once(child, 'exit');
  const ready = new Promise<void>((resolve, reject) => {
    child.on('message', (m: unknown) => void (m && typeof m === 'object' && 'ready' in m && resolve()));
    void exited.then(() => reject(new Error('the column process exited before it was ready')));
  });
  await ready;
  const alive = (): boolean => child.exitCode === null && child.signalCode === null;
  return {
    child,
    recorded,
    drain: (timeoutMs) =>
      new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`the controller did not drain its outbox within ${timeoutMs} ms`)), timeoutMs);
        drained = (seq) => {
          clearTimeout(timer);
          resolve(seq);
        };
        child.send({ quiet: true });
      }),
    kill: async () => {
      if (alive()) child.kill('SIGKILL');
      await exited;
    },
    stop: async () => {
      if (!alive()) return;
      child.send({ stop: true });
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
