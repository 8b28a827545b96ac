/** The words of the labels screen (rear-shelf barcodes, locker labels) in English and French. */
import type { PageLanguage } from '../../http/pages/i18n.ts';

export interface LabelsWords {
  intro: string;
  bank: string;
  show: string;
  noBanks: string;
  shelves: string;
  shelvesIntro: string;
  noRear: string;
  rearCaption: string;
  locker: string;
  position: string;
  barcode: string;
  printShelves: string;
  generateSummary: string;
  generateText: string;
  generateLegend: string;
  generateHint: string;
  generateSubmit: string;
  generated: (n: number) => string;
  lockerLabels: string;
  lockerLabelsIntro: string;
  printLockers: string;
  shelvesTitle: (bank: string) => string;
  lockersTitle: (bank: string) => string;
  printIntro: string;
  shelfIntro: string;
  back: string;
  lockerNumber: (n: number) => string;
  column: (position: number, kiosk: boolean) => string;
  door: (door: number) => string;
  heights: (bottom: string, top: string) => string;
  loading: Record<'front' | 'rear', string>;
  size: (size: string) => string;
  accessible: string;
  barcodeAlt: (text: string, locker: number) => string;
  noLockers: string;
}

const EN: LabelsWords = {
  intro: 'Print the labels of a bank: the barcodes of its rear-loading shelves, which staff scan when they load from behind, and a label for each locker door with its number and position.',
  bank: 'Bank',
  show: 'Show',
  noBanks: 'There is no bank to label yet.',
  shelves: 'Rear-shelf barcodes',
  shelvesIntro: 'Each rear-loading locker has a shelf barcode: the kiosk knows which locker a parcel went into when staff scan it. Stick each label on its shelf.',
  noRear: 'This bank has no rear-loading locker.',
  rearCaption: 'Rear-loading lockers and their shelf barcodes',
  locker: 'Locker',
  position: 'Position',
  barcode: 'Shelf barcode',
  printShelves: 'Printable shelf labels',
  generateSummary: 'Generate new shelf barcodes',
  generateText: 'New barcodes replace the old ones at once: labels already stuck on those shelves stop being recognised until you print and stick the new ones.',
  generateLegend: 'Lockers to give new barcodes',
  generateHint: 'None chosen: every rear-loading locker of the bank.',
  generateSubmit: 'Generate new barcodes',
  generated: (n) => (n === 1 ? 'One locker has a new shelf barcode: print its label and replace the old one.' : `${n} lockers have new shelf barcodes: print their labels and replace the old ones.`),
  lockerLabels: 'Locker labels',
  lockerLabelsIntro: 'One label per locker door: its number in large print, its column and door, the height of its door from the floor, and whether it loads from the front or the rear.',
  printLockers: 'Printable locker labels',
  shelvesTitle: (b) => `Shelf labels of ${b}`,
  lockersTitle: (b) => `Locker labels of ${b}`,
  printIntro: 'Print this page with your browser (Ctrl+P, or ⌘P on a Mac): only the labels are printed, each kept whole on its page.',
  shelfIntro: 'Each label names its locker: stick it on the rear shelf of that locker.',
  back: 'Labels',
  lockerNumber: (n) => `Locker ${n}`,
  column: (p, kiosk) => `Column ${p}${kiosk ? ' (kiosk)' : ''}`,
  door: (d) => `Door ${d}`,
  heights: (b, t) => `${b} cm to ${t} cm from the floor`,
  loading: { front: 'Front-loading', rear: 'Rear-loading' },
  size: (s) => `Size ${s}`,
  accessible: 'Within reach (accessible)',
  barcodeAlt: (text, n) => `Barcode ${text} of the shelf of locker ${n}`,
  noLockers: 'This bank has no locker yet.',
};

const FR: LabelsWords = {
  intro: 'Imprimez les étiquettes d’un bloc : les codes-barres de ses étagères à chargement arrière, que le personnel scanne en chargeant par l’arrière, et une étiquette par porte de casier avec son numéro et sa position.',
  bank: 'Bloc',
  show: 'Afficher',
  noBanks: 'Il n’y a encore aucun bloc à étiqueter.',
  shelves: 'Codes-barres des étagères arrière',
  shelvesIntro: 'Chaque casier à chargement arrière a un code-barres d’étagère : la borne sait dans quel casier un colis a été déposé quand le personnel le scanne. Collez chaque étiquette sur son étagère.',
  noRear: 'Ce bloc n’a aucun casier à chargement arrière.',
  rearCaption: 'Casiers à chargement arrière et codes-barres de leurs étagères',
  locker: 'Casier',
  position: 'Position',
  barcode: 'Code-barres de l’étagère',
  printShelves: 'Étiquettes d’étagères à imprimer',
  generateSummary: 'Générer de nouveaux codes-barres d’étagères',
  generateText: 'Les nouveaux codes-barres remplacent aussitôt les anciens : les étiquettes déjà collées sur ces étagères ne sont plus reconnues tant que vous n’avez pas imprimé et collé les nouvelles.',
  generateLegend: 'Casiers qui reçoivent un nouveau code-barres',
  generateHint: 'Aucun choisi : tous les casiers à chargement arrière du bloc.',
  generateSubmit: 'Générer les codes-barres',
  generated: (n) => (n === 1 ? 'Un casier a un nouveau code-barres d’étagère : imprimez son étiquette et remplacez l’ancienne.' : `${n} casiers ont de nouveaux codes-barres d’étagères : imprimez leurs étiquettes et remplacez les anciennes.`),
  lockerLabels: 'Étiquettes de casiers',
  lockerLabelsIntro: 'Une étiquette par porte de casier : son numéro en grand, sa colonne et sa porte, la hauteur de sa porte depuis le sol, et son chargement par l’avant ou par l’arrière.',
  printLockers: 'Étiquettes de casiers à imprimer',
  shelvesTitle: (b) => `Étiquettes d’étagères de ${b}`,
  lockersTitle: (b) => `Étiquettes de casiers de ${b}`,
  printIntro: 'Imprimez cette page avec votre navigateur (Ctrl+P, ou ⌘P sur un Mac) : seules les étiquettes sont imprimées, chacune entière sur sa page.',
  shelfIntro: 'Chaque étiquette nomme son casier : collez-la sur l’étagère arrière de ce casier.',
  back: 'Étiquettes',
  lockerNumber: (n) => `Casier ${n}`,
  column: (p, kiosk) => `Colonne ${p}${kiosk ? ' (borne)' : ''}`,
  door: (d) => `Porte ${d}`,
  heights: (b, t) => `De ${b} cm à ${t} cm du sol`,
  loading: { front: 'Chargement par l’avant', rear: 'Chargement par l’arrière' },
  size: (s) => `Taille ${s}`,
  accessible: 'À portée (accessible)',
  barcodeAlt: (text, n) => `Code-barres ${text} de l’étagère du casier ${n}`,
  noLockers: 'Ce bloc n’a encore aucun casier.',
};

export const LABELS_WORDS: Record<PageLanguage, LabelsWords> = { en: EN, fr: FR };
