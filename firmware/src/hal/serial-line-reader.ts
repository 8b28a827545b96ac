import { EventEmitter } from 'node:events';
import { RegexParser, SerialPort } from 'serialport';
import { HalError } from './errors.ts';
import type { LineReader, LineReaderEventMap } from './inputs.ts';
import { silentLogger, type Logger } from '../util/logger.ts';

/** The part of a serialport stream the reader uses (`SerialPort`, `SerialPortMock`, a stream over a binding). */
export interface LinePort {
  readonly isOpen: boolean;
  open(callback?: (err: Error | null) => void): void;
  close(callback?: (err?: Error | null) => void): void;
  pipe<T extends NodeJS.WritableStream>(destination: T): T;
  unpipe(destination?: NodeJS.WritableStream): this;
  on(event: 'error', listener: (err: Error) => void): this;
  on(event: 'close', listener: () => void): this;
}

export interface SerialLineReaderOptions {
  kind: 'scanner' | 'badge';
  /** Creates the port, not yet open (`autoOpen: false`). */
  openPort: () => LinePort;
  /** Longest line accepted; longer ones (line noise, a stuck device) are dropped with an error. Default 512. */
  maxLineLength?: number;
  logger?: Logger;
}

/** Production port factory for a scanner / badge reader. Most USB-serial scanners run at 9600 8N1. */
export function lineReaderPortFactory(path: string, baudRate = 9600): () => LinePort {
  return () => new SerialPort({ path, baudRate, autoOpen: false });
}

/**
 * `LineReader` over a serial port: a barcode/QR scanner or badge reader that types one code per
 * line. Lines are cut by serialport's `RegexParser` on CR, LF or CRLF (scanners differ in their
 * terminator), so a code split across reads or several codes in one read come out whole. Lines
 * are trimmed; empty ones are dropped. Errors are emitted only to listeners, never thrown.
 */
export class SerialLineReader extends EventEmitter<LineReaderEventMap> implements LineReader {
  readonly kind: 'scanner' | 'badge';
  private readonly opts: SerialLineReaderOptions;
  private readonly log: Logger;
  private port: LinePort | undefined;
  private parser: RegexParser | undefined;

  constructor(opts: SerialLineReaderOptions) {
    super();
    this.kind = opts.kind;
    this.opts = opts;
    this.log = (opts.logger ?? silentLogger).child({ module: `hal/line-reader/${opts.kind}` });
  }

  async open(): Promise<void> {
    if (this.port) return;
    const port = this.opts.openPort();
    const parser = new RegexParser({ regex: /[\r\n]+/, encoding: 'latin1' });
    const max = this.opts.maxLineLength ?? 512;
    parser.on('data', (raw: string) => {
      const line = raw.trim();
      if (line === '') return;
      if (line.length > max) {
        this.fail(new HalError('BAD_FRAME', `${this.kind}: line of ${line.length} characters dropped (max ${max})`));
        return;
      }
      this.emit('line', line);
    });
    port.on('error', (err) => this.fail(new HalError('TRANSPORT_ERROR', `${this.kind}: ${err.message}`)));
    port.pipe(parser);
    if (!port.isOpen) {
      await new Promise<void>((resolve, reject) =>
        port.open((err) => (err ? reject(new HalError('TRANSPORT_ERROR', `${this.kind}: cannot open port: ${err.message}`)) : resolve())),
      );
    }
    this.port = port;
    this.parser = parser;
  }

  async close(): Promise<void> {
    const port = this.port;
    if (!port) return;
    this.port = undefined;
    if (this.parser) port.unpipe(this.parser);
    this.parser?.removeAllListeners('data');
    this.parser = undefined;
    if (port.isOpen) await new Promise<void>((resolve) => port.close(() => resolve()));
  }

  private fail(err: HalError): void {
    this.log.warn({ code: err.code }, err.message);
    if (this.listenerCount('error') > 0) this.emit('error', err);
  }
}
