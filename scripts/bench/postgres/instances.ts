// The bench's handle on a cloud instance process (instance.ts): started with `fork`, asked one request at a time
// (answers come in order), stopped by its own PID.
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import type { ReserveReport, SearchReport } from './instance.ts';

interface Answers {
  reserved: ReserveReport;
  cleared: { ended: number; busy: number };
  searched: SearchReport;
  memory: NodeJS.MemoryUsage;
}

export class BenchInstance {
  private readonly waiting: { key: string; resolve(v: unknown): void; reject(e: Error): void }[] = [];

  private constructor(
    readonly id: string,
    private readonly child: ChildProcess,
    /** PgStore.open in the instance, the load of the live state included. */
    readonly openMs: number,
  ) {
    child.on('message', (m) => {
      const w = this.waiting.shift();
      if (!w) return;
      const value = m && typeof m === 'object' && w.key in m ? (m as Record<string, unknown>)[w.key] : undefined;
      if (value === undefined) w.reject(new Error(`instance ${id} answered ${JSON.stringify(m).slice(0, 200)} instead of ${w.key}`));
      else w.resolve(value);
    });
    child.once('exit', (code, signal) => {
      for (const w of this.waiting.splice(0)) w.reject(new Error(`instance ${id} exited (code ${code}, signal ${signal})`));
    });
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

  ask<K extends keyof Answers>(key: K, request: object): Promise<Answers[K]> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ key, resolve: resolve as (v: unknown) => void, reject });
      this.child.send(request);
    });
  }

  /** Asks the instance to close its store and exit; killed after 10 s. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = once(this.child, 'exit');
    this.child.send({ stop: true });
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
}
