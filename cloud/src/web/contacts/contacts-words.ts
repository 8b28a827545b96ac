/** The words of the address-book screen in English and French. */
import type { PageLanguage } from '../../http/pages/i18n.ts';

export type ContactDone = 'added' | 'saved' | 'deleted' | 'erased';

export interface ContactsWords {
  title: string;
  searchLabel: string;
  searchHint: string;
  found: (total: number) => string;
  noneFound: string;
  tableLabel: string;
  name: string;
  email: string;
  personnelId: string;
  department: string;
  location: string;
  accessibility: string;
  actions: string;
  needsAccessibleShort: string;
  privateShort: string;
  edit: string;
  add: string;
  importCsv: string;
  exportCsv: string;
  template: string;
  pageOf: (page: number, pages: number) => string;
  done: Record<ContactDone, string>;
  newTitle: string;
  editTitle: (name: string) => string;
  details: string;
  firstName: string;
  lastName: string;
  phone: string;
  phoneHint: string;
  personnelIdHint: string;
  noDepartment: string;
  noLocation: string;
  locationHint: string;
  needsAccessible: string;
  needsAccessibleHint: string;
  notifications: string;
  notificationChoices: Record<'email' | 'none', string>;
  language: string;
  languages: Record<PageLanguage, string>;
  privateLabel: string;
  privateHint: string;
  customHeading: string;
  choose: string;
  dateHint: string;
  dangerHeading: string;
  deleteTitle: (name: string) => string;
  deleteQuestion: (name: string) => string;
  deleteSubmit: string;
  eraseTitle: (name: string) => string;
  eraseQuestion: (name: string) => string;
  eraseExplained: string;
  eraseSubmit: string;
  erase: string;
  importTitle: string;
  importIntro: string;
  file: string;
  fileHint: string;
  noFile: string;
  mode: string;
  modes: Record<'merge' | 'replace', string>;
  importSubmit: string;
  rejected: string;
  problemsCaption: string;
  line: string;
  column: string;
  problem: string;
  imported: string;
  importCounts: (c: { rows: number; added: number; updated: number; unchanged: number; removed: number }) => string;
  kept: string;
  downloads: string;
}

const EN: ContactsWords = {
  title: 'Address book',
  searchLabel: 'Search contacts',
  searchHint: 'Name, e-mail, personnel ID or a custom field. Results update as you type.',
  found: (total) => (total === 0 ? 'No contact found.' : `${total} ${total === 1 ? 'contact' : 'contacts'} found.`),
  noneFound: 'No contact matches this search.',
  tableLabel: 'Contacts',
  name: 'Name',
  email: 'E-mail',
  personnelId: 'Personnel ID',
  department: 'Department',
  location: 'Location',
  accessibility: 'Accessibility',
  actions: 'Actions',
  needsAccessibleShort: 'Needs accessible lockers',
  privateShort: 'Private',
  edit: 'Edit',
  add: 'Add a contact',
  importCsv: 'Import from a CSV file',
  exportCsv: 'Export as CSV',
  template: 'Download the CSV template',
  pageOf: (p, n) => `Page ${p} of ${n}`,
  done: { added: 'The contact was added.', saved: 'The contact was saved.', deleted: 'The contact was deleted.', erased: "The contact's personal data was erased." },
  newTitle: 'Add a contact',
  editTitle: (n) => `Contact: ${n}`,
  details: 'Details',
  firstName: 'First name',
  lastName: 'Last name',
  phone: 'Phone',
  phoneHint: 'Digits, optionally with a leading +, spaces, dots, dashes or parentheses.',
  personnelIdHint: 'Unique in the organisation; a CSV import matches contacts by it.',
  noDepartment: 'No department',
  noLocation: 'None (seen at every location)',
  locationHint: 'A contact tied to a location is seen only by those who work there.',
  needsAccessible: 'Needs Accessibility Accommodations for Locker Use',
  needsAccessibleHint: 'Only accessible lockers will be reserved for this person.',
  notifications: 'Notifications',
  notificationChoices: { email: 'By e-mail', none: 'None' },
  language: 'Language of messages',
  languages: { en: 'English', fr: 'French' },
  privateLabel: 'Private',
  privateHint: 'A private contact cannot be reserved for.',
  customHeading: 'Other fields',
  choose: 'Not set',
  dateHint: 'As YYYY-MM-DD.',
  dangerHeading: 'Delete or erase',
  deleteTitle: (n) => `Delete ${n}`,
  deleteQuestion: (n) => `Delete ${n} from the address book? This cannot be undone.`,
  deleteSubmit: 'Yes, delete the contact',
  eraseTitle: (n) => `Erase ${n}`,
  eraseQuestion: (n) => `Erase the personal data of ${n}?`,
  eraseExplained: 'Their name and contact details are replaced and their links in the history are cut; the events stay. This cannot be undone.',
  eraseSubmit: 'Yes, erase the personal data',
  erase: 'Erase personal data',
  importTitle: 'Import contacts',
  importIntro: 'The file is checked whole first: if any row has a problem, every problem is listed and nothing is imported.',
  file: 'CSV file',
  fileHint: 'UTF-8, with the header row of the template; at most 5 MB.',
  noFile: 'Choose a CSV file to import.',
  mode: 'Contacts the file does not name',
  modes: { merge: 'Keep them (add and update by personnel ID)', replace: 'Delete them (the file replaces the address book you see)' },
  importSubmit: 'Import',
  rejected: 'The file has problems: nothing was imported',
  problemsCaption: 'Problems in the file, by line',
  line: 'Line',
  column: 'Column',
  problem: 'Problem',
  imported: 'The file was imported.',
  importCounts: (c) => `${c.rows} rows: ${c.added} added, ${c.updated} updated, ${c.unchanged} unchanged, ${c.removed} deleted.`,
  kept: 'Kept although the file does not name them:',
  downloads: 'Files',
};

const FR: ContactsWords = {
  title: 'Carnet d’adresses',
  searchLabel: 'Rechercher des contacts',
  searchHint: 'Nom, e-mail, matricule ou un champ personnalisé. Les résultats se mettent à jour pendant la saisie.',
  found: (total) => (total === 0 ? 'Aucun contact trouvé.' : `${total} contact${total === 1 ? ' trouvé' : 's trouvés'}.`),
  noneFound: 'Aucun contact ne correspond à cette recherche.',
  tableLabel: 'Contacts',
  name: 'Nom',
  email: 'E-mail',
  personnelId: 'Matricule',
  department: 'Service',
  location: 'Site',
  accessibility: 'Accessibilité',
  actions: 'Actions',
  needsAccessibleShort: 'A besoin de casiers accessibles',
  privateShort: 'Privé',
  edit: 'Modifier',
  add: 'Ajouter un contact',
  importCsv: 'Importer un fichier CSV',
  exportCsv: 'Exporter en CSV',
  template: 'Télécharger le modèle CSV',
  pageOf: (p, n) => `Page ${p} sur ${n}`,
  done: { added: 'Le contact a été ajouté.', saved: 'Le contact a été enregistré.', deleted: 'Le contact a été supprimé.', erased: 'Les données personnelles du contact ont été effacées.' },
  newTitle: 'Ajouter un contact',
  editTitle: (n) => `Contact : ${n}`,
  details: 'Informations',
  firstName: 'Prénom',
  lastName: 'Nom de famille',
  phone: 'Téléphone',
  phoneHint: 'Des chiffres, éventuellement précédés de +, avec espaces, points, tirets ou parenthèses.',
  personnelIdHint: 'Unique dans l’organisation ; un import CSV reconnaît les contacts par ce matricule.',
  noDepartment: 'Aucun service',
  noLocation: 'Aucun (visible sur tous les sites)',
  locationHint: 'Un contact rattaché à un site n’est visible que des personnes qui y travaillent.',
  needsAccessible: 'A besoin d’aménagements d’accessibilité pour utiliser les casiers',
  needsAccessibleHint: 'Seuls des casiers accessibles seront réservés pour cette personne.',
  notifications: 'Notifications',
  notificationChoices: { email: 'Par e-mail', none: 'Aucune' },
  language: 'Langue des messages',
  languages: { en: 'Anglais', fr: 'Français' },
  privateLabel: 'Privé',
  privateHint: 'Un contact privé ne peut pas recevoir de réservation.',
  customHeading: 'Autres champs',
  choose: 'Non renseigné',
  dateHint: 'Au format AAAA-MM-JJ.',
  dangerHeading: 'Supprimer ou effacer',
  deleteTitle: (n) => `Supprimer ${n}`,
  deleteQuestion: (n) => `Supprimer ${n} du carnet d’adresses ? Cette action est définitive.`,
  deleteSubmit: 'Oui, supprimer le contact',
  eraseTitle: (n) => `Effacer ${n}`,
  eraseQuestion: (n) => `Effacer les données personnelles de ${n} ?`,
  eraseExplained: 'Son nom et ses coordonnées sont remplacés et ses liens dans l’historique coupés ; les événements restent. Cette action est définitive.',
  eraseSubmit: 'Oui, effacer les données personnelles',
  erase: 'Effacer les données personnelles',
  importTitle: 'Importer des contacts',
  importIntro: 'Le fichier est d’abord vérifié en entier : si une ligne pose problème, tous les problèmes sont listés et rien n’est importé.',
  file: 'Fichier CSV',
  fileHint: 'UTF-8, avec la ligne d’en-tête du modèle ; 5 Mo au plus.',
  noFile: 'Choisissez un fichier CSV à importer.',
  mode: 'Contacts absents du fichier',
  modes: { merge: 'Les garder (ajout et mise à jour par matricule)', replace: 'Les supprimer (le fichier remplace le carnet que vous voyez)' },
  importSubmit: 'Importer',
  rejected: 'Le fichier a des problèmes : rien n’a été importé',
  problemsCaption: 'Problèmes du fichier, par ligne',
  line: 'Ligne',
  column: 'Colonne',
  problem: 'Problème',
  imported: 'Le fichier a été importé.',
  importCounts: (c) => `${c.rows} lignes : ${c.added} ajoutées, ${c.updated} mises à jour, ${c.unchanged} inchangées, ${c.removed} supprimées.`,
  kept: 'Gardés bien qu’absents du fichier :',
  downloads: 'Fichiers',
};

export const CONTACTS_WORDS: Record<PageLanguage, ContactsWords> = { en: EN, fr: FR };
