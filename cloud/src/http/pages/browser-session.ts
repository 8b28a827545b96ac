/**
 * The session of a browser on the cloud's pages: the cookie `portier_session` holds the very bearer token a sign-in
 * returns (auth/sessions.ts), so the session's idle and maximum life, its listing and its ending apply as for the API.
 * HttpOnly (no script reads it), SameSite=Lax (it comes with the identity provider's redirect back, a cross-site
 * navigation, and never with another site's form post), Secure when the pages are reached over https.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { cookieValue } from './csrf.ts';

export const SESSION_COOKIE = 'portier_session';
const TOKEN_RE = /^[A-Za-z0-9_-]{20,200}$/;

export interface CookieOptions {
  path: string;
  /** Seconds the browser keeps it; 0 removes it. */
  maxAge: number;
  secure: boolean;
}

/** A `Set-Cookie` value: HttpOnly and SameSite=Lax always. */
export function cookieHeader(name: string, value: string, o: CookieOptions): string {
  return `${name}=${value}; Path=${o.path}; Max-Age=${Math.max(0, Math.floor(o.maxAge))}; HttpOnly; SameSite=Lax${o.secure ? '; Secure' : ''}`;
}

export class BrowserSession {
  constructor(
    /** Whether the pages are reached over https (the cookie is then Secure). */
    private readonly secure: () => boolean,
    private readonly now: () => number,
  ) {}

  /** Keeps `token` in the browser until the session's absolute end. */
  set(reply: FastifyReply, token: string, expiresAt: number): void {
    reply.header('set-cookie', cookieHeader(SESSION_COOKIE, token, { path: '/', maxAge: (expiresAt - this.now()) / 1000, secure: this.secure() }));
  }

  clear(reply: FastifyReply): void {
    reply.header('set-cookie', cookieHeader(SESSION_COOKIE, '', { path: '/', maxAge: 0, secure: this.secure() }));
  }

  /** The bearer token the browser sent, when it has the form of one (whether it is live is the AuthService's to say). */
  token(req: FastifyRequest): string | undefined {
    const v = cookieValue(req, SESSION_COOKIE);
    return v !== undefined && TOKEN_RE.test(v) ? v : undefined;
  }
}
