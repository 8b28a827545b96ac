/**
 * The grammar of a message's words (the built-in ones of catalogue.ts and an enterprise's own): plain text with named
 * placeholders `{{name}}`, paragraphs parted by blank lines. Each kind of message has its own placeholders, drawn
 * from what its content carries (content.ts); a template naming any other, or holding a `{{` that opens no
 * placeholder, is refused with the placeholder named.
 */
import { z } from 'zod';
import type { MailKind } from './model.ts';

/** The placeholders of each kind of message, in the order people meet them. */
export const PLACEHOLDERS = {
  'parcel-ready': ['recipientName', 'item', 'place', 'bank', 'location', 'lockerNumber', 'pickupCode', 'expiresAt', 'trackingIds', 'preferencesLink'],
  reminder: ['recipientName', 'item', 'place', 'bank', 'location', 'lockerNumber', 'pickupCode', 'waitingSince', 'expiresAt', 'preferencesLink'],
  'expiring-soon': ['recipientName', 'item', 'place', 'bank', 'location', 'lockerNumber', 'pickupCode', 'expiresAt', 'preferencesLink'],
  expired: ['recipientName', 'place', 'bank', 'location', 'lockerNumber', 'expiredAt', 'preferencesLink'],
  'picked-up': ['recipientName', 'place', 'bank', 'location', 'lockerNumber', 'pickedUpAt', 'preferencesLink'],
  'drop-off-code': ['recipientName', 'item', 'place', 'bank', 'location', 'lockerNumber', 'dropOffCode', 'expiresAt', 'preferencesLink'],
  storage: ['recipientName', 'place', 'bank', 'location', 'lockerNumber', 'pin', 'endsAt', 'preferencesLink'],
  welcome: ['recipientName', 'link', 'expiresAt'],
  'password-reset': ['recipientName', 'link', 'expiresAt'],
  'mfa-code': ['recipientName', 'code', 'expiresAt'],
  'import-failed': ['recipientName', 'enterprise', 'failedAt', 'problem'],
} as const satisfies Record<MailKind, readonly string[]>;
export type Placeholder = (typeof PLACEHOLDERS)[MailKind][number];
/** The value of each placeholder of a message of `K`; undefined: this message has none (a code not known, no locker yet). */
export type PlaceholderValues<K extends MailKind> = Record<(typeof PLACEHOLDERS)[K][number], string | undefined>;

/**
 * Codes and links: kept out of subjects, which mail programs show in lists and on locked screens, and which mail
 * servers log.
 */
export const SECRET_PLACEHOLDERS: ReadonlySet<string> = new Set(['pickupCode', 'dropOffCode', 'pin', 'code', 'link', 'preferencesLink']);
/** Placeholders holding an address: a paragraph holding one of them alone is shown as a link. */
export const LINK_PLACEHOLDERS: ReadonlySet<string> = new Set(['link', 'preferencesLink']);
/** What a message of the kind is for, so a template of it must hold (a welcome without its link sets no password). */
export const REQUIRED_PLACEHOLDERS: Partial<Record<MailKind, readonly Placeholder[]>> = { welcome: ['link'], 'password-reset': ['link'], 'mfa-code': ['code'] };

export const MAX_SUBJECT = 200;
export const MAX_BODY = 5000;

export type Part = string | { name: string };

const TOKEN = /\{\{\s*([A-Za-z][A-Za-z0-9]*)\s*\}\}/y;

/** A piece of text as literal parts and placeholders, or the first `{{` that opens none (quoted as written). */
export function parseText(text: string): { parts: Part[] } | { malformed: string } {
  const parts: Part[] = [];
  let from = 0;
  for (let at = text.indexOf('{{'); at >= 0; at = text.indexOf('{{', from)) {
    TOKEN.lastIndex = at;
    const m = TOKEN.exec(text);
    if (!m) return { malformed: text.slice(at, at + 20).split('\n')[0]! };
    if (at > from) parts.push(text.slice(from, at));
    parts.push({ name: m[1]! });
    from = TOKEN.lastIndex;
  }
  if (from < text.length) parts.push(text.slice(from));
  return { parts };
}

/** The names a piece of text uses. */
export function namesIn(parts: readonly Part[]): string[] {
  return parts.flatMap((p) => (typeof p === 'string' ? [] : [p.name]));
}

export interface TemplateText {
  subject: string;
  body: string;
}

/** The first thing wrong with `t` as words of a message of `kind`: the field and why, naming the placeholder. */
export function templateProblem(kind: MailKind, t: TemplateText): { field: 'subject' | 'body'; message: string } | undefined {
  const known: readonly string[] = PLACEHOLDERS[kind];
  const list = known.map((n) => `{{${n}}}`).join(', ');
  for (const field of ['subject', 'body'] as const) {
    const parsed = parseText(t[field]);
    if ('malformed' in parsed) return { field, message: `${field}: malformed placeholder ${JSON.stringify(parsed.malformed)}: write a placeholder as {{name}}` };
    for (const name of namesIn(parsed.parts)) {
      if (!known.includes(name)) return { field, message: `${field}: unknown placeholder {{${name}}}: the placeholders of ${kind} e-mails are ${list}` };
      if (field === 'subject' && SECRET_PLACEHOLDERS.has(name)) return { field, message: `subject: {{${name}}} cannot be in a subject (mail programs show subjects in lists and on locked screens): put it in the body` };
    }
    if (field === 'body') {
      const used = new Set(namesIn(parsed.parts));
      const missing = (REQUIRED_PLACEHOLDERS[kind] ?? []).find((n) => !used.has(n));
      if (missing !== undefined) return { field, message: `body: a ${kind} e-mail must hold {{${missing}}}` };
    }
  }
  return undefined;
}

/** The shape of a template's words as the API takes them (the placeholders are checked per kind: templateProblem). */
export const templateTextInput = z.strictObject({
  subject: z
    .string()
    .trim()
    .min(1)
    .max(MAX_SUBJECT)
    .refine((s) => !/[\r\n]/.test(s), 'a subject is one line'),
  body: z.string().trim().min(1).max(MAX_BODY),
});
