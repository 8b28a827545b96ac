/**
 * The durable registry of who may connect to the broker: one identity per controller (bank, column) and the cloud's
 * service accounts. Secrets are stored only as salted scrypt hashes. A revoked identity stays in the file for good,
 * so its id can never be provisioned again and its secret is never accepted again, also after a restart; the
 * fingerprint of every secret ever issued is kept so the same secret is never issued twice.
 *
 * One small JSON file under `<dataDir>/mqtt/identities.json`, rewritten durably on every change. `portier-cloud
 * provision|revoke` may run while the cloud runs: every change re-reads the file first; readers call `refresh()`
 * (cheap: a stat), the running cloud watches the file (identity-watch.ts) so a revocation made by the CLI closes the
 * identity's live connection at once, and `isActive()` reads the file's state as of now (a synchronous stat), so the cloud ignores
 * whatever a revoked identity sent once the revocation is on disk, before any watcher fired.
 */
import { EventEmitter } from 'node:events';
import { readFileSync, statSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { idSchema } from '@portier/protocol';
import { z } from 'zod';
import { ensureDir, readTextIfExists, writeFileDurable } from './fs.ts';
import {
  CHOSEN_SECRET_HASH_PARAMS,
  DEFAULT_SECRET_HASH_PARAMS,
  hashSecret,
  mosquittoPasswordHash,
  natsPasswordHash,
  newSecret,
  safeEqual,
  secretFingerprint,
  verifyNatsHash,
  verifySecret,
  type SecretHashParams,
} from './secrets.ts';
import { CloudError } from '../errors.ts';

export type IdentityErrorCode = 'ALREADY_EXISTS' | 'REVOKED' | 'NOT_FOUND' | 'SECRET_REUSED' | 'CORRUPT' | 'INVALID';

export class IdentityError extends CloudError<IdentityErrorCode> {
  override name = 'IdentityError';
  constructor(code: IdentityErrorCode, message: string, field?: string) {
    super(code, message, { field });
  }
}

const natsHashSchema = z.string().regex(/^\$2[aby]\$\d{2}\$[./A-Za-z0-9]{53}$/);

const controllerRecord = z.strictObject({
  kind: z.literal('controller'),
  controllerId: idSchema,
  bankId: idSchema,
  column: z.number().int().min(1).max(64),
  secretHash: z.string().min(1),
  /** The same secret in Mosquitto's `$7$` format, for the generated password file. */
  mosquittoHash: z.string().regex(/^\$7\$\d+\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/),
  /** The same secret as a NATS server's bcrypt hash; absent from identities issued by releases before NATS support. */
  natsHash: natsHashSchema.optional(),
  createdAt: z.number().int().min(0),
  revokedAt: z.number().int().min(0).nullable(),
});
const serviceRecord = z.strictObject({
  kind: z.literal('service'),
  username: idSchema,
  secretHash: z.string().min(1),
  /** The same secret in Mosquitto's `$7$` format, for the generated password file. */
  mosquittoHash: z.string().regex(/^\$7\$\d+\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/),
  /** The same secret as a NATS server's bcrypt hash; absent from identities issued by releases before NATS support. */
  natsHash: natsHashSchema.optional(),
  createdAt: z.number().int().min(0),
  revokedAt: z.number().int().min(0).nullable(),
});
const registryFile = z.strictObject({
  version: z.literal(1),
  controllers: z.array(controllerRecord),
  services: z.array(serviceRecord),
  /** SHA-256 of every secret ever issued (never used to authenticate). */
  issued: z.array(z.string().regex(/^[0-9a-f]{64}$/)),
});
type RegistryFile = z.infer<typeof registryFile>;

export type ControllerIdentity = z.infer<typeof controllerRecord>;
export type ServiceAccount = z.infer<typeof serviceRecord>;
/** Who a connected client is, as the broker's access rules see it. */
export type BrokerIdentity =
  | { kind: 'controller'; username: string; controllerId: string; bankId: string; column: number }
  | { kind: 'service'; username: string };

/** What the sync link needs to know about a controller. */
export interface ControllerDirectory {
  controller(controllerId: string): ControllerIdentity | undefined;
  /** The identity exists and is not revoked, as of the registry file now. */
  isActive(name: string): boolean;
  /** The controllers of a bank, revoked ones included. */
  controllersOfBank(bankId: string): readonly ControllerIdentity[];
}

export interface IdentityRegistryEvents {
  revoked: [username: string];
}

export interface IdentityRegistryOptions {
  hashParams?: SecretHashParams;
  now?: () => number;
  /** Secret generator (tests). */
  newSecret?: () => string;
}

export const IDENTITIES_FILE = 'identities.json';

/** What `newSecret()` makes (32 random bytes, base64url): a secret nobody chose. */
export const GENERATED_SECRET = /^[A-Za-z0-9_-]{43}$/;

export function identitiesPath(dataDir: string): string {
  return join(dataDir, 'mqtt', IDENTITIES_FILE);
}

/** What tells one version of the file from another: it is replaced by a rename on every write. */
function stampOf(s: { mtimeMs: number; size: number; ino: number }): string {
  return `${s.mtimeMs}:${s.size}:${s.ino}`;
}

function emptyFile(): RegistryFile {
  return { version: 1, controllers: [], services: [], issued: [] };
}

/** Column position, then controller id: the order of a bank's controllers. */
export function byColumn(a: ControllerIdentity, b: ControllerIdentity): number {
  return a.column - b.column || (a.controllerId < b.controllerId ? -1 : a.controllerId > b.controllerId ? 1 : 0);
}

export class IdentityRegistry extends EventEmitter<IdentityRegistryEvents> implements ControllerDirectory {
  private data: RegistryFile = emptyFile();
  /** name -> record of `data`, rebuilt whenever `data` is replaced (lookups run per message and per connect). */
  private index = new Map<string, ControllerIdentity | ServiceAccount>();
  /** bank id -> its active (not revoked) controllers by column position, rebuilt with `index`. */
  private banks = new Map<string, readonly ControllerIdentity[]>();
  private stamp = '';
  /** username -> fingerprint of the last secret that verified: reconnects skip scrypt (cleared on any change). */
  private verified = new Map<string, string>();
  private chain: Promise<unknown> = Promise.resolve();
  private readonly hashParams: SecretHashParams;
  private readonly now: () => number;
  private readonly makeSecret: () => string;

  private constructor(
    readonly file: string,
    opts: IdentityRegistryOptions,
  ) {
    super();
    this.hashParams = opts.hashParams ?? DEFAULT_SECRET_HASH_PARAMS;
    this.now = opts.now ?? Date.now;
    this.makeSecret = opts.newSecret ?? newSecret;
  }

  /** Opens (or starts) the registry of a data folder. A file that does not parse is an error, never guessed at. */
  static async open(dataDir: string, opts: IdentityRegistryOptions = {}): Promise<IdentityRegistry> {
    const reg = new IdentityRegistry(identitiesPath(dataDir), opts);
    await ensureDir(join(dataDir, 'mqtt'));
    await reg.load();
    return reg;
  }

  private async fileStamp(): Promise<string> {
    try {
      return stampOf(await stat(this.file));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
      throw err;
    }
  }

  private fileStampSync(): string {
    const s = statSync(this.file, { throwIfNoEntry: false });
    return s ? stampOf(s) : 'missing';
  }

  private async load(): Promise<void> {
    const stamp = await this.fileStamp();
    this.apply(await readTextIfExists(this.file), stamp);
  }

  /** Takes the file's text (undefined: no file) as the registry's state. */
  private apply(text: string | undefined, stamp: string): void {
    if (text === undefined) {
      this.setData(emptyFile());
    } else {
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch (err) {
        throw new IdentityError('CORRUPT', `${this.file} is not JSON: ${(err as Error).message}`);
      }
      const r = registryFile.safeParse(json);
      if (!r.success) throw new IdentityError('CORRUPT', `${this.file} is invalid: ${r.error.issues[0]?.message ?? 'invalid'}`);
      const before = this.index;
      this.setData(r.data);
      // A revocation made by another process: tell the broker so it drops live sessions.
      for (const [name, rec] of this.index) {
        if (rec.revokedAt !== null && before.get(name)?.revokedAt === null) this.emit('revoked', name);
      }
    }
    this.stamp = stamp;
    this.verified.clear();
  }

  /**
   * The synchronous `refresh()`: one stat, a read when another process changed the file. A file that cannot be
   * read or parsed keeps the state known so far (and `refresh()` reports it).
   */
  private refreshSync(): void {
    try {
      const stamp = this.fileStampSync();
      if (stamp !== this.stamp) this.apply(stamp === 'missing' ? undefined : readFileSync(this.file, 'utf8'), stamp);
    } catch {
      // Reported by the next refresh(); meanwhile the last good state stands.
    }
  }

  /** Re-reads the file if another process changed it (one stat when it did not). */
  async refresh(): Promise<void> {
    if ((await this.fileStamp()) !== this.stamp) await this.load();
  }

  private mutate<T>(fn: (data: RegistryFile) => Promise<T> | T): Promise<T> {
    const run = async (): Promise<T> => {
      await this.refresh();
      const draft = structuredClone(this.data);
      const result = await fn(draft);
      await writeFileDurable(this.file, `${JSON.stringify(draft, null, 2)}\n`);
      this.setData(draft);
      this.stamp = await this.fileStamp();
      this.verified.clear();
      return result;
    };
    const p = this.chain.then(run, run);
    this.chain = p.catch(() => {});
    return p;
  }

  private setData(data: RegistryFile): void {
    this.data = data;
    this.index = new Map();
    for (const c of data.controllers) this.index.set(c.controllerId, c);
    for (const s of data.services) this.index.set(s.username, s);
    const banks = new Map<string, ControllerIdentity[]>();
    for (const c of data.controllers) {
      if (c.revokedAt !== null) continue;
      const list = banks.get(c.bankId);
      if (list) list.push(c);
      else banks.set(c.bankId, [c]);
    }
    for (const list of banks.values()) list.sort(byColumn);
    this.banks = banks;
  }

  private taken(data: RegistryFile, name: string): ControllerIdentity | ServiceAccount | undefined {
    if (data === this.data) return this.index.get(name);
    return data.controllers.find((c) => c.controllerId === name) ?? data.services.find((s) => s.username === name);
  }

  private async issue(
    data: RegistryFile,
    secret: string | undefined,
    random = false,
  ): Promise<{ secret: string; hash: string; mosquittoHash: string; natsHash: string }> {
    const s = secret ?? this.makeSecret();
    if (s.length < 16) throw new IdentityError('INVALID', 'a secret must be at least 16 characters', 'secret');
    const fp = secretFingerprint(s);
    if (data.issued.includes(fp)) throw new IdentityError('SECRET_REUSED', 'this secret was issued before and is never issued again', 'secret');
    data.issued.push(fp);
    // A chosen secret may be weak: it gets the full scrypt cost (tests may lower both).
    const params = secret === undefined || random || this.hashParams !== DEFAULT_SECRET_HASH_PARAMS ? this.hashParams : CHOSEN_SECRET_HASH_PARAMS;
    const chosen = params === CHOSEN_SECRET_HASH_PARAMS;
    return { secret: s, hash: await hashSecret(s, params), mosquittoHash: mosquittoPasswordHash(s), natsHash: natsPasswordHash(s, chosen) };
  }

  private checkNew(data: RegistryFile, name: string, field: string): void {
    const r = idSchema.safeParse(name);
    if (!r.success) throw new IdentityError('INVALID', `${field}: ${r.error.issues[0]?.message ?? 'invalid id'}`, field);
    const existing = this.taken(data, name);
    if (existing?.revokedAt != null) throw new IdentityError('REVOKED', `${name} was revoked and can never be used again`, field);
    if (existing) throw new IdentityError('ALREADY_EXISTS', `${name} already exists`, field);
  }

  private checkController(data: RegistryFile, input: { controllerId: string; bankId: string; column: number }): void {
    this.checkNew(data, input.controllerId, 'controllerId');
    const b = idSchema.safeParse(input.bankId);
    if (!b.success) throw new IdentityError('INVALID', `bankId: ${b.error.issues[0]?.message ?? 'invalid id'}`, 'bankId');
    if (!Number.isInteger(input.column) || input.column < 1 || input.column > 64) throw new IdentityError('INVALID', 'column must be 1..64', 'column');
  }

  private async addController(data: RegistryFile, input: { controllerId: string; bankId: string; column: number; secret?: string }): Promise<{ identity: ControllerIdentity; secret: string }> {
    const { secret, hash, mosquittoHash, natsHash } = await this.issue(data, input.secret);
    const { controllerId, bankId, column } = input;
    const identity: ControllerIdentity = { kind: 'controller', controllerId, bankId, column, secretHash: hash, mosquittoHash, natsHash, createdAt: this.now(), revokedAt: null };
    data.controllers.push(identity);
    return { identity, secret };
  }

  /** Creates a controller identity; returns its secret (the only time it is known in clear). */
  createController(input: { controllerId: string; bankId: string; column: number; secret?: string }): Promise<{ identity: ControllerIdentity; secret: string }> {
    return this.mutate(async (data) => {
      this.checkController(data, input);
      return this.addController(data, input);
    });
  }

  /**
   * Creates many controller identities in one durable write (a fleet, a benchmark): all or none. Returns the
   * secrets in input order.
   */
  createControllers(inputs: Array<{ controllerId: string; bankId: string; column: number }>): Promise<Array<{ identity: ControllerIdentity; secret: string }>> {
    return this.mutate(async (data) => {
      const seen = new Set<string>();
      for (const input of inputs) {
        this.checkController(data, input);
        if (seen.has(input.controllerId)) throw new IdentityError('ALREADY_EXISTS', `${input.controllerId} given twice`, 'controllerId');
        seen.add(input.controllerId);
      }
      const out: Array<{ identity: ControllerIdentity; secret: string }> = [];
      for (const { controllerId, bankId, column } of inputs) out.push(await this.addController(data, { controllerId, bankId, column }));
      return out;
    });
  }

  /** Creates a service account (the cloud's own MQTT user); returns its secret. */
  createServiceAccount(input: {
    username: string;
    secret?: string;
    /** The given secret came from `newSecret()` (32 random bytes), not from a person: the cheap hash is enough. */
    secretIsRandom?: boolean;
  }): Promise<{ account: ServiceAccount; secret: string }> {
    return this.mutate(async (data) => {
      this.checkNew(data, input.username, 'username');
      const { secret, hash, mosquittoHash, natsHash } = await this.issue(data, input.secret, input.secretIsRandom === true);
      const account: ServiceAccount = { kind: 'service', username: input.username, secretHash: hash, mosquittoHash, natsHash, createdAt: this.now(), revokedAt: null };
      data.services.push(account);
      return { account, secret };
    });
  }

  /**
   * Adds the NATS hash to a service account issued before NATS support, from its secret (which the cloud keeps in its
   * data folder, unlike a controller's). The secret must verify; a revoked or unknown account is refused.
   */
  async addNatsHash(username: string, secret: string): Promise<ServiceAccount> {
    if (!(await this.authenticate(username, secret))) throw new IdentityError('NOT_FOUND', `no active service account ${username} with this secret`, 'username');
    return this.mutate(async (data) => {
      const rec = this.taken(data, username);
      if (rec?.kind !== 'service' || rec.revokedAt !== null) throw new IdentityError('NOT_FOUND', `no active service account ${username}`, 'username');
      if (rec.natsHash === undefined || !verifyNatsHash(secret, rec.natsHash)) rec.natsHash = natsPasswordHash(secret, !GENERATED_SECRET.test(secret));
      return rec;
    });
  }

  /** Ends an identity (controller id or service username) for good. Revoking twice is not an error. */
  async revoke(name: string): Promise<ControllerIdentity | ServiceAccount> {
    const rec = await this.mutate((data) => {
      const rec = this.taken(data, name);
      if (!rec) throw new IdentityError('NOT_FOUND', `no identity ${JSON.stringify(name)}`, 'controllerId');
      if (rec.revokedAt === null) rec.revokedAt = this.now();
      return rec;
    });
    this.emit('revoked', name);
    return rec;
  }

  isActive(name: string): boolean {
    this.refreshSync();
    const rec = this.index.get(name);
    return rec !== undefined && rec.revokedAt === null;
  }

  controller(controllerId: string): ControllerIdentity | undefined {
    const rec = this.index.get(controllerId);
    return rec?.kind === 'controller' ? rec : undefined;
  }

  service(username: string): ServiceAccount | undefined {
    const rec = this.index.get(username);
    return rec?.kind === 'service' ? rec : undefined;
  }

  controllers(): ControllerIdentity[] {
    return [...this.data.controllers];
  }

  /** A bank's active (not revoked) controllers, by column position (then id). */
  controllersOfBank(bankId: string): readonly ControllerIdentity[] {
    return this.banks.get(bankId) ?? [];
  }

  services(): ServiceAccount[] {
    return [...this.data.services];
  }

  /**
   * Checks a username and password. Undefined for an unknown, revoked or wrong one. A secret that verified once is
   * remembered by its fingerprint, so a fleet reconnecting after a broker restart costs one scrypt per identity.
   */
  async authenticate(username: string, password: string): Promise<BrokerIdentity | undefined> {
    await this.refresh();
    const rec = this.taken(this.data, username);
    if (!rec || rec.revokedAt !== null) return undefined;
    const fp = secretFingerprint(password);
    const known = this.verified.get(username);
    let ok = known !== undefined && safeEqual(known, fp);
    if (!ok) {
      ok = await verifySecret(password, rec.secretHash);
      // The record may have been revoked while scrypt ran.
      const now = this.taken(this.data, username);
      if (!now || now.revokedAt !== null || now.secretHash !== rec.secretHash) return undefined;
      if (ok) this.verified.set(username, fp);
    }
    if (!ok) return undefined;
    return rec.kind === 'controller'
      ? { kind: 'controller', username, controllerId: rec.controllerId, bankId: rec.bankId, column: rec.column }
      : { kind: 'service', username };
  }
}
