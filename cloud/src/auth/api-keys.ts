/**
 * API keys for scripts and integrations: made by an administrator with a name, a role, an access level and an expiry;
 * shown once (`pk_<id>_<secret>`), kept as the SHA-256 of the secret, used as a bearer token, never signed out for
 * being idle, refused once expired or revoked. They are configuration (store collection `apiKeys`, in backups); their
 * creation and revocation are in the activity log (type `account`).
 *
 * A key acts for the administrator who made it: it never does more than they may do now, and it stops working when
 * they are removed or disabled, so a key does not outlive the trust placed in its maker.
 */
import { randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { Logger } from 'pino';
import { z } from 'zod';
import { auditChanges } from '../domain/audit.ts';
import { DomainError, notFound, parseInput } from '../domain/errors.ts';
import { accessLevelSchema, ENTERPRISE_LEVEL, epochMs, roleIdSchema, type Actor, type Permission, type RoleRecord } from '../domain/model.ts';
import type { RoleUseCases } from '../domain/use-cases/roles.ts';
import type { Store } from '../store/store.ts';
import { tokenHash } from './tokens.ts';
import type { AccountLog } from './account-log.ts';
import type { ApiKeyRecord, PublicApiKey } from './api-key-model.ts';

export { apiKeyRecordSchema, PublicApiKeySchema, type ApiKeyRecord, type PublicApiKey } from './api-key-model.ts';

/** The longest a key may live: a key is rotated at least this often. */
export const API_KEY_MAX_DAYS = 730;
/** A key's last use reaches the store at most this often (it is shown to the nearest hour, not the request). */
export const LAST_USED_WRITE_MS = 3600_000;
const PREFIX = 'pk_';
/** `pk_<id>_<secret>`: the id has no `_` (so the first one after it ends it), the secret is 32 random bytes. */
const KEY_PATTERN = /^pk_([A-Za-z0-9-]{1,64})_([A-Za-z0-9_-]{43})$/;

export const CreateApiKeyBodySchema = z.strictObject({
  name: z.string().trim().min(1).max(100),
  role: roleIdSchema,
  /** Default: the whole enterprise. */
  accessLevel: accessLevelSchema.optional(),
  /** When the key stops working (epoch ms): required, at most API_KEY_MAX_DAYS ahead. */
  expiresAt: epochMs,
});
export type CreateApiKeyInput = z.infer<typeof CreateApiKeyBodySchema> & { enterpriseId: string };

export interface ApiKeysOptions {
  store: Store;
  now: () => number;
  /** Where making and revoking a key is recorded. */
  log: AccountLog;
  roles: Pick<RoleUseCases, 'getRole'>;
  logger: Logger;
}

/** Whether a bearer token has the form of an API key (a session token may too, by chance: then no key matches). */
export function looksLikeApiKey(token: string): boolean {
  return token.startsWith(PREFIX);
}

/**
 * What a key may do: its role's permissions that its maker still holds (all of them for a maker who operates the
 * cloud, who may hand out any role). Nothing when the role or the maker is gone, or the maker is disabled.
 */
export function keyPermissions(
  role: Pick<RoleRecord, 'permissions'> | undefined,
  maker: { disabled?: boolean | undefined; platformAdmin?: boolean | undefined } | undefined,
  makerRole: Pick<RoleRecord, 'permissions'> | undefined,
): Permission[] {
  if (!role || !maker || maker.disabled === true) return [];
  if (maker.platformAdmin === true) return [...role.permissions];
  const held = new Set(makerRole?.permissions ?? []);
  return role.permissions.filter((p) => held.has(p));
}

export class ApiKeys {
  readonly #o: ApiKeysOptions;
  readonly #log: Logger;

  constructor(opts: ApiKeysOptions) {
    this.#o = opts;
    this.#log = opts.logger.child({ module: 'api-keys' });
  }

  /** Makes a key; the answer's `key` is the only time the key is ever shown. */
  async create(input: CreateApiKeyInput, actor: Actor & { id: string }): Promise<{ key: string; apiKey: PublicApiKey }> {
    const { enterpriseId, ...body } = input;
    const req = parseInput(CreateApiKeyBodySchema, body);
    const now = this.#o.now();
    if (req.expiresAt <= now) throw new DomainError('VALIDATION', 'the expiry must lie in the future', 'expiresAt');
    if (req.expiresAt > now + API_KEY_MAX_DAYS * 86_400_000) throw new DomainError('VALIDATION', `a key lives at most ${API_KEY_MAX_DAYS} days`, 'expiresAt');
    await this.#o.roles.getRole(enterpriseId, req.role).catch(() => {
      throw notFound('role', req.role, 'role');
    });
    const id = `k-${randomUUID()}`;
    const secret = randomBytes(32).toString('base64url');
    const rec: ApiKeyRecord = {
      id,
      enterpriseId,
      name: req.name,
      role: req.role,
      accessLevel: req.accessLevel ?? ENTERPRISE_LEVEL,
      secretHash: tokenHash(secret),
      createdAt: now,
      createdBy: actor.id,
      expiresAt: req.expiresAt,
    };
    const changes = auditChanges(undefined, { ...rec, expiresAt: new Date(rec.expiresAt).toISOString() }, ['name', 'role', 'accessLevel', 'expiresAt']);
    await this.#o.log.record({ c: 'apiKeys', key: id, value: rec }, this.#o.log.entry(actor, rec.enterpriseId, { kind: 'api-key', id }, 'API key created', changes));
    this.#log.info({ apiKeyId: id, enterpriseId: rec.enterpriseId, role: rec.role }, 'API key created');
    return { key: `${PREFIX}${id}_${secret}`, apiKey: this.#public(rec) };
  }

  /** The keys of an enterprise, newest first, revoked and expired ones included. */
  list(enterpriseId: string): PublicApiKey[] {
    return this.#o.store
      .list('apiKeys')
      .filter((k) => k.enterpriseId === enterpriseId)
      .sort((a, b) => b.createdAt - a.createdAt)
      .map((k) => this.#public(k));
  }

  /** One key of an enterprise (another enterprise's does not exist for it). */
  get(enterpriseId: string, id: string): PublicApiKey {
    return this.#public(this.#must(enterpriseId, id));
  }

  /** Revokes a key at once; revoking a revoked key changes nothing. */
  async revoke(enterpriseId: string, id: string, actor: Actor & { id: string }): Promise<PublicApiKey> {
    const k = this.#must(enterpriseId, id);
    if (k.revokedAt !== undefined) return this.#public(k);
    const next: ApiKeyRecord = { ...k, revokedAt: this.#o.now(), revokedBy: actor.id };
    await this.#o.log.record({ c: 'apiKeys', key: id, value: next }, this.#o.log.entry(actor, enterpriseId, { kind: 'api-key', id }, 'API key revoked', [{ field: 'status', from: 'active', to: 'revoked' }]));
    this.#log.info({ apiKeyId: id, enterpriseId }, 'API key revoked');
    return this.#public(next);
  }

  /** The live key a bearer token is, or undefined (not a key, unknown, wrong secret, expired or revoked). */
  verify(token: string): ApiKeyRecord | undefined {
    const m = KEY_PATTERN.exec(token);
    const k = m ? this.#o.store.get('apiKeys', m[1]!) : undefined;
    if (!k || !m) return undefined;
    const given = Buffer.from(tokenHash(m[2]!), 'hex');
    const stored = Buffer.from(k.secretHash, 'hex');
    if (stored.length !== given.length || !timingSafeEqual(given, stored)) return undefined;
    if (k.revokedAt !== undefined || k.expiresAt <= this.#o.now()) return undefined;
    return k;
  }

  /** Records that a key was let in now; the store takes it at most once an hour per key. */
  recordUse(id: string): void {
    const k = this.#o.store.get('apiKeys', id);
    const now = this.#o.now();
    if (!k || now - (k.lastUsedAt ?? 0) < LAST_USED_WRITE_MS) return;
    // Read and put in one turn, so no revocation in between is overwritten; the commit applies to memory at once, and
    // its durability is not worth holding the request.
    this.#o.store.commit({ put: [{ c: 'apiKeys', key: k.id, value: { ...k, lastUsedAt: now } }] }).catch((err: unknown) => this.#log.warn({ err, apiKeyId: k.id }, 'could not record the use of an API key'));
  }

  #must(enterpriseId: string, id: string): ApiKeyRecord {
    const k = this.#o.store.get('apiKeys', id);
    if (!k || k.enterpriseId !== enterpriseId) throw notFound('API key', id, 'params.apiKeyId');
    return k;
  }

  #public(k: ApiKeyRecord): PublicApiKey {
    const { secretHash: _secretHash, ...rest } = k;
    const status = k.revokedAt !== undefined ? 'revoked' : k.expiresAt <= this.#o.now() ? 'expired' : 'active';
    return { ...rest, status };
  }

}
