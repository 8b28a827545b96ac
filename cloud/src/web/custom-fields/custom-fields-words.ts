/** The words of the custom fields screen in English and French. */
import type { CustomFieldRecord, CustomFieldType } from '../../domain/model.ts';
import type { PageLanguage } from '../../http/pages/i18n.ts';

export type FieldDone = 'added' | 'saved' | 'removed';

export interface CustomFieldsWords {
  intro: (max: number) => string;
  count: (live: number, max: number) => string;
  none: string;
  add: string;
  caption: string;
  labelEn: string;
  labelFr: string;
  labelEnHint: string;
  labelFrHint: string;
  type: string;
  typeHint: string;
  typeFixed: string;
  types: Record<CustomFieldType, string>;
  options: string;
  optionsHint: string;
  required: string;
  requiredLabel: string;
  requiredHint: string;
  yes: string;
  no: string;
  appliesTo: string;
  appliesToHint: string;
  records: Record<CustomFieldRecord, string>;
  newTitle: string;
  editTitle: (label: string) => string;
  create: string;
  details: string;
  removeHeading: string;
  removeSummary: string;
  removeText: (label: string) => string;
  removeSubmit: string;
  done: Record<FieldDone, string>;
}

const EN: CustomFieldsWords = {
  intro: (max) => `Fields of your own on users, contacts and reservations, each with a label in English and in French. An enterprise has at most ${max}.`,
  count: (live, max) => `${live} of ${max} custom fields in use.`,
  none: 'There are no custom fields yet.',
  add: 'Add a custom field',
  caption: 'Custom fields of the enterprise',
  labelEn: 'Label in English',
  labelFr: 'Label in French',
  labelEnHint: 'How the field is named on English pages and in CSV files (column heading).',
  labelFrHint: 'How the field is named on French pages.',
  type: 'Type',
  typeHint: 'What the field holds. A field’s type cannot change later: remove the field and add another.',
  typeFixed: 'The type of a field cannot change.',
  types: { text: 'Text', number: 'Number', date: 'Date', choice: 'Choice from a list' },
  options: 'Options',
  optionsHint: 'For a choice only: one option per line, in the order they are offered.',
  required: 'Required',
  requiredLabel: 'Required on new records',
  requiredHint: 'Asked of every new record; records made before keep their value as it is.',
  yes: 'Yes',
  no: 'No',
  appliesTo: 'Appears on',
  appliesToHint: 'Choose at least one.',
  records: { users: 'Users', contacts: 'Contacts', reservations: 'Reservations' },
  newTitle: 'New custom field',
  editTitle: (l) => `Custom field ${l}`,
  create: 'Add the field',
  details: 'Details',
  removeHeading: 'Remove',
  removeSummary: 'Remove this field…',
  removeText: (l) => `“${l}” is no longer offered, checked, exported or shown. Values already given stay stored, and the activity log still names the field.`,
  removeSubmit: 'Remove the field',
  done: { added: 'The custom field was added.', saved: 'The changes were saved.', removed: 'The custom field was removed.' },
};

const FR: CustomFieldsWords = {
  intro: (max) => `Des champs à vous sur les utilisateurs, les contacts et les réservations, chacun avec un libellé en anglais et en français. Une entreprise en a au plus ${max}.`,
  count: (live, max) => `${live} champ(s) personnalisé(s) utilisé(s) sur ${max}.`,
  none: 'Il n’y a pas encore de champ personnalisé.',
  add: 'Ajouter un champ personnalisé',
  caption: 'Champs personnalisés de l’entreprise',
  labelEn: 'Libellé en anglais',
  labelFr: 'Libellé en français',
  labelEnHint: 'Le nom du champ sur les pages en anglais et dans les fichiers CSV (titre de colonne).',
  labelFrHint: 'Le nom du champ sur les pages en français.',
  type: 'Type',
  typeHint: 'Ce que contient le champ. Le type d’un champ ne peut plus changer ensuite : supprimez le champ et ajoutez-en un autre.',
  typeFixed: 'Le type d’un champ ne peut pas changer.',
  types: { text: 'Texte', number: 'Nombre', date: 'Date', choice: 'Choix dans une liste' },
  options: 'Options',
  optionsHint: 'Pour un choix seulement : une option par ligne, dans l’ordre où elles sont proposées.',
  required: 'Obligatoire',
  requiredLabel: 'Obligatoire sur les nouveaux enregistrements',
  requiredHint: 'Demandé pour chaque nouvel enregistrement ; ceux créés avant gardent leur valeur telle quelle.',
  yes: 'Oui',
  no: 'Non',
  appliesTo: 'Apparaît sur',
  appliesToHint: 'Choisissez-en au moins un.',
  records: { users: 'Utilisateurs', contacts: 'Contacts', reservations: 'Réservations' },
  newTitle: 'Nouveau champ personnalisé',
  editTitle: (l) => `Champ personnalisé ${l}`,
  create: 'Ajouter le champ',
  details: 'Détails',
  removeHeading: 'Supprimer',
  removeSummary: 'Supprimer ce champ…',
  removeText: (l) => `« ${l} » n’est plus proposé, vérifié, exporté ni affiché. Les valeurs déjà saisies restent enregistrées, et le journal d’activité nomme toujours le champ.`,
  removeSubmit: 'Supprimer le champ',
  done: { added: 'Le champ personnalisé a été ajouté.', saved: 'Les modifications ont été enregistrées.', removed: 'Le champ personnalisé a été supprimé.' },
};

export const CUSTOM_FIELDS_WORDS: Record<PageLanguage, CustomFieldsWords> = { en: EN, fr: FR };
