import type { EventEmitter } from 'node:events';

/**
 * A touch on the kiosk display, by what was touched: an option drawn on the page (by the id the display was given),
 * the back or sign-out button, or a text typed on the on-screen keyboard and confirmed.
 */
export type TouchEvent =
  | { kind: 'option'; id: string }
  | { kind: 'back' }
  | { kind: 'sign-out' }
  | { kind: 'text'; text: string };

export interface TouchInputEventMap {
  touch: [TouchEvent];
  error: [Error];
}

/** The touch layer of the kiosk display. */
export interface TouchInput extends EventEmitter<TouchInputEventMap> {
  open(): Promise<void>;
  close(): Promise<void>;
}
