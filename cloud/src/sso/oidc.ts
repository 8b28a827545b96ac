/**
 * The OpenID Connect side of single sign-on (openid-client): an identity provider's discovery document, read once and
 * kept in memory for a bounded time and number of providers; the authorization request (code flow with PKCE, state
 * and nonce); the code exchanged for an ID token and the claims read, from the userinfo endpoint when the ID token
 * does not carry the one asked for. Plain http is allowed for an issuer on this machine only.
 */
import * as client from 'openid-client';
import { isLoopbackHttp } from './model.ts';
import { CloudError } from '../errors.ts';

/** What a sign-in keeps between its start and the identity provider's redirect back (sealed in the browser). */
export interface PendingSignIn {
  state: string;
  nonce: string;
  codeVerifier: string;
}

/** An identity provider as the sign-in uses it: where, which client, its secret in clear. */
export interface ProviderClient {
  issuer: string;
  clientId: string;
  clientSecret: string;
}

/** Why a sign-in failed on the provider's side, in terms the pages can explain. */
export type OidcFailureKind = 'refused-code' | 'provider-error' | 'unreachable' | 'invalid-response';

export class OidcFailure extends CloudError<OidcFailureKind> {
  override name = 'OidcFailure';
  constructor(
    kind: OidcFailureKind,
    message: string,
    /** The provider's error code when it gave one (`invalid_grant`, `access_denied`): never a token or a code. */
    readonly providerError?: string,
  ) {
    super(kind, message);
  }

  get kind(): OidcFailureKind {
    return this.code;
  }
}

export interface OidcClientsOptions {
  now: () => number;
  /** How long a discovery document is trusted before it is read again. */
  discoveryTtlMs?: number;
  /** At most this many providers' documents are kept; the oldest goes first. */
  maxProviders?: number;
  /** Bound on each request to a provider. */
  timeoutSeconds?: number;
}

export class OidcClients {
  readonly #o: Required<OidcClientsOptions>;
  readonly #cache = new Map<string, { config: client.Configuration; at: number }>();

  constructor(opts: OidcClientsOptions) {
    this.#o = { discoveryTtlMs: 3600_000, maxProviders: 100, timeoutSeconds: 10, ...opts };
  }

  /** The provider's authorization URL for a new sign-in, and what the callback must check it against. */
  async start(p: ProviderClient, redirectUri: string): Promise<{ url: URL; pending: PendingSignIn }> {
    const config = await this.#configuration(p);
    const pending: PendingSignIn = { state: client.randomState(), nonce: client.randomNonce(), codeVerifier: client.randomPKCECodeVerifier() };
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope: 'openid email profile',
      response_type: 'code',
      code_challenge: await client.calculatePKCECodeChallenge(pending.codeVerifier),
      code_challenge_method: 'S256',
      state: pending.state,
      nonce: pending.nonce,
    });
    return { url, pending };
  }

  /**
   * Exchanges the code of `callbackUrl` (the redirect URI with the provider's parameters) and answers the verified
   * claims of the ID token, with the userinfo endpoint's when `claim` is not among them.
   */
  async finish(p: ProviderClient, callbackUrl: URL, pending: PendingSignIn, claim: string): Promise<Record<string, unknown>> {
    const config = await this.#configuration(p);
    try {
      const tokens = await client.authorizationCodeGrant(config, callbackUrl, {
        pkceCodeVerifier: pending.codeVerifier,
        expectedState: pending.state,
        expectedNonce: pending.nonce,
        idTokenExpected: true,
      });
      const claims: Record<string, unknown> = { ...tokens.claims() };
      if (claims[claim] === undefined && tokens.access_token) {
        // Providers keep scope claims out of the ID token when an access token is issued (OIDC Core 5.4).
        const info = await client.fetchUserInfo(config, tokens.access_token, String(claims['sub']));
        return { ...claims, [claim]: info[claim], ...(info['email_verified'] !== undefined ? { email_verified: info['email_verified'] } : {}) };
      }
      return claims;
    } catch (err) {
      throw failure(err);
    }
  }

  async #configuration(p: ProviderClient): Promise<client.Configuration> {
    // The secret is part of the key: a changed configuration is discovered anew, never served from a stale entry.
    const key = `${p.issuer}\n${p.clientId}\n${p.clientSecret}`;
    const now = this.#o.now();
    const hit = this.#cache.get(key);
    if (hit && now - hit.at < this.#o.discoveryTtlMs) return hit.config;
    this.#cache.delete(key);
    const issuer = new URL(p.issuer);
    let config: client.Configuration;
    try {
      config = await client.discovery(issuer, p.clientId, undefined, client.ClientSecretBasic(p.clientSecret), {
        timeout: this.#o.timeoutSeconds,
        ...(isLoopbackHttp(issuer) ? { execute: [client.allowInsecureRequests] } : {}),
      });
    } catch (err) {
      throw new OidcFailure('unreachable', `the identity provider's discovery document could not be read: ${(err as Error).message}`);
    }
    while (this.#cache.size >= this.#o.maxProviders) {
      const oldest = this.#cache.keys().next().value;
      if (oldest === undefined) break;
      this.#cache.delete(oldest);
    }
    this.#cache.set(key, { config, at: now });
    return config;
  }
}

/** A failure of the exchange, classified; the provider's own words are kept (they name no token). */
function failure(err: unknown): OidcFailure {
  if (err instanceof OidcFailure) return err;
  if (err instanceof client.ResponseBodyError) {
    const kind = err.error === 'invalid_grant' ? 'refused-code' : 'provider-error';
    return new OidcFailure(kind, `the identity provider refused the exchange: ${err.error}${err.error_description ? ` (${err.error_description})` : ''}`, err.error);
  }
  if (err instanceof client.AuthorizationResponseError) {
    return new OidcFailure('provider-error', `the identity provider answered ${err.error}${err.error_description ? ` (${err.error_description})` : ''}`, err.error);
  }
  const e = err as Error & { code?: string };
  if (e.name === 'TypeError' || e.name === 'AbortError' || e.name === 'TimeoutError') return new OidcFailure('unreachable', `the identity provider could not be reached: ${e.message}`);
  return new OidcFailure('invalid-response', `the identity provider's answer was refused: ${e.message}${e.code ? ` (${e.code})` : ''}`);
}
