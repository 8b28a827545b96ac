import type { BusHealth, BusHealthState } from '../lock-bus.ts';
import type { HalError } from '../errors.ts';
import type { Logger } from '../../util/logger.ts';

/**
 * Health of the CU16 boards on one bus: per board ok -> degraded (1 failure) -> down (`downAfter` in a row), back
 * to ok on the next good reply; the whole bus is `down` while its serial port is closed. Calls `onChange` with
 * the new health when its state (bus, port or a board's) changed, not on every failure.
 */
export class Cu16Health {
  private readonly failures = new Map<number, number>();
  private consecutive = 0;
  private lastError: BusHealth['lastError'];
  private port: 'open' | 'closed' = 'open';
  private lastKey: string;

  constructor(
    private readonly boards: readonly number[],
    private readonly downAfter: number,
    private readonly log: Logger,
    private readonly onChange: (h: BusHealth) => void,
    /** Extra per-board detail for the health report (the dialect). */
    private readonly describe: (board: number) => string | undefined = () => undefined,
  ) {
    for (const b of boards) this.failures.set(b, 0);
    this.lastKey = key(this.get());
  }

  get(): BusHealth {
    const boards = this.boards.map((address) => {
      const n = this.failures.get(address) ?? 0;
      const b: NonNullable<BusHealth['boards']>[number] = { address, state: this.boardState(n), consecutiveFailures: n };
      const dialect = this.describe(address);
      if (dialect) b.dialect = dialect;
      return b;
    });
    const states = boards.map((b) => b.state);
    const state: BusHealthState =
      this.port === 'closed' || states.every((s) => s === 'down') ? 'down' : states.every((s) => s === 'ok') ? 'ok' : 'degraded';
    const h: BusHealth = { state, consecutiveFailures: this.consecutive, boards, port: this.port };
    if (this.lastError) h.lastError = { ...this.lastError };
    return h;
  }

  failure(board: number, err: HalError): void {
    this.failures.set(board, (this.failures.get(board) ?? 0) + 1);
    this.consecutive++;
    this.noteError(err);
    this.log.warn({ board, code: err.code }, err.message);
    this.check();
  }

  success(board: number): void {
    this.failures.set(board, 0);
    this.consecutive = 0;
    this.check();
  }

  /** The serial port went away (`closed`, with why) or came back. */
  setPort(state: 'open' | 'closed', err?: HalError): void {
    this.port = state;
    if (err) this.noteError(err);
    this.check();
  }

  /** Re-announces the health when something only `describe` reports changed (a dialect detected). */
  check(): void {
    const h = this.get();
    const k = key(h);
    if (k === this.lastKey) return;
    this.lastKey = k;
    this.log.info({ health: k }, 'bus health changed');
    this.onChange(h);
  }

  private noteError(err: HalError): void {
    this.lastError = { code: err.code, message: err.message, at: Date.now() };
  }

  private boardState(failures: number): BusHealthState {
    return failures === 0 ? 'ok' : failures < this.downAfter ? 'degraded' : 'down';
  }
}

function key(h: BusHealth): string {
  return `${h.state}|${h.port ?? ''}|${(h.boards ?? []).map((b) => `${b.address}:${b.state}:${b.dialect ?? ''}`).join(',')}`;
}
