/**
 * The words of the bank settings screen in English and French: each setting's label and what it does, keyed by the
 * protocol's own names, so a rule or timer added to the protocol does not compile until it has its words here.
 */
import type { bankRulesSchema, kioskTimerFieldsSchema, StorageMode } from '@portier/protocol';
import type { PageLanguage } from '../../http/pages/i18n.ts';

export type TimerKey = keyof typeof kioskTimerFieldsSchema.shape;
export type RuleKey = keyof typeof bankRulesSchema.shape;
export type SettingsGroup = 'general' | 'timers' | 'storage' | 'quota' | 'kiosk';

interface Setting {
  label: string;
  hint: string;
}

export interface BankSettingsWords {
  intro: string;
  bank: string;
  show: string;
  noBanks: string;
  groups: Record<SettingsGroup, string>;
  groupIntros: Partial<Record<SettingsGroup, string>>;
  name: Setting;
  timers: Record<TimerKey, Setting>;
  rules: Record<RuleKey, Setting>;
  modes: Record<StorageMode, string>;
  quota: (size: string) => string;
  /** The allowed range of a setting, in the schema's own bounds. */
  range: {
    seconds: (min: number, max: number) => string;
    hours: (min: number, max: number) => string;
    lockers: (min: number, max: number) => string;
    list: (maxItems: number, min: number, max: number) => string;
    length: (min: number, max: number) => string;
  };
  /** A value the API refused as out of its range or not a number: the setting and what it allows. */
  refused: (label: string, allowed: string) => string;
  submit: string;
  saved: string;
  unchanged: string;
  defaults: string;
}

const EN: BankSettingsWords = {
  intro: 'The rules a bank’s kiosk applies, its timers, and the lockers day-use storage must leave for deliveries. A change reaches the bank’s controllers at once and is recorded in the activity.',
  bank: 'Bank',
  show: 'Show',
  noBanks: 'There is no bank to set up yet.',
  groups: { general: 'Bank', timers: 'Kiosk timers', storage: 'Day-use storage', quota: 'Delivery quota', kiosk: 'Sign-in and deliveries at the kiosk' },
  groupIntros: {
    timers: 'In seconds. The time after a pickup must not be longer than the time of inactivity; a staff session must not end before a public one; the reopen offer after a pickup, when not 0, must last at least until the screen goes back home.',
    storage: 'People may leave things in a free locker for part of a day. Each limit is at most the longest storage.',
    quota: 'Per size, how many free lockers day-use storage must always leave for deliveries. Custom-size lockers have no quota.',
  },
  name: { label: 'Name', hint: 'As people see it on the kiosk and in the console.' },
  timers: {
    lockerAccessAfterPickupS: { label: 'Reopen after a pickup', hint: 'How long the person who collected may open their locker again (0: never).' },
    returnHomeAfterPickupS: { label: 'Back to the start after a pickup', hint: 'How long the kiosk shows the open locker before it goes back to its start screen.' },
    returnHomeOnInactivityS: { label: 'Back to the start when nobody acts', hint: 'How long a public session may wait for a touch before it ends.' },
    adminSessionTimeoutS: { label: 'Staff session', hint: 'How long a signed-in member of staff may stay idle before being signed out at the kiosk.' },
    doorLeftOpenS: { label: 'Door left open', hint: 'How long a door may stay open before the kiosk warns and the activity records it.' },
    dropOffReopenGraceS: { label: 'Reopen grace after a drop-off', hint: 'How long staff or a carrier may reopen the locker they just filled (0: never).' },
  },
  rules: {
    contactless: { label: 'Contactless sign-in', hint: 'At the start screen, holding a code under the kiosk’s scanner (a QR code, a carrier’s printed code, a pickup code) signs in at once, without choosing an action first.' },
    batchDropOff: { label: 'Batch drop-off', hint: 'Staff may drop off several parcels in one session.' },
    noBarcodePackages: { label: 'Parcels without a barcode', hint: 'Staff may drop off a parcel that has no tracking barcode.' },
    multiplePackagesPerCode: { label: 'Several parcels per pickup code', hint: 'One pickup code may open every locker holding parcels for the same person.' },
    departmentPickup: { label: 'Department pickup', hint: 'Any member of a department may collect the department’s parcels.' },
    pickupPinExpiryH: { label: 'Pickup code validity', hint: 'How long a pickup code works after the drop-off.' },
    addToExistingLocker: { label: 'Add to an occupied locker', hint: 'A parcel may go into a locker that already holds parcels for the same person.' },
    openAllAtOnce: { label: 'Open every locker at once', hint: 'A pickup opens all the person’s lockers together instead of one after another.' },
    maxStorageH: { label: 'Longest storage', hint: 'The longest day-use storage, whatever its mode.' },
    storageModes: { label: 'Storage modes offered', hint: 'None chosen: no day-use storage at this bank.' },
    fixedStorageHours: { label: 'Fixed durations (hours)', hint: 'The durations the fixed mode offers, separated by commas, for example “2, 4, 8”. Empty: until the end of the storage day.' },
    flexibleStorageMaxH: { label: 'Longest flexible storage (hours)', hint: 'Extensions included. Empty: the longest storage.' },
  },
  modes: { fixed: 'Fixed duration', flexible: 'Flexible (the person chooses and may extend)', 'no-end': 'Until the person ends it' },
  quota: (s) => `Size ${s}`,
  range: {
    seconds: (min, max) => `From ${min} to ${max} seconds.`,
    hours: (min, max) => `From ${min} to ${max} hours.`,
    lockers: (min, max) => `From ${min} to ${max} lockers.`,
    list: (n, min, max) => `Up to ${n} durations, each from ${min} to ${max} hours.`,
    length: (min, max) => `From ${min} to ${max} characters.`,
  },
  refused: (label, allowed) => `${label}: this value is not allowed. ${allowed}`,
  submit: 'Save the settings',
  saved: 'The settings were saved; the bank’s controllers receive them now.',
  unchanged: 'Nothing was changed.',
  defaults: 'Values not set for this bank show the defaults.',
};

const FR: BankSettingsWords = {
  intro: 'Les règles qu’applique la borne d’un bloc, ses minuteries, et les casiers que la consigne à la journée doit laisser aux livraisons. Un changement parvient aussitôt aux contrôleurs du bloc et est consigné dans l’activité.',
  bank: 'Bloc',
  show: 'Afficher',
  noBanks: 'Il n’y a encore aucun bloc à configurer.',
  groups: { general: 'Bloc', timers: 'Minuteries de la borne', storage: 'Consigne à la journée', quota: 'Quota de livraison', kiosk: 'Connexion et livraisons à la borne' },
  groupIntros: {
    timers: 'En secondes. Le délai après un retrait ne doit pas dépasser le délai d’inactivité ; une session du personnel ne doit pas finir avant une session publique ; la réouverture après un retrait, si elle n’est pas à 0, doit durer au moins jusqu’au retour à l’accueil.',
    storage: 'On peut laisser des affaires dans un casier libre pour une partie de la journée. Chaque limite est au plus la consigne la plus longue.',
    quota: 'Par taille, combien de casiers libres la consigne à la journée doit toujours laisser aux livraisons. Les casiers de taille personnalisée n’ont pas de quota.',
  },
  name: { label: 'Nom', hint: 'Tel qu’on le voit sur la borne et dans la console.' },
  timers: {
    lockerAccessAfterPickupS: { label: 'Réouverture après un retrait', hint: 'Pendant combien de temps la personne qui a retiré peut rouvrir son casier (0 : jamais).' },
    returnHomeAfterPickupS: { label: 'Retour à l’accueil après un retrait', hint: 'Combien de temps la borne montre le casier ouvert avant de revenir à son écran d’accueil.' },
    returnHomeOnInactivityS: { label: 'Retour à l’accueil sans action', hint: 'Combien de temps une session publique attend un geste avant de finir.' },
    adminSessionTimeoutS: { label: 'Session du personnel', hint: 'Combien de temps un membre du personnel connecté peut rester inactif avant d’être déconnecté de la borne.' },
    doorLeftOpenS: { label: 'Porte laissée ouverte', hint: 'Combien de temps une porte peut rester ouverte avant que la borne avertisse et que l’activité le consigne.' },
    dropOffReopenGraceS: { label: 'Réouverture après un dépôt', hint: 'Pendant combien de temps le personnel ou un transporteur peut rouvrir le casier qu’il vient de remplir (0 : jamais).' },
  },
  rules: {
    contactless: { label: 'Connexion sans contact', hint: 'Sur l’écran d’accueil, présenter un code devant le lecteur de la borne (un code QR, le code imprimé d’un transporteur, un code de retrait) connecte aussitôt, sans choisir d’action d’abord.' },
    batchDropOff: { label: 'Dépôt groupé', hint: 'Le personnel peut déposer plusieurs colis dans une même session.' },
    noBarcodePackages: { label: 'Colis sans code-barres', hint: 'Le personnel peut déposer un colis qui n’a pas de code-barres de suivi.' },
    multiplePackagesPerCode: { label: 'Plusieurs colis par code de retrait', hint: 'Un code de retrait peut ouvrir tous les casiers qui contiennent des colis pour la même personne.' },
    departmentPickup: { label: 'Retrait par service', hint: 'Tout membre d’un service peut retirer les colis du service.' },
    pickupPinExpiryH: { label: 'Validité du code de retrait', hint: 'Combien de temps un code de retrait fonctionne après le dépôt.' },
    addToExistingLocker: { label: 'Ajout à un casier occupé', hint: 'Un colis peut aller dans un casier qui contient déjà des colis pour la même personne.' },
    openAllAtOnce: { label: 'Ouvrir tous les casiers ensemble', hint: 'Un retrait ouvre tous les casiers de la personne en même temps plutôt que l’un après l’autre.' },
    maxStorageH: { label: 'Consigne la plus longue', hint: 'La plus longue consigne à la journée, quel que soit son mode.' },
    storageModes: { label: 'Modes de consigne proposés', hint: 'Aucun choisi : pas de consigne à la journée dans ce bloc.' },
    fixedStorageHours: { label: 'Durées fixes (heures)', hint: 'Les durées que propose le mode fixe, séparées par des virgules, par exemple « 2, 4, 8 ». Vide : jusqu’à la fin de la journée de consigne.' },
    flexibleStorageMaxH: { label: 'Consigne flexible la plus longue (heures)', hint: 'Prolongations comprises. Vide : la consigne la plus longue.' },
  },
  modes: { fixed: 'Durée fixe', flexible: 'Flexible (la personne choisit et peut prolonger)', 'no-end': 'Jusqu’à ce que la personne y mette fin' },
  quota: (s) => `Taille ${s}`,
  range: {
    seconds: (min, max) => `De ${min} à ${max} secondes.`,
    hours: (min, max) => `De ${min} à ${max} heures.`,
    lockers: (min, max) => `De ${min} à ${max} casiers.`,
    list: (n, min, max) => `Jusqu’à ${n} durées, chacune de ${min} à ${max} heures.`,
    length: (min, max) => `De ${min} à ${max} caractères.`,
  },
  refused: (label, allowed) => `${label} : cette valeur n’est pas permise. ${allowed}`,
  submit: 'Enregistrer les paramètres',
  saved: 'Les paramètres ont été enregistrés ; les contrôleurs du bloc les reçoivent maintenant.',
  unchanged: 'Rien n’a été modifié.',
  defaults: 'Les valeurs non définies pour ce bloc montrent les valeurs par défaut.',
};

export const BANK_SETTINGS_WORDS: Record<PageLanguage, BankSettingsWords> = { en: EN, fr: FR };
