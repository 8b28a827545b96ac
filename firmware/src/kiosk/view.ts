// The kiosk's typed API: what a screen, the audio interface and the input devices exchange with the engine.
// Nothing here knows how a page is drawn or spoken: messages are keys with parameters (firmware/src/i18n).
import type { DoorOutcome, EventBody, LockerSize } from '@portier/protocol';
import type { Lang, MessageRef } from '../i18n/index.ts';

export const DIGIT_KEYS = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'] as const;
export type DigitKey = (typeof DIGIT_KEYS)[number];

/** Keys of the kiosk keypad. `repeat`, `stop` and the volume keys drive the audio interface. */
export type KeypadKey = DigitKey | 'enter' | 'clear' | 'back' | 'repeat' | 'stop' | 'volume-up' | 'volume-down';
export const KEYPAD_KEYS: readonly KeypadKey[] = [
  ...DIGIT_KEYS, 'enter', 'clear', 'back', 'repeat', 'stop', 'volume-up', 'volume-down',
];

export type PageId =
  | 'home'
  | 'menu'
  | 'scan'
  | 'staff-signin'
  | 'locked-out'
  | 'out-of-order'
  | 'pickup'
  | 'reopen'
  | 'return'
  | 'exchange'
  | 'staff-menu'
  | 'dropoff-tracking'
  | 'dropoff-existing'
  | 'dropoff-open'
  | 'choose-size'
  | 'rear-shelf'
  | 'expired'
  | 'service'
  | 'service-locker'
  | 'storage-size'
  | 'storage-duration'
  | 'storage-hours'
  | 'storage-pin'
  | 'storage-pin-confirm'
  | 'storage-open'
  | 'storage-active'
  | 'storage-ask-end'
  | 'storage-extend';

export type LockerState = 'open' | 'closed' | 'jammed' | 'unknown';

/**
 * What is printed on the keys the audio interface names in its prompts ("press R to hear this again"). A kiosk whose
 * keypad is labelled otherwise passes its own labels (`kiosk.keyLabels` in the controller configuration).
 */
export interface AudioKeyLabels {
  repeat: string;
  stop: string;
  louder: string;
  softer: string;
}

/** The labels of the simulator's terminal kiosk and of the reference keypad. */
export const DEFAULT_AUDIO_KEY_LABELS: AudioKeyLabels = { repeat: 'R', stop: 'S', louder: '+', softer: '-' };

/** A locker on screen, with where it is ("locker 12, column 2, third door from the top"). */
export interface LockerView {
  door: number;
  locker: number;
  column: number;
  fromTop: number;
  size: LockerSize;
  state: LockerState;
  /** The state in words, for the screen and the voice of the session language ("ouvert", "not confirmed"). */
  stateLabel: MessageRef;
  where: MessageRef;
}

export interface ScreenOption {
  id: string;
  label: MessageRef;
  /** The keypad key that selects it (digits, on pages without a digit entry). */
  key?: KeypadKey;
}

export interface ScreenInput {
  kind: 'digits' | 'text';
  /** PINs and codes: shown as dots, echoed as tones, never spoken. */
  masked: boolean;
  /** Characters typed so far. */
  length: number;
  /** What was typed, only when not masked. */
  value?: string;
  minLength: number;
  maxLength: number;
}

/** The screen's view model. `change` says why it was emitted: a new page, typed input, or an update of this page. */
export interface ScreenView {
  page: PageId;
  change: 'page' | 'input' | 'update';
  lang: Lang;
  audio: boolean;
  title: MessageRef;
  lines: MessageRef[];
  error?: MessageRef;
  warning?: MessageRef;
  /** A short answer to what was just typed ("Input cleared"), on `input` changes. */
  feedback?: MessageRef;
  options: ScreenOption[];
  input?: ScreenInput;
  lockers: LockerView[];
  /** Who is signed in, if anyone. */
  role?: 'recipient' | 'operator' | 'carrier' | 'admin';
  /** Sign-in refused until then (throttling), ms. */
  waitUntil?: number;
}

export interface DoorOutcomeEvent {
  door: number;
  locker: number;
  outcome: DoorOutcome;
}

export interface KioskEventMap {
  screen: [ScreenView];
  /** A key reached the engine; `masked` when it went into a PIN or code. */
  key: [{ key: KeypadKey; masked: boolean }];
  'door-opened': [DoorOutcomeEvent];
  'door-failed': [DoorOutcomeEvent];
  warning: [{ kind: 'door-left-open'; door: number; locker: number; message: MessageRef }];
  /** A short message outside any page, in the language of the session it ends ("Thank you. Goodbye."). */
  notice: [{ message: MessageRef; lang: Lang }];
  /** Every protocol event the kiosk sent to the event sink. */
  event: [EventBody];
  'session-ended': [{ reason: 'timeout' | 'sign-out' | 'done' | 'lock-out-ended' | 'stopped' }];
}

export type { Lang, MessageRef };
