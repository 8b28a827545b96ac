// The kiosk's person-facing hardware on a text terminal: the screen is drawn as text, keys of the keyboard are the
// keypad, letters touch the options drawn, and line entries stand for the scanner, the badge reader and the
// on-screen keyboard. It implements the firmware's HAL ports only (display, keypad, touch, line readers, headphone
// switch); whoever runs a kiosk engine attaches them to it.
import type { Readable, Writable } from 'node:stream';
import type { DisplayView, KeypadKey, KioskDisplay, SpeechLang } from '@portier/firmware/hal';
import { VirtualLineReader, VirtualSwitch } from '../inputs/virtual-inputs.ts';
import { VirtualKeypad, VirtualTouch } from './virtual-panel.ts';

export interface TerminalPanelOptions {
  input: Readable & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown };
  output: Writable & { isTTY?: boolean };
  /** Ends the panel (as Ctrl-C does). */
  signal?: AbortSignal;
  /** Clear the screen between pages with ANSI escapes. Default: when the output is a TTY and TERM is not dumb. */
  ansi?: boolean;
  /** Extra single keys for the simulator around the kiosk (e.g. `C`: a person shuts the open doors). */
  extraKeys?: Record<string, { help: string; run: () => unknown }>;
  /**
   * Lines kept at the top of every redraw (what the person was told before the screen took the terminal: where the
   * API is, a pickup code, a PIN). Asked again at each redraw, so they may change.
   */
  header?: () => string[];
  /** The kiosk's audio output: what it says and plays is shown as a transcript under the screen. */
  audio?: TerminalAudio;
}

/** What the transcript needs of an audio output (the firmware's `AudioOut` is one). */
export interface TerminalAudio {
  on(event: 'started', listener: (e: { kind: 'speech' | 'tone'; text?: string }) => void): unknown;
  off(event: 'started', listener: (e: { kind: 'speech' | 'tone'; text?: string }) => void): unknown;
}

/** Spoken lines kept in the transcript under the screen. */
const TRANSCRIPT_LINES = 4;

const OPTION_LETTERS = 'abcdefghijklmnopqrstuvwxyz';

export const TERMINAL_HELP = [
  'digits type on the keypad, Enter = enter, Backspace = clear, < or Esc = back',
  'a, b, c... = touch an option',
  '/CODE Enter = scan a barcode or QR code, @ID Enter = present a badge, "TEXT Enter = type text on the screen',
  'H = plug/unplug headphones, R = repeat, S = stop speech, + / - = volume, X = sign out, Ctrl-C = quit',
];

/** Draws a page as plain text (no escapes). */
export function renderScreen(view: DisplayView): string {
  const out: string[] = [];
  const head = `== ${view.title} ==`;
  const tags = [view.lang.toUpperCase(), view.audio ? 'audio' : '', view.role ?? ''].filter(Boolean).join(' | ');
  out.push(`${head}${tags ? `   [${tags}]` : ''}`);
  if (view.warning) out.push(`!! ${view.warning}`);
  if (view.error) out.push(`** ${view.error}`);
  for (const l of view.lines) out.push(`   ${l}`);
  for (const l of view.lockers) out.push(`   # ${l.where}: ${l.state}`);
  if (view.input) out.push(`   > ${entryText(view)}_`);
  view.options.forEach((o, i) => {
    const letter = OPTION_LETTERS[i] ?? '?';
    out.push(`   [${letter}]${o.key ? ` (${o.key})` : ''} ${o.label}`);
  });
  if (view.waitUntil !== undefined) out.push(`   (sign-in possible again in ${Math.ceil((view.waitUntil - Date.now()) / 1000)} s)`);
  return `${out.join('\n')}\n`;
}

function entryText(view: DisplayView): string {
  if (!view.input) return '';
  return view.input.masked ? '*'.repeat(view.input.length) : (view.input.value ?? '');
}

type LineMode = { kind: 'scan' | 'badge' | 'text'; buffer: string };

/** Single keys that are keypad keys. */
const KEY_OF: Record<string, KeypadKey> = { '\r': 'enter', '\n': 'enter', '\x7f': 'clear', '\b': 'clear', R: 'repeat', S: 'stop', '+': 'volume-up', '-': 'volume-down' };

/**
 * A text terminal as the kiosk's display, keypad, touch layer, scanner, badge reader and headphone jack. `open()`
 * takes the input (raw mode on a TTY) and prints the help; `ended` resolves when the input ends, on Ctrl-C / Ctrl-D,
 * when `signal` aborts or on `close()`.
 */
export class TerminalPanel implements KioskDisplay {
  readonly keypad = new VirtualKeypad();
  readonly touch = new VirtualTouch();
  readonly scanner = new VirtualLineReader('scanner');
  readonly badgeReader = new VirtualLineReader('badge');
  readonly headphones = new VirtualSwitch(false);
  readonly ended: Promise<void>;

  private readonly opts: TerminalPanelOptions;
  private readonly ansi: boolean;
  private readonly help: string[];
  private readonly transcript: string[] = [];
  private lastView: DisplayView | undefined;
  private line: LineMode | undefined;
  private escape = false;
  private done = false;
  private resolveEnded!: () => void;
  private readonly onData = (chunk: Buffer | string): void => this.receive(typeof chunk === 'string' ? chunk : chunk.toString('utf8'));
  private readonly finish = (): void => void this.close();
  private readonly onAudio = (e: { kind: 'speech' | 'tone'; text?: string }): void => this.heard(e);

  constructor(opts: TerminalPanelOptions) {
    this.opts = opts;
    this.ansi = opts.ansi ?? (opts.output.isTTY === true && process.env.TERM !== 'dumb');
    this.help = [...TERMINAL_HELP, ...Object.entries(opts.extraKeys ?? {}).map(([k, v]) => `${k} = ${v.help}`)];
    this.ended = new Promise<void>((resolve) => (this.resolveEnded = resolve));
  }

  /**
   * Takes the terminal at once (the help is on it when this returns): a kiosk attached right after sees its first
   * page drawn under the help, and keys typed before are not lost.
   */
  open(): Promise<void> {
    const { input, signal } = this.opts;
    // The virtual devices open without waiting on anything: their promises are settled already.
    const devices = Promise.all([this.keypad.open(), this.touch.open(), this.scanner.open(), this.badgeReader.open(), this.headphones.open()]);
    if (input.isTTY && input.setRawMode) input.setRawMode(true);
    this.opts.audio?.on('started', this.onAudio);
    input.on('data', this.onData);
    input.once('end', this.finish);
    input.once('close', this.finish);
    this.write(`${this.help.join('\n')}\n`);
    if (signal?.aborted) return devices.then(() => this.close());
    signal?.addEventListener('abort', this.finish, { once: true });
    return devices.then(() => undefined);
  }

  async close(): Promise<void> {
    if (this.done) return;
    this.done = true;
    const { input, signal } = this.opts;
    input.off('data', this.onData);
    input.off('end', this.finish);
    input.off('close', this.finish);
    this.opts.audio?.off('started', this.onAudio);
    signal?.removeEventListener('abort', this.finish);
    if (input.isTTY && input.setRawMode) input.setRawMode(false);
    await Promise.all([this.keypad.close(), this.touch.close(), this.scanner.close(), this.badgeReader.close(), this.headphones.close()]);
    this.resolveEnded();
  }

  show(view: DisplayView): void {
    // Typed digits redraw only the entry line, so a screen reader on the terminal is not flooded.
    if (view.change === 'input' && !this.ansi) {
      this.lastView = view;
      this.write(`   > ${entryText(view)}_${view.feedback ? `  (${view.feedback})` : ''}\n`);
      return;
    }
    this.draw(view);
  }

  notice(text: string, _lang: SpeechLang): void {
    this.write(`>> ${text}\n`);
  }

  private write(s: string): void {
    const out = this.opts.output;
    if (!out.writableEnded && !out.destroyed) out.write(s);
  }

  private draw(view: DisplayView): void {
    this.lastView = view;
    const body = renderScreen(view);
    if (this.ansi) {
      const header = this.opts.header?.() ?? [];
      const top = header.length ? `${header.join('\n')}\n${'-'.repeat(60)}\n` : '';
      const heard = this.transcript.length ? `${'-'.repeat(60)}\n${this.transcript.map((l) => `audio: ${l}`).join('\n')}\n` : '';
      this.write(`\x1b[2J\x1b[H${top}${body}${heard}`);
    } else this.write(`\n${body}`);
    if (this.line) this.write(`${prefixOf(this.line.kind)}${this.line.buffer}`);
  }

  private heard(e: { kind: 'speech' | 'tone'; text?: string }): void {
    const t = this.transcript;
    const heard = e.kind === 'speech' ? (e.text ?? '') : '(tone)';
    // Digit echoes are tones: a run of them is one transcript line, not a screenful.
    if (heard === '(tone)' && t[t.length - 1]?.startsWith('(tone')) {
      const n = Number(/x(\d+)\)$/.exec(t[t.length - 1] ?? '')?.[1] ?? 1) + 1;
      t[t.length - 1] = `(tone x${n})`;
    } else t.push(heard);
    while (t.length > TRANSCRIPT_LINES) t.shift();
    if (!this.ansi) this.write(`audio: ${t[t.length - 1] ?? ''}\n`);
    else if (this.lastView) this.draw(this.lastView);
  }

  private receive(text: string): void {
    for (let i = 0; i < text.length; i++) {
      const ch = text[i] as string;
      // Arrow and function keys arrive as ESC [ ... sequences: skip them, a lone ESC is "back".
      if (this.escape) {
        this.escape = false;
        if (ch === '[' || ch === 'O') {
          while (i + 1 < text.length && !/[A-Za-z~]/.test(text[i + 1] as string)) i++;
          i++;
          continue;
        }
        this.key('\x1b');
      }
      if (ch === '\x1b' && i + 1 < text.length) {
        this.escape = true;
        continue;
      }
      this.key(ch);
      if (this.done) return;
    }
  }

  private key(ch: string): void {
    if (ch === '\x03' || ch === '\x04') return void this.close();
    if (this.line) return this.lineKey(this.line, ch);
    if (/^[0-9]$/.test(ch)) return void this.keypad.press(ch as KeypadKey);
    const key = KEY_OF[ch];
    if (key) return void this.keypad.press(key);
    if (ch === '<' || ch === '\x1b') return void this.touch.touch({ kind: 'back' });
    if (ch === 'X') return void this.touch.touch({ kind: 'sign-out' });
    if (ch === 'H') return this.headphones.set(!this.headphones.value);
    if (ch === '/' || ch === '@' || ch === '"') {
      this.line = { kind: ch === '/' ? 'scan' : ch === '@' ? 'badge' : 'text', buffer: '' };
      return this.write(prefixOf(this.line.kind));
    }
    if (ch === '?') return this.write(`${this.help.join('\n')}\n`);
    const extra = this.opts.extraKeys?.[ch];
    if (extra) {
      Promise.resolve()
        .then(() => extra.run())
        .catch((err: unknown) => this.write(`(error: ${err instanceof Error ? err.message : String(err)})\n`));
      return;
    }
    const idx = OPTION_LETTERS.indexOf(ch);
    // Options as drawn when the key was pressed.
    const opt = idx >= 0 ? this.lastView?.options[idx] : undefined;
    if (opt) this.touch.touch({ kind: 'option', id: opt.id });
  }

  private lineKey(mode: LineMode, ch: string): void {
    if (ch === '\r' || ch === '\n') {
      this.line = undefined;
      this.write('\n');
      const value = mode.buffer.trim();
      if (!value) return;
      if (mode.kind === 'scan') this.scanner.scan(value);
      else if (mode.kind === 'badge') this.badgeReader.scan(value);
      else this.touch.touch({ kind: 'text', text: value });
    } else if (ch === '\x1b') {
      this.line = undefined;
      this.write(' (cancelled)\n');
    } else if (ch === '\x7f' || ch === '\b') {
      mode.buffer = mode.buffer.slice(0, -1);
      this.write('\b \b');
    } else if (ch >= ' ') {
      mode.buffer += ch;
      this.write(ch);
    }
  }
}

function prefixOf(k: LineMode['kind']): string {
  return k === 'scan' ? 'scan> ' : k === 'badge' ? 'badge> ' : 'text> ';
}
