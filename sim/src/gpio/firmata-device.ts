import { EventEmitter } from 'node:events';
import { MODES, type VirtualPinBank, VirtualPinError } from './pin-bank.ts';

// Firmata protocol 2.x bytes (https://github.com/firmata/protocol).
export const FIRMATA = {
  DIGITAL_MESSAGE: 0x90,
  ANALOG_MESSAGE: 0xe0,
  REPORT_ANALOG: 0xc0,
  REPORT_DIGITAL: 0xd0,
  SET_PIN_MODE: 0xf4,
  SET_DIGITAL_PIN_VALUE: 0xf5,
  REPORT_VERSION: 0xf9,
  SYSTEM_RESET: 0xff,
  START_SYSEX: 0xf0,
  END_SYSEX: 0xf7,
  STRING_DATA: 0x71,
  QUERY_FIRMWARE: 0x79,
  CAPABILITY_QUERY: 0x6b,
  CAPABILITY_RESPONSE: 0x6c,
  ANALOG_MAPPING_QUERY: 0x69,
  ANALOG_MAPPING_RESPONSE: 0x6a,
  PIN_STATE_QUERY: 0x6d,
  PIN_STATE_RESPONSE: 0x6e,
  SAMPLING_INTERVAL: 0x7a,
} as const;

/** The byte stream the device talks on: a serialport stream on a pty, or one end of a duplex pair. */
export interface ByteStream {
  write(data: Buffer): unknown;
  on(event: 'data', listener: (data: Buffer) => void): unknown;
  removeListener(event: 'data', listener: (data: Buffer) => void): unknown;
}

export interface FirmataDeviceEventMap {
  /** A command the device received and applied (for tests and the sim's log). */
  command: [{ cmd: string; pin?: number; value?: number; port?: number }];
  /** A command the device refused (unknown pin, unsupported mode); also sent as STRING_DATA. */
  refused: [VirtualPinError];
}

/**
 * A Firmata device emulator (StandardFirmata 2.5 subset) over a byte stream, with its pins wired
 * to virtual doors: enough for `firmata-io` + johnny-five. Speaks the protocol byte for byte:
 * REPORT_VERSION, QUERY_FIRMWARE, CAPABILITY and ANALOG_MAPPING responses, SET_PIN_MODE,
 * DIGITAL_MESSAGE and SET_DIGITAL_PIN_VALUE writes, REPORT_DIGITAL port reports on input changes,
 * PIN_STATE_QUERY and SYSTEM_RESET. Like real hardware, the outputs keep their last state when
 * the host goes away: only a reset (or the host) releases a lock.
 */
export class FirmataDevice extends EventEmitter<FirmataDeviceEventMap> {
  readonly bank: VirtualPinBank;
  readonly firmwareName: string;
  private readonly version: [number, number];
  private stream: ByteStream | undefined;
  private readonly reporting = new Set<number>();
  private sysex: number[] | undefined;
  private cmd: number | undefined;
  private data: number[] = [];
  private readonly onData = (chunk: Buffer): void => this.feed(chunk);
  private readonly onInput = ({ pin }: { pin: number }): void => {
    const port = pin >> 3;
    if (this.reporting.has(port)) this.sendPort(port);
  };

  constructor(opts: { bank: VirtualPinBank; firmwareName?: string; version?: [number, number] }) {
    super();
    this.bank = opts.bank;
    this.firmwareName = opts.firmwareName ?? 'PortierVirtualFirmata.ino';
    this.version = opts.version ?? [2, 5];
    this.bank.on('input', this.onInput);
  }

  /** Connects the device to a stream (replacing any previous one). */
  attach(stream: ByteStream): void {
    this.detach();
    this.stream = stream;
    stream.on('data', this.onData);
  }

  detach(): void {
    this.stream?.removeListener('data', this.onData);
    this.stream = undefined;
    this.sysex = undefined;
    this.cmd = undefined;
    this.data = [];
  }

  /** What a freshly powered board does: reset every pin, then announce version and firmware. */
  boot(): void {
    this.reset();
    this.sendVersion();
    this.sendFirmware();
  }

  dispose(): void {
    this.detach();
    this.bank.off('input', this.onInput);
  }

  /** Feeds bytes from the host (the device's receive side). */
  feed(chunk: Uint8Array): void {
    for (const byte of chunk) this.byte(byte);
  }

  private byte(b: number): void {
    if (this.sysex) {
      if (b === FIRMATA.END_SYSEX) {
        const body = this.sysex;
        this.sysex = undefined;
        this.handleSysex(body);
      } else if (b & 0x80) {
        // A command byte inside a sysex: the sysex was cut short; start over with this command.
        this.sysex = undefined;
        this.byte(b);
      } else {
        this.sysex.push(b);
      }
      return;
    }
    if (b === FIRMATA.START_SYSEX) {
      this.sysex = [];
      this.cmd = undefined;
      return;
    }
    if (b & 0x80) {
      this.cmd = b;
      this.data = [];
      if (dataLength(b) === 0) this.complete();
      return;
    }
    if (this.cmd === undefined) return; // stray data byte: ignored, as the firmware does
    this.data.push(b);
    if (this.data.length >= dataLength(this.cmd)) this.complete();
  }

  private complete(): void {
    const cmd = this.cmd!;
    const [d0 = 0, d1 = 0] = this.data;
    this.cmd = undefined;
    this.data = [];
    const hi = cmd & 0xf0;
    try {
      if (hi === FIRMATA.DIGITAL_MESSAGE) {
        const port = cmd & 0x0f;
        const value = d0 | (d1 << 7);
        for (let i = 0; i < 8; i++) {
          const pin = port * 8 + i;
          if (pin >= this.bank.pinCount) break;
          if (this.bank.mode(pin) === MODES.OUTPUT) this.bank.write(pin, (value >> i) & 1, false);
        }
        this.emit('command', { cmd: 'DIGITAL_MESSAGE', port, value });
      } else if (hi === FIRMATA.REPORT_DIGITAL) {
        const port = cmd & 0x0f;
        if (d0) {
          this.reporting.add(port);
          this.sendPort(port);
        } else {
          this.reporting.delete(port);
        }
        this.emit('command', { cmd: 'REPORT_DIGITAL', port, value: d0 });
      } else if (hi === FIRMATA.REPORT_ANALOG || hi === FIRMATA.ANALOG_MESSAGE) {
        // No analog pins on this board.
      } else if (cmd === FIRMATA.SET_PIN_MODE) {
        this.bank.setMode(d0, d1);
        this.emit('command', { cmd: 'SET_PIN_MODE', pin: d0, value: d1 });
      } else if (cmd === FIRMATA.SET_DIGITAL_PIN_VALUE) {
        this.bank.write(d0, d1, false);
        this.emit('command', { cmd: 'SET_DIGITAL_PIN_VALUE', pin: d0, value: d1 });
      } else if (cmd === FIRMATA.REPORT_VERSION) {
        this.sendVersion();
      } else if (cmd === FIRMATA.SYSTEM_RESET) {
        this.reset();
        this.emit('command', { cmd: 'SYSTEM_RESET' });
      }
    } catch (err) {
      this.refuse(err);
    }
  }

  private handleSysex(body: number[]): void {
    const [id, ...rest] = body;
    try {
      switch (id) {
        case FIRMATA.QUERY_FIRMWARE:
          this.sendFirmware();
          break;
        case FIRMATA.CAPABILITY_QUERY: {
          const out: number[] = [FIRMATA.START_SYSEX, FIRMATA.CAPABILITY_RESPONSE];
          for (const modes of this.bank.capabilities()) {
            for (const m of modes) out.push(m, 1);
            out.push(0x7f);
          }
          out.push(FIRMATA.END_SYSEX);
          this.send(out);
          break;
        }
        case FIRMATA.ANALOG_MAPPING_QUERY:
          this.send([FIRMATA.START_SYSEX, FIRMATA.ANALOG_MAPPING_RESPONSE, ...Array<number>(this.bank.pinCount).fill(0x7f), FIRMATA.END_SYSEX]);
          break;
        case FIRMATA.PIN_STATE_QUERY: {
          const pin = rest[0] ?? 0;
          const mode = this.bank.mode(pin);
          this.send([FIRMATA.START_SYSEX, FIRMATA.PIN_STATE_RESPONSE, pin, mode ?? MODES.INPUT, this.bank.read(pin), FIRMATA.END_SYSEX]);
          break;
        }
        default:
          // SAMPLING_INTERVAL and features this board does not have: ignored.
          break;
      }
    } catch (err) {
      this.refuse(err);
    }
  }

  private reset(): void {
    this.reporting.clear();
    this.bank.reset();
  }

  private refuse(err: unknown): void {
    const e = err instanceof VirtualPinError ? err : new VirtualPinError('UNKNOWN_PIN', String(err));
    this.emit('refused', e);
    this.sendString(e.message);
  }

  private sendVersion(): void {
    this.send([FIRMATA.REPORT_VERSION, this.version[0], this.version[1]]);
  }

  private sendFirmware(): void {
    const out: number[] = [FIRMATA.START_SYSEX, FIRMATA.QUERY_FIRMWARE, this.version[0], this.version[1]];
    for (const c of Buffer.from(this.firmwareName, 'ascii')) out.push(c & 0x7f, (c >> 7) & 0x7f);
    out.push(FIRMATA.END_SYSEX);
    this.send(out);
  }

  private sendString(text: string): void {
    const out: number[] = [FIRMATA.START_SYSEX, FIRMATA.STRING_DATA];
    for (const c of Buffer.from(text.slice(0, 60), 'ascii')) out.push(c & 0x7f, (c >> 7) & 0x7f);
    out.push(FIRMATA.END_SYSEX);
    this.send(out);
  }

  /** Port report: the levels of the port's input pins (outputs read 0, as StandardFirmata masks them). */
  private sendPort(port: number): void {
    let value = 0;
    for (let i = 0; i < 8; i++) {
      const pin = port * 8 + i;
      if (pin >= this.bank.pinCount) break;
      const mode = this.bank.mode(pin);
      if ((mode === MODES.INPUT || mode === MODES.PULLUP) && this.bank.read(pin)) value |= 1 << i;
    }
    this.send([FIRMATA.DIGITAL_MESSAGE | port, value & 0x7f, (value >> 7) & 0x7f]);
  }

  private send(bytes: number[]): void {
    this.stream?.write(Buffer.from(bytes));
  }
}

/** Data bytes after a command byte (host -> device). */
function dataLength(cmd: number): number {
  const hi = cmd & 0xf0;
  if (hi === FIRMATA.DIGITAL_MESSAGE || hi === FIRMATA.ANALOG_MESSAGE) return 2;
  if (hi === FIRMATA.REPORT_DIGITAL || hi === FIRMATA.REPORT_ANALOG) return 1;
  if (cmd === FIRMATA.SET_PIN_MODE || cmd === FIRMATA.SET_DIGITAL_PIN_VALUE) return 2;
  return 0;
}
