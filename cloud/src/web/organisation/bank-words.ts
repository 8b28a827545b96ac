/** The words of a bank's pages (the bank, its columns and its lockers) in English and French. */
import type { PageLanguage } from '../../http/pages/i18n.ts';
import { frNumber } from './organisation-words.ts';

export interface BankWords {
  newBank: string;
  bankTitle: (name: string) => string;
  bankName: string;
  location: string;
  rename: string;
  settingsLink: string;
  columns: string;
  columnsCaption: string;
  noColumns: string;
  addColumn: string;
  newColumn: (bank: string) => string;
  columnTitle: (position: number) => string;
  position: string;
  positionHint: string;
  kind: string;
  kinds: { kiosk: string; plain: string };
  /** A column's kind in a few words (in the list of columns to choose from). */
  kindsShort: { kiosk: string; plain: string };
  controllerId: string;
  controllerHint: string;
  fixedColumn: string;
  lockers: string;
  lockersCaption: string;
  noLockers: string;
  lockersHidden: string;
  addLocker: string;
  addLockers: string;
  newLocker: (bank: string) => string;
  newLockers: (bank: string) => string;
  lockerTitle: (n: number) => string;
  status: string;
  countRefused: string;
  number: string;
  column: string;
  columnOption: (position: number, kind: string) => string;
  door: string;
  doorHint: string;
  fixedLocker: string;
  size: string;
  sizes: Record<'XS' | 'S' | 'M' | 'L' | 'XL' | 'custom', string>;
  dimensions: string;
  dimensionsHint: string;
  widthCm: string;
  heightCm: string;
  depthCm: string;
  heights: string;
  heightsHint: string;
  bottomCm: string;
  topCm: string;
  loading: string;
  loadings: { front: string; rear: string };
  shelfBarcode: string;
  shelfBarcodeHint: string;
  shelfBarcodeNewHint: string;
  dedication: string;
  dedicationHint: string;
  notDedicated: string;
  keepDedication: (name: string) => string;
  dedicatedTo: string;
  accessible: string;
  accessibleYes: string;
  accessibleNo: string;
  doorRange: (bottom: number, top: number) => string;
  firstNumber: string;
  count: string;
  countHint: string;
  firstDoor: string;
  batchHint: string;
  firstBottomCm: string;
  firstTopCm: string;
  addedLockers: (n: number) => string;
}

const EN: BankWords = {
  newBank: 'New bank',
  bankTitle: (n) => `Bank ${n}`,
  bankName: 'Name of the bank',
  location: 'Location',
  rename: 'Rename',
  settingsLink: 'Bank settings (timers, storage, quotas, rules)',
  columns: 'Columns',
  columnsCaption: 'Columns of the bank, from the left',
  noColumns: 'The bank has no columns yet.',
  addColumn: 'Add a column',
  newColumn: (b) => `New column of ${b}`,
  columnTitle: (p) => `Column ${p}`,
  position: 'Position',
  positionHint: '1 is the leftmost column.',
  kind: 'Kind',
  kinds: { kiosk: 'Kiosk (screen and readers)', plain: 'Plain' },
  kindsShort: { kiosk: 'kiosk', plain: 'plain' },
  controllerId: 'Controller ID',
  controllerHint: 'The ID of the column’s controller board, as provisioned.',
  fixedColumn: 'A column’s position and controller are those it was provisioned with: to change them, delete the column and add it again.',
  lockers: 'Lockers',
  lockersCaption: 'Lockers of the bank',
  noLockers: 'The bank has no lockers yet.',
  lockersHidden: 'Your role does not see the bank’s lockers.',
  addLocker: 'Add a locker',
  addLockers: 'Add several lockers',
  newLocker: (b) => `New locker in ${b}`,
  newLockers: (b) => `New lockers in ${b}`,
  lockerTitle: (n) => `Locker ${n}`,
  status: 'Status',
  countRefused: 'Give a whole number of lockers from 1 to 100.',
  number: 'Number',
  column: 'Column',
  columnOption: (p, k) => `Column ${p} (${k})`,
  door: 'Door',
  doorHint: 'The door’s number on its column’s controller, from 1.',
  fixedLocker: 'A locker’s number, column and door stay as they were added: to move it, delete it and add it again.',
  size: 'Size',
  sizes: { XS: 'XS', S: 'S', M: 'M', L: 'L', XL: 'XL', custom: 'Custom dimensions' },
  dimensions: 'Inside dimensions',
  dimensionsHint: 'Only for custom dimensions, in cm.',
  widthCm: 'Width (cm)',
  heightCm: 'Height (cm)',
  depthCm: 'Depth (cm)',
  heights: 'Door heights',
  heightsHint: 'From the floor, in cm: they decide whether the locker is within the location’s reach range.',
  bottomCm: 'Bottom edge (cm)',
  topCm: 'Top edge (cm)',
  loading: 'Loading',
  loadings: { front: 'Front (the recipient’s door)', rear: 'Rear (a shelf filled from behind)' },
  shelfBarcode: 'Shelf barcode',
  shelfBarcodeHint: 'For rear loading: printable characters without spaces. Left empty, one is generated.',
  shelfBarcodeNewHint: 'Required for rear loading: printable characters without spaces.',
  dedication: 'Dedicated to',
  dedicationHint: 'A dedicated locker is only used for this contact or department.',
  notDedicated: 'Nobody (not dedicated)',
  keepDedication: (n) => `${n} (as now)`,
  dedicatedTo: 'Dedicated to',
  accessible: 'Accessible',
  accessibleYes: 'Accessible',
  accessibleNo: 'Not accessible',
  doorRange: (b, t) => `${b}–${t} cm`,
  firstNumber: 'First number',
  count: 'How many',
  countHint: 'From 1 to 100; numbered one after the other.',
  firstDoor: 'First door',
  batchHint: 'The lockers are stacked upwards on one column: each door starts where the one below ends, with the same height. Each can be changed afterwards (a rear-loading one from its own form).',
  firstBottomCm: 'Bottom edge of the lowest door (cm)',
  firstTopCm: 'Top edge of the lowest door (cm)',
  addedLockers: (n) => (n === 1 ? '1 locker was added.' : `${n} lockers were added.`),
};

const FR: BankWords = {
  newBank: 'Nouveau bloc',
  bankTitle: (n) => `Bloc ${n}`,
  bankName: 'Nom du bloc',
  location: 'Site',
  rename: 'Renommer',
  settingsLink: 'Paramètres du bloc (minuteries, consigne, quotas, règles)',
  columns: 'Colonnes',
  columnsCaption: 'Colonnes du bloc, depuis la gauche',
  noColumns: 'Le bloc n’a pas encore de colonne.',
  addColumn: 'Ajouter une colonne',
  newColumn: (b) => `Nouvelle colonne de ${b}`,
  columnTitle: (p) => `Colonne ${p}`,
  position: 'Position',
  positionHint: '1 est la colonne la plus à gauche.',
  kind: 'Type',
  kinds: { kiosk: 'Borne (écran et lecteurs)', plain: 'Simple' },
  kindsShort: { kiosk: 'borne', plain: 'simple' },
  controllerId: 'Identifiant du contrôleur',
  controllerHint: 'L’identifiant de la carte contrôleur de la colonne, tel que provisionné.',
  fixedColumn: 'La position et le contrôleur d’une colonne sont ceux de son provisionnement : pour les changer, supprimez la colonne et ajoutez-la de nouveau.',
  lockers: 'Casiers',
  lockersCaption: 'Casiers du bloc',
  noLockers: 'Le bloc n’a pas encore de casier.',
  lockersHidden: 'Votre rôle ne voit pas les casiers du bloc.',
  addLocker: 'Ajouter un casier',
  addLockers: 'Ajouter plusieurs casiers',
  newLocker: (b) => `Nouveau casier dans ${b}`,
  newLockers: (b) => `Nouveaux casiers dans ${b}`,
  lockerTitle: (n) => `Casier ${n}`,
  status: 'État',
  countRefused: 'Indiquez un nombre entier de casiers, de 1 à 100.',
  number: 'Numéro',
  column: 'Colonne',
  columnOption: (p, k) => `Colonne ${p} (${k})`,
  door: 'Porte',
  doorHint: 'Le numéro de la porte sur le contrôleur de sa colonne, à partir de 1.',
  fixedLocker: 'Le numéro, la colonne et la porte d’un casier restent ceux de son ajout : pour le déplacer, supprimez-le et ajoutez-le de nouveau.',
  size: 'Taille',
  sizes: { XS: 'XS', S: 'S', M: 'M', L: 'L', XL: 'XL', custom: 'Dimensions personnalisées' },
  dimensions: 'Dimensions intérieures',
  dimensionsHint: 'Seulement pour des dimensions personnalisées, en cm.',
  widthCm: 'Largeur (cm)',
  heightCm: 'Hauteur (cm)',
  depthCm: 'Profondeur (cm)',
  heights: 'Hauteurs de la porte',
  heightsHint: 'Depuis le sol, en cm : elles décident si le casier est dans la zone d’atteinte du site.',
  bottomCm: 'Bord inférieur (cm)',
  topCm: 'Bord supérieur (cm)',
  loading: 'Chargement',
  loadings: { front: 'Par l’avant (la porte du destinataire)', rear: 'Par l’arrière (une étagère remplie de derrière)' },
  shelfBarcode: 'Code-barres de l’étagère',
  shelfBarcodeHint: 'Pour un chargement par l’arrière : caractères imprimables sans espace. Laissé vide, il est généré.',
  shelfBarcodeNewHint: 'Obligatoire pour un chargement par l’arrière : caractères imprimables sans espace.',
  dedication: 'Réservé à',
  dedicationHint: 'Un casier réservé ne sert qu’à ce contact ou à ce service.',
  notDedicated: 'Personne (non réservé)',
  keepDedication: (n) => `${n} (inchangé)`,
  dedicatedTo: 'Réservé à',
  accessible: 'Accessible',
  accessibleYes: 'Accessible',
  accessibleNo: 'Non accessible',
  doorRange: (b, t) => `${frNumber(b)}–${frNumber(t)} cm`,
  firstNumber: 'Premier numéro',
  count: 'Combien',
  countHint: 'De 1 à 100 ; numérotés à la suite.',
  firstDoor: 'Première porte',
  batchHint: 'Les casiers sont empilés vers le haut sur une colonne : chaque porte commence où finit celle du dessous, avec la même hauteur. Chacun peut être modifié ensuite (un casier chargé par l’arrière depuis son propre formulaire).',
  firstBottomCm: 'Bord inférieur de la porte la plus basse (cm)',
  firstTopCm: 'Bord supérieur de la porte la plus basse (cm)',
  addedLockers: (n) => (n <= 1 ? `${n} casier a été ajouté.` : `${n} casiers ont été ajoutés.`),
};

export const BANK_WORDS: Record<PageLanguage, BankWords> = { en: EN, fr: FR };
