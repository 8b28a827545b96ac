import { EventEmitter } from 'node:events';
import type { LineReader, LineReaderEventMap, SwitchInput, SwitchInputEventMap } from '@portier/firmware/hal';

/**
 * A virtual barcode/QR scanner or badge reader at the HAL level: `scan(code)` delivers one line
 * while it is open (a closed reader, like unplugged hardware, delivers nothing).
 */
export class VirtualLineReader extends EventEmitter<LineReaderEventMap> implements LineReader {
  readonly kind: 'scanner' | 'badge';
  private isOpen = false;

  constructor(kind: 'scanner' | 'badge') {
    super();
    this.kind = kind;
  }

  get opened(): boolean {
    return this.isOpen;
  }

  async open(): Promise<void> {
    this.isOpen = true;
  }

  async close(): Promise<void> {
    this.isOpen = false;
  }

  /** A person scans `code` (a barcode, a QR payload, a badge id). Returns whether it was delivered. */
  scan(code: string): boolean {
    const line = code.trim();
    if (!this.isOpen || line === '') return false;
    this.emit('line', line);
    return true;
  }

  /** The device reports a fault (a cable pulled). */
  fail(err: Error): void {
    if (this.listenerCount('error') > 0) this.emit('error', err);
  }
}

/** A virtual headphone-detect switch on the 3.5 mm jack: `plug()` / `unplug()`. */
export class VirtualSwitch extends EventEmitter<SwitchInputEventMap> implements SwitchInput {
  private level: boolean;
  private isOpen = false;

  constructor(initial = false) {
    super();
    this.level = initial;
  }

  get value(): boolean {
    return this.level;
  }

  async open(): Promise<void> {
    this.isOpen = true;
  }

  async close(): Promise<void> {
    this.isOpen = false;
  }

  /** Sets the level; emits `change` (while open) only when it changed: the switch is already debounced. */
  set(on: boolean): void {
    if (on === this.level) return;
    this.level = on;
    if (this.isOpen) this.emit('change', on);
  }

  plug(): void {
    this.set(true);
  }

  unplug(): void {
    this.set(false);
  }
}
