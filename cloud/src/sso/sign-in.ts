/**
 * A person's sign-in through their enterprise's identity provider. `start` answers where to send the browser and the
 * sealed state (state, nonce, PKCE verifier, enterprise, time) the browser keeps in a cookie, so whichever cloud
 * instance the provider's redirect reaches can finish it. `finish` checks that state, has the code exchanged, reads
 * the e-mail address from the configured claim, finds the user of that enterprise with it (any case) or creates them
 * when the enterprise says so, and opens a Portier session. Only users of the configuration's own enterprise are ever
 * found. Every outcome is an `account` entry of the activity log and a log line, never with a token or a code.
 */
import { timingSafeEqual } from 'node:crypto';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { AccountLog } from '../auth/account-log.ts';
import type { AuthService, LoginResult } from '../auth/service.ts';
import type { Actor, User } from '../domain/model.ts';
import type { LockerService } from '../domain/service.ts';
import { CloudError } from '../errors.ts';
import type { SsoConfigRecord } from './model.ts';
import { OidcFailure, type OidcClients, type ProviderClient } from './oidc.ts';

/** How long a started sign-in may take at the identity provider. */
export const SIGN_IN_TTL_MS = 10 * 60_000;
const FLOW_PURPOSE = 'sign-in';
const SSO_ACTOR: Actor = { role: 'system', id: 'sso' };

/** Why a sign-in was refused: each has its own explanation on the pages. */
export type SsoRefusal =
  | 'not-configured'
  | 'no-sign-in'
  | 'wrong-state'
  | 'provider-refused'
  | 'code-refused'
  | 'unreachable'
  | 'no-email'
  | 'email-unverified'
  | 'unknown-user'
  | 'disabled'
  | 'not-created';

const STATUS: Record<SsoRefusal, number> = {
  'not-configured': 404,
  'no-sign-in': 400,
  'wrong-state': 400,
  'provider-refused': 403,
  'code-refused': 400,
  unreachable: 502,
  'no-email': 403,
  'email-unverified': 403,
  'unknown-user': 403,
  disabled: 403,
  'not-created': 409,
};

export class SsoRefused extends CloudError<SsoRefusal> {
  override name = 'SsoRefused';
  constructor(
    code: SsoRefusal,
    message: string,
    /** The enterprise the sign-in was for, when known (a refusal's page links to a new start). */
    readonly enterpriseId?: string,
  ) {
    super(code, message);
  }
  get status(): number {
    return STATUS[this.code];
  }
}

/** The sealed state as the cookie carries it. */
const FlowSchema = z.strictObject({ e: z.string().min(1).max(64), s: z.string().max(200), n: z.string().max(200), v: z.string().max(200), t: z.number().int() });

/** The provider's redirect back: the code and state, or its error; anything else it adds is kept for the exchange. */
export const CallbackQuery = z.looseObject({
  code: z.string().max(2000).optional(),
  state: z.string().max(200).optional(),
  error: z.string().max(200).optional(),
});

export interface SsoSignInOptions {
  service: Pick<LockerService, 'sso' | 'users' | 'store' | 'now'>;
  auth: Pick<AuthService, 'openSession'>;
  oidc: OidcClients;
  accountLog: AccountLog;
  /** The address people reach the cloud at (the redirect URI is built on it). */
  baseUrl: () => string;
  redirectPath: string;
  logger: Logger;
}

export class SsoSignIn {
  readonly #o: SsoSignInOptions;
  readonly #log: Logger;

  constructor(opts: SsoSignInOptions) {
    this.#o = opts;
    this.#log = opts.logger.child({ module: 'sso' });
  }

  get redirectUri(): string {
    return `${this.#o.baseUrl()}${this.#o.redirectPath}`;
  }

  /** Where to send the browser, and the sealed state for its cookie. Refused when the enterprise has no enabled SSO. */
  async start(enterpriseId: string): Promise<{ location: string; sealed: string }> {
    const config = this.#config(enterpriseId);
    const provider = await this.#provider(config);
    try {
      const { url, pending } = await this.#o.oidc.start(provider, this.redirectUri);
      const flow: z.infer<typeof FlowSchema> = { e: enterpriseId, s: pending.state, n: pending.nonce, v: pending.codeVerifier, t: this.#o.service.now() };
      this.#log.info({ enterpriseId }, 'sso sign-in started');
      return { location: url.href, sealed: this.#o.service.sso.seal(FLOW_PURPOSE, JSON.stringify(flow)) };
    } catch (err) {
      if (!(err instanceof OidcFailure)) throw err;
      return this.#refuse(enterpriseId, 'unreachable', undefined, err.message);
    }
  }

  /** Finishes a sign-in: the session opened for the user, or SsoRefused. `search` is the callback's query string. */
  async finish(sealed: string | undefined, search: string, client: { ip: string; userAgent?: string | undefined }): Promise<LoginResult> {
    const flow = this.#openFlow(sealed);
    if (!flow) {
      this.#log.warn({ ip: client.ip }, 'sso sign-in refused: no sign-in in progress in this browser');
      throw new SsoRefused('no-sign-in', 'no sign-in was started in this browser, or it took longer than 10 minutes');
    }
    const enterpriseId = flow.e;
    const config = this.#config(enterpriseId);
    const q = CallbackQuery.safeParse(Object.fromEntries(new URLSearchParams(search)));
    const query = q.success ? q.data : {};
    if (!sameText(query.state, flow.s)) return this.#refuse(enterpriseId, 'wrong-state', undefined, 'the state does not match the sign-in this browser started');
    if (query.error !== undefined) return this.#refuse(enterpriseId, 'provider-refused', undefined, `the identity provider answered ${query.error}`);
    const provider = await this.#provider(config);
    let claims: Record<string, unknown>;
    try {
      const url = new URL(`${this.redirectUri}${search.startsWith('?') ? search : `?${search}`}`);
      claims = await this.#o.oidc.finish(provider, url, { state: flow.s, nonce: flow.n, codeVerifier: flow.v }, config.emailClaim);
    } catch (err) {
      if (!(err instanceof OidcFailure)) throw err;
      const reason: SsoRefusal = err.kind === 'refused-code' ? 'code-refused' : err.kind === 'unreachable' ? 'unreachable' : 'provider-refused';
      return this.#refuse(enterpriseId, reason, undefined, err.message);
    }
    const email = claims[config.emailClaim];
    if (typeof email !== 'string' || !/^[^\s@]+@[^\s@]+$/.test(email.trim())) return this.#refuse(enterpriseId, 'no-email', undefined, `the claim ${config.emailClaim} holds no e-mail address`);
    if (claims['email_verified'] === false) return this.#refuse(enterpriseId, 'email-unverified', undefined, 'the identity provider says the e-mail address is not verified');
    const user = this.#userOf(enterpriseId, email.trim()) ?? (await this.#createUser(config, email.trim()));
    if (user.disabled) return this.#refuse(enterpriseId, 'disabled', user, 'the account is disabled');
    const result = await this.#o.auth.openSession(user, client);
    await this.#o.accountLog.record(undefined, this.#o.accountLog.entry(SSO_ACTOR, enterpriseId, { kind: 'user', id: user.id }, 'signed in with single sign-on'));
    this.#log.info({ enterpriseId, userId: user.id, ip: client.ip }, 'sso sign-in');
    return result;
  }

  /** The enabled configuration of an existing enterprise, else not-configured (no entry: there may be no enterprise). */
  #config(enterpriseId: string): SsoConfigRecord {
    const config = this.#o.service.sso.record(enterpriseId);
    if (!config?.enabled) {
      this.#log.warn({ enterpriseId }, 'sso sign-in refused: not configured');
      throw new SsoRefused('not-configured', 'this organisation has no single sign-on');
    }
    return config;
  }

  /** The provider with its secret opened; a secret sealed under another secrets key refuses the sign-in, not a 500. */
  async #provider(config: SsoConfigRecord): Promise<ProviderClient> {
    let clientSecret: string;
    try {
      clientSecret = this.#o.service.sso.clientSecret(config);
    } catch (err) {
      return this.#refuse(config.enterpriseId, 'not-configured', undefined, (err as Error).message);
    }
    return { issuer: config.issuer, clientId: config.clientId, clientSecret };
  }

  #openFlow(sealed: string | undefined): z.infer<typeof FlowSchema> | undefined {
    const text = sealed !== undefined ? this.#o.service.sso.open(FLOW_PURPOSE, sealed) : undefined;
    if (text === undefined) return undefined;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return undefined;
    }
    const flow = FlowSchema.safeParse(parsed);
    const now = this.#o.service.now();
    return flow.success && flow.data.t <= now + 60_000 && now - flow.data.t <= SIGN_IN_TTL_MS ? flow.data : undefined;
  }

  /** The user of `enterpriseId` with this e-mail address, in any case. */
  #userOf(enterpriseId: string, email: string): User | undefined {
    const lower = email.toLowerCase();
    return this.#o.service.store.list('users').find((u) => u.enterpriseId === enterpriseId && u.email?.toLowerCase() === lower);
  }

  /** A user made at their first sign-in, when the enterprise creates users; otherwise refused. */
  async #createUser(config: SsoConfigRecord, email: string): Promise<User> {
    const enterpriseId = config.enterpriseId;
    if (!config.createUsers || config.defaultRole === undefined) return this.#refuse(enterpriseId, 'unknown-user', undefined, 'no user of the enterprise has this e-mail address');
    try {
      const user = await this.#o.service.users.createUser({ enterpriseId, username: email.toLowerCase().slice(0, 64), email, role: config.defaultRole }, SSO_ACTOR);
      this.#log.info({ enterpriseId, userId: user.id, role: user.role }, 'sso user created at first sign-in');
      return user;
    } catch (err) {
      if (!(err instanceof CloudError)) throw err;
      return this.#refuse(enterpriseId, 'not-created', undefined, `the user could not be created: ${err.message}`);
    }
  }

  /** Records a refusal (activity entry and log line) and throws it. */
  async #refuse(enterpriseId: string, reason: SsoRefusal, user: User | undefined, why: string): Promise<never> {
    const target = user ? { kind: 'user' as const, id: user.id } : { kind: 'enterprise' as const, id: enterpriseId };
    await this.#o.accountLog.record(undefined, this.#o.accountLog.entry(SSO_ACTOR, enterpriseId, target, `single sign-on refused: ${why}`.slice(0, 500)));
    this.#log.warn({ enterpriseId, userId: user?.id, reason }, `sso sign-in refused: ${why}`);
    throw new SsoRefused(reason, why, enterpriseId);
  }
}

/** Equal texts, compared in constant time (a state guessed a character at a time learns nothing). */
function sameText(a: string | undefined, b: string): boolean {
  if (a === undefined) return false;
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}
