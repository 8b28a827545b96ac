// The kiosk display's keypad and touch layer at the HAL level, driven by a test or a terminal: `press(key)`,
// `touch(...)`. Like the virtual scanner, a closed device (unplugged hardware) delivers nothing.
import { EventEmitter } from 'node:events';
import { keepLast } from '../recording.ts';
import type { DisplayView, Keypad, KeypadEventMap, KeypadKey, KioskDisplay, SpeechLang, TouchEvent, TouchInput, TouchInputEventMap } from '@portier/firmware/hal';

export class VirtualKeypad extends EventEmitter<KeypadEventMap> implements Keypad {
  private isOpen = false;

  async open(): Promise<void> {
    this.isOpen = true;
  }

  async close(): Promise<void> {
    this.isOpen = false;
  }

  /** A person presses `key`. Returns whether it was delivered. */
  press(key: KeypadKey): boolean {
    if (!this.isOpen) return false;
    this.emit('key', key);
    return true;
  }
}

export class VirtualTouch extends EventEmitter<TouchInputEventMap> implements TouchInput {
  private isOpen = false;

  async open(): Promise<void> {
    this.isOpen = true;
  }

  async close(): Promise<void> {
    this.isOpen = false;
  }

  /** A person touches the display. Returns whether it was delivered. */
  touch(event: TouchEvent): boolean {
    if (!this.isOpen) return false;
    this.emit('touch', event);
    return true;
  }
}

/** A display that keeps what it was given (the last `limit` pages and notices), for tests to read. */
export class RecordingDisplay implements KioskDisplay {
  readonly views: DisplayView[] = [];
  readonly notices: Array<{ text: string; lang: SpeechLang }> = [];
  private readonly limit: number;

  constructor(opts: { limit?: number } = {}) {
    this.limit = opts.limit ?? 500;
  }

  get current(): DisplayView | undefined {
    return this.views[this.views.length - 1];
  }

  show(view: DisplayView): void {
    keepLast(this.views, view, this.limit);
  }

  notice(text: string, lang: SpeechLang): void {
    keepLast(this.notices, { text, lang }, this.limit);
  }
}
