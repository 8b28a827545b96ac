// Minimal typings for the parts of untyped dependencies we use (they ship no types; STACK.md).
declare module 'johnny-five' {
  import { EventEmitter } from 'node:events';
  export interface BoardOptions {
    io?: unknown;
    repl?: boolean;
    debug?: boolean;
    /** `false`: do not install johnny-five's own SIGINT handler (which calls process.reallyExit). */
    sigint?: boolean;
    timeout?: number;
    id?: string;
  }
  export class Board extends EventEmitter {
    constructor(opts?: BoardOptions);
    readonly io: unknown;
    readonly isReady: boolean;
  }
  export interface PinOptions {
    pin: number;
    type?: 'digital' | 'analog';
    mode?: number;
    board?: Board;
  }
  export class Pin extends EventEmitter {
    constructor(opts: PinOptions);
    static readonly INPUT: number;
    static readonly OUTPUT: number;
    readonly addr: number;
    readonly value: number;
    high(): this;
    low(): this;
    write(value: number): this;
  }
  const five: { Board: typeof Board; Pin: typeof Pin };
  export default five;
}

declare module 'firmata-io' {
  export interface FirmataOptions {
    reportVersionTimeout?: number;
    samplingInterval?: number;
    skipCapabilities?: boolean;
  }
  // The IO-plugin contract the GPIO HAL declares once (io-plugin.ts); a module declaration cannot import a relative
  // path, an import type can.
  type IoPlugin = import('./io-plugin.ts').IoPlugin;
  /** `firmata-io`'s Board: a Firmata host over any transport with `write` and `data`/`open` events; an IO plugin. */
  export interface Firmata extends IoPlugin {
    reportDigitalPin(pin: number, value: 0 | 1): void;
    reset(): void;
  }
  export const Firmata: new (transport: unknown, options?: FirmataOptions, callback?: (err?: Error) => void) => Firmata;
  /** The module is `bindTransport(Transport) -> Firmata`, with the class also at `.Firmata`. */
  const bindTransport: ((transport: unknown) => typeof Firmata) & { Firmata: typeof Firmata };
  export default bindTransport;
}
