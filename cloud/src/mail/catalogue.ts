/**
 * The words of every message in English and French: the built-in templates (placeholders.ts grammar), the value of
 * each placeholder from a message's content, and `compose`, which fills the built-in words or an enterprise's own
 * into a subject and paragraphs (a paragraph may be a link) with, for a code, the image to attach: a QR code of a
 * pickup or drop-off code (the kiosk's scanner reads it), a Code 128 barcode of a storage PIN. The image comes from
 * the content alone, whatever the words say.
 */
import type { ReservationKind } from '../domain/model.ts';
import type { MailContent, Place } from './content.ts';
import type { MailKind, MailLanguage } from './model.ts';
import { LINK_PLACEHOLDERS, namesIn, parseText, templateProblem, type Part, type PlaceholderValues, type TemplateText } from './placeholders.ts';

export type Paragraph = string | { link: string; label: string };
export interface Composed {
  subject: string;
  /** A paragraph's text may hold line breaks. */
  paragraphs: Paragraph[];
  image?: { symbology: 'qrcode' | 'code128'; text: string; alt: string };
}

const LOCALES: Record<MailLanguage, string> = { en: 'en-GB', fr: 'fr-FR' };

/** A time as people read it, in UTC (named, so nobody mistakes it for their local time). */
export function when(lang: MailLanguage, at: number): string {
  const s = new Intl.DateTimeFormat(LOCALES[lang], { dateStyle: 'long', timeStyle: 'short', timeZone: 'UTC' }).format(at);
  return `${s} UTC`;
}

const WORDS = {
  en: {
    thing: { package: 'parcel', return: 'return', exchange: 'exchange', storage: 'stored item' } satisfies Record<ReservationKind, string>,
    where: (p: Place) => `${p.bank}, ${p.location}${p.lockerNumber !== undefined ? `, locker ${p.lockerNumber}` : ''}`,
    qrAlt: 'QR code of your pickup code',
    dropOffAlt: 'QR code of your drop-off code',
    pinAlt: 'Barcode of your PIN',
    prefs: 'Change your notification preferences',
    link: { welcome: 'Set my password', 'password-reset': 'Reset my password' },
  },
  fr: {
    thing: { package: 'colis', return: 'retour', exchange: 'échange', storage: 'objet déposé' } satisfies Record<ReservationKind, string>,
    where: (p: Place) => `${p.bank}, ${p.location}${p.lockerNumber !== undefined ? `, casier ${p.lockerNumber}` : ''}`,
    qrAlt: 'Code QR de votre code de retrait',
    dropOffAlt: 'Code QR de votre code de dépôt',
    pinAlt: 'Code-barres de votre code PIN',
    prefs: 'Modifier vos préférences de notification',
    link: { welcome: 'Choisir mon mot de passe', 'password-reset': 'Réinitialiser mon mot de passe' },
  },
} as const;

const para = (...ps: string[]): string => ps.join('\n\n');
const HELLO = { en: 'Hello {{recipientName}},', fr: 'Bonjour {{recipientName}},' };
const IGNORE = { en: 'If you did not expect this message, you can ignore it.', fr: 'Si vous n’attendiez pas ce message, vous pouvez l’ignorer.' };
const PICKUP_CODE = {
  en: 'Your pickup code: {{pickupCode}}\nScan the QR code attached at the kiosk, or type the code.',
  fr: 'Votre code de retrait : {{pickupCode}}\nPrésentez le code QR joint au lecteur de la borne, ou saisissez le code.',
};

/**
 * The built-in words, the default of every enterprise. A paragraph naming a placeholder this message has no value for
 * (a code not known, no tracking number) is left out.
 */
export const BUILT_IN: Record<MailKind, Record<MailLanguage, TemplateText>> = {
  'parcel-ready': {
    en: {
      subject: 'Your {{item}} is ready for pickup at {{bank}}',
      body: para(HELLO.en, 'Your {{item}} is waiting for you: {{place}}.', PICKUP_CODE.en, 'Collect it by {{expiresAt}}.', 'Tracking: {{trackingIds}}'),
    },
    fr: {
      subject: 'Votre {{item}} est prêt à être retiré à {{bank}}',
      body: para(HELLO.fr, 'Votre {{item}} vous attend : {{place}}.', PICKUP_CODE.fr, 'Retirez-le avant le {{expiresAt}}.', 'Suivi : {{trackingIds}}'),
    },
  },
  reminder: {
    en: {
      subject: 'Reminder: your {{item}} is waiting at {{bank}}',
      body: para(HELLO.en, 'Your {{item}} has been waiting since {{waitingSince}}: {{place}}.', PICKUP_CODE.en, 'Collect it by {{expiresAt}}.'),
    },
    fr: {
      subject: 'Rappel : votre {{item}} vous attend à {{bank}}',
      body: para(HELLO.fr, 'Votre {{item}} vous attend depuis le {{waitingSince}} : {{place}}.', PICKUP_CODE.fr, 'Retirez-le avant le {{expiresAt}}.'),
    },
  },
  'expiring-soon': {
    en: {
      subject: 'Your {{item}} must be collected by {{expiresAt}}',
      body: para(HELLO.en, 'Your {{item}} at {{place}} goes back to the mailroom if it is not collected by {{expiresAt}}.', PICKUP_CODE.en),
    },
    fr: {
      subject: 'Votre {{item}} doit être retiré avant le {{expiresAt}}',
      body: para(HELLO.fr, 'Votre {{item}} ({{place}}) retournera au service courrier s’il n’est pas retiré avant le {{expiresAt}}.', PICKUP_CODE.fr),
    },
  },
  expired: {
    en: {
      subject: 'Your parcel was returned to the mailroom',
      body: para(HELLO.en, 'Your parcel was not collected in time from {{place}} ({{expiredAt}}). Ask the mailroom for it.'),
    },
    fr: {
      subject: 'Votre colis a été rapporté au service courrier',
      body: para(HELLO.fr, 'Votre colis n’a pas été retiré à temps ({{place}}, {{expiredAt}}). Demandez-le au service courrier.'),
    },
  },
  'picked-up': {
    en: { subject: 'Receipt: your parcel was picked up', body: para(HELLO.en, 'Picked up on {{pickedUpAt}} from {{place}}.', 'If this was not you, tell the mailroom at once.') },
    fr: { subject: 'Reçu : votre colis a été retiré', body: para(HELLO.fr, 'Retiré le {{pickedUpAt}} : {{place}}.', 'Si ce n’était pas vous, prévenez immédiatement le service courrier.') },
  },
  'drop-off-code': {
    en: {
      subject: 'Your code to drop off a {{item}} at {{bank}}',
      body: para(HELLO.en, 'A locker is reserved for your {{item}}: {{place}}.', 'Your drop-off code: {{dropOffCode}}', 'Drop it off by {{expiresAt}}.'),
    },
    fr: {
      subject: 'Votre code pour déposer un {{item}} à {{bank}}',
      body: para(HELLO.fr, 'Un casier est réservé pour votre {{item}} : {{place}}.', 'Votre code de dépôt : {{dropOffCode}}', 'Déposez-le avant le {{expiresAt}}.'),
    },
  },
  storage: {
    en: {
      subject: 'Your storage locker is reserved at {{bank}}',
      body: para(
        HELLO.en,
        'A locker is reserved for you: {{place}}.',
        'Your PIN: {{pin}}',
        'Type it at the kiosk, or scan the barcode attached, to fill the locker and later to empty it.',
        'Your storage ends {{endsAt}}.',
      ),
    },
    fr: {
      subject: 'Votre casier de consigne est réservé à {{bank}}',
      body: para(
        HELLO.fr,
        'Un casier vous est réservé : {{place}}.',
        'Votre code PIN : {{pin}}',
        'Saisissez-le à la borne, ou présentez le code-barres joint, pour remplir le casier puis le vider.',
        'Votre consigne se termine le {{endsAt}}.',
      ),
    },
  },
  welcome: {
    en: {
      subject: 'Welcome to Portier: set your password',
      body: para(HELLO.en, 'An account was made for you. Set your password with this link:', '{{link}}', 'The link works once, until {{expiresAt}}.', IGNORE.en),
    },
    fr: {
      subject: 'Bienvenue sur Portier : choisissez votre mot de passe',
      body: para(HELLO.fr, 'Un compte a été créé pour vous. Choisissez votre mot de passe avec ce lien :', '{{link}}', 'Le lien ne fonctionne qu’une fois, jusqu’au {{expiresAt}}.', IGNORE.fr),
    },
  },
  'password-reset': {
    en: {
      subject: 'Reset your Portier password',
      body: para(HELLO.en, 'Someone asked to reset the password of your account. Choose a new one with this link:', '{{link}}', 'The link works once, until {{expiresAt}}.', IGNORE.en),
    },
    fr: {
      subject: 'Réinitialisez votre mot de passe Portier',
      body: para(
        HELLO.fr,
        'Une réinitialisation du mot de passe de votre compte a été demandée. Choisissez-en un nouveau avec ce lien :',
        '{{link}}',
        'Le lien ne fonctionne qu’une fois, jusqu’au {{expiresAt}}.',
        IGNORE.fr,
      ),
    },
  },
  'mfa-code': {
    en: {
      subject: 'Your Portier sign-in code',
      body: para(HELLO.en, 'Your sign-in code: {{code}}', 'It works once, until {{expiresAt}}.', 'If you did not try to sign in, someone knows your password: change it.'),
    },
    fr: {
      subject: 'Votre code de connexion Portier',
      body: para(HELLO.fr, 'Votre code de connexion : {{code}}', 'Il ne fonctionne qu’une fois, jusqu’au {{expiresAt}}.', 'Si vous n’avez pas tenté de vous connecter, quelqu’un connaît votre mot de passe : changez-le.'),
    },
  },
  'import-failed': {
    en: {
      subject: 'Address book import failed: {{enterprise}}',
      body: para(HELLO.en, 'The scheduled import of {{failedAt}} failed: {{problem}}', 'The address book was left as it was. Check the import settings and the file, then run it again.'),
    },
    fr: {
      subject: 'Échec de l’import du carnet d’adresses : {{enterprise}}',
      body: para(HELLO.fr, 'L’import planifié du {{failedAt}} a échoué : {{problem}}', 'Le carnet d’adresses n’a pas été modifié. Vérifiez les réglages de l’import et le fichier, puis relancez-le.'),
    },
  },
};

function placeValues(lang: MailLanguage, p: Place) {
  return { place: WORDS[lang].where(p), bank: p.bank, location: p.location, lockerNumber: p.lockerNumber?.toString() };
}

/** What each placeholder of the message stands for, in its language. */
export function placeholderValues(c: MailContent): Record<string, string | undefined> {
  const lang = c.language;
  const w = WORDS[lang];
  const at = (ms: number | undefined) => (ms === undefined ? undefined : when(lang, ms));
  const person = { recipientName: c.name, preferencesLink: c.preferencesUrl };
  switch (c.kind) {
    case 'parcel-ready':
      return {
        ...person,
        ...placeValues(lang, c.place),
        item: w.thing[c.reservationKind],
        pickupCode: c.code,
        expiresAt: at(c.expiresAt),
        trackingIds: c.trackingIds.length > 0 ? c.trackingIds.join(', ') : undefined,
      } satisfies PlaceholderValues<'parcel-ready'>;
    case 'reminder':
      return {
        ...person,
        ...placeValues(lang, c.place),
        item: w.thing[c.reservationKind],
        pickupCode: c.code,
        waitingSince: at(c.since),
        expiresAt: at(c.expiresAt),
      } satisfies PlaceholderValues<'reminder'>;
    case 'expiring-soon':
      return { ...person, ...placeValues(lang, c.place), item: w.thing[c.reservationKind], pickupCode: c.code, expiresAt: at(c.expiresAt) } satisfies PlaceholderValues<'expiring-soon'>;
    case 'expired':
      return { ...person, ...placeValues(lang, c.place), expiredAt: at(c.at) } satisfies PlaceholderValues<'expired'>;
    case 'picked-up':
      return { ...person, ...placeValues(lang, c.place), pickedUpAt: at(c.at) } satisfies PlaceholderValues<'picked-up'>;
    case 'drop-off-code':
      return { ...person, ...placeValues(lang, c.place), item: w.thing[c.reservationKind], dropOffCode: c.code, expiresAt: at(c.expiresAt) } satisfies PlaceholderValues<'drop-off-code'>;
    case 'storage':
      return { ...person, ...placeValues(lang, c.place), pin: c.code, endsAt: at(c.endsAt) } satisfies PlaceholderValues<'storage'>;
    case 'welcome':
    case 'password-reset':
      return { recipientName: c.name, link: c.link, expiresAt: at(c.expiresAt) } satisfies PlaceholderValues<'welcome'>;
    case 'mfa-code':
      return { recipientName: c.name, code: c.code, expiresAt: at(c.expiresAt) } satisfies PlaceholderValues<'mfa-code'>;
    case 'import-failed':
      return { recipientName: c.name, enterprise: c.enterprise, failedAt: at(c.at), problem: c.problem } satisfies PlaceholderValues<'import-failed'>;
  }
}

function image(c: MailContent): Composed['image'] {
  const w = WORDS[c.language];
  switch (c.kind) {
    case 'parcel-ready':
    case 'reminder':
    case 'expiring-soon':
      return c.code === undefined ? undefined : { symbology: 'qrcode', text: c.code, alt: w.qrAlt };
    case 'drop-off-code':
      return { symbology: 'qrcode', text: c.code, alt: w.dropOffAlt };
    case 'storage':
      return { symbology: 'code128', text: c.code, alt: w.pinAlt };
    default:
      return undefined;
  }
}

function fill(parts: readonly Part[], values: Record<string, string | undefined>): string {
  return parts.map((p) => (typeof p === 'string' ? p : (values[p.name] ?? ''))).join('');
}

function partsOf(text: string): Part[] {
  const parsed = parseText(text);
  return 'parts' in parsed ? parsed.parts : [text];
}

/**
 * The subject and body of a message in its language: `own` words (an enterprise's template of this kind and
 * language) when given and still valid, else the built-in ones. A contact is always given the link to their
 * preferences, at the end unless the words place it.
 */
export function compose(c: MailContent, own?: TemplateText): Composed {
  const words = own !== undefined && templateProblem(c.kind, own) === undefined ? own : BUILT_IN[c.kind][c.language];
  const values = placeholderValues(c);
  const w = WORDS[c.language];
  const labels: Record<string, string> = { preferencesLink: w.prefs, ...(c.kind === 'welcome' || c.kind === 'password-reset' ? { link: w.link[c.kind] } : {}) };
  const used = new Set<string>();
  const paragraphs: Paragraph[] = [];
  for (const text of words.body.replace(/\r\n?/g, '\n').split(/\n[ \t]*\n/)) {
    const parts = partsOf(text.trim());
    const names = namesIn(parts);
    names.forEach((n) => used.add(n));
    if (parts.length === 0 || names.some((n) => !values[n])) continue;
    const only = parts.length === 1 ? parts[0] : undefined;
    if (typeof only === 'object' && LINK_PLACEHOLDERS.has(only.name)) paragraphs.push({ link: values[only.name]!, label: labels[only.name]! });
    else paragraphs.push(fill(parts, values));
  }
  if (c.preferencesUrl !== undefined && !used.has('preferencesLink')) paragraphs.push({ link: c.preferencesUrl, label: w.prefs });
  const img = image(c);
  return { subject: fill(partsOf(words.subject), values).replace(/\s+/g, ' ').trim(), paragraphs, ...(img ? { image: img } : {}) };
}
