/**
 * Controllers' credential keys, as the cloud keeps them: `<dataDir>/keys/credential-keys.json`, each key sealed under
 * the cloud's secrets key and bound to its controller id (domain/code-vault.ts), with its public id. A key is made by
 * `portier-cloud provision` (and replaced by `rekey`), written into the controller's config file, and never sent
 * through the broker. The desired-state publisher reads keys through `keyOf` and calls `refresh()` (a stat) so it
 * sees a key the CLI made while the cloud runs.
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { credentialKeyId, idSchema } from '@portier/protocol';
import { z } from 'zod';
import type { CredentialKeyDirectory } from '../bridge/credential-forms.ts';
import type { CodeVault } from '../domain/code-vault.ts';
import { ensureDir, readTextIfExists, writeFileDurable } from '../mqtt/fs.ts';
import { CloudError } from '../errors.ts';

const fileSchema = z.strictObject({
  version: z.literal(1),
  controllers: z.record(
    idSchema,
    z.strictObject({ keyId: z.string().min(1).max(64), sealedKey: z.string().min(1).max(512), createdAt: z.number().int().min(0) }),
  ),
});
type KeyFile = z.infer<typeof fileSchema>;

export class CredentialKeyError extends CloudError<'CORRUPT'> {
  override name = 'CredentialKeyError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('CORRUPT', message, options);
  }
}

export function credentialKeysPath(dataDir: string): string {
  return join(dataDir, 'keys', 'credential-keys.json');
}

export class CredentialKeyStore implements CredentialKeyDirectory {
  private data: KeyFile = { version: 1, controllers: {} };
  private stamp = '';
  private readonly opened = new Map<string, { sealedKey: string; key: Buffer | undefined }>();
  private chain: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly file: string,
    private readonly vault: CodeVault,
    private readonly now: () => number,
  ) {}

  static async open(dataDir: string, vault: CodeVault, opts: { now?: () => number } = {}): Promise<CredentialKeyStore> {
    const s = new CredentialKeyStore(credentialKeysPath(dataDir), vault, opts.now ?? Date.now);
    await ensureDir(join(dataDir, 'keys'));
    await s.load();
    return s;
  }

  private async fileStamp(): Promise<string> {
    try {
      const st = await stat(this.file);
      return `${st.mtimeMs}:${st.size}:${st.ino}`;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
      throw err;
    }
  }

  private async load(): Promise<void> {
    const stamp = await this.fileStamp();
    const text = await readTextIfExists(this.file);
    if (text === undefined) {
      this.data = { version: 1, controllers: {} };
    } else {
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch (err) {
        throw new CredentialKeyError(`${this.file} is not JSON: ${(err as Error).message}`);
      }
      const r = fileSchema.safeParse(json);
      if (!r.success) throw new CredentialKeyError(`${this.file} is invalid: ${r.error.issues[0]?.message ?? 'invalid'}`);
      this.data = r.data;
    }
    this.stamp = stamp;
  }

  async refresh(): Promise<void> {
    if ((await this.fileStamp()) !== this.stamp) await this.load();
  }

  /** The controller's key, or undefined when the cloud holds none (or it does not open under this secrets key). */
  keyOf(controllerId: string): Buffer | undefined {
    const rec = this.data.controllers[controllerId];
    if (!rec) return undefined;
    const known = this.opened.get(controllerId);
    if (known && known.sealedKey === rec.sealedKey) return known.key;
    const key = this.vault.openKey(controllerId, rec.sealedKey);
    this.opened.set(controllerId, { sealedKey: rec.sealedKey, key });
    return key;
  }

  keyIdOf(controllerId: string): string | undefined {
    return this.data.controllers[controllerId]?.keyId;
  }

  /** Records (or replaces) a controller's key; returns the key it replaced, if any. */
  set(controllerId: string, key: Buffer): Promise<Buffer | undefined> {
    return this.mutate((d) => {
      const before = this.keyOf(controllerId);
      d.controllers[controllerId] = { keyId: credentialKeyId(key), sealedKey: this.vault.sealKey(controllerId, key), createdAt: this.now() };
      return before;
    });
  }

  /** Puts back what `set` replaced (`undefined`: the controller had no key). */
  restore(controllerId: string, key: Buffer | undefined): Promise<void> {
    return this.mutate((d) => {
      if (key) d.controllers[controllerId] = { keyId: credentialKeyId(key), sealedKey: this.vault.sealKey(controllerId, key), createdAt: this.now() };
      else delete d.controllers[controllerId];
    });
  }

  private mutate<T>(fn: (d: KeyFile) => T): Promise<T> {
    const run = async (): Promise<T> => {
      await this.refresh();
      const draft = structuredClone(this.data);
      const out = fn(draft);
      await writeFileDurable(this.file, `${JSON.stringify(draft, null, 2)}\n`, 0o600);
      this.data = draft;
      this.stamp = await this.fileStamp();
      return out;
    };
    const p = this.chain.then(run, run);
    this.chain = p.catch(() => {});
    return p;
  }
}
