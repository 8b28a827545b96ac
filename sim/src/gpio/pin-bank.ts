import { EventEmitter } from 'node:events';
import { PortierError } from '@portier/protocol';
import type { VirtualDoor } from '../door.ts';

/** Firmata pin modes (the numbering every johnny-five IO plugin uses). */
export const MODES = { INPUT: 0x00, OUTPUT: 0x01, ANALOG: 0x02, PWM: 0x03, SERVO: 0x04, PULLUP: 0x0b } as const;

/** How one door is wired to the board. */
export interface GpioDoorWiring {
  door: VirtualDoor;
  /** Output pin driving the lock's solenoid driver (relay or MOSFET). */
  lockPin: number;
  /** Input pin reading the door's reed switch. */
  sensorPin: number;
  /** The driver energises the solenoid on a LOW output (default: HIGH energises). */
  activeLow?: boolean;
  /** Level the sensor pin reads when the door is open (default 1: switch opens, pull-up reads HIGH). */
  sensorOpenLevel?: 0 | 1;
}

/** An error of the virtual board, as strict as the hardware (STYLE.md: a fake as strict as the hardware). */
export class VirtualPinError extends PortierError<'UNKNOWN_PIN' | 'UNSUPPORTED_MODE' | 'WRITE_TO_INPUT' | 'READ_FROM_OUTPUT' | 'BOARD_OFFLINE'> {
  override name = 'VirtualPinError';
}

interface PinState {
  role: 'lock' | 'sensor' | 'free';
  wiring: GpioDoorWiring | undefined;
  /** `undefined` until the host sets a mode: the pin floats and the board's resistors hold it safe. */
  mode: number | undefined;
  /** The output latch (what a write stored), kept across mode changes like an AVR PORT register. */
  latch: number;
  supportedModes: number[];
}

export interface PinBankEventMap {
  /** An input pin changed level. */
  input: [{ pin: number; value: 0 | 1 }];
  /** The board was reset (every pin floats again, every lock de-energised). */
  reset: [];
}

/**
 * The pins of a virtual GPIO board wired to virtual doors. Shared by the in-process IO plugin and
 * the Firmata device emulator. A lock is energised only while its pin is an OUTPUT driving the
 * active level; a floating pin (after power-up or reset) leaves it de-energised, as pull-downs
 * (or pull-ups for active-low drivers) on a real board do.
 */
export class VirtualPinBank extends EventEmitter<PinBankEventMap> {
  readonly pinCount: number;
  private readonly pins: PinState[] = [];
  private readonly unsubscribe: Array<() => void> = [];

  constructor(opts: { wiring: GpioDoorWiring[]; pinCount?: number }) {
    super();
    const maxPin = Math.max(0, ...opts.wiring.flatMap((w) => [w.lockPin, w.sensorPin]));
    this.pinCount = Math.max(opts.pinCount ?? 20, maxPin + 1);
    for (let i = 0; i < this.pinCount; i++) {
      this.pins.push({ role: 'free', wiring: undefined, mode: undefined, latch: 0, supportedModes: [MODES.INPUT, MODES.OUTPUT, MODES.PULLUP] });
    }
    for (const w of opts.wiring) {
      const lock = this.pins[w.lockPin];
      const sensor = this.pins[w.sensorPin];
      if (!lock || !sensor || lock.role !== 'free' || sensor.role !== 'free' || w.lockPin === w.sensorPin) {
        throw new VirtualPinError('UNKNOWN_PIN', `door ${w.door.number}: pins ${w.lockPin}/${w.sensorPin} missing or wired twice`);
      }
      Object.assign(lock, { role: 'lock', wiring: w, supportedModes: [MODES.OUTPUT] });
      Object.assign(sensor, { role: 'sensor', wiring: w, supportedModes: [MODES.INPUT, MODES.PULLUP] });
      const onSensor = (): void => {
        this.emit('input', { pin: w.sensorPin, value: this.read(w.sensorPin) });
      };
      w.door.on('sensor', onSensor);
      this.unsubscribe.push(() => w.door.off('sensor', onSensor));
    }
  }

  /** Supported modes of every pin (for capability responses). */
  capabilities(): number[][] {
    return this.pins.map((p) => p.supportedModes);
  }

  mode(pin: number): number | undefined {
    return this.pin(pin).mode;
  }

  /** Sets a pin's mode. Throws for unknown pins and modes the pin does not support. */
  setMode(pin: number, mode: number): void {
    const p = this.pin(pin);
    if (!p.supportedModes.includes(mode)) {
      throw new VirtualPinError('UNSUPPORTED_MODE', `pin ${pin} (${p.role}) does not support mode ${mode}`);
    }
    p.mode = mode;
    this.apply(p);
  }

  /**
   * Writes an output latch. `strict` (the in-process plugin): writing to a pin set as input throws.
   * Non-strict (Firmata port messages carry every pin of a port): input pins ignore the write.
   */
  write(pin: number, value: number, strict = true): void {
    const p = this.pin(pin);
    if (p.mode === MODES.INPUT || p.mode === MODES.PULLUP) {
      if (strict) throw new VirtualPinError('WRITE_TO_INPUT', `pin ${pin} is an input`);
      return;
    }
    if (p.role === 'sensor') {
      if (strict) throw new VirtualPinError('WRITE_TO_INPUT', `pin ${pin} is wired to a door sensor`);
      return;
    }
    p.latch = value ? 1 : 0;
    this.apply(p);
  }

  /** The level of a pin: a sensor pin reads its door sensor, others their latch. */
  read(pin: number): 0 | 1 {
    const p = this.pin(pin);
    if (p.role === 'sensor' && p.wiring) {
      const openLevel = p.wiring.sensorOpenLevel ?? 1;
      return p.wiring.door.sensorOpen ? openLevel : ((1 - openLevel) as 0 | 1);
    }
    return p.latch ? 1 : 0;
  }

  /** Power-up / reset: every pin floats again and every lock is released. */
  reset(): void {
    for (const p of this.pins) {
      p.mode = undefined;
      p.latch = 0;
      this.apply(p);
    }
    this.emit('reset');
  }

  /** Detaches from the doors (end of a test). */
  dispose(): void {
    for (const u of this.unsubscribe.splice(0)) u();
  }

  private pin(pin: number): PinState {
    const p = Number.isInteger(pin) ? this.pins[pin] : undefined;
    if (!p) throw new VirtualPinError('UNKNOWN_PIN', `pin ${String(pin)} does not exist (0..${this.pinCount - 1})`);
    return p;
  }

  private apply(p: PinState): void {
    if (p.role !== 'lock' || !p.wiring) return;
    const active = p.wiring.activeLow ? 0 : 1;
    p.wiring.door.setLock(p.mode === MODES.OUTPUT && p.latch === active);
  }
}
