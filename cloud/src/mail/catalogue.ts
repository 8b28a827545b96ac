/**
 * The words of every message in English and French. Each template gives a subject, paragraphs (a paragraph may be a
 * link) and, for a code, the image to attach: a QR code of a pickup or drop-off code (the kiosk's scanner reads it),
 * a Code 128 barcode of a storage PIN.
 */
import type { ReservationKind } from '../domain/model.ts';
import type { MailContent, Place } from './content.ts';
import type { MailLanguage } from './model.ts';

export type Paragraph = string | { link: string; label: string };
export interface Composed {
  subject: string;
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
    hello: (n: string) => `Hello ${n},`,
    thing: { package: 'parcel', return: 'return', exchange: 'exchange', storage: 'stored item' } satisfies Record<ReservationKind, string>,
    where: (p: Place) => `${p.bank}, ${p.location}${p.lockerNumber !== undefined ? `, locker ${p.lockerNumber}` : ''}`,
    codeLine: (c: string) => `Your pickup code: ${c}`,
    qrLine: 'Scan the QR code attached at the kiosk, or type the code.',
    qrAlt: 'QR code of your pickup code',
    prefs: 'Change your notification preferences',
    ignore: 'If you did not expect this message, you can ignore it.',
  },
  fr: {
    hello: (n: string) => `Bonjour ${n},`,
    thing: { package: 'colis', return: 'retour', exchange: 'échange', storage: 'objet déposé' } satisfies Record<ReservationKind, string>,
    where: (p: Place) => `${p.bank}, ${p.location}${p.lockerNumber !== undefined ? `, casier ${p.lockerNumber}` : ''}`,
    codeLine: (c: string) => `Votre code de retrait : ${c}`,
    qrLine: 'Présentez le code QR joint au lecteur de la borne, ou saisissez le code.',
    qrAlt: 'Code QR de votre code de retrait',
    prefs: 'Modifier vos préférences de notification',
    ignore: 'Si vous n’attendiez pas ce message, vous pouvez l’ignorer.',
  },
} as const;

/** The subject and body of a message in its language. */
export function compose(c: MailContent): Composed {
  const lang = c.language;
  const w = WORDS[lang];
  const out = body(c, lang);
  const paragraphs: Paragraph[] = [w.hello(c.name), ...out.paragraphs];
  if (c.preferencesUrl) paragraphs.push({ link: c.preferencesUrl, label: w.prefs });
  if (c.kind === 'welcome' || c.kind === 'password-reset') paragraphs.push(w.ignore);
  return { ...out, paragraphs };
}

function codeImage(lang: MailLanguage, code: string | undefined): Pick<Composed, 'image'> {
  return code === undefined ? {} : { image: { symbology: 'qrcode', text: code, alt: WORDS[lang].qrAlt } };
}

function codeLines(lang: MailLanguage, code: string | undefined): string[] {
  return code === undefined ? [] : [WORDS[lang].codeLine(code), WORDS[lang].qrLine];
}

function body(c: MailContent, lang: MailLanguage): Omit<Composed, 'paragraphs'> & { paragraphs: Paragraph[] } {
  const w = WORDS[lang];
  const en = lang === 'en';
  switch (c.kind) {
    case 'parcel-ready': {
      const thing = w.thing[c.reservationKind];
      return {
        subject: en ? `Your ${thing} is ready for pickup at ${c.place.bank}` : `Votre ${thing} est prêt à être retiré à ${c.place.bank}`,
        paragraphs: [
          en ? `Your ${thing} is waiting for you: ${w.where(c.place)}.` : `Votre ${thing} vous attend : ${w.where(c.place)}.`,
          ...codeLines(lang, c.code),
          en ? `Collect it by ${when(lang, c.expiresAt)}.` : `Retirez-le avant le ${when(lang, c.expiresAt)}.`,
          ...(c.trackingIds.length > 0 ? [en ? `Tracking: ${c.trackingIds.join(', ')}` : `Suivi : ${c.trackingIds.join(', ')}`] : []),
        ],
        ...codeImage(lang, c.code),
      };
    }
    case 'reminder': {
      const thing = w.thing[c.reservationKind];
      return {
        subject: en ? `Reminder: your ${thing} is waiting at ${c.place.bank}` : `Rappel : votre ${thing} vous attend à ${c.place.bank}`,
        paragraphs: [
          en ? `Your ${thing} has been waiting since ${when(lang, c.since)}: ${w.where(c.place)}.` : `Votre ${thing} vous attend depuis le ${when(lang, c.since)} : ${w.where(c.place)}.`,
          ...codeLines(lang, c.code),
          en ? `Collect it by ${when(lang, c.expiresAt)}.` : `Retirez-le avant le ${when(lang, c.expiresAt)}.`,
        ],
        ...codeImage(lang, c.code),
      };
    }
    case 'expiring-soon': {
      const thing = w.thing[c.reservationKind];
      return {
        subject: en ? `Your ${thing} must be collected by ${when(lang, c.expiresAt)}` : `Votre ${thing} doit être retiré avant le ${when(lang, c.expiresAt)}`,
        paragraphs: [
          en
            ? `Your ${thing} at ${w.where(c.place)} goes back to the mailroom if it is not collected by ${when(lang, c.expiresAt)}.`
            : `Votre ${thing} (${w.where(c.place)}) retournera au service courrier s’il n’est pas retiré avant le ${when(lang, c.expiresAt)}.`,
          ...codeLines(lang, c.code),
        ],
        ...codeImage(lang, c.code),
      };
    }
    case 'expired':
      return {
        subject: en ? 'Your parcel was returned to the mailroom' : 'Votre colis a été rapporté au service courrier',
        paragraphs: [
          en
            ? `Your parcel was not collected in time from ${w.where(c.place)} (${when(lang, c.at)}). Ask the mailroom for it.`
            : `Votre colis n’a pas été retiré à temps (${w.where(c.place)}, ${when(lang, c.at)}). Demandez-le au service courrier.`,
        ],
      };
    case 'picked-up':
      return {
        subject: en ? 'Receipt: your parcel was picked up' : 'Reçu : votre colis a été retiré',
        paragraphs: [
          en ? `Picked up on ${when(lang, c.at)} from ${w.where(c.place)}.` : `Retiré le ${when(lang, c.at)} : ${w.where(c.place)}.`,
          en ? 'If this was not you, tell the mailroom at once.' : 'Si ce n’était pas vous, prévenez immédiatement le service courrier.',
        ],
      };
    case 'drop-off-code': {
      const thing = w.thing[c.reservationKind];
      return {
        subject: en ? `Your code to drop off a ${thing} at ${c.place.bank}` : `Votre code pour déposer un ${thing} à ${c.place.bank}`,
        paragraphs: [
          en ? `A locker is reserved for your ${thing}: ${w.where(c.place)}.` : `Un casier est réservé pour votre ${thing} : ${w.where(c.place)}.`,
          en ? `Your drop-off code: ${c.code}` : `Votre code de dépôt : ${c.code}`,
          en ? `Drop it off by ${when(lang, c.expiresAt)}.` : `Déposez-le avant le ${when(lang, c.expiresAt)}.`,
        ],
        image: { symbology: 'qrcode', text: c.code, alt: en ? 'QR code of your drop-off code' : 'Code QR de votre code de dépôt' },
      };
    }
    case 'storage':
      return {
        subject: en ? `Your storage locker is reserved at ${c.place.bank}` : `Votre casier de consigne est réservé à ${c.place.bank}`,
        paragraphs: [
          en ? `A locker is reserved for you: ${w.where(c.place)}.` : `Un casier vous est réservé : ${w.where(c.place)}.`,
          en ? `Your PIN: ${c.code}` : `Votre code PIN : ${c.code}`,
          en ? 'Type it at the kiosk, or scan the barcode attached, to fill the locker and later to empty it.' : 'Saisissez-le à la borne, ou présentez le code-barres joint, pour remplir le casier puis le vider.',
          ...(c.endsAt !== undefined ? [en ? `Your storage ends ${when(lang, c.endsAt)}.` : `Votre consigne se termine le ${when(lang, c.endsAt)}.`] : []),
        ],
        image: { symbology: 'code128', text: c.code, alt: en ? 'Barcode of your PIN' : 'Code-barres de votre code PIN' },
      };
    case 'welcome':
    case 'password-reset': {
      const welcome = c.kind === 'welcome';
      const words = {
        en: welcome
          ? ['Welcome to Portier: set your password', 'An account was made for you. Set your password with this link:', 'Set my password']
          : ['Reset your Portier password', 'Someone asked to reset the password of your account. Choose a new one with this link:', 'Reset my password'],
        fr: welcome
          ? ['Bienvenue sur Portier : choisissez votre mot de passe', 'Un compte a été créé pour vous. Choisissez votre mot de passe avec ce lien :', 'Choisir mon mot de passe']
          : ['Réinitialisez votre mot de passe Portier', 'Une réinitialisation du mot de passe de votre compte a été demandée. Choisissez-en un nouveau avec ce lien :', 'Réinitialiser mon mot de passe'],
      }[lang];
      const [subject, intro, label] = words as [string, string, string];
      return {
        subject,
        paragraphs: [
          intro,
          { link: c.link, label },
          en ? `The link works once, until ${when(lang, c.expiresAt)}.` : `Le lien ne fonctionne qu’une fois, jusqu’au ${when(lang, c.expiresAt)}.`,
        ],
      };
    }
    case 'mfa-code':
      return {
        subject: en ? 'Your Portier sign-in code' : 'Votre code de connexion Portier',
        paragraphs: [
          en ? `Your sign-in code: ${c.code}` : `Votre code de connexion : ${c.code}`,
          en ? `It works once, until ${when(lang, c.expiresAt)}.` : `Il ne fonctionne qu’une fois, jusqu’au ${when(lang, c.expiresAt)}.`,
          en ? 'If you did not try to sign in, someone knows your password: change it.' : 'Si vous n’avez pas tenté de vous connecter, quelqu’un connaît votre mot de passe : changez-le.',
        ],
      };
    case 'import-failed':
      return {
        subject: en ? `Address book import failed: ${c.enterprise}` : `Échec de l’import du carnet d’adresses : ${c.enterprise}`,
        paragraphs: [
          en ? `The scheduled import of ${when(lang, c.at)} failed: ${c.problem}` : `L’import planifié du ${when(lang, c.at)} a échoué : ${c.problem}`,
          en ? 'The address book was left as it was. Check the import settings and the file, then run it again.' : 'Le carnet d’adresses n’a pas été modifié. Vérifiez les réglages de l’import et le fichier, puis relancez-le.',
        ],
      };
  }
}
