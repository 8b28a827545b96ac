/**
 * The password policy of an enterprise (its settings `passwordMinLength` and `passwordCommonCheck`): a password is at
 * least that long and at most 256 characters, is not on the list of common and breached passwords (when the check is
 * on), and is neither the user's name nor their e-mail address. Every password set through AuthService is checked
 * here; a flow that stores a password some other way calls `checkPassword` before it does.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { z } from 'zod';
import { DomainError } from '../domain/errors.ts';
import { enterpriseSettings, type Enterprise } from '../domain/model.ts';

export const PASSWORD_MAX_LENGTH = 256;

/** Whose password it is: a password equal to one of these (any case) is refused. */
export interface PasswordOwner {
  username?: string | undefined;
  email?: string | undefined;
}

let common: ReadonlySet<string> | undefined;

/**
 * The common-password list of zxcvbn-ts (about 49,000 entries from breach corpora), lower-cased. Read on first use and
 * kept: the file is half a megabyte, which a start that sets no password never pays for.
 */
function commonPasswords(): ReadonlySet<string> {
  if (!common) {
    const file = createRequire(import.meta.url).resolve('@zxcvbn-ts/language-common/src/passwords.json');
    const list = z.array(z.union([z.string(), z.number()])).parse(JSON.parse(readFileSync(file, 'utf8')));
    common = new Set(list.map((p) => String(p).toLowerCase()));
  }
  return common;
}

/** Whether `password` is on the list of common passwords (any case). */
export function isCommonPassword(password: string): boolean {
  return commonPasswords().has(password.toLowerCase());
}

/** What is wrong with `password` under the policy of `enterprise` (its settings, or the defaults), or undefined. */
export function passwordProblem(password: string, enterprise: Pick<Enterprise, 'settings'> | undefined, owner: PasswordOwner): string | undefined {
  const settings = enterpriseSettings(enterprise);
  // Length in characters as people count them (code points), not UTF-16 units.
  const length = [...password].length;
  if (length < settings.passwordMinLength) return `at least ${settings.passwordMinLength} characters`;
  if (length > PASSWORD_MAX_LENGTH) return `at most ${PASSWORD_MAX_LENGTH} characters`;
  const lower = password.toLowerCase();
  if (owner.username !== undefined && lower === owner.username.toLowerCase()) return 'must not be the user name';
  if (owner.email !== undefined && lower === owner.email.toLowerCase()) return 'must not be the e-mail address';
  if (settings.passwordCommonCheck && isCommonPassword(password)) return 'is on the list of common passwords';
  return undefined;
}

/** Refuses a password the policy does not allow: a VALIDATION error naming the field `password`. */
export function checkPassword(password: string, enterprise: Pick<Enterprise, 'settings'> | undefined, owner: PasswordOwner): void {
  const problem = passwordProblem(password, enterprise, owner);
  if (problem !== undefined) throw new DomainError('VALIDATION', `password: ${problem}`, 'password');
}
