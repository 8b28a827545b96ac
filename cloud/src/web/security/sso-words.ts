/** The words of the single sign-on page in English and French. */
import type { PageLanguage } from '../../http/pages/i18n.ts';

export type SsoDone = 'saved' | 'removed';

export interface SsoWords {
  title: string;
  intro: string;
  notSet: string;
  state: string;
  enabledState: string;
  disabledState: string;
  redirectUri: string;
  signInUrl: string;
  secretState: string;
  secretSaved: string;
  secretNone: string;
  formHeading: string;
  issuer: string;
  issuerHint: string;
  clientId: string;
  clientSecret: string;
  secretHintNew: string;
  secretHintKept: string;
  emailClaim: string;
  emailClaimHint: string;
  createUsers: string;
  createUsersHint: string;
  defaultRole: string;
  defaultRoleHint: string;
  noRole: string;
  passwordSignIn: string;
  passwordSignInHint: string;
  enabled: string;
  enabledHint: string;
  removeSummary: string;
  removeText: string;
  removeSubmit: string;
  done: Record<SsoDone, string>;
}

const EN: SsoWords = {
  title: 'Single sign-on',
  intro: 'Your people sign in through your organisation’s identity provider with OpenID Connect, found by their e-mail address.',
  notSet: 'Single sign-on is not set up: everyone signs in with a password.',
  state: 'State',
  enabledState: 'On',
  disabledState: 'Off',
  redirectUri: 'Redirect URI to register with the identity provider',
  signInUrl: 'Sign-in address for your people',
  secretState: 'Client secret',
  secretSaved: 'Saved (never shown again)',
  secretNone: 'None',
  formHeading: 'Identity provider',
  issuer: 'Issuer URL',
  issuerHint: 'An https address; its discovery document is at /.well-known/openid-configuration.',
  clientId: 'Client ID',
  clientSecret: 'Client secret',
  secretHintNew: 'The secret the identity provider issued. Once saved it is never shown again.',
  secretHintKept: 'A secret is saved and is never shown again. Leave this empty to keep it, or type a new one to replace it.',
  emailClaim: 'Claim with the e-mail address',
  emailClaimHint: 'Usually “email”.',
  createUsers: 'Create an unknown e-mail address as a new user at their first sign-in',
  createUsersHint: 'Otherwise only existing users may sign in this way.',
  defaultRole: 'Role of a user created at first sign-in',
  defaultRoleHint: 'Required when new users are created.',
  noRole: 'No role',
  passwordSignIn: 'Password sign-in stays allowed',
  passwordSignInHint: 'Unticked, your people may sign in only through the identity provider while single sign-on is on.',
  enabled: 'Single sign-on is on',
  enabledHint: 'Unticked, the settings are kept but nobody signs in this way.',
  removeSummary: 'Remove single sign-on',
  removeText: 'The settings and the client secret are deleted; everyone signs in with a password again.',
  removeSubmit: 'Remove single sign-on',
  done: { saved: 'Single sign-on was saved.', removed: 'Single sign-on was removed.' },
};

const FR: SsoWords = {
  title: 'Authentification unique',
  intro: 'Vos personnes se connectent par le fournisseur d’identité de votre organisation avec OpenID Connect, retrouvées par leur adresse e-mail.',
  notSet: 'L’authentification unique n’est pas configurée : chacun se connecte avec un mot de passe.',
  state: 'État',
  enabledState: 'Activée',
  disabledState: 'Désactivée',
  redirectUri: 'URI de redirection à déclarer au fournisseur d’identité',
  signInUrl: 'Adresse de connexion pour vos personnes',
  secretState: 'Secret client',
  secretSaved: 'Enregistré (jamais réaffiché)',
  secretNone: 'Aucun',
  formHeading: 'Fournisseur d’identité',
  issuer: 'URL de l’émetteur',
  issuerHint: 'Une adresse https ; son document de découverte est à /.well-known/openid-configuration.',
  clientId: 'Identifiant client',
  clientSecret: 'Secret client',
  secretHintNew: 'Le secret délivré par le fournisseur d’identité. Une fois enregistré, il n’est plus jamais affiché.',
  secretHintKept: 'Un secret est enregistré et n’est plus jamais affiché. Laissez ce champ vide pour le garder, ou saisissez-en un nouveau pour le remplacer.',
  emailClaim: 'Revendication portant l’adresse e-mail',
  emailClaimHint: 'En général « email ».',
  createUsers: 'Créer une adresse e-mail inconnue comme nouvel utilisateur à sa première connexion',
  createUsersHint: 'Sinon, seuls les utilisateurs existants peuvent se connecter ainsi.',
  defaultRole: 'Rôle d’un utilisateur créé à sa première connexion',
  defaultRoleHint: 'Obligatoire quand de nouveaux utilisateurs sont créés.',
  noRole: 'Aucun rôle',
  passwordSignIn: 'La connexion par mot de passe reste permise',
  passwordSignInHint: 'Décochée, vos personnes ne peuvent se connecter que par le fournisseur d’identité tant que l’authentification unique est activée.',
  enabled: 'L’authentification unique est activée',
  enabledHint: 'Décochée, les réglages sont gardés mais personne ne se connecte ainsi.',
  removeSummary: 'Supprimer l’authentification unique',
  removeText: 'Les réglages et le secret client sont supprimés ; chacun se connecte de nouveau avec un mot de passe.',
  removeSubmit: 'Supprimer l’authentification unique',
  done: { saved: 'L’authentification unique a été enregistrée.', removed: 'L’authentification unique a été supprimée.' },
};

export const SSO_WORDS: Record<PageLanguage, SsoWords> = { en: EN, fr: FR };
