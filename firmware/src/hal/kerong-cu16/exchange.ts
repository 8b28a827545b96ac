import { HalError } from '../errors.ts';
import type { Logger } from '../../util/logger.ts';
import { hex, type Cu16Frame } from './frame.ts';
import { Cu16Parser } from './parser.ts';
import type { PortKeeper } from './port-keeper.ts';

export type Lane = 'unlock' | 'poll';

export interface Transaction {
  lane: Lane;
  board: number;
  frame: Buffer;
  what: string;
  matches(frame: Cu16Frame): boolean;
  resolve(frame: Cu16Frame): void;
  reject(err: HalError): void;
  /** Parse errors seen while this transaction waited: a timeout then reports the likely cause. */
  parseError?: HalError;
  /** Checks a matching reply; an error fails the transaction. */
  validate?(frame: Cu16Frame): HalError | undefined;
  /** Sent only if this earlier transaction succeeded. */
  after?: Transaction;
  /** A scan of an address that may hold no board: its silence says nothing about the bus health. */
  probe?: boolean;
  /** Called when the transaction goes on the wire. */
  onSent?(): void;
  /** Set once the transaction failed. */
  failed?: HalError;
  timer?: NodeJS.Timeout;
}

export type TransactionSpec = Omit<Transaction, 'resolve' | 'reject'>;

export interface Cu16ExchangeHooks {
  /** Whether the bus takes traffic (opened, not closed). */
  active(): boolean;
  /** A non-probe transaction got its reply, or failed. */
  success(board: number): void;
  failure(board: number, err: HalError): void;
  /** Bad bytes on the line (never thrown). */
  parseError(err: HalError): void;
}

/**
 * The request/reply traffic of one RS-485 bus: one transaction on the wire at a time (half duplex; boards answer
 * only when asked), each waiting for its reply up to `replyTimeoutMs`; unlocks go ahead of queued status polls,
 * so a person at a door does not wait behind a backlog of polls. Replies are cut from the serial bytes by a
 * parser of the boards' frames.
 */
export class Cu16Exchange {
  private readonly parser = new Cu16Parser({ from: 'board' });
  private readonly queues: Record<Lane, Transaction[]> = { unlock: [], poll: [] };
  private current: Transaction | undefined;

  constructor(
    private readonly port: PortKeeper,
    private readonly replyTimeoutMs: number,
    private readonly log: Logger,
    private readonly hooks: Cu16ExchangeHooks,
  ) {
    port.on('data', (chunk) => this.parser.push(chunk));
    this.parser.on('frame', (f) => this.onFrame(f));
    this.parser.on('error', (e) => this.onParseError(e));
  }

  /** Queues a transaction without starting the bus (the caller pumps). */
  queue(spec: TransactionSpec): [Transaction, Promise<Cu16Frame>] {
    let tx!: Transaction;
    const p = new Promise<Cu16Frame>((resolve, reject) => {
      tx = { ...spec, resolve, reject };
    });
    this.queues[spec.lane].push(tx);
    return [tx, p];
  }

  /** Puts the next queued transaction on the wire, if the line is free. */
  pump(): void {
    if (this.current || !this.hooks.active() || !this.port.isOpen) return;
    const tx = this.queues.unlock.shift() ?? this.queues.poll.shift();
    if (!tx) return;
    if (tx.after?.failed) {
      tx.failed = tx.after.failed;
      tx.reject(new HalError(tx.after.failed.code, `${tx.what}: not sent, ${tx.after.failed.message}`, { board: tx.board, sent: false }));
      this.pump();
      return;
    }
    tx.onSent?.();
    this.current = tx;
    tx.timer = setTimeout(() => this.onTimeout(tx), this.replyTimeoutMs);
    this.log.trace({ bytes: hex(tx.frame) }, `-> ${tx.what}`);
    this.port.write(tx.frame, (err) => {
      if (err && this.current === tx) this.finish(tx, new HalError(err.code, `${tx.what}: ${err.message}`, { board: tx.board, sent: false }));
    });
  }

  /** Cancels the unlocks not yet sent (the column must be safe: they must not fire later). */
  cancelQueuedUnlocks(): void {
    const queued = this.queues.unlock.splice(0);
    for (const tx of queued) tx.failed = new HalError('BUS_CLOSED', 'cancelled');
    for (const tx of queued) tx.reject(new HalError('BUS_CLOSED', `${tx.what}: cancelled, outputs driven safe`));
  }

  /** Fails everything pending: what is on the wire may have reached a board (`sent`), what is queued did not. */
  failAll(err: HalError): void {
    const inFlight = this.current;
    const all = [...(inFlight ? [inFlight] : []), ...this.queues.unlock.splice(0), ...this.queues.poll.splice(0)];
    this.current = undefined;
    this.parser.reset();
    for (const tx of all) {
      if (tx.timer) clearTimeout(tx.timer);
      tx.failed = err;
      tx.reject(new HalError(err.code, `${tx.what}: ${err.message}`, { board: tx.board, sent: tx === inFlight }));
    }
  }

  dispose(): void {
    this.parser.removeAllListeners();
  }

  private onFrame(frame: Cu16Frame): void {
    const tx = this.current;
    if (!tx || !tx.matches(frame)) {
      this.log.debug({ addr: frame.addr, cmd: frame.cmd }, 'unexpected frame ignored (late reply or another board)');
      return;
    }
    this.finish(tx, undefined, frame);
  }

  private onParseError(err: HalError): void {
    this.log.warn({ code: err.code }, err.message);
    if (this.current) this.current.parseError = err;
    this.hooks.parseError(err);
  }

  private onTimeout(tx: Transaction): void {
    if (this.current !== tx) return;
    // Whatever part of a reply is still buffered is stale now.
    this.parser.reset();
    const cause = tx.parseError;
    const err = cause
      ? new HalError(cause.code, `${tx.what}: no valid reply within ${this.replyTimeoutMs} ms (${cause.message})`, { board: tx.board })
      : new HalError('BUS_TIMEOUT', `${tx.what}: no reply within ${this.replyTimeoutMs} ms`, { board: tx.board });
    this.finish(tx, err);
  }

  private finish(tx: Transaction, err: HalError | undefined, frame?: Cu16Frame): void {
    if (tx.timer) clearTimeout(tx.timer);
    if (this.current === tx) this.current = undefined;
    if (!err && frame && tx.validate) err = tx.validate(frame);
    if (err) {
      tx.failed = err;
      if (!tx.probe) this.hooks.failure(tx.board, err);
      tx.reject(err);
    } else {
      if (!tx.probe) this.hooks.success(tx.board);
      tx.resolve(frame as Cu16Frame);
    }
    this.pump();
  }
}
