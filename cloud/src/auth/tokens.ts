import { createHash, randomBytes } from 'node:crypto';

/** A new bearer token: 32 random bytes, base64url. Only its SHA-256 is ever stored. */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

export function tokenHash(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/**
 * The token of an `Authorization: Bearer <token>` header, or undefined when absent or malformed. The scheme name is
 * case-insensitive (RFC 7235 section 2.1: `bearer`, `BEARER` are the same scheme); the token is not.
 */
export function bearerToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  // The `i` flag changes nothing in the token's class, which already holds both cases.
  const m = /^bearer +([A-Za-z0-9_-]{20,200})$/i.exec(header.trim());
  return m?.[1];
}
