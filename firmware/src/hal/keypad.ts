import type { EventEmitter } from 'node:events';

export const DIGIT_KEYS = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'] as const;
export type DigitKey = (typeof DIGIT_KEYS)[number];

/** Keys of the kiosk keypad. `repeat`, `stop` and the volume keys drive the audio interface. */
export type KeypadKey = DigitKey | 'enter' | 'clear' | 'back' | 'repeat' | 'stop' | 'volume-up' | 'volume-down';
export const KEYPAD_KEYS: readonly KeypadKey[] = [...DIGIT_KEYS, 'enter', 'clear', 'back', 'repeat', 'stop', 'volume-up', 'volume-down'];

export interface KeypadEventMap {
  /** One key pressed (the keypad does no debouncing of meaning: every press is one event). */
  key: [KeypadKey];
  error: [Error];
}

/** The kiosk's keypad: a physical one beside the screen, or the keys drawn on the touch display. */
export interface Keypad extends EventEmitter<KeypadEventMap> {
  open(): Promise<void>;
  close(): Promise<void>;
}
