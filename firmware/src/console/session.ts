import { EventEmitter } from 'node:events';
import type { EventBody } from '@portier/protocol';
import type { Logger } from 'pino';
import { silentLogger } from '../util/logger.ts';
import { ConsoleError, type ConsoleBackend, type DoorView } from './backend.ts';
import { auditArgs, buildCommands, Declined, helpOf, truncate, UsageError, type Command } from './commands.ts';
import type { ConsoleConfig } from './config-section.ts';
import { verifyTechnicianPin } from './config-section.ts';
import { formatDuration, renderDoorTable } from './render.ts';
import { Terminal, type Key } from './terminal.ts';
import { SignInThrottle } from './throttle.ts';

export { FACTORY_RESET_PHRASE } from './commands.ts';

const PROMPT = 'portier> ';
const PIN_PROMPT = 'PIN: ';
const LIVE_REFRESH_MS = 250;
const SUBCOMMANDS = new Set(['boards', 'config', 'net']);

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
export class ConsoleSession extends EventEmitter<ConsoleSessionEventMap> {
  readonly terminal: Terminal;
  private state: State = 'signin';
  private readonly backend: ConsoleBackend;
  private readonly cfg: ConsoleSessionSettings;
  private readonly log: Logger;
  private readonly throttle: SignInThrottle;
  private readonly channel: string;
  private readonly now: () => number;
  private readonly commands = new Map<string, Command>();
  private idleTimer: NodeJS.Timeout | undefined;
  private liveTimer: NodeJS.Timeout | undefined;
  private liveLast = '';
  private confirmResolve: ((line: string | null) => void) | undefined;
  private readonly banner: string;

  constructor(opts: ConsoleSessionOptions) {
    super();
    this.backend = opts.backend;
    this.cfg = opts.config;
    this.now = opts.now ?? Date.now;
    this.log = (opts.logger ?? silentLogger).child({ module: 'console', channel: opts.channel ?? 'console' });
    this.throttle = opts.throttle ?? new SignInThrottle(opts.config, this.now);
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
    const host = {
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
    this.stopLive();
    this.clearIdle();
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

  // ------------------------------------------------------------------------------------------ sign-in

  private promptPin(): void {
    this.state = 'signin';
    this.clearIdle();
    this.terminal.readLine(PIN_PROMPT, 'secret');
  }

  private async signIn(pin: string): Promise<void> {
    if (pin.trim() === '') {
      this.terminal.readLine(PIN_PROMPT, 'secret');
      return;
    }
    const gate = this.throttle.check();
    if (gate.state !== 'ok') {
      const s = Math.ceil((gate.until - this.now()) / 1000);
      this.terminal.print(gate.state === 'locked' ? `Console locked: try again in ${s} s.\n` : `Too soon after a wrong PIN: wait ${s} s.\n`);
      this.log.warn({ state: gate.state }, 'PIN refused without checking');
      this.terminal.readLine(PIN_PROMPT, 'secret');
      return;
    }
    const ok = await verifyTechnicianPin(pin.trim(), this.cfg.pinHash);
    if (this.state === 'closed') return;
    if (!ok) {
      const f = this.throttle.fail();
      const body: EventBody = { type: 'login-failure', method: 'console', attempts: f.failures };
      if (f.lockedUntil !== undefined) body.lockedOutUntil = f.lockedUntil;
      this.log.warn({ attempts: f.failures, lockedOutUntil: f.lockedUntil }, 'wrong technician PIN');
      void this.backend.publishEvent(body);
      if (f.lockedUntil !== undefined) {
        this.terminal.print(`Wrong PIN. Too many failures: console locked for ${formatDuration(f.delayMs / 1000)}.\n`);
      } else {
        this.terminal.print(`Wrong PIN. Wait ${formatSeconds(f.delayMs)} before the next try.\n`);
      }
      this.terminal.readLine(PIN_PROMPT, 'secret');
      return;
    }
    this.throttle.succeed();
    this.state = 'ready';
    this.audit('sign-in', [], true);
    this.emit('signed-in');
    this.terminal.print(`Signed in. Type "help" for commands. Idle sign-out after ${formatDuration(this.cfg.idleTimeoutS)}.\n`);
    this.touch();
    this.terminal.readLine(PROMPT);
  }

  private signOut(reason: 'user' | 'idle' | 'eof'): void {
    if (!this.signedIn) return;
    this.stopLive();
    const r = this.confirmResolve;
    this.confirmResolve = undefined;
    r?.(null);
    this.audit('sign-out', [], true, reason);
    this.terminal.print(reason === 'idle' ? `\nSigned out after ${formatDuration(this.cfg.idleTimeoutS)} without input.\n` : 'Signed out.\n');
    this.emit('signed-out', { reason });
    this.promptPin();
  }

  private touch(): void {
    if (!this.signedIn) return;
    this.clearIdle();
    this.idleTimer = setTimeout(() => {
      this.idleTimer = undefined;
      if (this.state === 'busy') {
        // A running command (a lock test) is activity; check again afterwards.
        this.touch();
        return;
      }
      this.signOut('idle');
    }, this.cfg.idleTimeoutS * 1000);
    this.idleTimer.unref?.();
  }

  private clearIdle(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
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
    let ok = true;
    let detail: string | undefined;
    try {
      const d = await cmd.run(args, rest);
      if (typeof d === 'string') detail = d;
    } catch (err) {
      ok = false;
      if (err instanceof Declined) {
        detail = err.message;
      } else if (err instanceof UsageError) {
        detail = err.message;
        this.terminal.print(`error: ${err.message} (usage: ${cmd.usage})\n`);
      } else if (err instanceof ConsoleError) {
        detail = `${err.code}: ${err.message}`;
        this.terminal.print(`error: ${err.message}\n`);
      } else {
        detail = (err as Error).message;
        this.log.error({ err, command: name }, 'console command failed');
        this.terminal.print(`error: ${(err as Error).message}\n`);
      }
    }
    if ((this.state as State) === 'closed') return;
    if (cmd.name !== 'help' && cmd.name !== 'exit') {
      // Commands with a subcommand are audited as `boards scan`, `config set`...
      const sub = SUBCOMMANDS.has(cmd.name) && args[0] !== undefined;
      this.audit(sub ? `${cmd.name} ${truncate(args[0]!, 20)}` : cmd.name, auditArgs(cmd.name, args).slice(sub ? 1 : 0), ok, detail);
    }
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
    this.liveLast = '';
    if (this.terminal.dumb) this.terminal.print('doors live view: one line per change; press any key to stop\n');
    this.renderLive();
    this.liveTimer = setInterval(() => this.renderLive(), LIVE_REFRESH_MS);
    this.terminal.readKeys();
  }

  private renderLive(): void {
    const doors = this.backend.doors();
    const now = this.now();
    const key = JSON.stringify(doors.map((d) => [d.door, d.state, d.itemPresent, d.service, d.flapping ?? false]));
    if (this.terminal.dumb) {
      const prev = this.liveLast ? (JSON.parse(this.liveLast) as Array<[number, string, boolean | null, string, boolean]>) : [];
      if (key === this.liveLast) return;
      const time = new Date(now).toISOString().slice(11, 19);
      if (prev.length === 0) {
        this.terminal.print(`${renderDoorTable(doors, now)}\n`);
      } else {
        for (const d of doors) {
          const old = prev.find((x) => x[0] === d.door);
          if (!old || old[1] !== d.state || old[2] !== d.itemPresent || old[3] !== d.service || old[4] !== (d.flapping ?? false)) {
            this.terminal.print(`${time} ${describeDoor(d)}\n`);
          }
        }
      }
      this.liveLast = key;
      return;
    }
    const e = (s: string): string => this.terminal.esc(s);
    this.terminal.print(`${e('[H')}${e('[2J')}doors (live, press any key to stop)   ${new Date(now).toISOString().slice(11, 19)}\n${renderDoorTable(doors, now)}\n`);
    this.liveLast = key;
  }

  private endLive(): void {
    this.stopLive();
    this.terminal.print('(live view stopped)\n');
    this.state = 'ready';
    this.terminal.readLine(PROMPT);
  }

  private stopLive(): void {
    if (this.liveTimer) clearInterval(this.liveTimer);
    this.liveTimer = undefined;
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

function describeDoor(d: DoorView): string {
  return `door ${d.door} ${d.state}, item ${d.itemPresent === null ? '-' : d.itemPresent ? 'yes' : 'no'}, ${d.service}${d.flapping ? ', sensor flapping' : ''}`;
}

function formatSeconds(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${Math.round(ms / 100) / 10} s`;
}
