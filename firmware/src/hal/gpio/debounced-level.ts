/**
 * One digital input's level, debounced: the first report is taken as it is; after that a new level counts once it
 * held `debounceMs`, and a bounce back to the settled level before then cancels it. Door sensors and the headphone
 * jack's contact follow this one rule.
 */
export class DebouncedLevel {
  /** The settled level (0 or 1), undefined before the first report. */
  stable: number | undefined;
  private pendingRaw: number | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly debounceMs: number,
    private readonly onSettled: (level: number) => void = () => undefined,
  ) {}

  /** A raw report of the input (any truthy value is 1). */
  feed(value: number): void {
    const v = value ? 1 : 0;
    if (this.stable === undefined) {
      this.stable = v;
      this.pendingRaw = v;
      return;
    }
    if (v === this.pendingRaw) return;
    this.pendingRaw = v;
    this.cancel();
    if (v === this.stable) return; // bounced back before settling
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.stable = this.pendingRaw;
      this.onSettled(this.stable ?? 0);
    }, this.debounceMs);
  }

  /** Drops a level that has not settled yet (the input is closed). */
  cancel(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
