import { z } from 'zod';

const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
const pinoLine = z.looseObject({
  level: z.number().optional(),
  time: z.number().optional(),
  module: z.string().optional(),
  msg: z.string().optional(),
});

/** The last `capacity` log lines, formatted for a person (`logs [N]`). */
export class LogRing {
  private readonly lines: string[] = [];
  private partial = '';
  constructor(readonly capacity = 500) {}

  /** Adds one already formatted line. */
  push(line: string): void {
    this.lines.push(line);
    if (this.lines.length > this.capacity) this.lines.splice(0, this.lines.length - this.capacity);
  }

  /**
   * Adds pino output (one JSON object per line; a chunk may hold several lines or part of one).
   * A line that is not pino JSON is kept as it is.
   */
  write(chunk: string | Uint8Array): void {
    const text = this.partial + (typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    const parts = text.split('\n');
    this.partial = parts.pop() ?? '';
    for (const raw of parts) {
      if (raw.trim() === '') continue;
      this.push(formatPinoLine(raw));
    }
  }

  /** The last `n` lines, oldest first. */
  last(n: number): string[] {
    return n <= 0 ? [] : this.lines.slice(-n);
  }

  get size(): number {
    return this.lines.length;
  }
}

/** `12:34:56.789 WARN  doors: door 3 jammed {"door":3}` from one pino JSON line. */
export function formatPinoLine(raw: string): string {
  let obj: unknown;
  try {
    obj = JSON.parse(raw);
  } catch {
    return raw;
  }
  const p = pinoLine.safeParse(obj);
  if (!p.success) return raw;
  const { level, time, module, msg, ...rest } = p.data;
  delete (rest as Record<string, unknown>)['pid'];
  delete (rest as Record<string, unknown>)['hostname'];
  delete (rest as Record<string, unknown>)['name'];
  const ts = time !== undefined ? new Date(time).toISOString().slice(11, 23) : '--:--:--.---';
  const lvl = (level !== undefined ? (LEVELS[level] ?? String(level)) : 'INFO').padEnd(5);
  const extra = Object.keys(rest).length > 0 ? ` ${JSON.stringify(rest)}` : '';
  return `${ts} ${lvl} ${module ? `${module}: ` : ''}${msg ?? ''}${extra}`;
}

/**
 * A pino destination that keeps every line in `ring` and passes it on to `next` (stderr, a file
 * destination...): `pino(opts, createLogTee(ring, pino.destination(2)))`.
 */
export function createLogTee(ring: LogRing, next?: { write(chunk: string): unknown }): { write(chunk: string): void } {
  return {
    write(chunk: string): void {
      ring.write(chunk);
      next?.write(chunk);
    },
  };
}
