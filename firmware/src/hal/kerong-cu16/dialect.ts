import { z } from 'zod';
import { Cu16Cmd } from './frame.ts';

/** The status query a board knows. */
export type Cu16StatusQuery = typeof Cu16Cmd.STATUS_QUERY | typeof Cu16Cmd.STATUS_QUERY_ALT;
/** How a board answers an unlock: with the status of its 16 locks, or with a short acknowledgement. */
export type Cu16UnlockReply = 'status' | 'ack';

/** What one board speaks. */
export interface Cu16Dialect {
  statusQuery: Cu16StatusQuery;
  unlockReply: Cu16UnlockReply;
}

/** A configured dialect: each part given is used as is, each part left out is detected. */
export type Cu16DialectOverride = Partial<Cu16Dialect>;

/** The status queries to try, in order, on a board whose query is not known yet. */
export const STATUS_QUERIES: readonly Cu16StatusQuery[] = [Cu16Cmd.STATUS_QUERY, Cu16Cmd.STATUS_QUERY_ALT];

/**
 * What a KR-CU16 board speaks, part by part; a part left out is detected (the status query at start, the unlock
 * answer from the board's first unlock).
 */
export const cu16DialectSchema = z
  .object({
    /** The status query the board knows. YAML reads an unquoted 0x32 as the number 50: both spellings are taken. */
    statusQuery: z.preprocess((v) => (v === 0x30 ? '0x30' : v === 0x32 ? '0x32' : v), z.enum(['0x30', '0x32'])).optional(),
    /** How the board answers an unlock: its status frame, or the short acknowledgement `02 ADDR 31 00 03 SUM`. */
    unlockReply: z.enum(['status', 'ack']).optional(),
  })
  .strict();

/** A dialect as the controller config spells it (`statusQuery: '0x32'`, `unlockReply: ack`). */
export function dialectFromConfig(c: { statusQuery?: '0x30' | '0x32' | undefined; unlockReply?: Cu16UnlockReply | undefined }): Cu16DialectOverride {
  const d: Cu16DialectOverride = {};
  if (c.statusQuery) d.statusQuery = c.statusQuery === '0x32' ? Cu16Cmd.STATUS_QUERY_ALT : Cu16Cmd.STATUS_QUERY;
  if (c.unlockReply) d.unlockReply = c.unlockReply;
  return d;
}

interface Known {
  statusQuery?: Cu16StatusQuery;
  unlockReply?: Cu16UnlockReply;
  configured: Cu16DialectOverride;
}

/**
 * The dialect of each board on a bus, part by part: configured, or learned from the board. The status query is
 * found at start by asking 0x30 then 0x32 (a board ignores a query it does not know); the unlock reply cannot be
 * asked for without pulsing a lock, so it is learned from the board's answer to its first unlock, and until then
 * the bus accepts either answer and does not promise the door controller a status with the unlock.
 */
export class BoardDialects {
  private readonly boards = new Map<number, Known>();

  constructor(boards: readonly number[], configured: (board: number) => Cu16DialectOverride = () => ({})) {
    for (const b of boards) {
      const c = configured(b);
      this.boards.set(b, { ...c, configured: c });
    }
  }

  statusQuery(board: number): Cu16StatusQuery | undefined {
    return this.boards.get(board)?.statusQuery;
  }

  unlockReply(board: number): Cu16UnlockReply | undefined {
    return this.boards.get(board)?.unlockReply;
  }

  /** Records what the board answered; returns whether that was news. */
  learnStatusQuery(board: number, q: Cu16StatusQuery): boolean {
    const k = this.boards.get(board);
    if (!k || k.statusQuery === q) return false;
    k.statusQuery = q;
    return true;
  }

  /** Records how the board answered an unlock; returns whether that was news. */
  learnUnlockReply(board: number, r: Cu16UnlockReply): boolean {
    const k = this.boards.get(board);
    if (!k || k.unlockReply === r) return false;
    k.unlockReply = r;
    return true;
  }

  /**
   * Forgets a learned status query that the board stopped answering: a late answer during detection can teach the
   * wrong one, and a board swapped behind the same address speaks another. Returns whether there was one to forget
   * (a configured query is kept).
   */
  forgetLearnedStatusQuery(board: number): boolean {
    const k = this.boards.get(board);
    if (!k || k.statusQuery === undefined || k.configured.statusQuery !== undefined) return false;
    delete k.statusQuery;
    return true;
  }

  /** Forgets what was learned (the port came back: the board behind it may have been swapped); keeps the configured. */
  forgetLearned(): void {
    for (const k of this.boards.values()) {
      if (k.configured.statusQuery === undefined) delete k.statusQuery;
      if (k.configured.unlockReply === undefined) delete k.unlockReply;
    }
  }

  /** `0x30 status`, `0x32 ack`, with `query ?` / `reply ?` for what is not known yet (the console's status). */
  describe(board: number): string {
    const k = this.boards.get(board);
    const q = k?.statusQuery !== undefined ? `0x${k.statusQuery.toString(16)}` : 'query ?';
    const r = k?.unlockReply ?? 'reply ?';
    return `${q} ${r}`;
  }
}
