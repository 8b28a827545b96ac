import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { writeFileDurable } from '../store/durable-file.ts';
import type { TokenRecord, TokenRepo } from './users.ts';

const TokenFileSchema = z.object({
  format: z.literal(1),
  tokens: z.array(
    z.object({ hash: z.string().length(64), userId: z.string().min(1), createdAt: z.number().int(), expiresAt: z.number().int() }),
  ),
});

/**
 * Token hashes in their own small file (`tokens.json` in the data folder), written durably. Sessions survive a
 * restart, so the admin CLI's saved token keeps working. A missing or unreadable file only means everyone logs in
 * again: it never stops the service from starting.
 */
export class FileTokenRepo implements TokenRepo {
  readonly #file: string;
  readonly #tokens = new Map<string, TokenRecord>();
  #writing: Promise<void> = Promise.resolve();

  private constructor(file: string) {
    this.#file = file;
  }

  static async open(file: string, now: number, onProblem?: (message: string) => void): Promise<FileTokenRepo> {
    const repo = new FileTokenRepo(file);
    try {
      const parsed = TokenFileSchema.safeParse(JSON.parse(await readFile(file, 'utf8')));
      if (parsed.success) {
        for (const t of parsed.data.tokens) if (t.expiresAt > now) repo.#tokens.set(t.hash, t);
      } else onProblem?.(`ignoring malformed token file ${file}`);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') onProblem?.(`ignoring unreadable token file ${file}: ${String(err)}`);
    }
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

  /** Writes are chained so the file always ends with the latest state, whatever order the fsyncs finish in. */
  #save(): Promise<void> {
    const next = this.#writing.then(() => writeFileDurable(this.#file, JSON.stringify({ format: 1, tokens: [...this.#tokens.values()] })));
    this.#writing = next.catch(() => {});
    return next;
  }
}
