/** The words of the sign-in pages (password, second factor, adding an authenticator) in English and French. */
import { ACCOUNT_LOCKED_MESSAGE } from '../../auth/lockout.ts';
import type { PageLanguage } from './i18n.ts';

export interface SignInWords {
  signInTitle: string;
  login: string;
  loginHint: string;
  password: string;
  signIn: string;
  forgot: string;
  sso: (enterprise: string) => string;
  ssoHeading: string;
  wrong: string;
  locked: string;
  tooMany: string;
  ssoRequired: string;
  missing: string;
  mfaTitle: string;
  mfaIntro: string;
  method: string;
  methods: { totp: string; recovery: string; email: string };
  code: string;
  codeHint: string;
  remember: (days: number) => string;
  continue: string;
  sendEmail: string;
  emailSent: string;
  wrongCode: string;
  expired: string;
  startOver: string;
  /** After the console's idle sign-out, and after signing out. */
  idleSignedOut: string;
  signedOut: string;
  addAuthenticator: string;
  enrolTitle: string;
  enrolIntro: string;
  scan: string;
  qrLabel: string;
  typeKey: string;
  enrolCode: string;
  recoveryTitle: string;
  recoveryIntro: string;
}

export const SIGN_IN_WORDS: Record<PageLanguage, SignInWords> = {
  en: {
    signInTitle: 'Sign in',
    login: 'E-mail address or user name',
    loginHint: '',
    password: 'Password',
    signIn: 'Sign in',
    forgot: 'Forgot your password?',
    sso: (e) => `Sign in with ${e}`,
    ssoHeading: 'Or sign in through your organisation',
    wrong: 'The e-mail address, user name or password is not right.',
    locked: ACCOUNT_LOCKED_MESSAGE,
    tooMany: 'Too many attempts from here. Wait a few minutes, then try again.',
    ssoRequired: 'Your organisation signs you in through its identity provider: use its button below.',
    missing: 'Enter your e-mail address or user name, and your password.',
    mfaTitle: 'Confirm it is you',
    mfaIntro: 'Your account asks for a second step.',
    method: 'How do you confirm?',
    methods: { totp: 'A code of my authenticator app', recovery: 'One of my recovery codes', email: 'A code sent to my e-mail address' },
    code: 'Code',
    codeHint: 'Six digits, or a recovery code such as abcde-fghij.',
    remember: (d) => `Do not challenge me on this device again for ${d} days`,
    continue: 'Continue',
    sendEmail: 'Send me a code by e-mail',
    emailSent: 'A code is on its way to your e-mail address. It works for 10 minutes.',
    wrongCode: 'That code is not right, or it was already used. Try the current code.',
    expired: 'This sign-in has expired or was already used. Sign in again.',
    startOver: 'Sign in again',
    idleSignedOut: 'You were signed out because you had not done anything for a while. Sign in again to go on.',
    signedOut: 'You are signed out.',
    addAuthenticator: 'Your organisation requires a second step: add an authenticator app to your account.',
    enrolTitle: 'Add an authenticator app',
    enrolIntro: 'Your organisation requires a second step at sign-in. Use any authenticator app (for example on your phone).',
    scan: '1. In the app, add an account and scan this QR code.',
    qrLabel: 'QR code to scan with your authenticator app',
    typeKey: 'If you cannot scan it, type this key into the app:',
    enrolCode: '2. Enter the code the app shows now.',
    recoveryTitle: 'Keep your recovery codes',
    recoveryIntro: 'If you lose your phone, each of these codes signs you in once. Keep them somewhere safe: they are shown only this time.',
  },
  fr: {
    signInTitle: 'Connexion',
    login: 'Adresse e-mail ou nom d’utilisateur',
    loginHint: '',
    password: 'Mot de passe',
    signIn: 'Se connecter',
    forgot: 'Mot de passe oublié ?',
    sso: (e) => `Se connecter avec ${e}`,
    ssoHeading: 'Ou connectez-vous par votre organisation',
    wrong: 'L’adresse e-mail, le nom d’utilisateur ou le mot de passe n’est pas correct.',
    locked: 'Ce compte est verrouillé : trop de tentatives de connexion ont échoué.',
    tooMany: 'Trop de tentatives depuis cet endroit. Patientez quelques minutes, puis réessayez.',
    ssoRequired: 'Votre organisation vous connecte par son fournisseur d’identité : utilisez son bouton ci-dessous.',
    missing: 'Saisissez votre adresse e-mail ou nom d’utilisateur, et votre mot de passe.',
    mfaTitle: 'Confirmez votre identité',
    mfaIntro: 'Votre compte demande une seconde étape.',
    method: 'Comment confirmez-vous ?',
    methods: { totp: 'Un code de mon application d’authentification', recovery: 'Un de mes codes de secours', email: 'Un code envoyé à mon adresse e-mail' },
    code: 'Code',
    codeHint: 'Six chiffres, ou un code de secours comme abcde-fghij.',
    remember: (d) => `Ne plus me demander cette étape sur cet appareil pendant ${d} jours`,
    continue: 'Continuer',
    sendEmail: 'M’envoyer un code par e-mail',
    emailSent: 'Un code est en route vers votre adresse e-mail. Il fonctionne 10 minutes.',
    wrongCode: 'Ce code n’est pas correct, ou il a déjà servi. Essayez le code actuel.',
    expired: 'Cette connexion a expiré ou a déjà servi. Connectez-vous de nouveau.',
    startOver: 'Se connecter de nouveau',
    idleSignedOut: 'Vous avez été déconnecté faute d’activité. Connectez-vous de nouveau pour continuer.',
    signedOut: 'Vous êtes déconnecté.',
    addAuthenticator: 'Votre organisation demande une seconde étape : ajoutez une application d’authentification à votre compte.',
    enrolTitle: 'Ajouter une application d’authentification',
    enrolIntro: 'Votre organisation demande une seconde étape à la connexion. Utilisez n’importe quelle application d’authentification (par exemple sur votre téléphone).',
    scan: '1. Dans l’application, ajoutez un compte et scannez ce code QR.',
    qrLabel: 'Code QR à scanner avec votre application d’authentification',
    typeKey: 'Si vous ne pouvez pas le scanner, saisissez cette clé dans l’application :',
    enrolCode: '2. Saisissez le code que l’application affiche maintenant.',
    recoveryTitle: 'Conservez vos codes de secours',
    recoveryIntro: 'Si vous perdez votre téléphone, chacun de ces codes vous connecte une fois. Gardez-les en lieu sûr : ils ne sont affichés que cette fois.',
  },
};
