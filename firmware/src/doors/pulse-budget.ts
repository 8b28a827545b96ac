/**
 * The power budget for lock solenoids: at most `max` locks energised at once. Requests wait in
 * FIFO order; `acquire()` resolves with a release function once a slot is free.
 */
export class PulseBudget {
  private active = 0;
  private readonly waiting: Array<{ grant: (release: () => void) => void; reject: (e: Error) => void }> = [];

  constructor(readonly max: number) {
    if (!Number.isInteger(max) || max < 1) throw new RangeError('maxConcurrentPulses must be an integer >= 1');
  }

  /** Slots in use now. */
  get inUse(): number {
    return this.active;
  }

  /** Requests queued behind the ones in use. */
  get queued(): number {
    return this.waiting.length;
  }

  acquire(): Promise<() => void> {
    return new Promise((grant, reject) => {
      this.waiting.push({ grant, reject });
      this.drain();
    });
  }

  /** Rejects every queued request (shutdown). Slots already granted stay until released. */
  cancelAll(err: Error): void {
    for (const w of this.waiting.splice(0)) w.reject(err);
  }

  private drain(): void {
    while (this.active < this.max && this.waiting.length > 0) {
      const next = this.waiting.shift()!;
      this.active++;
      let released = false;
      next.grant(() => {
        if (released) return;
        released = true;
        this.active--;
        this.drain();
      });
    }
  }
}
