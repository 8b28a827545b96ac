/** The errors of signing in and of accounts, each code with its HTTP status in http/errors.ts. */
import { CloudError } from '../errors.ts';

export type AuthErrorCode =
  | 'INVALID_CREDENTIALS'
  | 'TOO_MANY_ATTEMPTS'
  | 'ACCOUNT_LOCKED'
  | 'UNAUTHORIZED'
  | 'NOT_FOUND'
  | 'ENTERPRISE_REQUIRED'
  /** A second factor is due (login without one), or may not be removed (the enterprise requires one). */
  | 'MFA_REQUIRED'
  /** The sign-in challenge is unknown, expired, used or worn out by wrong codes. */
  | 'MFA_CHALLENGE_INVALID'
  /** A wrong, reused or expired second-factor code. */
  | 'MFA_CODE_INVALID'
  /** The user's enterprise signs its people in through its identity provider: no password sign-in. */
  | 'SSO_REQUIRED';

/** Why a user of an enterprise that signs in through its identity provider may not use a password. */
export const SSO_REQUIRED_MESSAGE = 'your organisation signs you in through its identity provider: use its single sign-on link instead of a password';

export class AuthError extends CloudError<AuthErrorCode> {
  override name = 'AuthError';
  constructor(
    code: AuthErrorCode,
    message: string,
    field?: string,
    /** For TOO_MANY_ATTEMPTS: when the caller may try again. */
    readonly retryAfterMs?: number,
  ) {
    super(code, message, { field });
  }
}
