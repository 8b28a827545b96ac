import { EventEmitter } from 'node:events';
import { SerialPort } from 'serialport';
import { HalError, type HalErrorCode } from '../errors.ts';
import type { BusHealth, DoorReading, LockBus, LockBusEventMap } from '../lock-bus.ts';
import { silentLogger, type Logger } from '../../util/logger.ts';
import {
  Cu16Cmd,
  LOCKS_PER_BOARD,
  MAX_BOARD,
  decodePulse,
  decodeStatus,
  setPulseCommand,
  statusQuery,
  toAddr,
  unlockCommand,
  type Cu16Frame,
} from './frame.ts';
import { BoardDialects, STATUS_QUERIES, type Cu16DialectOverride, type Cu16StatusQuery } from './dialect.ts';
import { Cu16Health } from './health.ts';
import { Cu16Exchange, type TransactionSpec } from './exchange.ts';
import { PortKeeper, type Cu16Port } from './port-keeper.ts';

export type { Cu16Port };

/** Where door `door` is wired: lock `lock` (0..15) of board `board` (0..9). */
export interface Cu16DoorAddress {
  door: number;
  board: number;
  lock: number;
}

export interface KerongCu16BusOptions {
  /** Creates the serial port, not yet open (`autoOpen: false`); called by `open()` and to reopen a lost port. */
  openPort: () => Cu16Port;
  /** First wait before reopening a serial port that went away, ms (then doubling, jittered). Default 500. */
  reopenMinMs?: number;
  /** Longest wait between reopen attempts, ms. Default 30000. */
  reopenMaxMs?: number;
  /**
   * Doors 1..doorCount mapped in order: door 1 = board 0 lock 0, ..., door 16 = board 0 lock 15,
   * door 17 = board 1 lock 0. Ignored when `doorMap` is given.
   */
  doorCount?: number;
  /** Explicit wiring, for columns whose doors are not wired in order. */
  doorMap?: readonly Cu16DoorAddress[];
  /** The dialect of every board, part by part; a part left out is detected per board (see `dialect.ts`). */
  dialect?: Cu16DialectOverride;
  /** The dialect of single boards by address, over `dialect`. */
  boardDialects?: Readonly<Record<number, Cu16DialectOverride>>;
  /** Longest pulse the bus will ask a board for (last line of defence). Default 1000 ms. */
  maxPulseMs?: number;
  /** How long to wait for a board's reply. Default 250 ms (a reply takes about 5 ms at 19200 baud). */
  replyTimeoutMs?: number;
  /** Extra attempts of a status query that got no usable reply. Default 1. Unlocks are never retried here. */
  statusRetries?: number;
  /** Consecutive failures after which a board counts as `down` (1 failure already makes it `degraded`). Default 3. */
  downAfter?: number;
  logger?: Logger;
}

/** The production port factory: a real serial port at 19200 8N1. */
export function serialPortFactory(path: string, baudRate = 19200): () => Cu16Port {
  return () => new SerialPort({ path, baudRate, dataBits: 8, parity: 'none', stopBits: 1, autoOpen: false });
}

/**
 * `LockBus` over Kerong KR-CU16 RS-485 lock boards (see `frame.ts` for the wire format).
 *
 * - Traffic goes through `Cu16Exchange`: one transaction on the wire at a time, unlocks ahead of
 *   queued status polls. Status polls of a board that are queued and not yet sent are shared.
 * - The serial port is kept by `PortKeeper`: a port that goes away is reopened with backoff;
 *   meanwhile the bus is `down` with its port `closed` and refuses calls at once (`BUS_CLOSED`).
 * - Each board's dialect (`dialect.ts`) is configured or detected: the status query at open
 *   (and after a reopen), the unlock answer (status frame or short acknowledgement) from the
 *   board's first unlock. Either answer to an unlock is accepted whatever the board is thought to speak.
 * - `readDoors()` sends ONE status query per board and maps lock bit 1 -> door open, IR bit 1 ->
 *   item present. A board that does not answer gives `open: null` for its doors and a
 *   `BOARD_SILENT` error event; only when no board answers does `readDoors()` reject (`BUS_TIMEOUT`).
 * - The board times the pulse itself: `unlock` sets the board's pulse time when it differs from
 *   the last one set (forgotten after any failure, since a board may have rebooted to its
 *   default), sends the unlock, and resolves when the board answered it.
 * - Health per board: ok -> degraded (1 failure) -> down (`downAfter` in a row), back to ok on
 *   the next good reply. Bad bytes never throw: they are `error` events (when listened to) and logs.
 */
export class KerongCu16Bus extends EventEmitter<LockBusEventMap> implements LockBus {
  readonly kind = 'kerong-cu16' as const;
  readonly doors: readonly number[];
  private readonly map: ReadonlyMap<number, { board: number; lock: number }>;
  private readonly boards: readonly number[];
  private readonly opts: Required<Omit<KerongCu16BusOptions, 'doorMap' | 'doorCount' | 'logger' | 'dialect' | 'boardDialects'>>;
  private readonly log: Logger;
  private readonly ex: Cu16Exchange;
  private readonly dialects: BoardDialects;
  /** Detection of a board's status query under way, shared by every read of that board meanwhile. */
  private readonly detecting = new Map<number, Promise<Cu16Frame>>();
  private readonly port: PortKeeper;
  private readonly healthOf: Cu16Health;
  private state: 'new' | 'open' | 'closed' = 'new';
  private readonly queuedPolls = new Map<number, Promise<Cu16Frame>>();
  private readonly boardPulse = new Map<number, number>();

  constructor(options: KerongCu16BusOptions) {
    super();
    const map = options.doorMap ?? inOrder(options.doorCount ?? 0);
    if (map.length === 0) throw new RangeError('KerongCu16Bus needs doorCount or doorMap');
    const m = new Map<number, { board: number; lock: number }>();
    for (const d of map) {
      if (!Number.isInteger(d.door) || d.door < 1) throw new RangeError(`door ${d.door} must be an integer >= 1`);
      toAddr(d.board, d.lock); // validates
      if (m.has(d.door)) throw new RangeError(`door ${d.door} mapped twice`);
      m.set(d.door, { board: d.board, lock: d.lock });
    }
    this.map = m;
    this.doors = [...m.keys()].sort((a, b) => a - b);
    this.boards = [...new Set([...m.values()].map((a) => a.board))].sort((a, b) => a - b);
    this.opts = {
      openPort: options.openPort,
      reopenMinMs: options.reopenMinMs ?? 500,
      reopenMaxMs: options.reopenMaxMs ?? 30_000,
      maxPulseMs: options.maxPulseMs ?? 1000,
      replyTimeoutMs: options.replyTimeoutMs ?? 250,
      statusRetries: options.statusRetries ?? 1,
      downAfter: options.downAfter ?? 3,
    };
    this.log = (options.logger ?? silentLogger).child({ module: 'hal/kerong-cu16' });
    this.dialects = new BoardDialects(this.boards, (b) => ({ ...options.dialect, ...options.boardDialects?.[b] }));
    this.healthOf = new Cu16Health(this.boards, this.opts.downAfter, this.log, (h) => this.emit('health', h), (b) => this.dialects.describe(b));
    this.port = new PortKeeper({ openPort: this.opts.openPort, reopenMinMs: this.opts.reopenMinMs, reopenMaxMs: this.opts.reopenMaxMs, log: this.log });
    this.ex = new Cu16Exchange(this.port, this.opts.replyTimeoutMs, this.log, {
      active: () => this.state === 'open',
      success: (b) => this.recordSuccess(b),
      failure: (b, err) => this.recordFailure(b, err),
      parseError: (err) => this.emitError(err),
    });
    this.port.on('lost', (err) => this.onPortLost(err));
    this.port.on('reopened', () => this.onPortReopened());
  }

  /** Where `door` is wired, or `undefined`. */
  addressOf(door: number): { board: number; lock: number } | undefined {
    return this.map.get(door);
  }

  async open(): Promise<void> {
    if (this.state === 'open') return;
    if (this.state === 'closed') throw new HalError('BUS_CLOSED', 'bus was closed');
    await this.port.open();
    this.state = 'open';
    this.detectDialects();
    // Nothing to drive safe here: KR-CU16 boards time every pulse themselves and power up with
    // every solenoid released.
    this.log.info({ boards: this.boards, doors: this.doors.length }, 'CU16 bus open');
  }

  /** Whether the board of `door` is known to answer an unlock with its status (0x35), sampled as it energised the solenoid. */
  unlockReportsStatus(door: number): boolean {
    const at = this.map.get(door);
    return at !== undefined && this.dialects.unlockReply(at.board) === 'status';
  }

  /** What each board speaks, as configured or detected so far (`0x30 status`, `0x32 ack`, `query ? reply ?`). */
  dialectOf(board: number): string {
    return this.dialects.describe(board);
  }

  /**
   * Resolves with the readings of the doors on the unlocked door's board when the board answered with its status:
   * taken as the solenoid was energised, before the latch can have released, so they tell what the door was
   * before the pulse. A board that only acknowledges gives none (`[]`): the door controller learns by polling.
   */
  async unlock(door: number, pulseMs: number): Promise<DoorReading[]> {
    const at = this.map.get(door);
    if (!at) throw new HalError('UNKNOWN_DOOR', `door ${door} is not on this bus`, { door });
    if (!(pulseMs > 0) || pulseMs > this.opts.maxPulseMs) {
      throw new HalError('PULSE_TOO_LONG', `pulse ${pulseMs} ms outside 1..${this.opts.maxPulseMs} ms`, { door, pulseMs });
    }
    const ms = Math.max(1, Math.round(pulseMs));
    this.assertOpen();
    // Both frames are queued together so nothing (a poll) slips between setting the pulse time
    // and the unlock; the unlock is dropped unsent if the pulse time could not be set.
    let pulse: Promise<Cu16Frame> | undefined;
    let pulseTx: ReturnType<Cu16Exchange['queue']>[0] | undefined;
    if (this.boardPulse.get(at.board) !== ms) {
      [pulseTx, pulse] = this.ex.queue({
        lane: 'unlock',
        board: at.board,
        frame: setPulseCommand(at.board, ms),
        what: `set pulse ${ms} ms on board ${at.board}`,
        matches: (f) => f.cmd === Cu16Cmd.PULSE_REPLY && f.addr >> 4 === at.board,
        validate: (f) => {
          const inForce = decodePulse(f.data);
          if (inForce !== ms) return new HalError('DEVICE_ERROR', `board ${at.board} kept pulse ${inForce} ms instead of ${ms} ms`, { board: at.board });
          this.boardPulse.set(at.board, ms);
          return undefined;
        },
      });
    }
    const addr = toAddr(at.board, at.lock);
    const [, unlocked] = this.ex.queue({
      lane: 'unlock',
      board: at.board,
      frame: unlockCommand(at.board, at.lock),
      what: `unlock door ${door} (board ${at.board} lock ${at.lock})`,
      // Either answer, whatever the board is thought to speak: a board swapped for another kind still works.
      matches: (f) => f.addr === addr && (f.cmd === Cu16Cmd.STATUS_REPLY || f.cmd === Cu16Cmd.UNLOCK),
      validate: (f) => {
        if (f.cmd === Cu16Cmd.UNLOCK && f.data[0] !== 0) {
          return new HalError('DEVICE_ERROR', `board ${at.board} refused the unlock of lock ${at.lock} (code 0x${(f.data[0] ?? 0).toString(16)})`, { board: at.board, sent: true });
        }
        this.learn(at.board, () => this.dialects.learnUnlockReply(at.board, f.cmd === Cu16Cmd.UNLOCK ? 'ack' : 'status'));
        return undefined;
      },
      ...(pulseTx ? { after: pulseTx } : {}),
    });
    this.ex.pump();
    const [p, u] = await Promise.allSettled([pulse ?? Promise.resolve(undefined), unlocked]);
    if (p.status === 'rejected') throw p.reason;
    if (u.status === 'rejected') throw u.reason;
    if (u.value.cmd === Cu16Cmd.UNLOCK) return [];
    const s = decodeStatus(u.value.data);
    return this.doors.flatMap((d) => {
      const a = this.map.get(d) as { board: number; lock: number };
      if (a.board !== at.board) return [];
      const bit = 1 << a.lock;
      return [{ door: d, open: (s.locks & bit) !== 0, itemPresent: (s.infrared & bit) !== 0 }];
    });
  }

  async readDoors(): Promise<DoorReading[]> {
    this.assertOpen();
    const results = await Promise.allSettled(this.boards.map((b) => this.readBoard(b)));
    const byBoard = new Map<number, { locks: number; infrared: number }>();
    let firstError: HalError | undefined;
    results.forEach((r, i) => {
      const board = this.boards[i] as number;
      if (r.status === 'fulfilled') byBoard.set(board, r.value);
      else {
        const err = asHalError(r.reason);
        firstError ??= err;
        this.emitError(new HalError('BOARD_SILENT', `board ${board} gave no status: ${err.message}`, { board, cause: err.code }));
      }
    });
    if (byBoard.size === 0) {
      throw new HalError('BUS_TIMEOUT', `no board answered a status query (${firstError?.message ?? 'no boards'})`, { boards: this.boards });
    }
    return this.doors.map((door) => {
      const at = this.map.get(door) as { board: number; lock: number };
      const s = byBoard.get(at.board);
      if (!s) return { door, open: null, itemPresent: null };
      const bit = 1 << at.lock;
      return { door, open: (s.locks & bit) !== 0, itemPresent: (s.infrared & bit) !== 0 };
    });
  }

  /** One status query of `board` (with retries); shared with any query of it still queued. */
  private async readBoard(board: number): Promise<{ locks: number; infrared: number }> {
    const query = this.dialects.statusQuery(board);
    if (query === undefined) return decodeStatus((await this.detectQuery(board)).data);
    let lastErr: HalError | undefined;
    for (let attempt = 0; attempt <= this.opts.statusRetries; attempt++) {
      try {
        let p = this.queuedPolls.get(board);
        if (!p) {
          // Shared until it goes on the wire; a read after that asks again.
          [, p] = this.ex.queue({ ...this.statusTx(board, query, 'status', false), onSent: () => this.queuedPolls.delete(board) });
          // Registered before the pump, which forgets it once it is on the wire.
          this.queuedPolls.set(board, p);
          this.ex.pump();
        }
        return decodeStatus((await p).data);
      } catch (err) {
        lastErr = asHalError(err);
        if (lastErr.code === 'BUS_CLOSED' || lastErr.code === 'TRANSPORT_ERROR') throw lastErr;
      }
    }
    // Silent to the query it was learned to answer: the next read asks both again (this read still counts as failed).
    if (this.learn(board, () => this.dialects.forgetLearnedStatusQuery(board))) {
      this.log.info({ board }, `board ${board} no longer answers status query 0x${query.toString(16)}; detecting again`);
    }
    throw lastErr ?? new HalError('BUS_TIMEOUT', `board ${board} did not answer`);
  }

  /**
   * Asks `board` each status query in turn (a board ignores one it does not know) and keeps the first it answers.
   * One pass stands for one read: a board silent to both counts one failure, as a silent read would.
   */
  private detectQuery(board: number): Promise<Cu16Frame> {
    let p = this.detecting.get(board);
    if (p) return p;
    p = (async () => {
      let last: HalError | undefined;
      for (const q of STATUS_QUERIES) {
        const [, answer] = this.ex.queue(this.statusTx(board, q, 'detect status query', true));
        this.ex.pump();
        try {
          const frame = await answer;
          if (this.learn(board, () => this.dialects.learnStatusQuery(board, q))) {
            this.log.info({ board, statusQuery: q }, `board ${board} answers status query 0x${q.toString(16)}`);
          }
          this.recordSuccess(board);
          return frame;
        } catch (err) {
          last = asHalError(err);
          if (last.code === 'BUS_CLOSED' || last.code === 'TRANSPORT_ERROR') throw last;
        }
      }
      const err = new HalError(last?.code ?? 'BUS_TIMEOUT', `board ${board} answered no status query (0x30, 0x32): ${last?.message ?? ''}`, { board });
      this.recordFailure(board, err);
      throw err;
    })().finally(() => this.detecting.delete(board));
    this.detecting.set(board, p);
    return p;
  }

  private statusTx(board: number, query: Cu16StatusQuery, what: string, probe: boolean): TransactionSpec {
    const addr = toAddr(board, 0);
    return {
      lane: 'poll',
      board,
      frame: statusQuery(board, query),
      what: `${what} of board ${board}`,
      matches: (f) => f.cmd === Cu16Cmd.STATUS_REPLY && f.addr === addr,
      ...(probe ? { probe } : {}),
    };
  }

  /** Asks the boards whose status query is not configured which one they know (at open and after a reopen). */
  private detectDialects(): void {
    for (const b of this.boards) if (this.dialects.statusQuery(b) === undefined) void this.detectQuery(b).catch(() => undefined);
  }

  /** Applies a dialect finding and, when it was news, re-announces the health (which shows the dialects). */
  private learn(board: number, change: () => boolean): boolean {
    if (!change()) return false;
    this.log.debug({ board, dialect: this.dialects.describe(board) }, 'board dialect');
    this.healthOf.check();
    return true;
  }

  /**
   * Asks each bus address (0..9 by default) for its status once, configured or not: the technician's `boards scan`.
   * One address at a time, behind any unlock already queued; a silent address does not change the bus health.
   */
  async probeBoards(addresses: readonly number[] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]): Promise<Array<{ address: number; configured: boolean; answered: boolean }>> {
    this.assertOpen();
    const out: Array<{ address: number; configured: boolean; answered: boolean }> = [];
    for (const address of addresses) {
      if (!Number.isInteger(address) || address < 0 || address > 15) throw new HalError('UNKNOWN_DOOR', `no bus address ${address}`, { address });
      // A configured board is asked in its own dialect; any other address in each.
      const known = this.boards.includes(address) ? this.dialects.statusQuery(address) : undefined;
      let answered = false;
      for (const q of known !== undefined ? [known] : STATUS_QUERIES) {
        const [, p] = this.ex.queue(this.statusTx(address, q, 'probe', true));
        this.ex.pump();
        answered = await p.then(
          () => true,
          (err: unknown) => {
            const e = asHalError(err);
            if (e.code === 'BUS_CLOSED' || e.code === 'TRANSPORT_ERROR') throw e;
            return false;
          },
        );
        if (answered) break;
      }
      out.push({ address, configured: this.boards.includes(address), answered });
    }
    return out;
  }

  async safe(): Promise<void> {
    // The boards time their own pulses: no output of ours stays energised. What is still queued
    // and not sent must not fire later, after the caller decided the column must be safe.
    this.ex.cancelQueuedUnlocks();
  }

  health(): BusHealth {
    return this.healthOf.get();
  }

  async close(): Promise<void> {
    if (this.state === 'closed') return;
    const wasOpen = this.state === 'open';
    this.state = 'closed';
    this.failAll(new HalError('BUS_CLOSED', 'bus closed'));
    if (wasOpen) await this.port.close();
    this.port.removeAllListeners();
    this.ex.dispose();
    this.log.info('CU16 bus closed');
  }

  /** Refuses at once while the bus or its serial port is closed: nothing is queued for a port that is away. */
  private assertOpen(): void {
    if (this.state !== 'open') throw new HalError('BUS_CLOSED', this.state === 'new' ? 'bus not open' : 'bus closed');
    if (!this.port.isOpen) throw new HalError('BUS_CLOSED', 'serial port closed (reopening)', { port: 'closed' });
  }

  private failAll(err: HalError): void {
    this.queuedPolls.clear();
    this.ex.failAll(err);
  }

  private onPortLost(err: HalError): void {
    this.failAll(err);
    // A board may have been power-cycled with the port: its pulse time is back to its own default.
    this.boardPulse.clear();
    this.healthOf.setPort('closed', err);
  }

  private onPortReopened(): void {
    // The board behind the port may have been swapped: learn its dialect again (what is configured stays).
    this.dialects.forgetLearned();
    this.healthOf.setPort('open');
    this.detectDialects();
    this.ex.pump();
  }

  private recordFailure(board: number, err: HalError): void {
    this.boardPulse.delete(board);
    this.healthOf.failure(board, err);
  }

  private recordSuccess(board: number): void {
    this.healthOf.success(board);
  }

  private emitError(err: HalError): void {
    // An unheard 'error' event would throw out of a serial data handler: only emit to listeners.
    if (this.listenerCount('error') > 0) this.emit('error', err);
  }
}

function inOrder(count: number): Cu16DoorAddress[] {
  if (!Number.isInteger(count) || count < 0 || count > (MAX_BOARD + 1) * LOCKS_PER_BOARD) {
    throw new RangeError(`doorCount ${count} outside 0..${(MAX_BOARD + 1) * LOCKS_PER_BOARD}`);
  }
  return Array.from({ length: count }, (_, i) => ({ door: i + 1, board: Math.floor(i / LOCKS_PER_BOARD), lock: i % LOCKS_PER_BOARD }));
}

function asHalError(err: unknown): HalError {
  if (err instanceof HalError) return err;
  const code: HalErrorCode = 'DEVICE_ERROR';
  return new HalError(code, err instanceof Error ? err.message : String(err));
}
