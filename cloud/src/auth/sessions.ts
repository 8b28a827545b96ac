/**
 * Server-side sessions: each bearer token a user signs in with is a session record, kept by hash only, that ends on
 * sign-out, after the enterprise's idle period without a request, at its absolute maximum, or when an administrator
 * (or the user, everywhere) ends it. The records are session state, not configuration: they live beside the store
 * (token-file.ts) and stay out of backups, so a restored backup brings no ended session back.
 */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { EnterpriseSettings } from '../domain/model.ts';
import { newToken, tokenHash } from './tokens.ts';

/** At most this much of a user agent is kept (enough to tell a browser from a script). */
export const USER_AGENT_MAX = 200;

export const TokenRecordSchema = z.object({
  /** SHA-256 hex of the bearer token; the token itself is never stored. */
  hash: z.string().length(64),
  /** Names the session in lists and URLs, so neither the token nor its hash is ever shown. */
  id: z.string().min(1).max(64),
  userId: z.string().min(1),
  createdAt: z.number().int(),
  /** The last request made with the token (see TokenRepo.touch for how fresh the stored value is). */
  lastSeenAt: z.number().int(),
  /** The session's absolute end: sign-in plus the shorter of the cloud's token lifetime and the enterprise's maximum. */
  expiresAt: z.number().int(),
  /** Where the user signed in from, and with what, for their list of sessions. */
  ip: z.string().max(64).optional(),
  userAgent: z.string().max(USER_AGENT_MAX).optional(),
});
export type TokenRecord = z.infer<typeof TokenRecordSchema>;

/**
 * Where sessions live. Kept apart from users because a session is session state: losing them on a restart only asks
 * people to sign in again, and they must never reach the domain's backups or exports.
 */
export interface TokenRepo {
  get(hash: string): Promise<TokenRecord | undefined>;
  put(token: TokenRecord): Promise<void>;
  delete(hash: string): Promise<void>;
  /** Drops expired sessions, and every session of `userId` when given (password change, user removed). */
  prune(now: number, userId?: string): Promise<void>;
  /** The sessions of one user. */
  listByUser(userId: string): Promise<TokenRecord[]>;
  /**
   * Records a request made with a session at `at`. Held in memory at once (what `get` answers); a repo that stores
   * elsewhere writes it lazily, so requests do not each cost a write.
   */
  touch(hash: string, at: number): void;
}

export class MemoryTokenRepo implements TokenRepo {
  readonly tokens = new Map<string, TokenRecord>();
  async get(hash: string) {
    return this.tokens.get(hash);
  }
  async put(token: TokenRecord) {
    this.tokens.set(token.hash, { ...token });
  }
  async delete(hash: string) {
    this.tokens.delete(hash);
  }
  async prune(now: number, userId?: string) {
    for (const [h, t] of this.tokens) if (t.expiresAt <= now || t.userId === userId) this.tokens.delete(h);
  }
  async listByUser(userId: string) {
    return [...this.tokens.values()].filter((t) => t.userId === userId);
  }
  touch(hash: string, at: number) {
    const t = this.tokens.get(hash);
    if (t && at > t.lastSeenAt) t.lastSeenAt = at;
  }
}

/** A new session id (random: it says nothing of the token). */
export function newSessionId(): string {
  return `s-${randomBytes(12).toString('base64url')}`;
}

/** The settings of an enterprise that bound its users' sessions. */
export type SessionSettings = Pick<Required<EnterpriseSettings>, 'idleTimeoutMinutes' | 'sessionMaxHours'>;

export interface SessionsOptions {
  tokens: TokenRepo;
  now: () => number;
  /** The cloud-wide cap on a session's life (config `auth.tokenTtlSeconds`). */
  tokenTtlMs: number;
  /** The settings of the enterprise a user belongs to. */
  settings: (enterpriseId: string) => SessionSettings;
}

/** A session as its user sees it in their list: no token, no hash. */
export interface SessionView {
  id: string;
  createdAt: number;
  lastSeenAt: number;
  /** When it ends at the latest, however busy (an idle period ends it sooner). */
  expiresAt: number;
  /** When it ends if no request comes before. */
  idleExpiresAt: number;
  ip?: string | undefined;
  userAgent?: string | undefined;
  /** The session of the request that asked. */
  current: boolean;
}

/** The rules of a session's life, over a TokenRepo. */
export class Sessions {
  readonly #o: SessionsOptions;

  constructor(opts: SessionsOptions) {
    this.#o = opts;
  }

  /** Opens a session for a user who just proved who they are; the token is returned this once. */
  async open(user: { id: string; enterpriseId: string }, client: { ip?: string | undefined; userAgent?: string | undefined }): Promise<{ token: string; session: TokenRecord }> {
    const now = this.#o.now();
    const token = newToken();
    const maxMs = this.#o.settings(user.enterpriseId).sessionMaxHours * 3600_000;
    const session: TokenRecord = {
      hash: tokenHash(token),
      id: newSessionId(),
      userId: user.id,
      createdAt: now,
      lastSeenAt: now,
      expiresAt: now + Math.min(this.#o.tokenTtlMs, maxMs),
      ...(client.ip !== undefined ? { ip: client.ip.slice(0, 64) } : {}),
      ...(client.userAgent ? { userAgent: client.userAgent.slice(0, USER_AGENT_MAX) } : {}),
    };
    await this.#o.tokens.prune(now);
    await this.#o.tokens.put(session);
    return { token, session };
  }

  /** The session of a token, unless it has passed its absolute end (its user's idle period is checked by `admit`). */
  async find(token: string): Promise<TokenRecord | undefined> {
    const rec = await this.#o.tokens.get(tokenHash(token));
    return rec && rec.expiresAt > this.#o.now() ? rec : undefined;
  }

  /**
   * Whether a session found by `find` may make a request now, for a user of `enterpriseId`: not idle longer than
   * the enterprise's period, not older than its maximum (both read now, so a shorter setting applies at once). An
   * ended session is deleted; an admitted one records the request.
   */
  async admit(rec: TokenRecord, enterpriseId: string): Promise<boolean> {
    const now = this.#o.now();
    const end = this.#ends(rec, enterpriseId);
    if (now >= end.idle || now >= end.absolute) {
      await this.#o.tokens.delete(rec.hash);
      return false;
    }
    this.#o.tokens.touch(rec.hash, now);
    return true;
  }

  /** Ends the session of a token (sign-out). */
  async end(token: string): Promise<void> {
    await this.#o.tokens.delete(tokenHash(token));
  }

  /** Ends every session of a user (sign-out everywhere, or an administrator's); answers how many were open. */
  async endAll(user: { id: string; enterpriseId: string }): Promise<number> {
    const open = (await this.list(user)).length;
    await this.#o.tokens.prune(this.#o.now(), user.id);
    return open;
  }

  /** A user's open sessions, newest first; `currentToken` marks the one asking. */
  async list(user: { id: string; enterpriseId: string }, currentToken?: string): Promise<SessionView[]> {
    const now = this.#o.now();
    const current = currentToken !== undefined ? tokenHash(currentToken) : undefined;
    return (await this.#o.tokens.listByUser(user.id))
      .map((s) => ({ s, end: this.#ends(s, user.enterpriseId) }))
      .filter(({ end }) => now < end.idle && now < end.absolute)
      .sort((a, b) => b.s.createdAt - a.s.createdAt)
      .map(({ s, end }) => ({
        id: s.id,
        createdAt: s.createdAt,
        lastSeenAt: s.lastSeenAt,
        expiresAt: end.absolute,
        idleExpiresAt: end.idle,
        ip: s.ip,
        userAgent: s.userAgent,
        current: s.hash === current,
      }));
  }

  #ends(rec: TokenRecord, enterpriseId: string): { idle: number; absolute: number } {
    const s = this.#o.settings(enterpriseId);
    return { idle: rec.lastSeenAt + s.idleTimeoutMinutes * 60_000, absolute: Math.min(rec.expiresAt, rec.createdAt + s.sessionMaxHours * 3600_000) };
  }
}
