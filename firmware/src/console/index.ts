import type { Duplex } from 'node:stream';
import { SerialPort } from 'serialport';
import type { z } from 'zod';
import type { Logger } from 'pino';
import { silentLogger } from '../util/logger.ts';
import type { ConsoleBackend } from './backend.ts';
import { consoleConfigSchema, type ConsoleConfig } from './config-section.ts';
import type { ConsoleLogSink } from './log-sink.ts';
import { ConsoleSession } from './session.ts';
import { SignInThrottle } from './throttle.ts';

export * from './backend.ts';
export * from './config-section.ts';
export { ConsoleConfigFile, writeFileDurably, maskSecrets, flattenConfig, parseConfigValue, isSecretKey, type ConfigIssue, type ConfigValidator, type ConfigSetResult, type ConfigView, type ConfigShowEntry } from './config-file.ts';
export { factoryResetLocalState, type FactoryResetOptions } from './factory-reset.ts';
export { ControllerBackend, probeBroker, type ControllerBackendOptions, type ConsoleLink, type BrokerCredentials } from './controller-backend.ts';
export { LogRing, createLogTee, formatPinoLine } from './log-ring.ts';
export { ConsoleLogSink, type LogLineTarget } from './log-sink.ts';
export { ConsoleSession, FACTORY_RESET_PHRASE, type ConsoleSessionOptions, type ConsoleSessionEventMap } from './session.ts';
export { SignInThrottle, FileThrottleStore, type ThrottleStore, type ThrottleState } from './throttle.ts';
export { Terminal, stripEscapes } from './terminal.ts';

type Readable = NodeJS.ReadableStream & { setRawMode?: (raw: boolean) => unknown; isTTY?: boolean };

export interface StartConsoleOptions {
  /** A duplex byte stream (serial port, socket): both input and output. */
  stream?: Duplex;
  /** Or separate input and output (process.stdin / process.stdout). */
  input?: Readable;
  output?: { write(chunk: string): unknown; isTTY?: boolean };
  backend: ConsoleBackend;
  /** The `console:` config section (parsed or raw; it is validated here). */
  config: z.input<typeof consoleConfigSchema> | ConsoleConfig;
  logger?: Logger;
  /** Plain output without escape codes. Default: `TERM=dumb` for stdio, `config.dumb` otherwise. */
  dumb?: boolean;
  /** Echo typed characters. Default: true, except when the input is a stdio pipe (not a TTY). */
  echo?: boolean;
  /**
   * The controller's log destination when its logs share this terminal (stderr on the same tty): while the
   * console runs, log lines are shown above the prompt instead of in the middle of the typed line.
   */
  logs?: ConsoleLogSink;
  /** Share one throttle between the consoles of a controller (serial and stdio). */
  throttle?: SignInThrottle;
  /** Actor id in audit events. Default `stdio` / `stream`. */
  channel?: string;
  banner?: string;
  now?: () => number;
}

export interface RunningConsole {
  readonly session: ConsoleSession;
  /** Resolves when the input ended or `close()` was called. */
  readonly closed: Promise<void>;
  /** Ends the session and detaches from the streams (does not close them); restores the tty mode. */
  close(): void;
}

/**
 * Starts a technician console on a byte stream. The caller owns the streams: `portier-controller
 * console` passes process.stdin/stdout, `serveSerialConsole` a serial port.
 */
export function startConsole(opts: StartConsoleOptions): RunningConsole {
  const config = consoleConfigSchema.parse(opts.config);
  const input: Readable | undefined = opts.stream ?? opts.input;
  const output = opts.stream ?? opts.output;
  if (!input || !output) throw new TypeError('startConsole needs a stream, or an input and an output');
  const isStdio = !opts.stream;
  const tty = isStdio && input.isTTY === true && typeof input.setRawMode === 'function';
  const dumb = opts.dumb ?? (isStdio ? process.env['TERM'] === 'dumb' : config.dumb);
  const echo = opts.echo ?? (isStdio ? tty : true);
  const session = new ConsoleSession({
    output,
    backend: opts.backend,
    config,
    dumb,
    echo,
    // node's raw mode keeps the tty's LF -> CR LF output mapping: send LF alone to a stdio tty.
    crlf: !(isStdio && (output as { isTTY?: boolean }).isTTY === true),
    logger: opts.logger ?? silentLogger,
    throttle: opts.throttle ?? new SignInThrottle(config, opts.now),
    channel: opts.channel ?? (isStdio ? 'stdio' : 'stream'),
    ...(opts.banner !== undefined ? { banner: opts.banner } : {}),
    ...(opts.now ? { now: opts.now } : {}),
  });
  // A tty in raw mode: the console does its own echo and line editing, Ctrl-C reaches it as a byte.
  if (tty) input.setRawMode!(true);
  const onData = (chunk: Buffer | string): void => session.feed(chunk);
  let resolveClosed!: () => void;
  const closed = new Promise<void>((r) => (resolveClosed = r));
  let done = false;
  const detachLogs = opts.logs?.attach(session);
  const close = (): void => {
    if (done) return;
    done = true;
    detachLogs?.();
    input.off('data', onData);
    input.off('end', close);
    input.off('close', close);
    if (tty) input.setRawMode!(false);
    session.close();
    resolveClosed();
  };
  input.on('data', onData);
  input.on('end', close);
  input.on('close', close);
  session.on('closed', close);
  input.resume();
  session.start();
  return { session, closed, close };
}

export interface SerialConsoleOptions extends Omit<StartConsoleOptions, 'stream' | 'input' | 'output'> {
  /** e.g. /dev/ttyS0, /dev/ttyAMA0, /dev/ttyUSB1. Default: `config.serialPath`. */
  path?: string;
  /** Default: `config.baudRate` (115200); 8N1 unless the config says otherwise. */
  baudRate?: number;
  /** After the port fails (a USB adapter unplugged), try to open it again after this long. Default 5000 ms. */
  reopenDelayMs?: number;
}

export interface SerialConsole {
  readonly path: string;
  /** The current session (a new one after the port was reopened). */
  readonly session: ConsoleSession | undefined;
  /** Resolves once the port is open the first time; rejects if that first open fails. */
  readonly ready: Promise<void>;
  close(): Promise<void>;
}

/**
 * Serves the technician console on a serial port (default 115200 8N1), for the life of the daemon:
 * the port is opened at once, and reopened after an error. The console never crashes the daemon.
 */
export function serveSerialConsole(opts: SerialConsoleOptions): SerialConsole {
  const config = consoleConfigSchema.parse(opts.config);
  const path = opts.path ?? config.serialPath;
  if (!path) throw new TypeError('serveSerialConsole needs a path (or console.serialPath in the config)');
  const log = (opts.logger ?? silentLogger).child({ module: 'console/serial', path });
  const throttle = opts.throttle ?? new SignInThrottle(config, opts.now);
  let port: SerialPort | undefined;
  let running: RunningConsole | undefined;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let firstOpen = true;
  let resolveReady!: () => void;
  let rejectReady!: (err: Error) => void;
  const ready = new Promise<void>((res, rej) => {
    resolveReady = res;
    rejectReady = rej;
  });
  ready.catch(() => undefined);

  const scheduleReopen = (): void => {
    if (stopped || timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      openPort();
    }, opts.reopenDelayMs ?? 5000);
  };

  const openPort = (): void => {
    if (stopped) return;
    const p = new SerialPort({
      path,
      baudRate: opts.baudRate ?? config.baudRate,
      dataBits: config.dataBits,
      parity: config.parity,
      stopBits: config.stopBits,
      autoOpen: false,
    });
    port = p;
    p.on('error', (err) => {
      log.warn({ err: err.message }, 'serial console port error');
    });
    p.open((err) => {
      if (err) {
        log.warn({ err: err.message }, 'cannot open the serial console port');
        if (firstOpen) {
          firstOpen = false;
          rejectReady(err);
        }
        scheduleReopen();
        return;
      }
      if (stopped) {
        p.close();
        return;
      }
      log.info({ baudRate: p.baudRate }, 'serial console listening');
      running = startConsole({ ...opts, stream: p, config, throttle, channel: opts.channel ?? `serial:${path}` });
      p.once('close', () => {
        running?.close();
        running = undefined;
        if (!stopped) {
          log.warn('serial console port closed; reopening');
          scheduleReopen();
        }
      });
      if (firstOpen) {
        firstOpen = false;
        resolveReady();
      }
    });
  };
  openPort();

  return {
    path,
    get session() {
      return running?.session;
    },
    ready,
    async close() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
      running?.close();
      running = undefined;
      const p = port;
      port = undefined;
      if (p?.isOpen) await new Promise<void>((resolve) => p.close(() => resolve()));
    },
  };
}
