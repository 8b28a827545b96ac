import { pino, type Logger } from 'pino';

/** The root logger of the firmware; modules take a child with `{ module }` (STYLE.md: logging). */
export function createLogger(opts: { level?: string; name?: string } = {}): Logger {
  return pino({ name: opts.name ?? 'portier-controller', level: opts.level ?? process.env.LOG_LEVEL ?? 'info' });
}

/** A logger that writes nothing, for tests and library defaults. */
export const silentLogger: Logger = pino({ level: 'silent' });

export type { Logger };
