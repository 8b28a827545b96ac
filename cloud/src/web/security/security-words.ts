/** The words of the security screen (the enterprise's sign-in settings) in English and French. */
import type { PageLanguage } from '../../http/pages/i18n.ts';

/** The settings of the screen held as whole numbers, each with its unit. */
export type NumberSetting = 'idleTimeoutMinutes' | 'sessionMaxHours' | 'lockoutThreshold' | 'lockoutMinutes' | 'passwordMinLength' | 'welcomeLinkHours' | 'mfaRememberDays';
export type MfaRequirement = 'off' | 'admins' | 'all';
export type SecurityDone = 'saved';

export interface SecurityWords {
  intro: string;
  notWhole: string;
  groups: { sessions: string; lockout: string; passwords: string; mfa: string };
  labels: Record<NumberSetting, string>;
  /** The allowed range of a setting and its default, in its unit. */
  range: Record<NumberSetting, (min: number, max: number, byDefault: number) => string>;
  /** A refused value: the range again, said as what to do. */
  outOfRange: (min: number, max: number) => string;
  notNumber: string;
  commonCheck: string;
  commonCheckHint: string;
  emailCodes: string;
  emailCodesHint: string;
  mfaRequired: string;
  mfaRequiredHint: string;
  mfaOptions: Record<MfaRequirement, string>;
  done: Record<SecurityDone, string>;
  more: string;
  ssoLink: string;
  ssoAbout: string;
  keysLink: string;
  keysAbout: string;
}

const EN: SecurityWords = {
  intro: 'How the people of your enterprise sign in and how long they stay signed in. Each change applies from their next sign-in or request.',
  notWhole: 'Only someone whose access level is the whole enterprise changes its settings.',
  groups: { sessions: 'Sessions', lockout: 'Lock-out after failed sign-ins', passwords: 'Passwords and welcome e-mails', mfa: 'Two-step sign-in' },
  labels: {
    idleTimeoutMinutes: 'Sign out after this many idle minutes',
    sessionMaxHours: 'Longest session, in hours',
    lockoutThreshold: 'Failed sign-ins in a row before the account is locked',
    lockoutMinutes: 'Minutes an account stays locked',
    passwordMinLength: 'Shortest password, in characters',
    welcomeLinkHours: 'Hours the link of a welcome e-mail works',
    mfaRememberDays: 'Days a browser is remembered after a second step',
  },
  range: {
    idleTimeoutMinutes: (a, b, d) => `From ${a} to ${b} minutes (default ${d}). API keys are never signed out for being idle.`,
    sessionMaxHours: (a, b, d) => `From ${a} to ${b} hours (default ${d}): a session ends this long after sign-in, however busy.`,
    lockoutThreshold: (a, b, d) => `From ${a} to ${b} (default ${d}).`,
    lockoutMinutes: (a, b, d) => `From ${a} to ${b} minutes (default ${d}), unless an administrator unlocks it or the person resets their password.`,
    passwordMinLength: (a, b, d) => `From ${a} to ${b} characters (default ${d}).`,
    welcomeLinkHours: (a, b, d) => `From ${a} to ${b} hours (default ${d}).`,
    mfaRememberDays: (a, b, d) => `From ${a} to ${b} days (default ${d}); 0: ask every time.`,
  },
  outOfRange: (a, b) => `Enter a whole number from ${a} to ${b}.`,
  notNumber: 'Enter a whole number.',
  commonCheck: 'Refuse common and breached passwords',
  commonCheckHint: 'A password found on the list of common and breached passwords is refused.',
  emailCodes: 'Allow a code sent by e-mail as the second step',
  emailCodesHint: 'Otherwise only an authenticator app or a recovery code will do.',
  mfaRequired: 'Who must sign in in two steps',
  mfaRequiredHint: 'Anyone may still turn it on for themselves.',
  mfaOptions: { off: 'Nobody', admins: 'Administrators (whoever may change users, roles or settings)', all: 'Everyone' },
  done: { saved: 'The security settings were saved.' },
  more: 'Single sign-on and API keys',
  ssoLink: 'Single sign-on',
  ssoAbout: 'Sign in through your organisation’s identity provider (OpenID Connect).',
  keysLink: 'API keys',
  keysAbout: 'Keys for scripts and integrations: make, list and revoke.',
};

const FR: SecurityWords = {
  intro: 'Comment les personnes de votre entreprise se connectent et combien de temps elles restent connectées. Chaque changement s’applique dès leur prochaine connexion ou requête.',
  notWhole: 'Seule une personne dont le niveau d’accès est toute l’entreprise modifie ses paramètres.',
  groups: { sessions: 'Sessions', lockout: 'Verrouillage après des échecs de connexion', passwords: 'Mots de passe et e-mails de bienvenue', mfa: 'Connexion en deux étapes' },
  labels: {
    idleTimeoutMinutes: 'Déconnecter après ce nombre de minutes d’inactivité',
    sessionMaxHours: 'Durée maximale d’une session, en heures',
    lockoutThreshold: 'Échecs de connexion d’affilée avant le verrouillage du compte',
    lockoutMinutes: 'Minutes pendant lesquelles un compte reste verrouillé',
    passwordMinLength: 'Longueur minimale d’un mot de passe, en caractères',
    welcomeLinkHours: 'Heures de validité du lien d’un e-mail de bienvenue',
    mfaRememberDays: 'Jours pendant lesquels un navigateur est mémorisé après une deuxième étape',
  },
  range: {
    idleTimeoutMinutes: (a, b, d) => `De ${a} à ${b} minutes (par défaut ${d}). Les clés d’API ne sont jamais déconnectées pour inactivité.`,
    sessionMaxHours: (a, b, d) => `De ${a} à ${b} heures (par défaut ${d}) : une session se termine ce délai après la connexion, même active.`,
    lockoutThreshold: (a, b, d) => `De ${a} à ${b} (par défaut ${d}).`,
    lockoutMinutes: (a, b, d) => `De ${a} à ${b} minutes (par défaut ${d}), sauf si un administrateur le déverrouille ou si la personne réinitialise son mot de passe.`,
    passwordMinLength: (a, b, d) => `De ${a} à ${b} caractères (par défaut ${d}).`,
    welcomeLinkHours: (a, b, d) => `De ${a} à ${b} heures (par défaut ${d}).`,
    mfaRememberDays: (a, b, d) => `De ${a} à ${b} jours (par défaut ${d}) ; 0 : demander à chaque fois.`,
  },
  outOfRange: (a, b) => `Saisissez un nombre entier de ${a} à ${b}.`,
  notNumber: 'Saisissez un nombre entier.',
  commonCheck: 'Refuser les mots de passe courants ou divulgués',
  commonCheckHint: 'Un mot de passe figurant sur la liste des mots de passe courants ou divulgués est refusé.',
  emailCodes: 'Accepter un code envoyé par e-mail comme deuxième étape',
  emailCodesHint: 'Sinon, seuls une application d’authentification ou un code de secours conviennent.',
  mfaRequired: 'Qui doit se connecter en deux étapes',
  mfaRequiredHint: 'Chacun peut toujours l’activer pour lui-même.',
  mfaOptions: { off: 'Personne', admins: 'Les administrateurs (qui peut modifier les utilisateurs, les rôles ou les paramètres)', all: 'Tout le monde' },
  done: { saved: 'Les paramètres de sécurité ont été enregistrés.' },
  more: 'Authentification unique et clés d’API',
  ssoLink: 'Authentification unique',
  ssoAbout: 'Se connecter par le fournisseur d’identité de votre organisation (OpenID Connect).',
  keysLink: 'Clés d’API',
  keysAbout: 'Des clés pour les scripts et les intégrations : créer, lister et révoquer.',
};

export const SECURITY_WORDS: Record<PageLanguage, SecurityWords> = { en: EN, fr: FR };
