// How a bench script runs: its main, a failure printed with its stack and a non-zero exit, and what it started undone
// in reverse order whatever happened (a teardown of something already gone is not an error).
export interface BenchTeardowns {
  /** What tests' helpers take as `t` (startPostgres, startNatsNodes...). */
  t: { teardown(fn: () => unknown): void };
  run(name: string, main: () => Promise<void>): Promise<void>;
}

export function benchTeardowns(): BenchTeardowns {
  const teardowns: (() => unknown)[] = [];
  return {
    t: { teardown: (fn) => void teardowns.push(fn) },
    async run(name, main) {
      try {
        await main();
      } catch (err) {
        process.stderr.write(`${name} bench failed: ${(err as Error).stack ?? String(err)}\n`);
        process.exitCode = 1;
      } finally {
        for (const fn of teardowns.reverse()) {
          try {
            await fn();
          } catch {
            // Stopping what is already gone.
          }
        }
      }
    },
  };
}
