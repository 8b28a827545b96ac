/** The words of the API keys page in English and French. */
import type { PageLanguage } from '../../http/pages/i18n.ts';

export type ApiKeyStatus = 'active' | 'expired' | 'revoked';
export type ApiKeysDone = 'revoked';

export interface ApiKeysWords {
  title: string;
  intro: string;
  none: string;
  caption: string;
  name: string;
  role: string;
  level: string;
  created: string;
  expires: string;
  lastUsed: string;
  never: string;
  status: string;
  action: string;
  statuses: Record<ApiKeyStatus, string>;
  revokeSummary: (name: string) => string;
  revokeText: string;
  revokeSubmit: string;
  newHeading: string;
  nameHint: string;
  roleHint: string;
  levelHint: string;
  expiresLabel: string;
  expiresHint: (days: number) => string;
  notDate: string;
  create: string;
  madeHeading: string;
  made: (name: string) => string;
  onceWarning: string;
  keyLabel: string;
  usage: string;
  done: Record<ApiKeysDone, string>;
}

const EN: ApiKeysWords = {
  title: 'API keys',
  intro: 'A key lets a script or an integration use the API as a user of the role it is given. It never does more than you may do, and stops working if you are removed or disabled.',
  none: 'There are no API keys yet.',
  caption: 'API keys, newest first',
  name: 'Name',
  role: 'Role',
  level: 'Access level',
  created: 'Made',
  expires: 'Expires',
  lastUsed: 'Last used',
  never: 'Never',
  status: 'Status',
  action: 'Action',
  statuses: { active: 'Active', expired: 'Expired', revoked: 'Revoked' },
  revokeSummary: (n) => `Revoke ${n}`,
  revokeText: 'The key is refused from its next request on. This cannot be undone.',
  revokeSubmit: 'Revoke the key',
  newHeading: 'Make a key',
  nameHint: 'What the key is for, such as the name of the integration.',
  roleHint: 'Only roles whose every right you hold.',
  levelHint: 'The part of the organisation the key acts on.',
  expiresLabel: 'Stops working on',
  expiresHint: (d) => `At the start of this day. At most ${d} days from today: a key is replaced at least that often.`,
  notDate: 'Enter a date.',
  create: 'Make the key',
  madeHeading: 'Your new key',
  made: (n) => `The key “${n}” was made.`,
  onceWarning: 'Copy the key now and keep it somewhere safe: it is shown this once and can never be shown again. If it is lost, revoke it and make another.',
  keyLabel: 'The key',
  usage: 'Send it in the Authorization header: Bearer followed by the key.',
  done: { revoked: 'The key was revoked.' },
};

const FR: ApiKeysWords = {
  title: 'Clés d’API',
  intro: 'Une clé permet à un script ou à une intégration d’utiliser l’API comme un utilisateur du rôle qui lui est donné. Elle ne fait jamais plus que vous, et cesse de fonctionner si vous êtes supprimé ou désactivé.',
  none: 'Il n’y a pas encore de clé d’API.',
  caption: 'Clés d’API, les plus récentes d’abord',
  name: 'Nom',
  role: 'Rôle',
  level: 'Niveau d’accès',
  created: 'Créée',
  expires: 'Expire',
  lastUsed: 'Dernière utilisation',
  never: 'Jamais',
  status: 'État',
  action: 'Action',
  statuses: { active: 'Active', expired: 'Expirée', revoked: 'Révoquée' },
  revokeSummary: (n) => `Révoquer ${n}`,
  revokeText: 'La clé est refusée dès sa prochaine requête. Cette action est définitive.',
  revokeSubmit: 'Révoquer la clé',
  newHeading: 'Créer une clé',
  nameHint: 'À quoi sert la clé, par exemple le nom de l’intégration.',
  roleHint: 'Seulement les rôles dont vous détenez tous les droits.',
  levelHint: 'La partie de l’organisation sur laquelle la clé agit.',
  expiresLabel: 'Cesse de fonctionner le',
  expiresHint: (d) => `Au début de ce jour. Au plus ${d} jours à partir d’aujourd’hui : une clé est remplacée au moins aussi souvent.`,
  notDate: 'Saisissez une date.',
  create: 'Créer la clé',
  madeHeading: 'Votre nouvelle clé',
  made: (n) => `La clé « ${n} » a été créée.`,
  onceWarning: 'Copiez la clé maintenant et conservez-la en lieu sûr : elle est affichée cette seule fois et ne pourra plus jamais l’être. Si elle est perdue, révoquez-la et créez-en une autre.',
  keyLabel: 'La clé',
  usage: 'Envoyez-la dans l’en-tête Authorization : Bearer suivi de la clé.',
  done: { revoked: 'La clé a été révoquée.' },
};

export const API_KEYS_WORDS: Record<PageLanguage, ApiKeysWords> = { en: EN, fr: FR };
