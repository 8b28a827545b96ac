/** The words of the departments screen in English and French. */
import type { PageLanguage } from '../../http/pages/i18n.ts';

export type DepartmentDone = 'added' | 'saved' | 'deleted';

export interface DepartmentsWords {
  add: string;
  newTitle: string;
  editTitle: (name: string) => string;
  caption: string;
  none: string;
  name: string;
  members: string;
  memberCount: (n: number) => string;
  keyContact: string;
  keyContactHint: string;
  noKeyContact: string;
  people: string;
  peopleHint: string;
  peopleCaption: string;
  person: string;
  member: string;
  memberOf: (name: string) => string;
  keyContactOf: (name: string) => string;
  search: string;
  searchHint: string;
  find: string;
  matchesCaption: string;
  noMatch: string;
  found: (n: number) => string;
  create: string;
  deleteSummary: string;
  deleteText: string;
  deleteSubmit: string;
  refused: string;
  done: Record<DepartmentDone, string>;
}

const EN: DepartmentsWords = {
  add: 'Add a department',
  newTitle: 'New department',
  editTitle: (n) => `Department ${n}`,
  caption: 'Departments of the address book',
  none: 'There are no departments yet.',
  name: 'Name',
  members: 'Members',
  memberCount: (n) => (n === 1 ? '1 member' : `${n} members`),
  keyContact: 'Key contact',
  keyContactHint: 'The key contact may collect the department’s parcels; they need not be a member.',
  noKeyContact: 'No key contact',
  people: 'Members and key contact',
  peopleHint: 'Tick who belongs to the department and choose its key contact. Find more people in the address book below.',
  peopleCaption: 'People of the department',
  person: 'Contact',
  member: 'Member',
  memberOf: (n) => `${n} is a member`,
  keyContactOf: (n) => `${n} is the key contact`,
  search: 'Find a contact',
  searchHint: 'Name, e-mail or personnel ID. Matches appear as you type.',
  find: 'Find',
  matchesCaption: 'Contacts found',
  noMatch: 'No contact matches.',
  found: (n) => (n === 1 ? '1 contact found.' : `${n} contacts found.`),
  create: 'Add the department',
  deleteSummary: 'Delete this department…',
  deleteText: 'The department is removed and its members lose it. This is refused while a parcel is for it or a locker is dedicated to it. This cannot be undone.',
  deleteSubmit: 'Delete the department',
  refused: 'It was not deleted:',
  done: { added: 'The department was added.', saved: 'The changes were saved.', deleted: 'The department was deleted.' },
};

const FR: DepartmentsWords = {
  add: 'Ajouter un service',
  newTitle: 'Nouveau service',
  editTitle: (n) => `Service ${n}`,
  caption: 'Services du carnet d’adresses',
  none: 'Il n’y a pas encore de service.',
  name: 'Nom',
  members: 'Membres',
  memberCount: (n) => (n <= 1 ? `${n} membre` : `${n} membres`),
  keyContact: 'Contact principal',
  keyContactHint: 'Le contact principal peut retirer les colis du service ; il n’a pas à en être membre.',
  noKeyContact: 'Aucun contact principal',
  people: 'Membres et contact principal',
  peopleHint: 'Cochez qui fait partie du service et choisissez son contact principal. Trouvez d’autres personnes dans le carnet d’adresses ci-dessous.',
  peopleCaption: 'Personnes du service',
  person: 'Contact',
  member: 'Membre',
  memberOf: (n) => `${n} est membre`,
  keyContactOf: (n) => `${n} est le contact principal`,
  search: 'Trouver un contact',
  searchHint: 'Nom, e-mail ou matricule. Les résultats s’affichent pendant la saisie.',
  find: 'Trouver',
  matchesCaption: 'Contacts trouvés',
  noMatch: 'Aucun contact ne correspond.',
  found: (n) => (n <= 1 ? `${n} contact trouvé.` : `${n} contacts trouvés.`),
  create: 'Ajouter le service',
  deleteSummary: 'Supprimer ce service…',
  deleteText: 'Le service est supprimé et ses membres le perdent. C’est refusé tant qu’un colis lui est destiné ou qu’un casier lui est réservé. C’est définitif.',
  deleteSubmit: 'Supprimer le service',
  refused: 'La suppression a été refusée :',
  done: { added: 'Le service a été ajouté.', saved: 'Les modifications ont été enregistrées.', deleted: 'Le service a été supprimé.' },
};

export const DEPARTMENTS_WORDS: Record<PageLanguage, DepartmentsWords> = { en: EN, fr: FR };
