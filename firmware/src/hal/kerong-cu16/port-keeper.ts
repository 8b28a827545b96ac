import { EventEmitter } from 'node:events';
import { Backoff } from '../../link/backoff.ts';
import { HalError } from '../errors.ts';
import type { Logger } from '../../util/logger.ts';

/**
 * The part of a serialport `SerialPort` stream the bus uses. `SerialPort` (production, e.g.
 * `/dev/ttyUSB0`), `SerialPortMock` (tests) and a stream over the simulator's binding all fit.
 */
export interface Cu16Port {
  readonly isOpen: boolean;
  open(callback?: (err: Error | null) => void): void;
  write(data: Buffer, callback?: (err: Error | null | undefined) => void): boolean;
  close(callback?: (err?: Error | null) => void): void;
  on(event: 'data', listener: (data: Buffer) => void): this;
  on(event: 'error', listener: (err: Error) => void): this;
  on(event: 'close', listener: (err?: Error | null) => void): this;
  removeAllListeners(event?: string): this;
}

export interface PortKeeperOptions {
  /** Creates the serial port, not yet open (`autoOpen: false`); called for the first open and every reopen. */
  openPort: () => Cu16Port;
  /** First wait before reopening a port that went away, ms. Default 500. */
  reopenMinMs?: number;
  /** Longest wait between reopen attempts, ms. Default 30000. */
  reopenMaxMs?: number;
  /** While the port stays closed, a warning at most this often, ms. Default 60000. */
  warnEveryMs?: number;
  log: Logger;
}

export interface PortKeeperEventMap {
  data: [Buffer];
  /** The port went away (unplugged adapter, board power cycle); a reopen is scheduled. */
  lost: [HalError];
  /** The port is open again after a loss. */
  reopened: [];
}

/**
 * Keeps the lock bus's serial port open. A USB-serial adapter that is pulled out, or whose tty vanishes, closes
 * the stream under us; serialport then never reopens it by itself. The keeper notices the close, reopens a new
 * port with jittered exponential backoff until one opens, and says so once: one warning when the port is lost,
 * at most one more per `warnEveryMs` while it stays closed, one line when it is back. Writes while it is closed
 * fail at once, without queuing bytes in a dead stream.
 */
export class PortKeeper extends EventEmitter<PortKeeperEventMap> {
  private port: Cu16Port | undefined;
  private state: 'new' | 'open' | 'lost' | 'stopped' = 'new';
  private readonly backoff: Backoff;
  private reopenTimer: NodeJS.Timeout | undefined;
  private lostAt = 0;
  private lastWarnAt = 0;
  private failedReopens = 0;
  private readonly warnEveryMs: number;

  constructor(private readonly o: PortKeeperOptions) {
    super();
    this.backoff = new Backoff({ minMs: o.reopenMinMs ?? 500, maxMs: o.reopenMaxMs ?? 30_000 });
    this.warnEveryMs = o.warnEveryMs ?? 60_000;
  }

  /** Whether bytes can be written now. */
  get isOpen(): boolean {
    return this.state === 'open';
  }

  /** `open`, or `closed` while the port is away (or before the first open and after `close`). */
  get portState(): 'open' | 'closed' {
    return this.state === 'open' ? 'open' : 'closed';
  }

  /** Opens the port the first time; rejects with `TRANSPORT_ERROR` when it cannot (a wrong path must show at start). */
  async open(): Promise<void> {
    if (this.state === 'stopped') throw new HalError('BUS_CLOSED', 'bus was closed');
    this.port = await this.openOnce();
    this.state = 'open';
  }

  /**
   * Writes one frame. The callback gets an error with `sent: false` in its detail when the bytes did not go out
   * (port closed, or the write failed).
   */
  write(frame: Buffer, done: (err: HalError | undefined) => void): void {
    const port = this.port;
    if (this.state !== 'open' || !port) {
      done(new HalError('BUS_CLOSED', 'serial port closed', { sent: false }));
      return;
    }
    try {
      port.write(frame, (err) => {
        if (!err) return done(undefined);
        done(new HalError('TRANSPORT_ERROR', `write failed: ${err.message}`, { sent: false }));
        // A failed write on a port that is no longer open is the loss itself (a pty whose other end went away
        // only says so when written to).
        if (!port.isOpen) this.onLost(port, err);
      });
    } catch (err) {
      done(new HalError('TRANSPORT_ERROR', `write failed: ${(err as Error).message}`, { sent: false }));
    }
  }

  /** Stops reopening and closes the port. Idempotent. */
  async close(): Promise<void> {
    if (this.state === 'stopped') return;
    this.state = 'stopped';
    if (this.reopenTimer) clearTimeout(this.reopenTimer);
    this.reopenTimer = undefined;
    const port = this.port;
    this.port = undefined;
    if (port?.isOpen) await new Promise<void>((resolve) => port.close(() => resolve()));
    port?.removeAllListeners('data');
  }

  private async openOnce(): Promise<Cu16Port> {
    const port = this.o.openPort();
    port.on('data', (chunk) => {
      if (this.port === port) this.emit('data', chunk);
    });
    port.on('error', (err) => {
      // A write error arrives here as well as in its callback, then the stream closes: the close decides.
      this.o.log.debug({ err }, 'serial port error');
      if (this.port === port && !port.isOpen) this.onLost(port, err);
    });
    port.on('close', (err) => this.onLost(port, err ?? undefined));
    if (!port.isOpen) {
      try {
        await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
      } catch (err) {
        port.removeAllListeners();
        throw new HalError('TRANSPORT_ERROR', `cannot open serial port: ${(err as Error).message}`, { sent: false });
      }
    }
    return port;
  }

  private onLost(port: Cu16Port, cause: Error | undefined): void {
    if (this.port !== port || this.state !== 'open') return;
    this.state = 'lost';
    this.port = undefined;
    port.removeAllListeners('data');
    this.lostAt = Date.now();
    this.lastWarnAt = this.lostAt;
    this.failedReopens = 0;
    this.backoff.reset();
    const why = cause ? `serial port closed (${cause.message})` : 'serial port closed';
    this.o.log.warn(`${why} under us: reopening with backoff`);
    this.emit('lost', new HalError('BUS_CLOSED', why, { sent: false }));
    this.scheduleReopen();
  }

  private scheduleReopen(): void {
    if (this.state !== 'lost') return;
    this.reopenTimer = setTimeout(() => {
      this.reopenTimer = undefined;
      void this.reopen();
    }, this.backoff.next());
  }

  private async reopen(): Promise<void> {
    let port: Cu16Port;
    try {
      port = await this.openOnce();
    } catch (err) {
      if (this.state !== 'lost') return;
      this.failedReopens++;
      const now = Date.now();
      if (now - this.lastWarnAt >= this.warnEveryMs) {
        this.lastWarnAt = now;
        this.o.log.warn({ attempts: this.failedReopens, closedForMs: now - this.lostAt, err: (err as Error).message }, 'serial port still closed');
      } else {
        this.o.log.debug({ attempts: this.failedReopens, err: (err as Error).message }, 'serial port reopen failed');
      }
      this.scheduleReopen();
      return;
    }
    if (this.state !== 'lost') {
      // Closed by its owner while the reopen was under way.
      port.removeAllListeners();
      if (port.isOpen) port.close();
      return;
    }
    this.port = port;
    this.state = 'open';
    this.backoff.reset();
    this.o.log.info({ closedForMs: Date.now() - this.lostAt, attempts: this.failedReopens + 1 }, 'serial port reopened');
    this.emit('reopened');
  }
}
