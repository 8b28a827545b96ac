// A bench's handle on a helper process forked with IPC: asked one request at a time, answered in order (each answer an
// object holding the request's key), and stopped by asking it to exit, killed if it does not within a bound.
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';

export class IpcChild<Answers extends object, Request extends object = object> {
  private readonly waiting: { key: string; resolve(v: unknown): void; reject(e: Error): void }[] = [];

  constructor(
    readonly child: ChildProcess,
    /** How errors name it ("instance a", "load generator lg1"). */
    private readonly name: string,
    private readonly killAfterMs: number,
  ) {
    child.on('message', (m) => {
      const w = this.waiting.shift();
      if (!w) return;
      const value = m && typeof m === 'object' && w.key in m ? (m as Record<string, unknown>)[w.key] : undefined;
      if (value === undefined) w.reject(new Error(`${name} answered ${JSON.stringify(m).slice(0, 200)} instead of ${w.key}`));
      else w.resolve(value);
    });
    child.once('exit', (code, signal) => {
      for (const w of this.waiting.splice(0)) w.reject(new Error(`${name} exited (code ${code}, signal ${signal})`));
    });
  }

  ask<K extends keyof Answers & string>(key: K, request: Request): Promise<Answers[K]> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ key, resolve: resolve as (v: unknown) => void, reject });
      this.child.send(request);
    });
  }

  /** Asks the process to exit (`{ stop: true }`); killed after `killAfterMs`. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = once(this.child, 'exit');
    this.child.send({ stop: true });
    const timer = setTimeout(() => this.child.kill('SIGKILL'), this.killAfterMs);
    await exited;
    clearTimeout(timer);
  }
}
