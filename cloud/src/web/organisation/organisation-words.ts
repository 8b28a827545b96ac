/** The words of the organisation screen (tree, enterprise, divisions, locations and their CSV files, banks, columns) in English and French. */
import type { PageLanguage } from '../../http/pages/i18n.ts';

export type OrgDone = 'renamed' | 'added' | 'saved' | 'deleted';
export type OrgKind = 'division' | 'location' | 'bank' | 'column' | 'locker';

export interface OrganisationWords {
  treeCaption: string;
  enterprise: string;
  enterpriseName: string;
  renameEnterprise: string;
  divisions: string;
  noDivisions: string;
  addDivision: string;
  division: string;
  divisionName: string;
  newDivision: string;
  divisionTitle: (name: string) => string;
  addLocation: string;
  noLocations: string;
  location: string;
  locations: string;
  newLocation: string;
  locationTitle: (name: string) => string;
  addBank: string;
  noBanks: string;
  bank: string;
  banks: string;
  create: string;
  back: string;
  details: string;
  /** Each kind's delete: the disclosure's summary and what it does. */
  remove: Record<OrgKind, { summary: string; text: string }>;
  deleteSubmit: string;
  refused: string;
  done: Record<OrgDone, string>;
  // Locations
  name: string;
  company: string;
  phone: string;
  phoneHint: string;
  addressLine: (n: 1 | 2 | 3) => string;
  city: string;
  stateProvince: string;
  countryCode: string;
  countryHint: string;
  postalCode: string;
  address: string;
  emptyRemoves: string;
  reach: string;
  reachHint: string;
  preset: string;
  /** A preset's name with its range (the API's constants), or the custom range's name. */
  presetLabel: (preset: 'default' | 'ada-2010' | 'custom', range?: { minCm: number; maxCm: number }) => string;
  minCm: string;
  maxCm: string;
  customHint: string;
  reachNow: (min: number, max: number) => string;
  // CSV
  files: string;
  template: string;
  exportCsv: string;
  importCsv: string;
  importTitle: string;
  importIntro: string;
  file: string;
  fileHint: string;
  importSubmit: string;
  noFile: string;
  importedDivisions: (n: number) => string;
}

const EN: OrganisationWords = {
  treeCaption: 'Divisions, their locations and their banks',
  enterprise: 'Enterprise',
  enterpriseName: 'Name of the enterprise',
  renameEnterprise: 'Rename',
  divisions: 'Divisions',
  noDivisions: 'There are no divisions yet.',
  addDivision: 'Add a division',
  division: 'Division',
  divisionName: 'Name of the division',
  newDivision: 'New division',
  divisionTitle: (n) => `Division ${n}`,
  addLocation: 'Add a location',
  noLocations: 'No locations.',
  location: 'Location',
  locations: 'Locations',
  newLocation: 'New location',
  locationTitle: (n) => `Location ${n}`,
  addBank: 'Add a bank',
  noBanks: 'No banks.',
  bank: 'Bank',
  banks: 'Banks',
  create: 'Add',
  back: 'Organisation',
  details: 'Details',
  remove: {
    division: { summary: 'Delete this division…', text: 'The division is removed; this is refused while it has locations. This cannot be undone.' },
    location: { summary: 'Delete this location…', text: 'The location is removed; this is refused while it has banks. This cannot be undone.' },
    bank: { summary: 'Delete this bank…', text: 'The bank is removed; this is refused while it has columns or lockers. This cannot be undone.' },
    column: { summary: 'Delete this column…', text: 'The column is removed and its controller can no longer connect; this is refused while it has lockers. This cannot be undone.' },
    locker: { summary: 'Delete this locker…', text: 'The locker is removed; this is refused while a reservation holds it. This cannot be undone.' },
  },
  deleteSubmit: 'Delete',
  refused: 'It was not deleted:',
  done: { renamed: 'The name was changed.', added: 'It was added.', saved: 'The changes were saved.', deleted: 'It was deleted.' },
  name: 'Name',
  company: 'Company',
  phone: 'Phone',
  phoneHint: 'Digits only, at most 25.',
  addressLine: (n) => `Address line ${n}`,
  city: 'City, town or area',
  stateProvince: 'State, province or region',
  countryCode: 'Country code',
  countryHint: 'Two letters (ISO 3166-1), for example FR or CA.',
  postalCode: 'Postal code',
  address: 'Postal address',
  emptyRemoves: 'A field left empty is removed.',
  reach: 'Reach range',
  reachHint: 'A locker is accessible when its whole door lies within this range of heights from the floor.',
  preset: 'Range',
  presetLabel: (p, r) => (p === 'custom' || !r ? 'Custom' : `${p === 'default' ? 'Default' : '2010 ADA Standards'} (${r.minCm} to ${r.maxCm} cm)`),
  minCm: 'Lowest height (cm)',
  maxCm: 'Highest height (cm)',
  customHint: 'Only for a custom range.',
  reachNow: (min, max) => `Accessible between ${min} and ${max} cm from the floor.`,
  files: 'Locations as CSV',
  template: 'Download the template',
  exportCsv: 'Export divisions and locations',
  importCsv: 'Import locations',
  importTitle: 'Import locations',
  importIntro:
    'One row per location: a row with a LocationID changes that location, one without adds a location to its division. The file is checked whole first: if any row has a problem, nothing is imported.',
  file: 'CSV file',
  fileHint: 'UTF-8, separated by commas, semicolons or tabs, with the template’s header row. At most 5 MB.',
  importSubmit: 'Import',
  noFile: 'Choose a CSV file to import.',
  importedDivisions: (n) => (n === 1 ? '1 row of a division alone was read.' : `${n} rows of a division alone were read.`),
};

/** A number as French writes it (a decimal comma). */
export function frNumber(n: number): string {
  return String(n).replace('.', ',');
}

const FR: OrganisationWords = {
  treeCaption: 'Les divisions, leurs sites et leurs blocs',
  enterprise: 'Entreprise',
  enterpriseName: 'Nom de l’entreprise',
  renameEnterprise: 'Renommer',
  divisions: 'Divisions',
  noDivisions: 'Il n’y a pas encore de division.',
  addDivision: 'Ajouter une division',
  division: 'Division',
  divisionName: 'Nom de la division',
  newDivision: 'Nouvelle division',
  divisionTitle: (n) => `Division ${n}`,
  addLocation: 'Ajouter un site',
  noLocations: 'Aucun site.',
  location: 'Site',
  locations: 'Sites',
  newLocation: 'Nouveau site',
  locationTitle: (n) => `Site ${n}`,
  addBank: 'Ajouter un bloc',
  noBanks: 'Aucun bloc.',
  bank: 'Bloc',
  banks: 'Blocs',
  create: 'Ajouter',
  back: 'Organisation',
  details: 'Détails',
  remove: {
    division: { summary: 'Supprimer cette division…', text: 'La division est supprimée ; c’est refusé tant qu’elle a des sites. C’est définitif.' },
    location: { summary: 'Supprimer ce site…', text: 'Le site est supprimé ; c’est refusé tant qu’il a des blocs. C’est définitif.' },
    bank: { summary: 'Supprimer ce bloc…', text: 'Le bloc est supprimé ; c’est refusé tant qu’il a des colonnes ou des casiers. C’est définitif.' },
    column: { summary: 'Supprimer cette colonne…', text: 'La colonne est supprimée et son contrôleur ne peut plus se connecter ; c’est refusé tant qu’elle a des casiers. C’est définitif.' },
    locker: { summary: 'Supprimer ce casier…', text: 'Le casier est supprimé ; c’est refusé tant qu’une réservation l’occupe. C’est définitif.' },
  },
  deleteSubmit: 'Supprimer',
  refused: 'La suppression a été refusée :',
  done: { renamed: 'Le nom a été modifié.', added: 'L’ajout est fait.', saved: 'Les modifications ont été enregistrées.', deleted: 'La suppression est faite.' },
  name: 'Nom',
  company: 'Société',
  phone: 'Téléphone',
  phoneHint: 'Chiffres seulement, 25 au plus.',
  addressLine: (n) => `Ligne d’adresse ${n}`,
  city: 'Ville, commune ou zone',
  stateProvince: 'État, province ou région',
  countryCode: 'Code pays',
  countryHint: 'Deux lettres (ISO 3166-1), par exemple FR ou CA.',
  postalCode: 'Code postal',
  address: 'Adresse postale',
  emptyRemoves: 'Un champ laissé vide est effacé.',
  reach: 'Zone d’atteinte',
  reachHint: 'Un casier est accessible quand toute sa porte se trouve dans cette plage de hauteurs depuis le sol.',
  preset: 'Plage',
  presetLabel: (p, r) => (p === 'custom' || !r ? 'Personnalisée' : `${p === 'default' ? 'Par défaut' : 'Normes ADA 2010'} (${frNumber(r.minCm)} à ${frNumber(r.maxCm)} cm)`),
  minCm: 'Hauteur la plus basse (cm)',
  maxCm: 'Hauteur la plus haute (cm)',
  customHint: 'Seulement pour une plage personnalisée.',
  reachNow: (min, max) => `Accessible entre ${frNumber(min)} et ${frNumber(max)} cm du sol.`,
  files: 'Les sites en CSV',
  template: 'Télécharger le modèle',
  exportCsv: 'Exporter les divisions et les sites',
  importCsv: 'Importer des sites',
  importTitle: 'Importer des sites',
  importIntro:
    'Une ligne par site : une ligne avec un LocationID modifie ce site, une ligne sans en ajoute un à sa division. Le fichier est d’abord vérifié en entier : si une ligne pose problème, rien n’est importé.',
  file: 'Fichier CSV',
  fileHint: 'UTF-8, séparé par des virgules, des points-virgules ou des tabulations, avec la ligne d’en-tête du modèle. 5 Mo au plus.',
  importSubmit: 'Importer',
  noFile: 'Choisissez un fichier CSV à importer.',
  importedDivisions: (n) => (n <= 1 ? `${n} ligne d’une division seule a été lue.` : `${n} lignes d’une division seule ont été lues.`),
};

export const ORGANISATION_WORDS: Record<PageLanguage, OrganisationWords> = { en: EN, fr: FR };
