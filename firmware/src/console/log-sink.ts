import { formatPinoLine } from './log-ring.ts';

const OWN_AUDIT_RE = /"module":"console"[,}]/;

/** Where a console shows a log line: above the prompt and the line being typed (`ConsoleSession.printLog`). */
export interface LogLineTarget {
  printLog(line: string): void;
}

/**
 * A pino destination for a controller whose logs share the terminal of its console (`portier-controller console`
 * with stderr on the same tty): while a console is attached, each log line is formatted for a person and shown
 * above the prompt, which is drawn again with what was typed so far; a raw write to the terminal would land in the
 * middle of the technician's line. The console's own audit lines (`module: console`, one per command) are not
 * repeated under the answer the technician just read; they stay in the ring (`logs`) and reach the cloud as events.
 * Detached, lines go to `fallback` unchanged.
 */
export class ConsoleLogSink {
  private target: LogLineTarget | undefined;
  private partial = '';

  constructor(private readonly fallback?: { write(chunk: string): unknown }) {}

  /** Shows log lines on `target` until the returned function is called. */
  attach(target: LogLineTarget): () => void {
    this.target = target;
    return () => {
      if (this.target !== target) return;
      this.target = undefined;
      if (this.partial) this.fallback?.write(this.partial);
      this.partial = '';
    };
  }

  write(chunk: string | Uint8Array): void {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    const target = this.target;
    if (!target) {
      this.fallback?.write(text);
      return;
    }
    const parts = (this.partial + text).split('\n');
    this.partial = parts.pop() ?? '';
    for (const raw of parts) if (raw.trim() !== '' && !OWN_AUDIT_RE.test(raw)) target.printLog(formatPinoLine(raw));
  }
}
