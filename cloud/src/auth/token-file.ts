import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { writeFileDurable } from '../store/durable-file.ts';
import { newSessionId, TokenRecordSchema, type TokenRecord, type TokenRepo } from './sessions.ts';

/**
 * A record as the file holds it. The releases before sessions wrote only `hash`, `userId`, `createdAt` and
 * `expiresAt`: such a token loads as a session (a new id; last seen at load time, so an upgrade signs nobody out
 * at once). The session's fields are added beside the old ones under the same format number: a previous release
 * reading this file takes the fields it knows and ignores the others, so going back a release keeps people signed in.
 */
const StoredTokenSchema = TokenRecordSchema.partial({ id: true, lastSeenAt: true });
const TokenFileSchema = z.object({ format: z.literal(1), tokens: z.array(StoredTokenSchema) });

/**
 * The file's name in the data folder. Session state, not configuration: backups leave it out and a restore drops
 * it, so a restored folder brings no ended session back (everyone signs in again).
 */
export const SESSIONS_FILE = 'tokens.json';

/** A request's time of a session reaches the file at most this often (a restart loses at most this much of it). */
export const LAST_SEEN_WRITE_MS = 60_000;

/**
 * Sessions in their own small file (`tokens.json` in the data folder), written durably. Sessions survive a restart,
 * so the admin CLI's saved token keeps working. A missing or unreadable file only means everyone signs in again: it
 * never stops the service from starting.
 */
export class FileTokenRepo implements TokenRepo {
  readonly #file: string;
  readonly #tokens = new Map<string, TokenRecord>();
  #writing: Promise<void> = Promise.resolve();
  /** When the file last took the requests' times, and whether newer ones wait in memory. */
  #seenSavedAt = 0;
  #seenDirty = false;
  readonly #onProblem: ((message: string) => void) | undefined;

  private constructor(file: string, onProblem: ((message: string) => void) | undefined) {
    this.#file = file;
    this.#onProblem = onProblem;
  }

  static async open(file: string, now: number, onProblem?: (message: string) => void): Promise<FileTokenRepo> {
    const repo = new FileTokenRepo(file, onProblem);
    let upgraded = false;
    try {
      const parsed = TokenFileSchema.safeParse(JSON.parse(await readFile(file, 'utf8')));
      if (parsed.success) {
        for (const t of parsed.data.tokens) {
          if (t.expiresAt <= now) continue;
          if (t.id === undefined || t.lastSeenAt === undefined) upgraded = true;
          repo.#tokens.set(t.hash, { ...t, id: t.id ?? newSessionId(), lastSeenAt: t.lastSeenAt ?? now });
        }
      } else onProblem?.(`ignoring malformed token file ${file}`);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') onProblem?.(`ignoring unreadable token file ${file}: ${String(err)}`);
    }
    // The ids given to the tokens of a previous release are written at once, so a session keeps its id across restarts.
    if (upgraded) await repo.#save();
    repo.#seenSavedAt = now;
    return repo;
  }

  async get(hash: string): Promise<TokenRecord | undefined> {
    return this.#tokens.get(hash);
  }
  async put(token: TokenRecord): Promise<void> {
    this.#tokens.set(token.hash, { ...token });
    await this.#save();
  }
  async delete(hash: string): Promise<void> {
    if (this.#tokens.delete(hash)) await this.#save();
  }
  async prune(now: number, userId?: string): Promise<void> {
    let changed = false;
    for (const [h, t] of this.#tokens) {
      if (t.expiresAt <= now || t.userId === userId) {
        this.#tokens.delete(h);
        changed = true;
      }
    }
    if (changed) await this.#save();
  }
  async listByUser(userId: string): Promise<TokenRecord[]> {
    return [...this.#tokens.values()].filter((t) => t.userId === userId);
  }

  /** Every open session (what `portier-cloud migrate-store` moves into the database beside the store). */
  all(): TokenRecord[] {
    return [...this.#tokens.values()].map((t) => ({ ...t }));
  }

  /**
   * The time is kept in memory at once; the file takes it with the next write, or by itself once a minute at most
   * (whatever the number of sessions), so a busy cloud does not rewrite the file at every request.
   */
  touch(hash: string, at: number): void {
    const t = this.#tokens.get(hash);
    if (!t || at <= t.lastSeenAt) return;
    t.lastSeenAt = at;
    this.#seenDirty = true;
    if (at - this.#seenSavedAt >= LAST_SEEN_WRITE_MS) {
      this.#seenSavedAt = at;
      this.#save().catch((err: unknown) => this.#onProblem?.(`could not write the token file ${this.#file}: ${String(err)}`));
    }
  }

  /** Writes the requests' times still held in memory only (at a clean stop). */
  async flush(): Promise<void> {
    if (this.#seenDirty) await this.#save();
    await this.#writing;
  }

  /** Writes are chained so the file always ends with the latest state, whatever order the fsyncs finish in. */
  #save(): Promise<void> {
    const next = this.#writing.then(() => {
      this.#seenDirty = false;
      return writeFileDurable(this.#file, JSON.stringify({ format: 1, tokens: [...this.#tokens.values()] }));
    });
    this.#writing = next.catch(() => {});
    return next;
  }
}
