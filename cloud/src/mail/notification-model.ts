/**
 * An enterprise's own notifications: its words for a kind of message in a language (store collection
 * `mailTemplates`, used instead of the built-in words of catalogue.ts), and who is told of each event of a parcel
 * (collection `notificationRules`, key = enterprise id). Without a record, the built-in words and the default rules
 * (the recipient only) hold.
 */
import { z } from 'zod';
import type { MailContent } from './content.ts';
import { MAIL_KINDS, type MailKind, type MailLanguage } from './model.ts';
import type { TemplateText } from './placeholders.ts';

export const MAIL_LANGUAGES = ['en', 'fr'] as const satisfies readonly MailLanguage[];

/** An enterprise's words for one kind of message in one language (key = `templateKey`). */
export interface MailTemplateRecord extends TemplateText {
  id: string;
  enterpriseId: string;
  kind: MailKind;
  language: MailLanguage;
  updatedAt: number;
}

export function templateKey(enterpriseId: string, kind: MailKind, language: MailLanguage): string {
  return `${enterpriseId}/${kind}/${language}`;
}

/** The events of a parcel whose notices an enterprise may send to more people, or to nobody. */
export const NOTIFIED_EVENTS = ['parcel-ready', 'reminder', 'expiring-soon', 'expired', 'picked-up'] as const satisfies readonly MailKind[];
export type NotifiedEvent = (typeof NOTIFIED_EVENTS)[number];

/**
 * Who may be told: the person the parcel is for (a department's key contact when it is for a department), the key
 * contact of that person's department, the user who made the reservation (when it was made by a user with an e-mail).
 */
export const AUDIENCES = ['recipient', 'keyContact', 'reservedBy'] as const;
export type Audience = (typeof AUDIENCES)[number];
export type NotificationRules = Record<NotifiedEvent, Audience[]>;

/** What happens without rules of the enterprise's own: each notice to the recipient alone. */
export const DEFAULT_RULES: NotificationRules = Object.fromEntries(NOTIFIED_EVENTS.map((e) => [e, ['recipient']])) as NotificationRules;

export interface NotificationRulesRecord {
  enterpriseId: string;
  /** Events left out follow DEFAULT_RULES. */
  rules: Partial<NotificationRules>;
  updatedAt: number;
}

const audiences = z
  .array(z.enum(AUDIENCES))
  .max(AUDIENCES.length)
  .refine((a) => new Set(a).size === a.length, 'each audience at most once');
export const notificationRulesInput = z.strictObject({
  rules: z.strictObject(Object.fromEntries(NOTIFIED_EVENTS.map((e) => [e, audiences.optional()])) as Record<NotifiedEvent, z.ZodOptional<typeof audiences>>),
});
export type NotificationRulesInput = z.input<typeof notificationRulesInput>;

export function isMailKind(s: string): s is MailKind {
  return (MAIL_KINDS as readonly string[]).includes(s);
}

export function isMailLanguage(s: string): s is MailLanguage {
  return (MAIL_LANGUAGES as readonly string[]).includes(s);
}

/** The rules an enterprise's notices follow, every event given. */
export function rulesOf(store: { get(c: 'notificationRules', key: string): NotificationRulesRecord | undefined }, enterpriseId: string): NotificationRules {
  return { ...DEFAULT_RULES, ...store.get('notificationRules', enterpriseId)?.rules };
}

/** The enterprise's own words for the kind and language, if it has them. */
export function ownTemplate(store: { get(c: 'mailTemplates', key: string): MailTemplateRecord | undefined }, enterpriseId: string, kind: MailKind, language: MailLanguage): TemplateText | undefined {
  const r = store.get('mailTemplates', templateKey(enterpriseId, kind, language));
  return r ? { subject: r.subject, body: r.body } : undefined;
}

const SAMPLE_AT = Date.UTC(2027, 2, 4, 14, 30);
const DAY = 86_400_000;

/** Made-up content of each kind, the preview's: every optional value given, so every placeholder shows. */
export function sampleContent(kind: MailKind, language: MailLanguage): MailContent {
  const person = { name: language === 'fr' ? 'Élodie Martin' : 'Ada Lovelace', language };
  const contact = { ...person, preferencesUrl: 'https://lockers.example.com/preferences/sample' };
  const place = { bank: 'Lobby', location: 'Head office, 1 Main Street, 75001, Paris', lockerNumber: 12 };
  switch (kind) {
    case 'parcel-ready':
      return { ...contact, kind, reservationKind: 'package', place, code: '482913', expiresAt: SAMPLE_AT, trackingIds: ['1Z999AA10123456784'] };
    case 'reminder':
      return { ...contact, kind, reservationKind: 'package', place, code: '482913', expiresAt: SAMPLE_AT, since: SAMPLE_AT - 3 * DAY };
    case 'expiring-soon':
      return { ...contact, kind, reservationKind: 'package', place, code: '482913', expiresAt: SAMPLE_AT };
    case 'expired':
    case 'picked-up':
      return { ...contact, kind, place, at: SAMPLE_AT };
    case 'drop-off-code':
      return { ...contact, kind, reservationKind: 'return', place, code: '771204', expiresAt: SAMPLE_AT };
    case 'storage':
      return { ...contact, kind, place, code: '55012345', endsAt: SAMPLE_AT };
    case 'welcome':
    case 'password-reset':
      return { ...person, kind, link: 'https://lockers.example.com/account/sample-link', expiresAt: SAMPLE_AT };
    case 'mfa-code':
      return { ...person, kind, code: '305127', expiresAt: SAMPLE_AT };
    case 'import-failed':
      return { ...person, kind, enterprise: 'Acme', at: SAMPLE_AT, problem: 'line 3: Duplicate Personnel ID' };
  }
}
