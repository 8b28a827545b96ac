import { StringDecoder } from 'node:string_decoder';

/** A key the line editor recognised. */
export type Key =
  | { name: 'char'; ch: string }
  | { name: 'enter' | 'backspace' | 'delete' | 'left' | 'right' | 'up' | 'down' | 'home' | 'end' | 'tab' | 'escape' }
  | { name: 'ctrl-c' | 'ctrl-d' | 'ctrl-u' | 'ctrl-a' | 'ctrl-e' | 'ctrl-k' | 'ctrl-l' | 'ctrl-w' };

/** `line`: edit a command line; `secret`: edit without showing it (PIN); `key`: every key goes to `onKey`; `discard`: input is dropped. */
export type InputMode = 'line' | 'secret' | 'key' | 'discard';

export interface TerminalOptions {
  output: { write(chunk: string): unknown };
  /** No escape codes in the output (TERM=dumb, or a serial line configured dumb). */
  dumb: boolean;
  /** Echo typed characters (off when the input is not a terminal, e.g. a pipe). Default true. */
  echo?: boolean;
  historySize?: number;
  /**
   * End lines with CR LF (default). Off for a tty whose driver already turns LF into CR LF
   * (node's raw mode keeps ONLCR), or every line would end in CR CR LF.
   */
  crlf?: boolean;
}

export interface TerminalHandlers {
  onLine(line: string): void;
  onKey(key: Key): void;
  /** Ctrl-D on an empty line. */
  onEof(): void;
  /** Ctrl-C (the line is already cleared). */
  onInterrupt(): void;
  /** Any input at all (for the inactivity timer). */
  onActivity(): void;
}

const ESC = '\x1b';
/** Anything that starts an escape sequence: stripped from dumb output as a last line of defence. */
const ESCAPE_SEQ_RE = /\x1b(\[[0-?]*[ -/]*[@-~]|\][^\x07]*(\x07|\x1b\\)|[@-Z\\-_])?/g;

export function stripEscapes(s: string): string {
  return s.replace(ESCAPE_SEQ_RE, '');
}

/**
 * A small line editor over a byte stream (a serial port or a tty in raw mode). Bytes are decoded
 * as they come: a line may arrive in pieces (even a UTF-8 character or an escape sequence split
 * across reads) and several lines may arrive in one read. While `paused` (a command is running),
 * input is kept in order and handled on `resume()`, so typed-ahead lines are not lost and are
 * edited in the mode the console sets for them.
 */
export class Terminal {
  readonly dumb: boolean;
  readonly echo: boolean;
  mode: InputMode = 'discard';
  private prompt = '';
  /** Whether the line being read goes into the history (not a confirmation answer). */
  private keepLine = true;
  private buf: string[] = [];
  private cursor = 0;
  private readonly history: string[] = [];
  private historyPos = 0;
  /** The line being typed before browsing history, restored by going back down. */
  private draft: string[] = [];
  private readonly historySize: number;
  private readonly decoder = new StringDecoder('utf8');
  private pending = '';
  private escState: 'none' | 'esc' | 'csi' | 'ss3' = 'none';
  private csiParams = '';
  private lastWasCR = false;
  private pausedCount = 0;
  private draining = false;
  private handlers: TerminalHandlers | undefined;
  private readonly out: TerminalOptions['output'];
  private readonly nl: string;

  constructor(opts: TerminalOptions) {
    this.out = opts.output;
    this.dumb = opts.dumb;
    this.echo = opts.echo ?? true;
    this.historySize = opts.historySize ?? 100;
    this.nl = opts.crlf === false ? '\n' : '\r\n';
  }

  attach(handlers: TerminalHandlers): void {
    this.handlers = handlers;
  }

  /** Writes text; `\n` becomes `\r\n` (raw ttys and serial lines need both); escapes stripped when dumb. */
  print(text: string): void {
    let s = text.replace(/\r?\n/g, this.nl);
    if (this.dumb) s = stripEscapes(s);
    this.out.write(s);
  }

  /**
   * Writes a line that is not an answer to what was typed (a log line) without breaking the line being edited:
   * the prompt line is cleared, the text written, and the prompt drawn again with the input so far and the cursor
   * where it was. A dumb terminal cannot clear a line: the text goes on a line of its own, then the prompt again.
   */
  printAbove(text: string): void {
    const body = text.replace(/\r?\n$/, '');
    if (this.mode !== 'line' && this.mode !== 'secret') {
      this.print(`${body}\n`);
      return;
    }
    this.out.write(this.dumb ? this.nl : `\r${ESC}[K`);
    this.print(`${body}\n${this.prompt}`);
    const back = this.buf.length - this.cursor;
    this.echoOut(`${this.visible(this.buf)}${back > 0 && !this.dumb ? `${ESC}[${back}D` : ''}`);
    if (this.dumb) this.cursor = this.buf.length;
  }

  /** Escape sequence, or nothing on a dumb terminal. */
  esc(seq: string): string {
    return this.dumb ? '' : `${ESC}${seq}`;
  }

  /**
   * Starts reading a line: shows the prompt with an empty buffer. `history: false` keeps the line out of the
   * history (an answer to a question, which recalled later would answer nothing or the wrong thing).
   */
  readLine(prompt: string, mode: 'line' | 'secret' = 'line', o: { history?: boolean } = {}): void {
    this.mode = mode;
    this.keepLine = mode !== 'secret' && o.history !== false;
    this.prompt = prompt;
    this.buf = [];
    this.cursor = 0;
    this.historyPos = this.history.length;
    this.draft = [];
    this.print(prompt);
  }

  /** Every key goes to `onKey` until the mode changes. */
  readKeys(): void {
    this.mode = 'key';
  }

  discard(): void {
    this.mode = 'discard';
  }

  /** Stop handling input (kept in order) until `resume()`. Nested pauses need as many resumes. */
  pause(): void {
    this.pausedCount++;
  }

  resume(): void {
    if (this.pausedCount > 0) this.pausedCount--;
    if (this.pausedCount === 0) this.drain();
  }

  get paused(): boolean {
    return this.pausedCount > 0;
  }

  /** History of entered command lines, oldest first. */
  get lines(): readonly string[] {
    return this.history;
  }

  /** Bytes from the line. */
  feed(chunk: Buffer | string): void {
    const text = typeof chunk === 'string' ? chunk : this.decoder.write(chunk);
    if (text.length === 0) return;
    this.handlers?.onActivity();
    this.pending += text;
    this.drain();
  }

  private drain(): void {
    if (this.draining) return;
    this.draining = true;
    try {
      while (this.pending.length > 0 && this.pausedCount === 0) {
        const cp = this.pending.codePointAt(0)!;
        const ch = String.fromCodePoint(cp);
        this.pending = this.pending.slice(ch.length);
        const key = this.decode(ch);
        if (key) this.handle(key);
      }
    } finally {
      this.draining = false;
    }
  }

  /** Byte-level decoder: control characters and ANSI/VT escape sequences to keys. */
  private decode(ch: string): Key | undefined {
    if (this.escState === 'esc') {
      if (ch === '[') {
        this.escState = 'csi';
        this.csiParams = '';
        return undefined;
      }
      if (ch === 'O') {
        this.escState = 'ss3';
        return undefined;
      }
      this.escState = 'none';
      if (ch === ESC) {
        this.escState = 'esc';
        return { name: 'escape' };
      }
      // A lone Escape press followed by an ordinary key: drop the Escape, keep the key.
    } else if (this.escState === 'csi') {
      if (/[0-9;?]/.test(ch)) {
        this.csiParams += ch;
        if (this.csiParams.length > 16) this.escState = 'none';
        return undefined;
      }
      this.escState = 'none';
      return csiKey(ch, this.csiParams);
    } else if (this.escState === 'ss3') {
      this.escState = 'none';
      return csiKey(ch, '');
    }
    const wasCR = this.lastWasCR;
    this.lastWasCR = ch === '\r';
    switch (ch) {
      case ESC:
        this.escState = 'esc';
        return undefined;
      case '\r':
        return { name: 'enter' };
      case '\n':
        // CR LF is one Enter; a bare LF (a pipe, a terminal sending LF) is an Enter too.
        return wasCR ? undefined : { name: 'enter' };
      case '\x7f':
      case '\b':
        return { name: 'backspace' };
      case '\t':
        return { name: 'tab' };
      case '\x03':
        return { name: 'ctrl-c' };
      case '\x04':
        return { name: 'ctrl-d' };
      case '\x15':
        return { name: 'ctrl-u' };
      case '\x01':
        return { name: 'ctrl-a' };
      case '\x05':
        return { name: 'ctrl-e' };
      case '\x0b':
        return { name: 'ctrl-k' };
      case '\x0c':
        return { name: 'ctrl-l' };
      case '\x17':
        return { name: 'ctrl-w' };
      case '\x02':
        return { name: 'left' };
      case '\x06':
        return { name: 'right' };
      case '\x10':
        return { name: 'up' };
      case '\x0e':
        return { name: 'down' };
      default:
        if (ch < ' ') return undefined; // other control characters (NUL, XON/XOFF, line noise)
        return { name: 'char', ch };
    }
  }

  private handle(key: Key): void {
    const h = this.handlers;
    if (this.mode === 'discard') return;
    if (this.mode === 'key') {
      h?.onKey(key);
      return;
    }
    const secret = this.mode === 'secret';
    switch (key.name) {
      case 'char':
        if (this.buf.length >= 512) return; // a line longer than any command: line noise
        this.buf.splice(this.cursor, 0, key.ch);
        this.cursor++;
        if (this.cursor === this.buf.length) this.echoOut(secret ? '*' : key.ch);
        else this.redrawTail(-1);
        return;
      case 'backspace':
        if (this.cursor === 0) return;
        this.buf.splice(this.cursor - 1, 1);
        this.cursor--;
        if (this.cursor === this.buf.length) this.echoOut('\b \b');
        else {
          this.echoOut('\b');
          this.redrawTail(0, 1);
        }
        return;
      case 'delete':
        if (this.cursor >= this.buf.length) return;
        this.buf.splice(this.cursor, 1);
        this.redrawTail(0, 1);
        return;
      case 'ctrl-d':
        if (this.buf.length === 0) {
          this.echoOut('\r\n');
          this.mode = 'discard';
          h?.onEof();
          return;
        }
        if (this.cursor < this.buf.length) {
          this.buf.splice(this.cursor, 1);
          this.redrawTail(0, 1);
        }
        return;
      case 'left':
        if (this.dumb || this.cursor === 0) return;
        this.cursor--;
        this.echoOut(`${ESC}[D`);
        return;
      case 'right':
        if (this.dumb || this.cursor >= this.buf.length) return;
        this.cursor++;
        this.echoOut(`${ESC}[C`);
        return;
      case 'home':
      case 'ctrl-a':
        if (this.dumb || this.cursor === 0) return;
        this.echoOut(`${ESC}[${this.cursor}D`);
        this.cursor = 0;
        return;
      case 'end':
      case 'ctrl-e':
        if (this.dumb || this.cursor === this.buf.length) return;
        this.echoOut(`${ESC}[${this.buf.length - this.cursor}C`);
        this.cursor = this.buf.length;
        return;
      case 'ctrl-k':
        if (this.dumb) return;
        this.buf.splice(this.cursor);
        this.echoOut(`${ESC}[K`);
        return;
      case 'ctrl-u':
        this.replaceLine([]);
        return;
      case 'ctrl-w': {
        let i = this.cursor;
        while (i > 0 && this.buf[i - 1] === ' ') i--;
        while (i > 0 && this.buf[i - 1] !== ' ') i--;
        const next = [...this.buf.slice(0, i), ...this.buf.slice(this.cursor)];
        this.replaceLine(next, i);
        return;
      }
      case 'ctrl-l':
        if (!this.dumb) {
          this.echoOut(`${ESC}[H${ESC}[2J`);
          this.redrawLine();
        }
        return;
      case 'up':
      case 'down':
        if (secret || this.dumb) return;
        this.browseHistory(key.name === 'up' ? -1 : 1);
        return;
      case 'ctrl-c':
        this.echoOut('^C\r\n');
        this.buf = [];
        this.cursor = 0;
        this.historyPos = this.history.length;
        h?.onInterrupt();
        return;
      case 'enter': {
        const line = this.buf.join('');
        this.echoOut('\r\n');
        this.buf = [];
        this.cursor = 0;
        if (this.keepLine && line.trim() !== '' && this.history[this.history.length - 1] !== line) {
          this.history.push(line);
          if (this.history.length > this.historySize) this.history.shift();
        }
        this.historyPos = this.history.length;
        this.mode = 'discard'; // the console sets the mode of the next line
        h?.onLine(line);
        return;
      }
      default:
        return;
    }
  }

  private browseHistory(dir: -1 | 1): void {
    const pos = this.historyPos + dir;
    if (pos < 0 || pos > this.history.length) return;
    if (this.historyPos === this.history.length) this.draft = [...this.buf];
    this.historyPos = pos;
    const line = pos === this.history.length ? this.draft : [...this.history[pos]!];
    this.replaceLine([...line]);
  }

  /** Replaces the whole line being edited and puts the cursor at `cursor` (default: end). */
  private replaceLine(next: string[], cursor = next.length): void {
    this.buf = next;
    this.cursor = cursor;
    if (this.dumb) {
      // No way to erase on a dumb terminal: start a fresh line.
      this.echoOut(`^U\r\n${this.prompt}${this.visible(this.buf)}`);
      this.cursor = this.buf.length;
      return;
    }
    this.redrawLine();
  }

  private redrawLine(): void {
    const back = this.buf.length - this.cursor;
    this.echoOut(`\r${ESC}[K${this.prompt}${this.visible(this.buf)}${back > 0 ? `${ESC}[${back}D` : ''}`);
  }

  /**
   * Rewrites from the cursor to the end of the line, blanking `erase` stale cells, and moves the
   * cursor back. `shift` -1: the cursor already advanced (insert).
   */
  private redrawTail(shift: -1 | 0, erase = 0): void {
    if (this.dumb) {
      // A dumb terminal cannot move the cursor: only edits at the end of the line reach here.
      return;
    }
    const from = this.cursor + shift;
    const tail = this.visible(this.buf.slice(from));
    const back = tail.length + erase + shift;
    this.echoOut(`${tail}${' '.repeat(erase)}${back > 0 ? `${ESC}[${back}D` : ''}`);
  }

  private visible(chars: string[]): string {
    return this.mode === 'secret' ? '*'.repeat(chars.length) : chars.join('');
  }

  private echoOut(s: string): void {
    if (!this.echo) return;
    const t = this.nl === '\r\n' ? s : s.replace(/\r\n/g, this.nl);
    this.out.write(this.dumb ? stripEscapes(t) : t);
  }
}

function csiKey(final: string, params: string): Key | undefined {
  switch (final) {
    case 'A':
      return { name: 'up' };
    case 'B':
      return { name: 'down' };
    case 'C':
      return { name: 'right' };
    case 'D':
      return { name: 'left' };
    case 'H':
      return { name: 'home' };
    case 'F':
      return { name: 'end' };
    case '~':
      switch (params) {
        case '1':
        case '7':
          return { name: 'home' };
        case '4':
        case '8':
          return { name: 'end' };
        case '3':
          return { name: 'delete' };
        default:
          return undefined;
      }
    default:
      return undefined; // function keys, mouse reports, focus events...: ignored
  }
}
