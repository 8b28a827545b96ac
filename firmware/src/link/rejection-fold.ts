/**
 * Folds repeated rejections into few events. Every refused `desired` message used to become its own durable event
 * for the cloud, so whoever can publish on that topic (a stolen cloud credential, a looping bug) could fill the
 * outbox and the cloud's journal at broker speed. Here each kind of rejection is reported at once the first time,
 * then at most once per window: the event at the end of a window stands for every rejection of that kind folded
 * into it (`count`) and carries the last one's version and reason. A steady flood costs one event per kind per
 * window; a single rejection still reaches the cloud without delay.
 */

export interface FoldedRejection {
  /** The kind of rejection (what is folded together). */
  key: string;
  version: number;
  reason: string;
  /** How many rejections this report stands for (1 for the first of a burst). */
  count: number;
}

export interface RejectionFoldOptions {
  /** Window after a report during which rejections of the same kind are only counted (default 60 s). */
  windowMs?: number;
  /** Records one report (the controller turns it into a durable event). */
  report: (r: FoldedRejection) => void;
}

interface Window {
  timer: ReturnType<typeof setTimeout>;
  pending: { version: number; reason: string; count: number } | undefined;
}

export const REJECTION_WINDOW_MS = 60_000;

export class RejectionFold {
  private readonly windows = new Map<string, Window>();
  private readonly windowMs: number;
  private closed = false;

  constructor(private readonly opts: RejectionFoldOptions) {
    this.windowMs = opts.windowMs ?? REJECTION_WINDOW_MS;
  }

  /** One rejection of kind `key`: reported now when none of that kind was reported in the current window. */
  record(key: string, version: number, reason: string): void {
    if (this.closed) return;
    const w = this.windows.get(key);
    if (!w) {
      this.opts.report({ key, version, reason, count: 1 });
      this.open(key);
      return;
    }
    w.pending = { version, reason, count: (w.pending?.count ?? 0) + 1 };
  }

  /** Rejections counted but not yet reported, per kind. */
  pendingCount(key: string): number {
    return this.windows.get(key)?.pending?.count ?? 0;
  }

  /**
   * Reports every count still folded and closes the fold (on stop: nothing counted is left unrecorded, and nothing
   * is reported after the outbox closes).
   */
  flush(): void {
    this.closed = true;
    for (const [key, w] of this.windows) {
      clearTimeout(w.timer);
      if (w.pending) this.opts.report({ key, ...w.pending });
    }
    this.windows.clear();
  }

  private open(key: string): void {
    const timer = setTimeout(() => this.close(key), this.windowMs);
    timer.unref?.();
    this.windows.set(key, { timer, pending: undefined });
  }

  private close(key: string): void {
    const w = this.windows.get(key);
    this.windows.delete(key);
    if (!w?.pending) return;
    // The folded report opens the next window: a flood that goes on is reported once per window, never more.
    this.opts.report({ key, ...w.pending });
    this.open(key);
  }
}
