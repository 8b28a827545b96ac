import type { Logger } from 'pino';
import type { LockBus } from '../hal/lock-bus.ts';

export interface SafeExitOptions {
  /** Runs first on a signal (stop the controller, flush logs...). Bounded by `timeoutMs` with the rest. */
  onShutdown?: () => Promise<void>;
  /** Bound on the whole shutdown before exiting anyway. Default 1500 ms. */
  timeoutMs?: number;
  /** Injected for tests; default `process.exit`. */
  exit?: (code: number) => void;
  /** Injected for tests; default `process`. */
  proc?: NodeJS.EventEmitter;
}

/**
 * For a program's main.ts only (a library never owns the process, STYLE.md): on SIGINT, SIGTERM,
 * an uncaught exception or an unhandled rejection, drive every lock output safe, close the bus and
 * exit (0 on a signal, 1 on an error). A second signal during shutdown exits at once after one
 * more attempt to drive outputs safe. Returns a function that removes the handlers.
 *
 * A SIGKILL or a power cut runs none of this: see firmware/HARDWARE.md for what the hardware must add.
 */
export function installSafeExit(bus: Pick<LockBus, 'safe' | 'close'>, logger: Logger, opts: SafeExitOptions = {}): () => void {
  const proc = opts.proc ?? process;
  const exit = opts.exit ?? ((code: number) => process.exit(code));
  const timeoutMs = opts.timeoutMs ?? 1500;
  const log = logger.child({ module: 'safe-exit' });
  let shuttingDown = false;

  const shutdown = (reason: string, code: number, err?: unknown): void => {
    if (shuttingDown) {
      log.warn({ reason }, 'second shutdown request: exiting now');
      void bus.safe().finally(() => exit(code || 1));
      return;
    }
    shuttingDown = true;
    if (err !== undefined) log.fatal({ err }, `${reason}: driving outputs safe and exiting`);
    else log.info({ reason }, 'shutting down: driving outputs safe');
    const work = (async () => {
      // Outputs first, before anything that could hang.
      await bus.safe();
      if (opts.onShutdown) await opts.onShutdown();
      await bus.close();
    })();
    const timer = setTimeout(() => {
      log.error({ timeoutMs }, 'shutdown took too long: exiting anyway');
      exit(code || 1);
    }, timeoutMs);
    work.then(
      () => {
        clearTimeout(timer);
        log.info('outputs safe, bus closed');
        exit(code);
      },
      (e: unknown) => {
        clearTimeout(timer);
        log.error({ err: e }, 'shutdown failed');
        exit(code || 1);
      },
    );
  };

  const handlers: Array<[string, (...args: unknown[]) => void]> = [
    ['SIGINT', () => shutdown('SIGINT', 0)],
    ['SIGTERM', () => shutdown('SIGTERM', 0)],
    ['uncaughtException', (err) => shutdown('uncaught exception', 1, err)],
    ['unhandledRejection', (err) => shutdown('unhandled rejection', 1, err)],
  ];
  for (const [ev, h] of handlers) proc.on(ev, h);
  return () => {
    for (const [ev, h] of handlers) proc.off(ev, h);
  };
}
