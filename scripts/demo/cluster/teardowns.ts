// What the cluster demo started, stopped in the reverse order (the bank before the cloud instances, those before the
// broker nodes, those before the database, temporary folders last): the same seam the tests' helpers take (`t.teardown`).

export class Teardowns {
  private readonly steps: Array<() => unknown> = [];

  teardown(fn: () => unknown): void {
    this.steps.push(fn);
  }

  /** Runs every step registered, newest first, each once, even after one failed; resolves with the failures. */
  async run(): Promise<unknown[]> {
    const failures: unknown[] = [];
    while (this.steps.length > 0) {
      const step = this.steps.pop()!;
      try {
        await step();
      } catch (err) {
        failures.push(err);
      }
    }
    return failures;
  }
}
