/** The words of the users screen in English and French. */
import type { PageLanguage } from '../../http/pages/i18n.ts';

export type UserDone = 'created' | 'saved' | 'deleted' | 'welcomed' | 'unlocked' | 'not-locked' | 'mfa-reset' | 'mfa-none';

export interface UsersWords {
  title: string;
  newTitle: string;
  editTitle: (name: string) => string;
  search: string;
  searchHint: string;
  searchSubmit: string;
  found: (n: number) => string;
  caption: string;
  name: string;
  username: string;
  email: string;
  role: string;
  level: string;
  state: string;
  locked: (until: string) => string;
  disabled: string;
  active: string;
  noPassword: string;
  mfaOn: string;
  mfaOff: string;
  add: string;
  firstName: string;
  lastName: string;
  usernameHint: string;
  usernameFixed: string;
  emailHint: string;
  language: string;
  languageDefault: string;
  languages: Record<PageLanguage, string>;
  roleHint: string;
  levelHint: string;
  levelEnterprise: string;
  levelDivision: (name: string) => string;
  levelLocation: (name: string) => string;
  disabledLabel: string;
  disabledHint: string;
  create: string;
  details: string;
  actions: string;
  deleteSummary: string;
  deleteText: (name: string) => string;
  deleteSubmit: string;
  welcomeSummary: string;
  welcomeText: string;
  welcomeSubmit: string;
  unlockSummary: string;
  unlockText: (until: string) => string;
  unlockSubmit: string;
  mfaSummary: string;
  mfaText: string;
  mfaSubmit: string;
  done: Record<UserDone, string>;
  files: string;
  importHeading: string;
  importFile: string;
  importHint: string;
  importSubmit: string;
  imported: (r: { rows: number; added: number; updated: number; unchanged: number }) => string;
  problemsCaption: string;
  line: string;
  column: string;
  problem: string;
  exportLink: string;
  templateLink: string;
  noFile: string;
  unknownRole: string;
}

const EN: UsersWords = {
  title: 'Users',
  newTitle: 'New user',
  editTitle: (n) => `User ${n}`,
  search: 'Search users',
  searchHint: 'Name, user name, e-mail or employee ID. The list updates as you type.',
  searchSubmit: 'Search',
  found: (n) => (n === 1 ? '1 user' : `${n} users`),
  caption: 'Users you may manage',
  name: 'Name',
  username: 'User name',
  email: 'E-mail',
  role: 'Role',
  level: 'Access level',
  state: 'State',
  locked: (until) => `Locked until ${until}`,
  disabled: 'Disabled',
  active: 'Active',
  noPassword: 'No password yet',
  mfaOn: 'Authenticator on',
  mfaOff: 'No authenticator',
  add: 'Add a user',
  firstName: 'First name',
  lastName: 'Last name',
  usernameHint: 'What they sign in with, besides their e-mail address.',
  usernameFixed: 'A user name cannot be changed.',
  emailHint: 'A new user with an e-mail address is sent a welcome e-mail with a link to set their password.',
  language: 'Language',
  languageDefault: 'As their browser says',
  languages: { en: 'English', fr: 'French' },
  roleHint: 'Only the roles whose rights you hold yourself are offered.',
  levelHint: 'Where their rights apply: the whole enterprise, one division or one location.',
  levelEnterprise: 'The whole enterprise',
  levelDivision: (n) => `Division: ${n}`,
  levelLocation: (n) => `Location: ${n}`,
  disabledLabel: 'Disabled',
  disabledHint: 'A disabled user cannot sign in.',
  create: 'Add the user',
  details: 'Details',
  actions: 'Actions',
  deleteSummary: 'Delete this user…',
  deleteText: (n) => `${n} will no longer be able to sign in, and their account is removed. This cannot be undone.`,
  deleteSubmit: 'Delete the user',
  welcomeSummary: 'Resend the welcome e-mail…',
  welcomeText: 'A new e-mail with a link to set their password is sent; any older link stops working.',
  welcomeSubmit: 'Send the welcome e-mail',
  unlockSummary: 'Unlock the account…',
  unlockText: (until) => `The account is locked after failed sign-ins until ${until}. Unlocking lets them sign in now.`,
  unlockSubmit: 'Unlock',
  mfaSummary: 'Reset the second factor…',
  mfaText: 'Their authenticator, recovery codes and remembered devices are removed (a lost phone). They add an authenticator again where it is required.',
  mfaSubmit: 'Reset the second factor',
  done: {
    created: 'The user was added.',
    saved: 'The changes were saved.',
    deleted: 'The user was deleted.',
    welcomed: 'The welcome e-mail is on its way.',
    unlocked: 'The account is unlocked.',
    'not-locked': 'The account was not locked.',
    'mfa-reset': 'The second factor was reset.',
    'mfa-none': 'The user had no second factor.',
  },
  files: 'Import and export',
  importHeading: 'Import users from a CSV file',
  importFile: 'CSV file',
  importHint: 'One row per user, keyed by e-mail: a known e-mail updates that user, another adds one. Nothing is imported if any row has a problem.',
  importSubmit: 'Import',
  imported: (r) => `Imported ${r.rows === 1 ? '1 row' : `${r.rows} rows`}: ${r.added} added, ${r.updated} updated, ${r.unchanged} unchanged.`,
  problemsCaption: 'Problems in the file (nothing was imported)',
  line: 'Line',
  column: 'Column',
  problem: 'Problem',
  exportLink: 'Export the users (CSV)',
  templateLink: 'Download the template (CSV)',
  noFile: 'Choose a CSV file to import.',
  unknownRole: 'Unknown role',
};

const FR: UsersWords = {
  title: 'Utilisateurs',
  newTitle: 'Nouvel utilisateur',
  editTitle: (n) => `Utilisateur ${n}`,
  search: 'Rechercher des utilisateurs',
  searchHint: 'Nom, identifiant, e-mail ou matricule. La liste se met à jour pendant la saisie.',
  searchSubmit: 'Rechercher',
  found: (n) => (n <= 1 ? `${n} utilisateur` : `${n} utilisateurs`),
  caption: 'Utilisateurs que vous pouvez gérer',
  name: 'Nom',
  username: 'Identifiant',
  email: 'E-mail',
  role: 'Rôle',
  level: 'Niveau d’accès',
  state: 'État',
  locked: (until) => `Verrouillé jusqu’à ${until}`,
  disabled: 'Désactivé',
  active: 'Actif',
  noPassword: 'Pas encore de mot de passe',
  mfaOn: 'Authentificateur activé',
  mfaOff: 'Pas d’authentificateur',
  add: 'Ajouter un utilisateur',
  firstName: 'Prénom',
  lastName: 'Nom',
  usernameHint: 'Ce avec quoi la personne se connecte, en plus de son adresse e-mail.',
  usernameFixed: 'Un identifiant ne peut pas être modifié.',
  emailHint: 'Un nouvel utilisateur avec une adresse e-mail reçoit un e-mail de bienvenue avec un lien pour choisir son mot de passe.',
  language: 'Langue',
  languageDefault: 'Selon son navigateur',
  languages: { en: 'Anglais', fr: 'Français' },
  roleHint: 'Seuls les rôles dont vous détenez vous-même les droits sont proposés.',
  levelHint: 'Là où ses droits s’appliquent : toute l’entreprise, une division ou un site.',
  levelEnterprise: 'Toute l’entreprise',
  levelDivision: (n) => `Division : ${n}`,
  levelLocation: (n) => `Site : ${n}`,
  disabledLabel: 'Désactivé',
  disabledHint: 'Un utilisateur désactivé ne peut pas se connecter.',
  create: 'Ajouter l’utilisateur',
  details: 'Détails',
  actions: 'Actions',
  deleteSummary: 'Supprimer cet utilisateur…',
  deleteText: (n) => `${n} ne pourra plus se connecter et son compte sera supprimé. Cette action est définitive.`,
  deleteSubmit: 'Supprimer l’utilisateur',
  welcomeSummary: 'Renvoyer l’e-mail de bienvenue…',
  welcomeText: 'Un nouvel e-mail avec un lien pour choisir son mot de passe est envoyé ; tout lien plus ancien cesse de fonctionner.',
  welcomeSubmit: 'Envoyer l’e-mail de bienvenue',
  unlockSummary: 'Déverrouiller le compte…',
  unlockText: (until) => `Le compte est verrouillé après des connexions échouées jusqu’à ${until}. Le déverrouiller permet de se connecter dès maintenant.`,
  unlockSubmit: 'Déverrouiller',
  mfaSummary: 'Réinitialiser le second facteur…',
  mfaText: 'Son authentificateur, ses codes de secours et ses appareils mémorisés sont supprimés (un téléphone perdu). La personne ajoute de nouveau un authentificateur là où il est exigé.',
  mfaSubmit: 'Réinitialiser le second facteur',
  done: {
    created: 'L’utilisateur a été ajouté.',
    saved: 'Les modifications ont été enregistrées.',
    deleted: 'L’utilisateur a été supprimé.',
    welcomed: 'L’e-mail de bienvenue est en route.',
    unlocked: 'Le compte est déverrouillé.',
    'not-locked': 'Le compte n’était pas verrouillé.',
    'mfa-reset': 'Le second facteur a été réinitialisé.',
    'mfa-none': 'L’utilisateur n’avait pas de second facteur.',
  },
  files: 'Import et export',
  importHeading: 'Importer des utilisateurs depuis un fichier CSV',
  importFile: 'Fichier CSV',
  importHint: 'Une ligne par utilisateur, repéré par son e-mail : un e-mail connu met à jour cet utilisateur, un autre en ajoute un. Rien n’est importé si une ligne pose problème.',
  importSubmit: 'Importer',
  imported: (r) => `${r.rows <= 1 ? `${r.rows} ligne importée` : `${r.rows} lignes importées`} : ${r.added} ajoutée(s), ${r.updated} mise(s) à jour, ${r.unchanged} inchangée(s).`,
  problemsCaption: 'Problèmes dans le fichier (rien n’a été importé)',
  line: 'Ligne',
  column: 'Colonne',
  problem: 'Problème',
  exportLink: 'Exporter les utilisateurs (CSV)',
  templateLink: 'Télécharger le modèle (CSV)',
  noFile: 'Choisissez un fichier CSV à importer.',
  unknownRole: 'Rôle inconnu',
};

export const USERS_WORDS: Record<PageLanguage, UsersWords> = { en: EN, fr: FR };
