/**
 * The last desired state the cloud signed for each controller, one durable file per controller
 * (`<dir>/<controllerId>.json`). It is written before it is published, so a version number is never used twice,
 * and it is published again (retained) when the link connects, so a broker that lost its retained messages in a
 * restart has them back.
 */
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { desiredSchema, idSchema, type Desired } from '@portier/protocol';
import { ensureDir, readTextIfExists, writeFileDurable } from '../mqtt/fs.ts';
import { CloudError } from '../errors.ts';

/**
 * CORRUPT: a stored state that does not parse. CONFLICT: another instance stored that version or a newer one
 * (pg-desired-store.ts); the store then holds that one, and the next version goes above it.
 */
export class DesiredStoreError extends CloudError<'CORRUPT' | 'CONFLICT'> {
  override name = 'DesiredStoreError';
  constructor(message: string, options?: { cause?: unknown }, code: 'CORRUPT' | 'CONFLICT' = 'CORRUPT') {
    super(code, message, options);
  }
}

export interface SentDesired {
  message: Desired;
  /** desiredStateHash(message.state), what the controller reports back when it applied it. */
  hash: string;
}

/**
 * The last desired state signed per controller, wherever it is kept: a file each (DesiredStore, one cloud instance) or
 * PostgreSQL (several instances: the one owning a bank goes on from the versions another signed).
 */
export interface DesiredVersions {
  get(controllerId: string): SentDesired | undefined;
  all(): SentDesired[];
  /**
   * Durable before it resolves: a version is never signed twice. Where several instances share the versions, refused
   * (DesiredStoreError CONFLICT) when another one stored that version or a newer one; `get` then answers that one.
   */
  put(sent: SentDesired): Promise<void>;
  /** Forgets a controller's state (its column was deleted): it is not published again. */
  delete(controllerId: string): Promise<void>;
  /** Reads these controllers' states again (another instance may have signed newer ones); nothing for the files. */
  refresh(controllerIds: readonly string[]): Promise<void>;
}

export class DesiredStore implements DesiredVersions {
  private readonly byController = new Map<string, SentDesired>();

  private constructor(readonly dir: string) {}

  static async open(dir: string, hashOf: (d: Desired) => string): Promise<DesiredStore> {
    await ensureDir(dir);
    const store = new DesiredStore(dir);
    for (const name of await readdir(dir)) {
      if (!name.endsWith('.json') || name.startsWith('.')) continue;
      const controllerId = name.slice(0, -'.json'.length);
      if (!idSchema.safeParse(controllerId).success) continue;
      const text = await readTextIfExists(join(dir, name));
      if (text === undefined) continue;
      let parsed: Desired;
      try {
        parsed = desiredSchema.parse(JSON.parse(text));
      } catch (err) {
        throw new DesiredStoreError(`${join(dir, name)}: ${(err as Error).message.slice(0, 200)}`);
      }
      store.byController.set(controllerId, { message: parsed, hash: hashOf(parsed) });
    }
    return store;
  }

  get(controllerId: string): SentDesired | undefined {
    return this.byController.get(controllerId);
  }

  all(): SentDesired[] {
    return [...this.byController.values()];
  }

  /** Forgets a controller's state (its column was deleted): it is not published again. */
  async delete(controllerId: string): Promise<void> {
    await rm(join(this.dir, `${controllerId}.json`), { force: true });
    this.byController.delete(controllerId);
  }

  /** Only this process writes the folder: nothing to read again. */
  async refresh(_controllerIds: readonly string[]): Promise<void> {}

  async put(sent: SentDesired): Promise<void> {
    await writeFileDurable(join(this.dir, `${sent.message.controllerId}.json`), JSON.stringify(sent.message));
    this.byController.set(sent.message.controllerId, sent);
  }
}
