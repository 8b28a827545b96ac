import { EventEmitter } from 'node:events';
import { MODES, VirtualPinBank, VirtualPinError, type GpioDoorWiring } from './pin-bank.ts';

export interface VirtualIoPin {
  supportedModes: number[];
  mode: number | undefined;
  value: number;
  report: number;
  analogChannel: number;
}

/**
 * An in-process johnny-five IO plugin whose pins are wired to virtual doors: lock pins drive
 * `door.setLock`, sensor pins read `door.sensorOpen`. Pass it as `new Board({ io })`.
 * As strict as a board: unknown pins, unsupported modes and writes to inputs throw.
 */
export class VirtualGpioBoard extends EventEmitter {
  readonly name = 'VirtualGpio';
  readonly MODES = { ...MODES };
  readonly HIGH = 1;
  readonly LOW = 0;
  readonly analogPins: number[] = [];
  readonly RESOLUTION = { ADC: 1023, DAC: null, PWM: 255 };
  readonly bank: VirtualPinBank;
  isReady = true;
  private readonly readers = new Map<number, Set<(value: number) => void>>();
  private offline = false;

  constructor(opts: { wiring: GpioDoorWiring[]; pinCount?: number } | { bank: VirtualPinBank }) {
    super();
    this.bank = 'bank' in opts ? opts.bank : new VirtualPinBank(opts);
    this.bank.on('input', ({ pin, value }) => {
      const set = this.readers.get(pin);
      if (set && !this.offline) for (const cb of set) cb(value);
    });
  }

  /** `io.pins`, rebuilt on each access so modes and values are current. */
  get pins(): VirtualIoPin[] {
    return this.bank.capabilities().map((supportedModes, pin) => ({
      supportedModes,
      mode: this.bank.mode(pin),
      value: this.bank.read(pin),
      report: this.readers.has(pin) ? 1 : 0,
      analogChannel: 127,
    }));
  }

  pinMode(pin: number, mode: number): this {
    this.check();
    this.bank.setMode(pin, mode);
    return this;
  }

  digitalWrite(pin: number, value: number): this {
    this.check();
    this.bank.write(pin, value, true);
    return this;
  }

  digitalRead(pin: number, cb: (value: number) => void): this {
    this.check();
    const mode = this.bank.mode(pin);
    if (mode !== MODES.INPUT && mode !== MODES.PULLUP) {
      throw new VirtualPinError('READ_FROM_OUTPUT', `pin ${pin} is not an input (mode ${String(mode)})`);
    }
    let set = this.readers.get(pin);
    if (!set) this.readers.set(pin, (set = new Set()));
    set.add(cb);
    // Like a Firmata board answering REPORT_DIGITAL: the current level at once, then on changes.
    queueMicrotask(() => {
      if (!this.offline && set.has(cb)) cb(this.bank.read(pin));
    });
    return this;
  }

  reportDigitalPin(pin: number, value: 0 | 1): this {
    if (value === 0) this.readers.delete(pin);
    return this;
  }

  /** Fault injection: the board drops off (USB unplugged). Emits `close`; later calls throw. */
  unplug(): void {
    this.offline = true;
    this.isReady = false;
    this.emit('close');
  }

  /** Detaches from the doors. */
  dispose(): void {
    this.readers.clear();
    this.bank.dispose();
  }

  private check(): void {
    if (this.offline) throw new VirtualPinError('BOARD_OFFLINE', 'board is not connected');
  }
}

export { VirtualPinBank, VirtualPinError, MODES, type GpioDoorWiring } from './pin-bank.ts';
