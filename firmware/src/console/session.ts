import { EventEmitter } from 'node:events';
import type { EventBody } from '@portier/protocol';
import type { Logger } from 'pino';
import { silentLogger } from '../util/logger.ts';
import type { ConsoleBackend } from './backend.ts';
import { auditEntryOf, buildCommands, helpOf, runCommand, truncate, type Command, type CommandHost } from './commands/index.ts';
import type { ConsoleConfig } from './config-section.ts';
import { LiveDoorView } from './live-view.ts';
import { IdleSignOut, PinSignIn, signedInLine, signedOutLine } from './sign-in.ts';
import { Terminal, type Key } from './terminal.ts';
import { SignInThrottle } from './throttle.ts';

export { FACTORY_RESET_PHRASE } from './commands/index.ts';

const PROMPT = 'portier> ';
const PIN_PROMPT = 'PIN: ';

/** The console settings a session uses (the `console:` config section; only these fields). */
export type ConsoleSessionSettings = Pick<ConsoleConfig, 'pinHash' | 'idleTimeoutS' | 'maxFailures' | 'failureDelayMs' | 'lockoutS'>;

export interface ConsoleSessionOptions {
  /** Where output goes (a serial port, stdout). */
  output: { write(chunk: string): unknown };
  backend: ConsoleBackend;
  config: ConsoleSessionSettings;
  /** Plain output without escape codes. */
  dumb?: boolean;
  /** Echo what is typed (default true; false when the input is a pipe). */
  echo?: boolean;
  /** End lines with CR LF (default true; false on a tty that adds the CR itself). */
  crlf?: boolean;
  logger?: Logger;
  /** Shared between sessions of one controller; one is made from `config` when absent. */
  throttle?: SignInThrottle;
  /** Where the technician is (`serial:/dev/ttyS0`, `stdio`): the actor id of audit events. */
  channel?: string;
  /** Banner shown before the PIN prompt. */
  banner?: string;
  now?: () => number;
}

export interface ConsoleSessionEventMap {
  'signed-in': [];
  'signed-out': [{ reason: 'user' | 'idle' | 'eof' }];
  /** Ctrl-D at the PIN prompt (the stdio console exits on it). */
  eof: [];
  /** An action ran (after it was logged and sent to the cloud). */
  action: [{ action: string; args: string[]; ok: boolean; detail?: string }];
  closed: [];
}

type State = 'signin' | 'ready' | 'busy' | 'live' | 'confirm' | 'closed';

/**
 * One technician console session over a byte stream: sign-in with the technician PIN (throttled,
 * locked out after repeated failures), automatic sign-out after inactivity, commands with help,
 * every action logged and sent to the cloud as a `console-action` event (actor: technician).
 * Feed it input with `feed()`; it writes to `output`.
 */
/**
 * One technician console session over a byte stream: sign-in with the technician PIN (throttled, locked out after
 * repeated failures: sign-in.ts), automatic sign-out after inactivity, commands with help (one module each, under
 * commands/), the live view of the doors (live-view.ts), every action logged and sent to the cloud as a
 * `console-action` event (actor: technician). This class holds the session's state and routes input to the part whose
 * turn it is. Feed it input with `feed()`; it writes to `output`.
 */
export class ConsoleSession extends EventEmitter<ConsoleSessionEventMap> {
  readonly terminal: Terminal;
  private state: State = 'signin';
  private readonly backend: ConsoleBackend;
  private readonly cfg: ConsoleSessionSettings;
  private readonly log: Logger;
  private readonly channel: string;
  private readonly now: () => number;
  private readonly commands = new Map<string, Command>();
  private readonly pin: PinSignIn;
  private readonly idle: IdleSignOut;
  private readonly live: LiveDoorView;
  private confirmResolve: ((line: string | null) => void) | undefined;
  private readonly banner: string;

  constructor(opts: ConsoleSessionOptions) {
    super();
    this.backend = opts.backend;
    this.cfg = opts.config;
    this.now = opts.now ?? Date.now;
    this.log = (opts.logger ?? silentLogger).child({ module: 'console', channel: opts.channel ?? 'console' });
    this.channel = opts.channel ?? 'console';
    this.banner = opts.banner ?? 'Portier controller: technician console';
    this.terminal = new Terminal({ output: opts.output, dumb: opts.dumb ?? false, echo: opts.echo ?? true, crlf: opts.crlf ?? true });
    this.terminal.attach({
      onLine: (line) => this.onLine(line),
      onKey: (key) => this.onKey(key),
      onEof: () => this.onEof(),
      onInterrupt: () => this.onInterrupt(),
      onActivity: () => this.touch(),
    });
    this.pin = new PinSignIn({
      throttle: opts.throttle ?? new SignInThrottle(opts.config, this.now),
      pinHash: this.cfg.pinHash,
      now: () => this.now(),
      print: (text) => this.terminal.print(text),
      backend: this.backend,
      log: this.log,
    });
    this.idle = new IdleSignOut(
      this.cfg.idleTimeoutS * 1000,
      () => this.state === 'busy',
      () => this.signOut('idle'),
    );
    this.live = new LiveDoorView(this.terminal, this.backend, () => this.now());
    const host: CommandHost = {
      backend: this.backend,
      now: () => this.now(),
      print: (line: string) => this.terminal.print(`${line}\n`),
      commandList: () => this.commands.values(),
      findCommand: (name: string) => this.commands.get(name),
      startLive: () => this.startLive(),
      audit: (action: string, args: string[], ok: boolean, detail?: string) => this.audit(action, args, ok, detail),
      confirm: (prompt: string) => this.confirm(prompt),
      signOut: (reason: 'user') => this.signOut(reason),
    };
    for (const c of buildCommands(host)) this.commands.set(c.name, c);
  }

  /** Shows the banner and the PIN prompt. */
  start(): void {
    this.terminal.print(`${this.banner}\n`);
    this.promptPin();
  }

  /** Input bytes from the line. */
  feed(chunk: Buffer | string): void {
    if (this.state === 'closed') return;
    this.terminal.feed(chunk);
  }

  /** A log line of the controller on this console's terminal: above the prompt, never inside the typed line. */
  printLog(line: string): void {
    if (this.state !== 'closed') this.terminal.printAbove(line);
  }

  get signedIn(): boolean {
    return this.state !== 'signin' && this.state !== 'closed';
  }

  /** Ends the session (the stream went away). Signs out first if signed in. */
  close(): void {
    if (this.state === 'closed') return;
    if (this.signedIn) this.audit('sign-out', [], true, 'closed');
    this.live.stop();
    this.idle.clear();
    this.confirmResolve?.(null);
    this.state = 'closed';
    this.terminal.discard();
    this.emit('closed');
  }

  // ------------------------------------------------------------------------------------------ input

  private onLine(line: string): void {
    if (this.state === 'signin') {
      void this.run(() => this.signIn(line));
      return;
    }
    if (this.state === 'confirm') {
      const r = this.confirmResolve;
      this.confirmResolve = undefined;
      r?.(line);
      return;
    }
    if (this.state === 'ready') void this.run(() => this.execute(line));
  }

  private onKey(_key: Key): void {
    if (this.state === 'live') this.endLive();
  }

  private onEof(): void {
    if (this.state === 'signin') {
      this.emit('eof');
      this.promptPin();
      return;
    }
    if (this.state === 'confirm') {
      const r = this.confirmResolve;
      this.confirmResolve = undefined;
      r?.(null);
      return;
    }
    this.signOut('eof');
  }

  private onInterrupt(): void {
    if (this.state === 'confirm') {
      const r = this.confirmResolve;
      this.confirmResolve = undefined;
      r?.(null);
      return;
    }
    // The terminal already cleared the line; show a fresh prompt for the same state.
    if (this.state === 'signin') this.terminal.readLine(PIN_PROMPT, 'secret');
    else if (this.state === 'ready') this.terminal.readLine(PROMPT);
  }

  /** Runs one step with input paused, so lines typed ahead wait their turn (and their mode). */
  private async run(step: () => Promise<void>): Promise<void> {
    this.terminal.pause();
    try {
      await step();
    } catch (err) {
      this.log.error({ err }, 'console step failed');
      this.terminal.print(`error: ${(err as Error).message}\n`);
      if (this.state === 'ready') this.terminal.readLine(PROMPT);
    } finally {
      this.terminal.resume();
    }
  }

  // ------------------------------------------------------------------------------------------ sign-in and sign-out

  private promptPin(): void {
    this.state = 'signin';
    this.idle.clear();
    this.terminal.readLine(PIN_PROMPT, 'secret');
  }

  private async signIn(pin: string): Promise<void> {
    if (pin.trim() === '') {
      this.terminal.readLine(PIN_PROMPT, 'secret');
      return;
    }
    const ok = await this.pin.attempt(pin.trim(), () => this.state !== 'closed');
    if (this.state === 'closed') return;
    if (!ok) {
      this.terminal.readLine(PIN_PROMPT, 'secret');
      return;
    }
    this.state = 'ready';
    this.audit('sign-in', [], true);
    this.emit('signed-in');
    this.terminal.print(signedInLine(this.cfg.idleTimeoutS));
    this.touch();
    this.terminal.readLine(PROMPT);
  }

  private signOut(reason: 'user' | 'idle' | 'eof'): void {
    if (!this.signedIn) return;
    this.live.stop();
    const r = this.confirmResolve;
    this.confirmResolve = undefined;
    r?.(null);
    this.audit('sign-out', [], true, reason);
    this.terminal.print(signedOutLine(reason, this.cfg.idleTimeoutS));
    this.emit('signed-out', { reason });
    this.promptPin();
  }

  private touch(): void {
    if (this.signedIn) this.idle.touch();
  }

  // ------------------------------------------------------------------------------------------ commands

  private async execute(line: string): Promise<void> {
    const words = line.trim().split(/\s+/).filter(Boolean);
    if (words.length === 0) {
      this.terminal.readLine(PROMPT);
      return;
    }
    const [name, ...args] = words as [string, ...string[]];
    const cmd = this.commands.get(name.toLowerCase());
    if (!cmd) {
      // A number typed as a command is most likely the PIN typed again: never log or send it.
      this.audit('unknown-command', [/^[0-9]+$/.test(name) ? '(digits)' : name], false);
      this.terminal.print(`error: unknown command "${truncate(name, 40)}" (type "help" for the list)\n`);
      this.terminal.readLine(PROMPT);
      return;
    }
    if (args[0] === 'help' || args[0] === '--help' || args[0] === '-h') {
      this.terminal.print(`${helpOf(cmd)}\n`);
      this.terminal.readLine(PROMPT);
      return;
    }
    const rest = line.trim().slice(name.length).trim();
    this.state = 'busy';
    const { ok, detail } = await runCommand(cmd, name, args, rest, { print: (text) => this.terminal.print(text), log: this.log });
    if ((this.state as State) === 'closed') return;
    const entry = auditEntryOf(cmd, args);
    if (entry) this.audit(entry.action, entry.args, ok, detail);
    if (this.state === 'busy') {
      this.state = 'ready';
      this.terminal.readLine(PROMPT);
    }
  }

  // ------------------------------------------------------------------------------------------ confirm

  private confirm(prompt: string): Promise<string | null> {
    return new Promise((resolve) => {
      this.state = 'confirm';
      this.confirmResolve = (line) => {
        this.confirmResolve = undefined;
        if (this.state === 'confirm') this.state = 'busy';
        // Paused again at once, so lines typed after the answer wait for the command to finish.
        this.terminal.pause();
        resolve(line);
      };
      this.terminal.readLine(prompt, 'line', { history: false });
      // The console step is paused while a command runs; the answer must get through.
      this.terminal.resume();
    });
  }

  // ------------------------------------------------------------------------------------------ live view

  private startLive(): void {
    this.state = 'live';
    this.live.start();
  }

  private endLive(): void {
    this.live.stop();
    this.terminal.print('(live view stopped)\n');
    this.state = 'ready';
    this.terminal.readLine(PROMPT);
  }

  // ------------------------------------------------------------------------------------------ audit

  private audit(action: string, args: string[], ok: boolean, detail?: string): void {
    this.log.info({ action, args, ok, detail }, `console action ${action}${args.length ? ` ${args.join(' ')}` : ''}: ${ok ? 'ok' : 'failed'}`);
    const body: EventBody = {
      type: 'console-action',
      actor: { role: 'technician', id: truncate(this.channel, 64) },
      action: truncate(action, 40),
      args: args.slice(0, 10).map((a) => truncate(a, 200)),
      ok,
    };
    if (detail !== undefined) body.detail = truncate(detail, 200);
    void this.backend.publishEvent(body);
    this.emit('action', detail === undefined ? { action, args, ok } : { action, args, ok, detail });
  }
}
