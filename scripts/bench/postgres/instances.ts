// The bench's handle on a cloud instance process (instance.ts): started with `fork`, asked one request at a time
// (answers come in order), stopped by its own PID.
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { IpcChild } from '../lib/ipc-child.ts';
import type { ReserveReport, SearchReport } from './instance.ts';

interface Answers {
  reserved: ReserveReport;
  cleared: { ended: number; busy: number };
  searched: SearchReport;
  memory: NodeJS.MemoryUsage;
}

export class BenchInstance extends IpcChild<Answers> {
  private constructor(
    readonly id: string,
    child: ChildProcess,
    /** PgStore.open in the instance, the load of the live state included. */
    readonly openMs: number,
  ) {
    // Asked to close its store and exit; killed after 10 s.
    super(child, `instance ${id}`, 10_000);
  }

  static async start(url: string, instanceId: string, vaultKey: string): Promise<BenchInstance> {
    const child = fork(new URL('./instance.ts', import.meta.url), [JSON.stringify({ url, instanceId, vaultKey })], {
      // BENCH_PG_NODE_ARGS: more node flags for the instances (a profiler: `--cpu-prof --cpu-prof-dir=DIR`).
      execArgv: ['--expose-gc', '--import', 'tsx', ...(process.env.BENCH_PG_NODE_ARGS?.split(' ').filter(Boolean) ?? [])],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const exited = once(child, 'exit').then(([code, signal]) => {
      throw new Error(`instance ${instanceId} exited before it was ready (code ${code}, signal ${signal})`);
    });
    const [first] = (await Promise.race([once(child, 'message'), exited])) as [unknown];
    const ready = first && typeof first === 'object' && 'ready' in first ? (first.ready as { openMs: number }) : undefined;
    if (!ready) {
      child.kill('SIGKILL');
      throw new Error(`instance ${instanceId} did not start: ${JSON.stringify(first)}`);
    }
    exited.catch(() => undefined);
    return new BenchInstance(instanceId, child, ready.openMs);
  }
}
