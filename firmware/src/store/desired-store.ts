import { join } from 'node:path';
import { z } from 'zod';
import { desiredSchema, desiredStateHash, type Desired } from '@portier/protocol';
import type { Low } from 'lowdb';
import { openDurableStore, type DurableFile, type StoreReset } from './durable-file.ts';
import type { Logger } from '../util/logger.ts';

export const desiredFileSchema = z.strictObject({
  v: z.literal(1),
  /** The last applied desired message, signature included (re-verified at start-up). */
  desired: desiredSchema.nullable(),
  /** desiredStateHash(desired.state). */
  hash: z.string().regex(/^[0-9a-f]{64}$/).nullable(),
  /**
   * One-time credentials used here (id -> cloud ms used), kept until a desired state without them arrives. They live
   * in the same file as the state, so they can only be lost together with it (then nothing is served offline).
   */
  usedCredentials: z.record(z.string(), z.number().int()),
});
export type DesiredFile = z.infer<typeof desiredFileSchema>;

/** The applied desired state on disk (`desired.json`): serves the controller offline and survives restarts. */
export class DesiredStore {
  private readonly db: Low<DesiredFile>;
  readonly file: DurableFile<DesiredFile>;
  /** Set when the file was corrupt (or did not verify) at start-up and was set aside. */
  reset: StoreReset | undefined;

  private constructor(db: Low<DesiredFile>, file: DurableFile<DesiredFile>, reset: StoreReset | undefined) {
    this.db = db;
    this.file = file;
    this.reset = reset;
  }

  static async open(dir: string, opts: { logger?: Logger } = {}): Promise<DesiredStore> {
    const { db, file, reset } = await openDurableStore<DesiredFile>(
      join(dir, 'desired.json'),
      () => ({ v: 1, desired: null, hash: null, usedCredentials: {} }),
      { schema: desiredFileSchema, ...(opts.logger ? { logger: opts.logger } : {}) },
    );
    return new DesiredStore(db, file, reset);
  }

  get desired(): Desired | null {
    return this.db.data.desired;
  }

  get version(): number | null {
    return this.db.data.desired?.version ?? null;
  }

  get hash(): string | null {
    return this.db.data.hash;
  }

  isUsed(credentialId: string): boolean {
    return Object.hasOwn(this.db.data.usedCredentials, credentialId);
  }

  /**
   * Replaces the applied state; forgets used one-time credentials the new state no longer lists, or lists with
   * another hash (a new code issued under the same id: the collector's pickup code of a return or exchange whose
   * drop-off code was used here). Durable on resolve.
   */
  async apply(desired: Desired): Promise<string> {
    const hash = desiredStateHash(desired.state);
    const listed = new Map(desired.state.credentials.map((c) => [c.id, c.hash]));
    const before = new Map((this.db.data.desired?.state.credentials ?? []).map((c) => [c.id, c.hash]));
    const used: Record<string, number> = {};
    for (const [id, at] of Object.entries(this.db.data.usedCredentials)) {
      const now = listed.get(id);
      if (now !== undefined && (!before.has(id) || before.get(id) === now)) used[id] = at;
    }
    this.db.data = { v: 1, desired, hash, usedCredentials: used };
    await this.db.write();
    return hash;
  }

  /** Marks a one-time credential used, durably. */
  async markUsed(credentialId: string, at: number): Promise<void> {
    this.db.data.usedCredentials[credentialId] = at;
    await this.db.write();
  }

  /** Forgets the state (it failed verification at start-up): the controller serves nothing offline until the cloud sends one. */
  async discard(reason: string): Promise<StoreReset> {
    await this.file.flush();
    this.reset = await this.file.setAside(reason);
    this.db.data = { v: 1, desired: null, hash: null, usedCredentials: {} };
    return this.reset;
  }
}
