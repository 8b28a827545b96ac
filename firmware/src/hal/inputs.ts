import type { EventEmitter } from 'node:events';

export interface LineReaderEventMap {
  /** One complete, trimmed, non-empty line (a scanned code or badge id). */
  line: [string];
  error: [Error];
}

/** A line-based serial reader: barcode/QR scanner or badge/smart-card reader. */
export interface LineReader extends EventEmitter<LineReaderEventMap> {
  readonly kind: 'scanner' | 'badge';
  open(): Promise<void>;
  close(): Promise<void>;
}

export interface SwitchInputEventMap {
  /** Debounced level change: `true` when the switch is on (headphones plugged in). */
  change: [boolean];
}

/** A debounced digital input such as the headphone-detect switch of the audio jack. */
export interface SwitchInput extends EventEmitter<SwitchInputEventMap> {
  /** Current debounced level. */
  readonly value: boolean;
  open(): Promise<void>;
  close(): Promise<void>;
}
