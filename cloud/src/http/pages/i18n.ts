/**
 * The words of the account pages in English and French, and the language a request is answered in: `?lang=fr|en`
 * (a form carries it on as a hidden field), else the first language of Accept-Language the pages speak, else English.
 */
import { FORGOT_ANSWER, LINK_INVALID_MESSAGE } from '../../auth/password-links.ts';

export const PAGE_LANGUAGES = ['en', 'fr'] as const;
export type PageLanguage = (typeof PAGE_LANGUAGES)[number];

function isPageLanguage(s: string | undefined): s is PageLanguage {
  return s !== undefined && (PAGE_LANGUAGES as readonly string[]).includes(s);
}

/** The language of a page: `asked` (a `lang` parameter) when the pages speak it, else by Accept-Language, else English. */
export function pickLanguage(asked: string | undefined, acceptLanguage: string | undefined): PageLanguage {
  if (isPageLanguage(asked)) return asked;
  const ranked = (acceptLanguage ?? '')
    .split(',')
    .map((part, i) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
      return { lang: tag.trim().toLowerCase().split('-')[0], q: q === undefined ? 1 : Number(q), i };
    })
    .filter((x) => x.q > 0)
    .sort((a, b) => b.q - a.q || a.i - b.i);
  return ranked.map((x) => x.lang).find(isPageLanguage) ?? 'en';
}

export interface PageWords {
  /** This language's name, in itself (the link to switch to it). */
  name: string;
  setTitle: string;
  resetTitle: string;
  forgotTitle: string;
  setIntro: (name: string) => string;
  resetIntro: (name: string) => string;
  forgotIntro: string;
  password: string;
  confirm: string;
  policy: (minLength: number, commonCheck: boolean) => string;
  setSubmit: string;
  email: string;
  emailHint: string;
  forgotSubmit: string;
  sent: string;
  done: string;
  linkInvalid: string;
  askNew: string;
  errorsHeading: string;
  passwordMissing: string;
  passwordRefused: (detail: string) => string;
  mismatch: string;
  emailInvalid: string;
  formExpired: string;
  tooMany: string;
  unavailable: string;
  errorTitle: string;
  refused: string;
  failed: string;
}

const EN: PageWords = {
  name: 'English',
  setTitle: 'Set your password',
  resetTitle: 'Reset your password',
  forgotTitle: 'Forgot your password?',
  setIntro: (name) => `Welcome, ${name}. Choose the password you will sign in with.`,
  resetIntro: (name) => `${name}, choose a new password. Every other session of yours ends once it is set.`,
  forgotIntro: 'Enter the e-mail address of your account: we send it a link to choose a new password.',
  password: 'New password',
  confirm: 'New password, again',
  policy: (n, common) => `At least ${n} characters.${common ? ' A common or breached password is refused.' : ''}`,
  setSubmit: 'Save the password',
  email: 'E-mail address',
  emailHint: 'For example name@example.com.',
  forgotSubmit: 'Send the link',
  sent: FORGOT_ANSWER,
  done: 'Your password is saved. You can now sign in with it.',
  linkInvalid: LINK_INVALID_MESSAGE,
  askNew: 'Ask for a new link',
  errorsHeading: 'There is a problem',
  passwordMissing: 'Enter a new password.',
  passwordRefused: (detail) => `This password is refused: ${detail}.`,
  mismatch: 'The two passwords differ: type the same password twice.',
  emailInvalid: 'Enter an e-mail address like name@example.com.',
  formExpired: 'This form has expired. Send it again.',
  tooMany: 'Too many requests for this address. Try again in a few minutes.',
  unavailable: 'This page is not available on this server.',
  errorTitle: 'Something went wrong',
  refused: 'This request could not be handled. Go back to the form and send it again.',
  failed: 'Something went wrong. Try again later.',
};

const FR: PageWords = {
  name: 'Français',
  setTitle: 'Choisissez votre mot de passe',
  resetTitle: 'Réinitialisez votre mot de passe',
  forgotTitle: 'Mot de passe oublié ?',
  setIntro: (name) => `Bienvenue, ${name}. Choisissez le mot de passe avec lequel vous vous connecterez.`,
  resetIntro: (name) => `${name}, choisissez un nouveau mot de passe. Toutes vos autres sessions se terminent dès qu’il est enregistré.`,
  forgotIntro: 'Saisissez l’adresse e-mail de votre compte : nous y envoyons un lien pour choisir un nouveau mot de passe.',
  password: 'Nouveau mot de passe',
  confirm: 'Nouveau mot de passe, à nouveau',
  policy: (n, common) => `Au moins ${n} caractères.${common ? ' Un mot de passe courant ou divulgué est refusé.' : ''}`,
  setSubmit: 'Enregistrer le mot de passe',
  email: 'Adresse e-mail',
  emailHint: 'Par exemple nom@exemple.com.',
  forgotSubmit: 'Envoyer le lien',
  sent: 'Si un compte utilise cette adresse e-mail, un lien pour réinitialiser son mot de passe vient de lui être envoyé. Il fonctionne pendant 30 minutes.',
  done: 'Votre mot de passe est enregistré. Vous pouvez maintenant vous connecter avec.',
  linkInvalid: 'Ce lien n’est plus valable : il a déjà servi, il a expiré ou un lien plus récent l’a remplacé. Demandez un nouveau lien.',
  askNew: 'Demander un nouveau lien',
  errorsHeading: 'Il y a un problème',
  passwordMissing: 'Saisissez un nouveau mot de passe.',
  passwordRefused: () => 'Ce mot de passe est refusé : il ne respecte pas les règles indiquées.',
  mismatch: 'Les deux mots de passe diffèrent : saisissez deux fois le même.',
  emailInvalid: 'Saisissez une adresse e-mail comme nom@exemple.com.',
  formExpired: 'Ce formulaire a expiré. Envoyez-le à nouveau.',
  tooMany: 'Trop de demandes pour cette adresse. Réessayez dans quelques minutes.',
  unavailable: 'Cette page n’est pas disponible sur ce serveur.',
  errorTitle: 'Une erreur s’est produite',
  refused: 'Cette demande n’a pas pu être traitée. Revenez au formulaire et envoyez-le à nouveau.',
  failed: 'Une erreur s’est produite. Réessayez plus tard.',
};

export const WORDS: Record<PageLanguage, PageWords> = { en: EN, fr: FR };
