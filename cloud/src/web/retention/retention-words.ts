/** The words of the retention and erasure screen in English and French. */
import type { PageLanguage } from '../../http/pages/i18n.ts';

export type RetentionDone = 'saved' | 'erased';

export interface RetentionWords {
  notWhole: string;
  retentionHeading: string;
  keptForEver: string;
  keptFor: (days: number) => string;
  keep: string;
  keepHint: string;
  forEver: string;
  forDays: string;
  days: string;
  daysHint: (min: number, max: number) => string;
  outOfRange: (min: number, max: number) => string;
  notNumber: string;
  save: string;
  eraseHeading: string;
  eraseIntro: string;
  search: string;
  searchHint: string;
  searchSubmit: string;
  typeToSearch: string;
  found: (n: number, total: number) => string;
  caption: string;
  name: string;
  personnelId: string;
  email: string;
  action: string;
  eraseLink: string;
  eraseTitle: (name: string) => string;
  whatHeading: string;
  what: string[];
  kept: string;
  cannotUndo: string;
  eraseSubmit: string;
  done: Record<RetentionDone, string>;
  seeActivity: string;
  accounts: string;
  usersLink: string;
  shortenTitle: (days: number) => string;
  shortenText: (days: number, before: string) => string;
  shortenSubmit: (days: number) => string;
}

const EN: RetentionWords = {
  notWhole: 'Only someone whose access level is the whole enterprise changes how long its history is kept.',
  retentionHeading: 'How long history is kept',
  keptForEver: 'History is now kept for ever.',
  keptFor: (d) => `History is now kept for ${d} ${d === 1 ? 'day' : 'days'}.`,
  keep: 'Keep ended reservations and activity',
  keepHint: 'Older history is deleted at once and then every hour; deleted history cannot be got back. If other enterprises share this cloud, the longest period among them applies.',
  forEver: 'For ever',
  forDays: 'For a number of days',
  days: 'Days to keep',
  daysHint: (a, b) => `From ${a} to ${b} days, used when “For a number of days” is chosen.`,
  outOfRange: (a, b) => `Enter a whole number of days from ${a} to ${b}.`,
  notNumber: 'Enter a whole number of days.',
  save: 'Save the retention period',
  eraseHeading: 'Erase one person’s personal data',
  eraseIntro: 'Find the person in the address book, then confirm. Their history stays, no longer linked to them.',
  search: 'Find a person',
  searchHint: 'Name, e-mail or personnel ID. The list updates as you type.',
  searchSubmit: 'Find',
  typeToSearch: 'Type a name, an e-mail or a personnel ID to find the person.',
  found: (n, total) => (total > n ? `${total} people match; the first ${n} are shown.` : `${total} ${total === 1 ? 'person matches' : 'people match'}.`),
  caption: 'People found in the address book',
  name: 'Name',
  personnelId: 'Personnel ID',
  email: 'E-mail',
  action: 'Action',
  eraseLink: 'Erase personal data',
  eraseTitle: (n) => `Erase the personal data of ${n}`,
  whatHeading: 'What is erased',
  what: [
    'Their first and last name (the record is named “Erased person”), e-mail address, phone, personnel ID, badge and custom field values.',
    'The notes of their reservations.',
    'The e-mails to them, sent or waiting.',
    'Their link to every reservation and activity entry: a new id takes its place.',
  ],
  kept: 'The events themselves stay, so counts and reports do not change.',
  cannotUndo: 'This cannot be undone.',
  eraseSubmit: 'Erase the personal data',
  done: { saved: 'The retention period was saved.', erased: 'The personal data was erased. The activity records the erasure.' },
  seeActivity: 'See the erasures in the activity',
  accounts: 'People with a sign-in account are deleted on the users screen; what the activity recorded of their account goes with the history once the retention period has passed.',
  usersLink: 'Users',
  shortenTitle: (d) => `Keep history for ${d} ${d === 1 ? 'day' : 'days'}?`,
  shortenText: (d, before) => `Ended reservations and activity older than ${d} ${d === 1 ? 'day' : 'days'}, from before ${before}, are deleted at once. Deleted history cannot be got back.`,
  shortenSubmit: (d) => `Yes, keep ${d} ${d === 1 ? 'day' : 'days'}`,
};

const FR: RetentionWords = {
  notWhole: 'Seule une personne dont le niveau d’accès est toute l’entreprise modifie la durée de conservation de son historique.',
  retentionHeading: 'Durée de conservation de l’historique',
  keptForEver: 'L’historique est actuellement conservé sans limite.',
  keptFor: (d) => `L’historique est actuellement conservé ${d} ${d === 1 ? 'jour' : 'jours'}.`,
  keep: 'Conserver les réservations terminées et l’activité',
  keepHint: 'L’historique plus ancien est supprimé aussitôt puis toutes les heures ; un historique supprimé ne peut pas être récupéré. Si d’autres entreprises partagent ce cloud, la plus longue de leurs durées s’applique.',
  forEver: 'Sans limite',
  forDays: 'Un nombre de jours',
  days: 'Jours de conservation',
  daysHint: (a, b) => `De ${a} à ${b} jours, utilisé quand « Un nombre de jours » est choisi.`,
  outOfRange: (a, b) => `Saisissez un nombre entier de jours de ${a} à ${b}.`,
  notNumber: 'Saisissez un nombre entier de jours.',
  save: 'Enregistrer la durée de conservation',
  eraseHeading: 'Effacer les données personnelles d’une personne',
  eraseIntro: 'Trouvez la personne dans le carnet d’adresses, puis confirmez. Son historique reste, sans lien avec elle.',
  search: 'Trouver une personne',
  searchHint: 'Nom, e-mail ou matricule. La liste se met à jour pendant la saisie.',
  searchSubmit: 'Trouver',
  typeToSearch: 'Saisissez un nom, un e-mail ou un matricule pour trouver la personne.',
  found: (n, total) => (total > n ? `${total} personnes correspondent ; les ${n} premières sont affichées.` : total <= 1 ? `${total} personne correspond.` : `${total} personnes correspondent.`),
  caption: 'Personnes trouvées dans le carnet d’adresses',
  name: 'Nom',
  personnelId: 'Matricule',
  email: 'E-mail',
  action: 'Action',
  eraseLink: 'Effacer les données personnelles',
  eraseTitle: (n) => `Effacer les données personnelles de ${n}`,
  whatHeading: 'Ce qui est effacé',
  what: [
    'Ses prénom et nom (la fiche est nommée « Erased person »), son adresse e-mail, son téléphone, son matricule, son badge et les valeurs de ses champs personnalisés.',
    'Les notes de ses réservations.',
    'Les e-mails qui lui sont adressés, envoyés ou en attente.',
    'Son lien avec chaque réservation et chaque entrée d’activité : un nouvel identifiant le remplace.',
  ],
  kept: 'Les événements eux-mêmes restent, les décomptes et les rapports ne changent donc pas.',
  cannotUndo: 'Cette action est définitive.',
  eraseSubmit: 'Effacer les données personnelles',
  done: { saved: 'La durée de conservation a été enregistrée.', erased: 'Les données personnelles ont été effacées. L’activité enregistre l’effacement.' },
  seeActivity: 'Voir les effacements dans l’activité',
  accounts: 'Les personnes qui ont un compte de connexion sont supprimées sur l’écran des utilisateurs ; ce que l’activité a enregistré de leur compte disparaît avec l’historique une fois la durée de conservation écoulée.',
  usersLink: 'Utilisateurs',
  shortenTitle: (d) => `Conserver l’historique ${d} ${d === 1 ? 'jour' : 'jours'} ?`,
  shortenText: (d, before) => `Les réservations terminées et l’activité de plus de ${d} ${d === 1 ? 'jour' : 'jours'}, antérieures au ${before}, sont supprimées aussitôt. Un historique supprimé ne peut pas être récupéré.`,
  shortenSubmit: (d) => `Oui, conserver ${d} ${d === 1 ? 'jour' : 'jours'}`,
};

export const RETENTION_WORDS: Record<PageLanguage, RetentionWords> = { en: EN, fr: FR };
