/** The words of the scheduled imports screen (the address book's SFTP import) in English and French. */
import type { PageLanguage } from '../../http/pages/i18n.ts';

export type ImportDone = 'saved' | 'deleted' | 'key-forgotten' | 'run-ok' | 'run-failed' | 'run-skipped';
export type DelimiterName = 'comma' | 'semicolon' | 'tab';

export interface ImportsWords {
  intro: string;
  notSetUp: string;
  currentHeading: string;
  server: string;
  user: string;
  signIn: string;
  passwordStored: string;
  keyStored: string;
  keyWithPassphrase: string;
  file: string;
  schedule: string;
  scheduleIn: (schedule: string, zone: string) => string;
  state: string;
  enabled: string;
  disabled: string;
  nextRun: string;
  none: string;
  hostKey: string;
  hostKeyPinned: (fingerprint: string, at: string) => string;
  hostKeyNone: string;
  runNow: string;
  runNowHint: string;
  running: string;
  forgetSummary: string;
  forgetText: string;
  forgetSubmit: string;
  deleteSummary: string;
  deleteText: string;
  deleteSubmit: string;
  formHeadingNew: string;
  formHeadingEdit: string;
  host: string;
  hostHint: string;
  port: string;
  username: string;
  password: string;
  passwordHint: string;
  passwordKeep: string;
  privateKey: string;
  privateKeyHint: string;
  privateKeyKeep: string;
  passphrase: string;
  passphraseHint: string;
  secretsRetype: string;
  remotePath: string;
  remotePathHint: string;
  delimiter: string;
  delimiters: Record<DelimiterName, string>;
  mode: string;
  modeHint: string;
  modes: { merge: string; replace: string };
  scheduleHint: string;
  timezone: string;
  timezoneHint: string;
  enabledLabel: string;
  enabledHint: string;
  save: string;
  runsHeading: string;
  runsNone: string;
  runsCaption: string;
  started: string;
  trigger: string;
  triggers: { schedule: string; manual: string };
  outcome: string;
  outcomes: { ok: string; failed: string; skipped: string };
  rows: string;
  added: string;
  changed: string;
  removed: string;
  unchanged: string;
  report: string;
  problems: (n: number) => string;
  problemAt: (line: number | undefined, column: string | undefined) => string;
  kept: (n: number) => string;
  /** Between a place and what is said of it. */
  colon: string;
  done: Record<ImportDone, string>;
}

const EN: ImportsWords = {
  intro: 'Contacts imported from a CSV file on an SFTP server, on a schedule. The file is checked whole: one bad row and nothing is imported, and the run says why.',
  notSetUp: 'The import is not set up yet.',
  currentHeading: 'The import',
  server: 'Server',
  user: 'User name',
  signIn: 'Signs in with',
  passwordStored: 'A password (stored, never shown)',
  keyStored: 'A private key (stored, never shown)',
  keyWithPassphrase: 'A private key and its passphrase (stored, never shown)',
  file: 'File',
  schedule: 'Schedule',
  scheduleIn: (s, z) => `${s} (${z} time)`,
  state: 'State',
  enabled: 'Runs on its schedule',
  disabled: 'Paused: runs only when asked',
  nextRun: 'Next run',
  none: 'None',
  hostKey: 'Server’s host key',
  hostKeyPinned: (f, at) => `${f}, pinned on ${at}`,
  hostKeyNone: 'Not pinned yet: the next run pins the key the server shows.',
  runNow: 'Run now',
  runNowHint: 'Fetches the file and imports it now; the run appears below.',
  running: 'Running the import…',
  forgetSummary: 'Forget the server’s host key…',
  forgetText: 'Do this when the server’s key was changed on purpose. The next run trusts and pins the key the server shows then.',
  forgetSubmit: 'Forget the host key',
  deleteSummary: 'Delete the import…',
  deleteText: 'The settings, their secrets and the runs are removed; no run happens after this. Contacts already imported stay.',
  deleteSubmit: 'Delete the import',
  formHeadingNew: 'Set up the import',
  formHeadingEdit: 'Change the settings',
  host: 'Server',
  hostHint: 'A host name or an IP address.',
  port: 'Port',
  username: 'User name',
  password: 'Password',
  passwordHint: 'Give a password or a private key.',
  passwordKeep: 'A password is stored. Leave this empty to keep it.',
  privateKey: 'Private key',
  privateKeyHint: 'Instead of a password: a PEM private key (-----BEGIN … PRIVATE KEY-----).',
  privateKeyKeep: 'A private key is stored. Leave this empty to keep it.',
  passphrase: 'Passphrase of the private key',
  passphraseHint: 'Only for a new private key that is encrypted.',
  secretsRetype: 'Secrets are never shown again: type them again if you want to change them.',
  remotePath: 'File on the server',
  remotePathHint: 'Its path, for example /exports/contacts.csv. UTF-8, with a header line.',
  delimiter: 'Delimiter',
  delimiters: { comma: 'Comma', semicolon: 'Semicolon', tab: 'Tab' },
  mode: 'Mode',
  modeHint: 'Merge adds and updates contacts. Replace also removes the contacts the file leaves out, except those something still names.',
  modes: { merge: 'Merge', replace: 'Replace' },
  scheduleHint: 'Cron syntax, five fields: minute hour day-of-month month day-of-week. For example 0 2 * * * is every day at 02:00.',
  timezone: 'Time zone',
  timezoneHint: 'The time zone the schedule is read in, for example Europe/Paris. Empty: UTC.',
  enabledLabel: 'Run on the schedule',
  enabledHint: 'Untick to pause the schedule; Run now still works.',
  save: 'Save the settings',
  runsHeading: 'Latest runs',
  runsNone: 'No run yet.',
  runsCaption: 'Latest runs of the import, newest first',
  started: 'Started',
  trigger: 'How',
  triggers: { schedule: 'On schedule', manual: 'Run now' },
  outcome: 'Outcome',
  outcomes: { ok: 'Imported', failed: 'Failed', skipped: 'Skipped' },
  rows: 'Rows',
  added: 'Added',
  changed: 'Changed',
  removed: 'Removed',
  unchanged: 'Unchanged',
  report: 'Report',
  problems: (n) => (n === 1 ? '1 problem' : `${n} problems`),
  problemAt: (line, column) => [line !== undefined ? `Line ${line}` : '', column !== undefined ? `column ${column}` : ''].filter(Boolean).join(', '),
  kept: (n) => (n === 1 ? '1 contact kept' : `${n} contacts kept`),
  colon: ': ',
  done: {
    saved: 'The settings were saved.',
    deleted: 'The import was deleted.',
    'key-forgotten': 'The host key was forgotten: the next run pins the key the server shows.',
    'run-ok': 'The import ran. Its report is the first run below.',
    'run-failed': 'The import failed and nothing was imported. The first run below says why.',
    'run-skipped': 'The previous run is still going: this one was skipped.',
  },
};

const FR: ImportsWords = {
  intro: 'Des contacts importés depuis un fichier CSV sur un serveur SFTP, selon un planning. Le fichier est vérifié en entier : une ligne incorrecte et rien n’est importé, et l’exécution dit pourquoi.',
  notSetUp: 'L’import n’est pas encore configuré.',
  currentHeading: 'L’import',
  server: 'Serveur',
  user: 'Identifiant',
  signIn: 'Se connecte avec',
  passwordStored: 'Un mot de passe (enregistré, jamais affiché)',
  keyStored: 'Une clé privée (enregistrée, jamais affichée)',
  keyWithPassphrase: 'Une clé privée et sa phrase secrète (enregistrées, jamais affichées)',
  file: 'Fichier',
  schedule: 'Planning',
  scheduleIn: (s, z) => `${s} (heure ${z})`,
  state: 'État',
  enabled: 'S’exécute selon son planning',
  disabled: 'En pause : ne s’exécute que sur demande',
  nextRun: 'Prochaine exécution',
  none: 'Aucune',
  hostKey: 'Clé d’hôte du serveur',
  hostKeyPinned: (f, at) => `${f}, épinglée le ${at}`,
  hostKeyNone: 'Pas encore épinglée : la prochaine exécution épingle la clé que montre le serveur.',
  runNow: 'Lancer maintenant',
  runNowHint: 'Récupère le fichier et l’importe maintenant ; l’exécution apparaît ci-dessous.',
  running: 'Import en cours…',
  forgetSummary: 'Oublier la clé d’hôte du serveur…',
  forgetText: 'À faire quand la clé du serveur a été changée volontairement. La prochaine exécution accepte et épingle la clé que le serveur montre alors.',
  forgetSubmit: 'Oublier la clé d’hôte',
  deleteSummary: 'Supprimer l’import…',
  deleteText: 'Les réglages, leurs secrets et les exécutions sont supprimés ; plus aucune exécution n’a lieu. Les contacts déjà importés restent.',
  deleteSubmit: 'Supprimer l’import',
  formHeadingNew: 'Configurer l’import',
  formHeadingEdit: 'Modifier les réglages',
  host: 'Serveur',
  hostHint: 'Un nom d’hôte ou une adresse IP.',
  port: 'Port',
  username: 'Identifiant',
  password: 'Mot de passe',
  passwordHint: 'Donnez un mot de passe ou une clé privée.',
  passwordKeep: 'Un mot de passe est enregistré. Laissez ce champ vide pour le garder.',
  privateKey: 'Clé privée',
  privateKeyHint: 'À la place d’un mot de passe : une clé privée PEM (-----BEGIN … PRIVATE KEY-----).',
  privateKeyKeep: 'Une clé privée est enregistrée. Laissez ce champ vide pour la garder.',
  passphrase: 'Phrase secrète de la clé privée',
  passphraseHint: 'Seulement pour une nouvelle clé privée chiffrée.',
  secretsRetype: 'Les secrets ne sont jamais réaffichés : saisissez-les de nouveau pour les changer.',
  remotePath: 'Fichier sur le serveur',
  remotePathHint: 'Son chemin, par exemple /exports/contacts.csv. En UTF-8, avec une ligne d’en-tête.',
  delimiter: 'Séparateur',
  delimiters: { comma: 'Virgule', semicolon: 'Point-virgule', tab: 'Tabulation' },
  mode: 'Mode',
  modeHint: 'Fusionner ajoute et met à jour des contacts. Remplacer supprime aussi les contacts absents du fichier, sauf ceux auxquels quelque chose fait encore référence.',
  modes: { merge: 'Fusionner', replace: 'Remplacer' },
  scheduleHint: 'Syntaxe cron, cinq champs : minute heure jour-du-mois mois jour-de-la-semaine. Par exemple 0 2 * * * signifie tous les jours à 02:00.',
  timezone: 'Fuseau horaire',
  timezoneHint: 'Le fuseau horaire du planning, par exemple Europe/Paris. Vide : UTC.',
  enabledLabel: 'S’exécuter selon le planning',
  enabledHint: 'Décochez pour mettre le planning en pause ; « Lancer maintenant » fonctionne toujours.',
  save: 'Enregistrer les réglages',
  runsHeading: 'Dernières exécutions',
  runsNone: 'Aucune exécution pour l’instant.',
  runsCaption: 'Dernières exécutions de l’import, de la plus récente à la plus ancienne',
  started: 'Début',
  trigger: 'Comment',
  triggers: { schedule: 'Planning', manual: 'Lancée à la main' },
  outcome: 'Résultat',
  outcomes: { ok: 'Importé', failed: 'Échec', skipped: 'Sautée' },
  rows: 'Lignes',
  added: 'Ajoutés',
  changed: 'Modifiés',
  removed: 'Supprimés',
  unchanged: 'Inchangés',
  report: 'Rapport',
  problems: (n) => (n <= 1 ? `${n} problème` : `${n} problèmes`),
  problemAt: (line, column) => [line !== undefined ? `Ligne ${line}` : '', column !== undefined ? `colonne ${column}` : ''].filter(Boolean).join(', '),
  kept: (n) => (n <= 1 ? `${n} contact gardé` : `${n} contacts gardés`),
  colon: ' : ',
  done: {
    saved: 'Les réglages ont été enregistrés.',
    deleted: 'L’import a été supprimé.',
    'key-forgotten': 'La clé d’hôte a été oubliée : la prochaine exécution épingle la clé que montre le serveur.',
    'run-ok': 'L’import s’est exécuté. Son rapport est la première exécution ci-dessous.',
    'run-failed': 'L’import a échoué et rien n’a été importé. La première exécution ci-dessous dit pourquoi.',
    'run-skipped': 'L’exécution précédente est toujours en cours : celle-ci a été sautée.',
  },
};

export const IMPORTS_WORDS: Record<PageLanguage, ImportsWords> = { en: EN, fr: FR };
