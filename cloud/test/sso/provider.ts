// A real OpenID provider (oidc-provider) on 127.0.0.1, in this process, and a browser-like walk through its sign-in:
// plain fetch with a small cookie jar, following its redirects and posting its development login and consent forms.
import { generateKeyPairSync } from 'node:crypto';
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';

export const CLIENT_ID = 'portier';
export const CLIENT_SECRET = 'a client secret of the tests 7f3a';

/** A person the provider knows: the login typed on its form, and the claims it gives. */
export interface ProviderAccount {
  email?: string;
  email_verified?: boolean;
  /** Another claim carrying the address (an enterprise's `emailClaim`). */
  upn?: string;
}

export interface TestProvider {
  issuer: string;
  /** The errors the provider reported (a refused exchange among them), for the test to look at. */
  errors: string[];
  close(): Promise<void>;
}

/** Starts the provider with `accounts`, its one client allowed to redirect to `redirectUri`. */
export async function startProvider(redirectUri: string, accounts: Record<string, ProviderAccount>): Promise<TestProvider> {
  let handler: RequestListener | undefined;
  const server: Server = createServer((req, res) => handler?.(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // A fixed signing key: the provider's own development key comes with a warning on every start.
  const jwk = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });
  const provider = new Provider(issuer, {
    clients: [{ client_id: CLIENT_ID, client_secret: CLIENT_SECRET, redirect_uris: [redirectUri], grant_types: ['authorization_code'], response_types: ['code'], token_endpoint_auth_method: 'client_secret_basic' }],
    findAccount: async (_ctx, id) => {
      const a = accounts[id];
      return a ? { accountId: id, claims: async () => ({ sub: id, ...a }) } : undefined;
    },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['upn'] },
    features: { devInteractions: { enabled: true } },
    pkce: { required: () => true },
    // Codes live 60 s (the provider's default, which the expired-code test moves past); the rest set to keep it quiet.
    ttl: { AuthorizationCode: 60, Interaction: 600, Session: 3600, Grant: 3600, IdToken: 3600, AccessToken: 3600 },
    cookies: { keys: ['cookie key of the tests'] },
    jwks: { keys: [{ ...jwk, use: 'sig', alg: 'RS256', kid: 'test' }] },
  });
  const errors: string[] = [];
  for (const event of ['grant.error', 'server_error', 'authorization.error']) provider.on(event, (_ctx, err) => errors.push(`${event}: ${(err as Error).message}`));
  handler = provider.callback();
  return {
    issuer,
    errors,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

/** The cookies a browser keeps, by name (the provider's paths do not matter to it: every cookie is sent back). */
class Jar {
  readonly #cookies = new Map<string, string>();
  take(res: Response): void {
    for (const c of res.headers.getSetCookie()) {
      const [pair = ''] = c.split(';');
      const at = pair.indexOf('=');
      if (at > 0) this.#cookies.set(pair.slice(0, at), pair.slice(at + 1));
    }
  }
  header(): string {
    return [...this.#cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

/**
 * Signs `login` in at the provider from its authorization URL, as a browser would (login form, then consent), and
 * answers the address the provider sends the browser back to (the cloud's redirect URI with the code and state).
 */
export async function signInAtProvider(authorizationUrl: string, login: string, redirectUri: string): Promise<URL> {
  const jar = new Jar();
  let url = authorizationUrl;
  let body: string | undefined;
  for (let step = 0; step < 20; step++) {
    const res = await fetch(url, {
      method: body !== undefined ? 'POST' : 'GET',
      redirect: 'manual',
      headers: { cookie: jar.header(), ...(body !== undefined ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
      ...(body !== undefined ? { body } : {}),
    });
    jar.take(res);
    body = undefined;
    const location = res.headers.get('location');
    if (res.status >= 300 && res.status < 400 && location) {
      const next = new URL(location, url);
      if (next.href.startsWith(redirectUri)) return next;
      url = next.href;
      continue;
    }
    const html = await res.text();
    const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
    const prompt = /name="prompt" value="([^"]+)"/.exec(html)?.[1];
    if (res.status !== 200 || !action || !prompt) throw new Error(`the provider answered ${res.status} without a form: ${html.slice(0, 300)}`);
    url = new URL(action.replace(/&amp;/g, '&'), url).href;
    body = new URLSearchParams(prompt === 'login' ? { prompt, login, password: 'any' } : { prompt }).toString();
  }
  throw new Error('the provider did not send the browser back within 20 steps');
}
