import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import { HalError } from '../errors.ts';
import { bounded } from './bounded.ts';
import { DebouncedLevel } from './debounced-level.ts';
import type { SwitchInput, SwitchInputEventMap } from '../inputs.ts';
import { silentLogger } from '../../util/logger.ts';
import { PinMode, type IoPlugin } from './io-plugin.ts';

export interface GpioSwitchOptions {
  /** A johnny-five IO plugin: `firmata-io` on a serial port, or the simulator's board. */
  io: IoPlugin;
  pin: number;
  /** The level that means "on" (headphones plugged in). */
  onLevel: 0 | 1;
  /** `up`: the board's pull-up holds the input; `none`: a plain input driven by the circuit. */
  pull: 'up' | 'none';
  /** A level must hold this long before it counts. Default 50 ms. */
  debounceMs?: number;
  /** Bound on waiting for the board to become ready. Default 5000 ms. */
  readyTimeoutMs?: number;
  /** Releases the transport (serial port) on `close()`. */
  closeTransport?: () => Promise<void>;
  logger?: Logger;
}

/**
 * A digital input of a GPIO board as a debounced switch (the audio jack's headphone-detect contact), with the same
 * debounce rule as the door sensors of `GpioBus`: a level counts once it held `debounceMs`; a bounce back cancels it.
 */
export class GpioSwitchInput extends EventEmitter<SwitchInputEventMap> implements SwitchInput {
  private readonly opts: GpioSwitchOptions;
  private readonly log: Logger;
  private readonly level: DebouncedLevel;
  private reader: ((value: number) => void) | undefined;
  private closed = false;

  constructor(opts: GpioSwitchOptions) {
    super();
    if (!Number.isInteger(opts.pin) || opts.pin < 0) throw new HalError('DEVICE_ERROR', `pin ${opts.pin} is not a pin number`);
    this.opts = opts;
    this.log = (opts.logger ?? silentLogger).child({ module: 'hal/gpio-switch', pin: opts.pin });
    this.level = new DebouncedLevel(opts.debounceMs ?? 50, () => {
      if (!this.closed) this.emit('change', this.value);
    });
  }

  get value(): boolean {
    return this.level.stable === this.opts.onLevel;
  }

  /** Waits for the board, sets the pin as an input and reads its first level (then `value` is current). */
  async open(): Promise<void> {
    if (this.closed) throw new HalError('BUS_CLOSED', 'switch input is closed');
    if (this.reader) return;
    const { io } = this.opts;
    const timeoutMs = this.opts.readyTimeoutMs ?? 5000;
    await bounded(
      new Promise<void>((resolve, reject) => {
        if (io.isReady) return resolve();
        io.once('ready', () => resolve());
        io.once('error', (err: unknown) => reject(new HalError('TRANSPORT_ERROR', `GPIO board failed: ${String((err as Error)?.message ?? err)}`)));
      }),
      timeoutMs,
      `GPIO board not ready within ${timeoutMs} ms`,
    );
    io.pinMode(this.opts.pin, this.opts.pull === 'up' ? PinMode.PULLUP : PinMode.INPUT);
    await bounded(
      new Promise<void>((resolve) => {
        this.reader = (value: number): void => {
          if (!this.closed) this.level.feed(value);
          resolve();
        };
        io.digitalRead(this.opts.pin, this.reader);
      }),
      timeoutMs,
      `pin ${this.opts.pin} did not report within ${timeoutMs} ms`,
    );
    this.log.info({ plugged: this.value }, 'headphone-detect input open');
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.level.cancel();
    if (this.reader) {
      try {
        this.opts.io.reportDigitalPin?.(this.opts.pin, 0);
      } catch {
        // the board may be gone already
      }
      this.opts.io.removeListener(`digital-read-${this.opts.pin}`, this.reader);
      this.reader = undefined;
    }
    if (this.opts.closeTransport) await this.opts.closeTransport().catch((err: unknown) => this.log.warn({ err }, 'closing the transport failed'));
  }
}
