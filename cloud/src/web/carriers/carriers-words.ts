/** The words of the carriers screen (carriers, their access codes, the printable sheet) in English and French. */
import type { PageLanguage } from '../../http/pages/i18n.ts';

export type CarrierDone = 'created' | 'saved' | 'deleted' | 'revoked';
export type CodeState = 'live' | 'expired' | 'revoked';

export interface CarriersWords {
  intro: string;
  caption: string;
  name: string;
  created: string;
  liveCodes: string;
  none: string;
  add: string;
  addSubmit: string;
  nameHint: string;
  nameRefused: (min: number, max: number) => string;
  back: string;
  carrierTitle: (name: string) => string;
  details: string;
  renameSubmit: string;
  deleteSummary: string;
  deleteText: (name: string) => string;
  deleteSubmit: string;
  done: Record<CarrierDone, string>;
  codes: string;
  codesIntro: string;
  codesCaption: string;
  codeId: string;
  digits: string;
  banks: string;
  expires: string;
  state: string;
  actions: string;
  states: Record<CodeState, string>;
  everyBank: string;
  noEnd: string;
  notCheckable: (banks: string) => string;
  noCodes: string;
  revokeSummary: (id: string) => string;
  revokeText: string;
  revokeSubmit: string;
  issue: string;
  digitsHint: (min: number, max: number) => string;
  banksLegend: string;
  banksHint: string;
  days: string;
  daysHint: string;
  daysInvalid: string;
  issueSubmit: string;
  issuedLabel: string;
  issuedHint: string;
  printIssued: string;
  sheetLink: string;
  sheetTitle: (carrier: string) => string;
  sheetIntro: string;
  sheetPrint: string;
  sheetNone: string;
  sheetFor: (carrier: string) => string;
  sheetCodeOf: (carrier: string, id: string) => string;
  sheetValidAt: string;
  sheetUntil: string;
  sheetNotPrinted: string;
  sheetAll: string;
}

const EN: CarriersWords = {
  intro: 'Carriers deliver into your lockers. Each has access codes its drivers type or scan at a kiosk.',
  caption: 'Carriers',
  name: 'Name',
  created: 'Added',
  liveCodes: 'Live access codes',
  none: 'No carrier yet.',
  add: 'Add a carrier',
  addSubmit: 'Add the carrier',
  nameHint: 'As your staff and the drivers know it, for example “Parcel Express”.',
  nameRefused: (min, max) => `Enter a name of ${min} to ${max} characters.`,
  back: 'All carriers',
  carrierTitle: (n) => `Carrier ${n}`,
  details: 'Details',
  renameSubmit: 'Save the name',
  deleteSummary: 'Delete this carrier',
  deleteText: (n) => `Delete ${n}? Its access codes and kiosk sign-ins stop working at once. A carrier named by a reservation still open, or with a login, cannot be deleted.`,
  deleteSubmit: 'Delete the carrier',
  done: {
    created: 'The carrier was added.',
    saved: 'The name was saved.',
    deleted: 'The carrier was deleted; its access codes no longer open anything.',
    revoked: 'The access code was revoked: kiosks refuse it from now on.',
  },
  codes: 'Access codes',
  codesIntro: 'A code opens the kiosk for the carrier’s drivers at the banks it names. Its digits are shown once, when it is issued; the printable sheet holds each live code as a QR code for the kiosk’s scanner.',
  codesCaption: 'Access codes of this carrier',
  codeId: 'Code',
  digits: 'Digits',
  banks: 'Banks',
  expires: 'Valid until',
  state: 'State',
  actions: 'Actions',
  states: { live: 'Live', expired: 'Expired', revoked: 'Revoked' },
  everyBank: 'Every bank',
  noEnd: 'No end',
  notCheckable: (b) => `Not checked at ${b} (bank added later): issue a new code.`,
  noCodes: 'This carrier has no access code yet.',
  revokeSummary: (id) => `Revoke ${id}`,
  revokeText: 'Kiosks refuse this code from now on. A printed sheet holding it stops working.',
  revokeSubmit: 'Revoke the code',
  issue: 'Issue an access code',
  digitsHint: (min, max) => `From ${min} to ${max} digits. More digits are harder to guess.`,
  banksLegend: 'Banks the code opens',
  banksHint: 'None chosen: every bank, including banks added later.',
  days: 'Valid for (days)',
  daysHint: 'Leave empty for a code without an end.',
  daysInvalid: 'Enter a whole number of days, 1 or more, or leave the field empty.',
  issueSubmit: 'Issue the code',
  issuedLabel: 'New access code',
  issuedHint: 'Give it to the carrier now: its digits are not shown again. The printable sheet holds it as a QR code while it is live.',
  printIssued: 'Print the QR code of this code',
  sheetLink: 'Printable sheet of QR codes',
  sheetTitle: (c) => `QR codes of ${c}`,
  sheetIntro:
    'One QR code per live access code, with the carrier and the banks it opens. Print this page with your browser (Ctrl+P, or ⌘P on a Mac): only the codes are printed. Drivers scan the QR code at the kiosk. Anyone holding the sheet can open the lockers the code opens: keep it like a key, and revoke a code whose sheet is lost. Each view of this sheet is recorded in the activity.',
  sheetPrint: 'Codes to print',
  sheetNone: 'This carrier has no live access code to print.',
  sheetFor: (c) => `Carrier: ${c}`,
  sheetCodeOf: (c, id) => `QR code of access code ${id} of ${c}`,
  sheetValidAt: 'Opens',
  sheetUntil: 'Valid until',
  sheetNotPrinted: 'Not printable',
  sheetAll: 'Show every live code',
};

const FR: CarriersWords = {
  intro: 'Les transporteurs livrent dans vos casiers. Chacun a des codes d’accès que ses livreurs tapent ou scannent à une borne.',
  caption: 'Transporteurs',
  name: 'Nom',
  created: 'Ajouté le',
  liveCodes: 'Codes d’accès valides',
  none: 'Aucun transporteur pour l’instant.',
  add: 'Ajouter un transporteur',
  addSubmit: 'Ajouter le transporteur',
  nameHint: 'Tel que votre personnel et les livreurs le connaissent, par exemple « Parcel Express ».',
  nameRefused: (min, max) => `Saisissez un nom de ${min} à ${max} caractères.`,
  back: 'Tous les transporteurs',
  carrierTitle: (n) => `Transporteur ${n}`,
  details: 'Informations',
  renameSubmit: 'Enregistrer le nom',
  deleteSummary: 'Supprimer ce transporteur',
  deleteText: (n) => `Supprimer ${n} ? Ses codes d’accès et ses connexions à la borne cessent aussitôt de fonctionner. Un transporteur nommé par une réservation en cours, ou qui a un compte, ne peut pas être supprimé.`,
  deleteSubmit: 'Supprimer le transporteur',
  done: {
    created: 'Le transporteur a été ajouté.',
    saved: 'Le nom a été enregistré.',
    deleted: 'Le transporteur a été supprimé ; ses codes d’accès n’ouvrent plus rien.',
    revoked: 'Le code d’accès a été révoqué : les bornes le refusent désormais.',
  },
  codes: 'Codes d’accès',
  codesIntro: 'Un code ouvre la borne aux livreurs du transporteur dans les blocs qu’il nomme. Ses chiffres ne sont montrés qu’une fois, à sa création ; la planche à imprimer porte chaque code valide sous forme de code QR pour le lecteur de la borne.',
  codesCaption: 'Codes d’accès de ce transporteur',
  codeId: 'Code',
  digits: 'Chiffres',
  banks: 'Blocs',
  expires: 'Valable jusqu’au',
  state: 'État',
  actions: 'Actions',
  states: { live: 'Valide', expired: 'Expiré', revoked: 'Révoqué' },
  everyBank: 'Tous les blocs',
  noEnd: 'Sans fin',
  notCheckable: (b) => `Non vérifié à ${b} (bloc ajouté depuis) : créez un nouveau code.`,
  noCodes: 'Ce transporteur n’a pas encore de code d’accès.',
  revokeSummary: (id) => `Révoquer ${id}`,
  revokeText: 'Les bornes refusent ce code désormais. Une planche imprimée qui le porte cesse de fonctionner.',
  revokeSubmit: 'Révoquer le code',
  issue: 'Créer un code d’accès',
  digitsHint: (min, max) => `De ${min} à ${max} chiffres. Plus il y a de chiffres, plus le code est difficile à deviner.`,
  banksLegend: 'Blocs que le code ouvre',
  banksHint: 'Aucun choisi : tous les blocs, y compris ceux ajoutés plus tard.',
  days: 'Valable pendant (jours)',
  daysHint: 'Laissez vide pour un code sans fin.',
  daysInvalid: 'Saisissez un nombre entier de jours, 1 ou plus, ou laissez le champ vide.',
  issueSubmit: 'Créer le code',
  issuedLabel: 'Nouveau code d’accès',
  issuedHint: 'Remettez-le au transporteur maintenant : ses chiffres ne seront plus affichés. La planche à imprimer le porte en code QR tant qu’il est valide.',
  printIssued: 'Imprimer le code QR de ce code',
  sheetLink: 'Planche de codes QR à imprimer',
  sheetTitle: (c) => `Codes QR de ${c}`,
  sheetIntro:
    'Un code QR par code d’accès valide, avec le transporteur et les blocs qu’il ouvre. Imprimez cette page avec votre navigateur (Ctrl+P, ou ⌘P sur un Mac) : seuls les codes sont imprimés. Les livreurs scannent le code QR à la borne. Quiconque détient la planche peut ouvrir les casiers que le code ouvre : gardez-la comme une clé, et révoquez un code dont la planche est perdue. Chaque affichage de cette planche est consigné dans l’activité.',
  sheetPrint: 'Codes à imprimer',
  sheetNone: 'Ce transporteur n’a aucun code d’accès valide à imprimer.',
  sheetFor: (c) => `Transporteur : ${c}`,
  sheetCodeOf: (c, id) => `Code QR du code d’accès ${id} de ${c}`,
  sheetValidAt: 'Ouvre',
  sheetUntil: 'Valable jusqu’au',
  sheetNotPrinted: 'Impossible à imprimer',
  sheetAll: 'Afficher tous les codes valides',
};

export const CARRIERS_WORDS: Record<PageLanguage, CarriersWords> = { en: EN, fr: FR };
