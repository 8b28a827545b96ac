/** The words of the sign-in pages (single sign-on, the signed-in page, sign-out) in English and French. */
import type { SsoRefusal } from '../../sso/sign-in.ts';
import type { PageLanguage } from './i18n.ts';

export interface SsoWords {
  accountTitle: string;
  signedInAs: (name: string) => string;
  organisation: (name: string) => string;
  signOut: string;
  signInTitle: string;
  signedOutTitle: string;
  signedOut: string;
  failedTitle: string;
  startAgain: string;
  refusal: Record<SsoRefusal, string>;
}

const EN: SsoWords = {
  accountTitle: 'Your account',
  signedInAs: (name) => `Signed in as ${name}.`,
  organisation: (name) => `Organisation: ${name}.`,
  signOut: 'Sign out',
  signInTitle: 'Sign in',
  signedOutTitle: 'You are signed out',
  signedOut: 'Your session has ended. Close this window, or sign in again with your organisation’s link.',
  failedTitle: 'Sign-in failed',
  startAgain: 'Start the sign-in again',
  refusal: {
    'not-configured': 'This organisation has no single sign-on here. Ask your administrator for the right link.',
    'no-sign-in': 'This sign-in has expired or was started in another browser. Start it again.',
    'wrong-state': 'This sign-in answer does not belong to the sign-in this browser started. Start it again.',
    'provider-refused': 'Your identity provider refused the sign-in. Start it again, or ask your administrator.',
    'code-refused': 'Your identity provider refused this sign-in: its code was already used or has expired. Start it again.',
    unreachable: 'Your identity provider could not be reached. Try again in a few minutes.',
    'no-email': 'Your identity provider did not give an e-mail address. Ask your administrator.',
    'email-unverified': 'Your identity provider says your e-mail address is not verified. Verify it there, then start again.',
    'unknown-user': 'There is no Portier account for your e-mail address in this organisation. Ask your administrator for one.',
    disabled: 'Your Portier account is disabled. Ask your administrator.',
    'not-created': 'Your Portier account could not be created. Ask your administrator.',
  },
};

const FR: SsoWords = {
  accountTitle: 'Votre compte',
  signedInAs: (name) => `Connecté en tant que ${name}.`,
  organisation: (name) => `Organisation : ${name}.`,
  signOut: 'Se déconnecter',
  signInTitle: 'Connexion',
  signedOutTitle: 'Vous êtes déconnecté',
  signedOut: 'Votre session est terminée. Fermez cette fenêtre, ou reconnectez-vous avec le lien de votre organisation.',
  failedTitle: 'Échec de la connexion',
  startAgain: 'Recommencer la connexion',
  refusal: {
    'not-configured': 'Cette organisation n’a pas d’authentification unique ici. Demandez le bon lien à votre administrateur.',
    'no-sign-in': 'Cette connexion a expiré ou a été commencée dans un autre navigateur. Recommencez-la.',
    'wrong-state': 'Cette réponse ne correspond pas à la connexion commencée dans ce navigateur. Recommencez-la.',
    'provider-refused': 'Votre fournisseur d’identité a refusé la connexion. Recommencez-la, ou demandez à votre administrateur.',
    'code-refused': 'Votre fournisseur d’identité a refusé cette connexion : son code a déjà servi ou a expiré. Recommencez-la.',
    unreachable: 'Votre fournisseur d’identité est injoignable. Réessayez dans quelques minutes.',
    'no-email': 'Votre fournisseur d’identité n’a pas donné d’adresse e-mail. Demandez à votre administrateur.',
    'email-unverified': 'Votre fournisseur d’identité indique que votre adresse e-mail n’est pas vérifiée. Vérifiez-la, puis recommencez.',
    'unknown-user': 'Aucun compte Portier de cette organisation n’a votre adresse e-mail. Demandez-en un à votre administrateur.',
    disabled: 'Votre compte Portier est désactivé. Demandez à votre administrateur.',
    'not-created': 'Votre compte Portier n’a pas pu être créé. Demandez à votre administrateur.',
  },
};

export const SSO_WORDS: Record<PageLanguage, SsoWords> = { en: EN, fr: FR };
