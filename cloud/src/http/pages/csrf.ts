/**
 * Anti-forgery for the pages' forms: a random nonce in an HttpOnly, SameSite=Strict cookie, and a hidden field that is
 * an HMAC of that nonce, the form's path and when it was served. A post is taken only when the field matches the
 * cookie it came with and is younger than FORM_TTL_MS: another site can neither read the cookie nor forge the field.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

export const CSRF_COOKIE = 'portier_form';
export const CSRF_FIELD = 'csrf';
/** A form may be sent up to two hours after it was served. */
export const FORM_TTL_MS = 2 * 3600_000;
const NONCE_RE = /^[A-Za-z0-9_-]{22}$/;

/** The cookies of a request as sent, name and value, in order. */
export function cookieEntries(req: FastifyRequest): Array<[string, string]> {
  return (req.headers.cookie ?? '').split(';').flatMap((part): Array<[string, string]> => {
    const at = part.indexOf('=');
    return at > 0 ? [[part.slice(0, at).trim(), part.slice(at + 1).trim()]] : [];
  });
}

/** The value of cookie `name` of a request, as sent (undefined when absent). */
export function cookieValue(req: FastifyRequest, name: string): string | undefined {
  return cookieEntries(req).find(([n]) => n === name)?.[1];
}

export class FormGuard {
  constructor(
    private readonly key: Buffer,
    private readonly now: () => number,
    /** Whether the pages are reached over https (the cookie is then Secure). */
    private readonly secure: () => boolean,
  ) {}

  /** The hidden field's value for a form posting to `path`, setting the cookie it is tied to when the request has none. */
  field(req: FastifyRequest, reply: FastifyReply, path: string): string {
    let nonce = cookieValue(req, CSRF_COOKIE);
    if (nonce === undefined || !NONCE_RE.test(nonce)) {
      nonce = randomBytes(16).toString('base64url');
      const secure = this.secure() ? '; Secure' : '';
      reply.header('set-cookie', `${CSRF_COOKIE}=${nonce}; Path=/account; HttpOnly; SameSite=Strict${secure}`);
    }
    const at = this.now();
    return `${at}.${this.mac(nonce, path, at)}`;
  }

  /** Whether `value` (the posted field) was served with this request's cookie for `path`, and is still fresh. */
  check(req: FastifyRequest, path: string, value: string | undefined): boolean {
    const nonce = cookieValue(req, CSRF_COOKIE);
    const m = /^(\d{1,15})\.([A-Za-z0-9_-]{43})$/.exec(value ?? '');
    if (nonce === undefined || !NONCE_RE.test(nonce) || !m) return false;
    const at = Number(m[1]);
    const now = this.now();
    if (at > now + 60_000 || now - at > FORM_TTL_MS) return false;
    const want = Buffer.from(this.mac(nonce, path, at), 'utf8');
    const got = Buffer.from(m[2]!, 'utf8');
    return got.length === want.length && timingSafeEqual(got, want);
  }

  private mac(nonce: string, path: string, at: number): string {
    return createHmac('sha256', this.key).update(`${nonce}\n${path}\n${at}`).digest('base64url');
  }
}
