// A text-screen kiosk over the firmware's kiosk engine, for trying every flow without hardware
// (`portier-sim kiosk`). The engine is passed in: the simulator never reaches into the firmware's logic, it only
// drives the engine's public command API and draws its view model.
import type { Readable, Writable } from 'node:stream';

/** A message reference as the engine emits it; only the engine's `translate` reads it. */
export type TerminalMessage = { key: string; params?: Record<string, unknown> };

/** The part of a kiosk screen view model the terminal draws. */
export interface TerminalScreen {
  page: string;
  change: 'page' | 'input' | 'update';
  lang: 'en' | 'fr';
  audio: boolean;
  title: TerminalMessage;
  lines: TerminalMessage[];
  error?: TerminalMessage;
  warning?: TerminalMessage;
  feedback?: TerminalMessage;
  options: Array<{ id: string; label: TerminalMessage; key?: string }>;
  input?: { kind: 'digits' | 'text'; masked: boolean; length: number; value?: string };
  /** `stateLabel`: the state in words of the session language (the raw `state` is drawn only without it). */
  lockers: Array<{ locker: number; state: string; stateLabel?: TerminalMessage; where: TerminalMessage }>;
  role?: string;
  waitUntil?: number;
}

/** What the terminal needs of the engine (a `KioskEngine` from firmware/src/kiosk is one). */
export interface TerminalEngine {
  on(event: 'screen', listener: (view: TerminalScreen) => void): unknown;
  on(event: 'notice', listener: (n: { message: TerminalMessage; lang: 'en' | 'fr' }) => void): unknown;
  off(event: 'screen', listener: (view: TerminalScreen) => void): unknown;
  off(event: 'notice', listener: (n: { message: TerminalMessage; lang: 'en' | 'fr' }) => void): unknown;
  readonly screen: TerminalScreen;
  readonly audioMode: boolean;
  keypad(key: 'enter' | 'clear' | 'back' | 'repeat' | 'stop' | 'volume-up' | 'volume-down' | '0' | '1' | '2' | '3' | '4' | '5' | '6' | '7' | '8' | '9'): Promise<void>;
  scan(code: string): Promise<void>;
  badge(id: string): Promise<void>;
  enterText(text: string): Promise<void>;
  select(optionId: string): Promise<void>;
  back(): Promise<void>;
  signOut(): Promise<void>;
  headphones(plugged: boolean): Promise<void>;
  translate(ref: TerminalMessage, lang?: 'en' | 'fr'): string;
}

export interface TerminalKioskOptions {
  input: Readable & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown };
  output: Writable & { isTTY?: boolean };
  engine: TerminalEngine;
  /** Ends the terminal kiosk (the engine is left running; its owner stops it). */
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

/** Draws a view model as plain text (no escapes). */
export function renderScreen(view: TerminalScreen, translate: (ref: TerminalMessage, lang: 'en' | 'fr') => string): string {
  const tr = (r: TerminalMessage): string => translate(r, view.lang);
  const out: string[] = [];
  const head = `== ${tr(view.title)} ==`;
  const tags = [view.lang.toUpperCase(), view.audio ? 'audio' : '', view.role ?? ''].filter(Boolean).join(' | ');
  out.push(`${head}${tags ? `   [${tags}]` : ''}`);
  if (view.warning) out.push(`!! ${tr(view.warning)}`);
  if (view.error) out.push(`** ${tr(view.error)}`);
  for (const l of view.lines) out.push(`   ${tr(l)}`);
  for (const l of view.lockers) out.push(`   # ${tr(l.where)}: ${l.stateLabel ? tr(l.stateLabel) : l.state}`);
  if (view.input) {
    const shown = view.input.masked ? '*'.repeat(view.input.length) : (view.input.value ?? '');
    out.push(`   > ${shown}_`);
  }
  view.options.forEach((o, i) => {
    const letter = OPTION_LETTERS[i] ?? '?';
    out.push(`   [${letter}]${o.key ? ` (${o.key})` : ''} ${tr(o.label)}`);
  });
  if (view.waitUntil !== undefined) out.push(`   (sign-in possible again in ${Math.ceil((view.waitUntil - Date.now()) / 1000)} s)`);
  return `${out.join('\n')}\n`;
}

type LineMode = { kind: 'scan' | 'badge' | 'text'; buffer: string };

/**
 * Runs a text-screen kiosk over `engine`: keys from `input` (a TTY in raw mode, or any stream), the screen drawn on
 * `output`. Resolves when the input ends, on Ctrl-C / Ctrl-D, or when `signal` aborts.
 */
export function runTerminalKiosk(opts: TerminalKioskOptions): Promise<void> {
  const { input, output, engine } = opts;
  const ansi = opts.ansi ?? (output.isTTY === true && process.env.TERM !== 'dumb');
  const translate = (ref: TerminalMessage, lang: 'en' | 'fr'): string => engine.translate(ref, lang);
  let line: LineMode | undefined;
  let chain: Promise<void> = Promise.resolve();
  let lastView: TerminalScreen = engine.screen;
  const help = [...TERMINAL_HELP, ...Object.entries(opts.extraKeys ?? {}).map(([k, v]) => `${k} = ${v.help}`)];

  const write = (s: string): void => {
    if (!output.writableEnded && !output.destroyed) output.write(s);
  };
  const transcript: string[] = [];
  const draw = (view: TerminalScreen): void => {
    lastView = view;
    const body = renderScreen(view, translate);
    if (ansi) {
      const header = opts.header?.() ?? [];
      const top = header.length ? `${header.join('\n')}\n${'-'.repeat(60)}\n` : '';
      const heard = transcript.length ? `${'-'.repeat(60)}\n${transcript.map((l) => `audio: ${l}`).join('\n')}\n` : '';
      write(`\x1b[2J\x1b[H${top}${body}${heard}`);
    } else write(`\n${body}`);
    if (line) write(`${prefixOf(line.kind)}${line.buffer}`);
  };
  const onAudio = (e: { kind: 'speech' | 'tone'; text?: string }): void => {
    const heard = e.kind === 'speech' ? (e.text ?? '') : '(tone)';
    // Digit echoes are tones: a run of them is one transcript line, not a screenful.
    if (heard === '(tone)' && transcript[transcript.length - 1]?.startsWith('(tone')) {
      const n = Number(/x(\d+)\)$/.exec(transcript[transcript.length - 1] ?? '')?.[1] ?? 1) + 1;
      transcript[transcript.length - 1] = `(tone x${n})`;
    } else transcript.push(heard);
    while (transcript.length > TRANSCRIPT_LINES) transcript.shift();
    if (ansi) draw(lastView);
    else write(`audio: ${transcript[transcript.length - 1] ?? ''}\n`);
  };
  const onScreen = (view: TerminalScreen): void => {
    // Typed digits redraw only the entry line, so a screen reader on the terminal is not flooded.
    if (view.change === 'input' && !ansi) {
      lastView = view;
      const shown = view.input ? (view.input.masked ? '*'.repeat(view.input.length) : (view.input.value ?? '')) : '';
      write(`   > ${shown}_${view.feedback ? `  (${translate(view.feedback, view.lang)})` : ''}\n`);
      return;
    }
    draw(view);
  };
  const onNotice = (n: { message: TerminalMessage; lang: 'en' | 'fr' }): void => {
    write(`>> ${translate(n.message, n.lang)}\n`);
  };
  const prefixOf = (k: LineMode['kind']): string => (k === 'scan' ? 'scan> ' : k === 'badge' ? 'badge> ' : 'text> ');

  const queue = (fn: () => Promise<void>): void => {
    chain = chain.then(fn).catch((err: unknown) => write(`(error: ${err instanceof Error ? err.message : String(err)})\n`));
  };

  return new Promise<void>((resolve) => {
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      input.off('data', onData);
      input.off('end', finish);
      input.off('close', finish);
      engine.off('screen', onScreen);
      engine.off('notice', onNotice);
      opts.audio?.off('started', onAudio);
      opts.signal?.removeEventListener('abort', finish);
      if (input.isTTY && input.setRawMode) input.setRawMode(false);
      void chain.then(() => resolve());
    };

    const handleChar = (ch: string): void => {
      if (ch === '\x03' || ch === '\x04') return finish();
      if (line) {
        const mode = line;
        if (ch === '\r' || ch === '\n') {
          line = undefined;
          write('\n');
          const value = mode.buffer.trim();
          if (!value) return;
          if (mode.kind === 'scan') queue(() => engine.scan(value));
          else if (mode.kind === 'badge') queue(() => engine.badge(value));
          else queue(() => engine.enterText(value));
        } else if (ch === '\x1b') {
          line = undefined;
          write(' (cancelled)\n');
        } else if (ch === '\x7f' || ch === '\b') {
          mode.buffer = mode.buffer.slice(0, -1);
          write('\b \b');
        } else if (ch >= ' ') {
          mode.buffer += ch;
          write(ch);
        }
        return;
      }
      if (/^[0-9]$/.test(ch)) return queue(() => engine.keypad(ch as '0'));
      if (ch === '\r' || ch === '\n') return queue(() => engine.keypad('enter'));
      if (ch === '\x7f' || ch === '\b') return queue(() => engine.keypad('clear'));
      if (ch === '<' || ch === '\x1b') return queue(() => engine.back());
      if (ch === '/' || ch === '@' || ch === '"') {
        line = { kind: ch === '/' ? 'scan' : ch === '@' ? 'badge' : 'text', buffer: '' };
        write(prefixOf(line.kind));
        return;
      }
      if (ch === 'H') return queue(() => engine.headphones(!engine.audioMode));
      if (ch === 'R') return queue(() => engine.keypad('repeat'));
      if (ch === 'S') return queue(() => engine.keypad('stop'));
      if (ch === '+') return queue(() => engine.keypad('volume-up'));
      if (ch === '-') return queue(() => engine.keypad('volume-down'));
      if (ch === 'X') return queue(() => engine.signOut());
      if (ch === '?') {
        write(`${help.join('\n')}\n`);
        return;
      }
      const extra = opts.extraKeys?.[ch];
      if (extra) {
        queue(async () => {
          await extra.run();
        });
        return;
      }
      const idx = OPTION_LETTERS.indexOf(ch);
      if (idx >= 0) {
        // Options as drawn when the key was pressed.
        const opt = lastView.options[idx];
        if (opt) queue(() => engine.select(opt.id));
      }
    };

    let escape = false;
    const onData = (chunk: Buffer | string): void => {
      const text = typeof chunk === 'string' ? chunk : chunk.toString('utf8');
      for (let i = 0; i < text.length; i++) {
        const ch = text[i] as string;
        // Arrow and function keys arrive as ESC [ ... sequences: skip them, a lone ESC is "back".
        if (escape) {
          escape = false;
          if (ch === '[' || ch === 'O') {
            while (i + 1 < text.length && !/[A-Za-z~]/.test(text[i + 1] as string)) i++;
            i++;
            continue;
          }
          handleChar('\x1b');
        }
        if (ch === '\x1b') {
          if (i + 1 < text.length) {
            escape = true;
            continue;
          }
        }
        handleChar(ch);
        if (done) return;
      }
    };

    if (input.isTTY && input.setRawMode) input.setRawMode(true);
    engine.on('screen', onScreen);
    engine.on('notice', onNotice);
    opts.audio?.on('started', onAudio);
    input.on('data', onData);
    input.once('end', finish);
    input.once('close', finish);
    if (opts.signal) {
      if (opts.signal.aborted) return finish();
      opts.signal.addEventListener('abort', finish, { once: true });
    }
    write(`${help.join('\n')}\n`);
    draw(engine.screen);
  });
}
