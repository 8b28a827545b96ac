import type { EventEmitter } from 'node:events';

/** Firmata pin modes used here (johnny-five and every IO plugin share the Firmata numbering). */
export const PinMode = { INPUT: 0x00, OUTPUT: 0x01, ANALOG: 0x02, PWM: 0x03, SERVO: 0x04, PULLUP: 0x0b } as const;
export type PinModeValue = (typeof PinMode)[keyof typeof PinMode];

/** One pin as an IO plugin describes it (`io.pins[n]`). */
export interface IoPin {
  supportedModes: number[];
  mode?: number | undefined;
  value?: number;
  report?: number;
  analogChannel?: number;
}

/**
 * The part of the johnny-five IO-plugin contract the GPIO lock bus relies on. `firmata-io`'s
 * `Firmata` and the simulator's `VirtualGpioBoard` both satisfy it. Events: `connect`, `ready`,
 * `error`, `close`, `disconnect`.
 */
export interface IoPlugin extends EventEmitter {
  readonly name: string;
  readonly isReady: boolean;
  readonly pins: IoPin[];
  readonly analogPins: number[];
  readonly MODES: Record<string, number>;
  readonly HIGH: number;
  readonly LOW: number;
  pinMode(pin: number, mode: number): void;
  digitalWrite(pin: number, value: number): void;
  /** Starts reporting `pin` and calls `cb` with its level on every report. */
  digitalRead(pin: number, cb: (value: number) => void): void;
  /** Optional: stop reporting a pin (firmata-io has it). */
  reportDigitalPin?(pin: number, value: 0 | 1): void;
}
