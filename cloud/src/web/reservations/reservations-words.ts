/** The words of the reservations screen in English and French. */
import type { PageLanguage } from '../../http/pages/i18n.ts';
import type { MailKind, MailStatus } from '../../mail/model.ts';
import type { ActivityType, ReservationKind, ReservationStatus } from '../../domain/model.ts';

export type StorageModeName = 'fixed' | 'flexible' | 'open';

export interface ReservationsWords {
  title: string;
  newTitle: string;
  detailTitle: (locker: string, bank: string) => string;
  newReservation: string;
  bank: string;
  allBanks: string;
  status: string;
  allStatuses: string;
  statuses: Record<ReservationStatus, string>;
  search: string;
  searchHint: string;
  unassignedOnly: string;
  unassignedHeading: string;
  unassignedHint: string;
  noneUnassigned: string;
  filter: string;
  results: (n: number) => string;
  noReservations: string;
  tableCaption: string;
  locker: string;
  heldAtDesk: string;
  recipient: string;
  noRecipient: string;
  kind: string;
  kinds: Record<ReservationKind, string>;
  trackingIds: string;
  since: string;
  expires: string;
  open: string;
  assign: string;
  size: string;
  sizeHint: string;
  trackingId: string;
  trackingHint: string;
  recipientSearch: string;
  recipientSearchHint: string;
  find: string;
  matches: (n: number) => string;
  noMatch: string;
  needsAccessible: string;
  department: string;
  recipientId: string;
  recipientIdHint: string;
  recipientMissing: string;
  partiesLegend: string;
  partiesHint: string;
  broughtBy: string;
  collectedBy: string;
  theRecipient: string;
  carrier: (name: string) => string;
  storageLegend: string;
  storageHint: string;
  storageMode: string;
  storageModes: Record<StorageModeName, string>;
  minutes: string;
  minutesHint: string;
  reserve: string;
  lockerFromGrid: (n: string) => string;
  reserved: string;
  addedToExisting: string;
  codeHeading: string;
  dropOffCode: string;
  dropOffCodeHint: (expires: string) => string;
  newPickupCode: string;
  newDropOffCode: string;
  newPickupCodeHint: (expires: string) => string;
  assigned: string;
  details: string;
  accessibleLocker: string;
  standardLocker: string;
  dedicatedToRecipient: string;
  notDedicated: string;
  created: string;
  holdUntil: string;
  occupiedAt: string;
  endsAt: string;
  pickupCodeExpires: string;
  dropOffCodeExpires: string;
  endReasons: Record<'picked-up' | 'cancelled' | 'removed' | 'hold-expired', string>;
  timeline: string;
  noTimeline: string;
  events: Partial<Record<ActivityType, string>> & Record<'reserved' | 'droppedOff' | 'expired' | 'ended', string>;
  /** A 'reservation' entry of the activity log that is not the reservation itself. */
  changes: Record<'reissued' | 'dropOffReissued' | 'assigned' | 'placed', string>;
  mailKinds: Record<MailKind, string>;
  mailStatuses: Record<MailStatus, string>;
  attempts: (n: number) => string;
  by: (name: string) => string;
  actions: string;
  codeAction: string;
  codeActionHint: string;
  codeSubmit: string;
  assignAction: string;
  assignHint: string;
  assignSubmit: string;
  endAction: string;
  endSubmit: string;
  removeSubmit: string;
  ended: string;
  backToList: string;
  lockerPage: string;
  apiSays: string;
}

const EN: ReservationsWords = {
  title: 'Reservations',
  newTitle: 'New reservation',
  detailTitle: (locker, bank) => `Reservation, ${locker}, ${bank}`,
  newReservation: 'New reservation',
  bank: 'Locker bank',
  allBanks: 'All banks',
  status: 'Status',
  allStatuses: 'Every live status',
  statuses: { held: 'Held at the mailroom desk', reserved: 'Reserved, waiting for drop-off', occupied: 'In the locker', expired: 'Expired', ended: 'Ended' },
  search: 'Search',
  searchHint: 'Tracking ID or a custom field; results update as you type.',
  unassignedOnly: 'Only parcels without a recipient',
  unassignedHeading: 'Parcels without a recipient',
  unassignedHint: 'Parcels a kiosk took without naming anyone. Assign a recipient so they get their pickup code.',
  noneUnassigned: 'No parcel is waiting for a recipient.',
  filter: 'Filter',
  results: (n) => (n === 1 ? '1 reservation' : `${n} reservations`),
  noReservations: 'No reservation matches.',
  tableCaption: 'Live reservations',
  locker: 'Locker',
  heldAtDesk: 'Mailroom desk',
  recipient: 'Recipient',
  noRecipient: 'No recipient yet',
  kind: 'Kind',
  kinds: { package: 'Package', return: 'Return', exchange: 'Exchange', storage: 'Day-use storage' },
  trackingIds: 'Tracking IDs',
  since: 'Since',
  expires: 'Expires',
  open: 'Open',
  assign: 'Assign a recipient',
  size: 'Parcel size',
  sizeHint: 'Not needed for day-use storage.',
  trackingId: 'Tracking ID',
  trackingHint: 'Optional.',
  recipientSearch: 'Find the recipient',
  recipientSearchHint: 'Type part of a name, e-mail or personnel ID; matches appear below as you type.',
  find: 'Find',
  matches: (n) => (n === 1 ? '1 match' : `${n} matches`),
  noMatch: 'Nobody in the address book matches.',
  needsAccessible: 'Needs an accessible locker',
  department: 'Department',
  recipientId: 'Recipient’s contact ID',
  recipientIdHint: 'Your role cannot search the address book: enter the contact’s ID.',
  recipientMissing: 'Choose the recipient.',
  partiesLegend: 'Return or exchange',
  partiesHint: 'Only for a return or an exchange: who brings the parcel to the locker and who collects it.',
  broughtBy: 'Brought by',
  collectedBy: 'Collected by',
  theRecipient: 'The recipient',
  carrier: (n) => `Carrier ${n}`,
  storageLegend: 'Day-use storage',
  storageHint: 'Only for day-use storage.',
  storageMode: 'Duration',
  storageModes: { fixed: 'Fixed', flexible: 'Flexible (can be extended)', open: 'Open (no end time)' },
  minutes: 'Minutes',
  minutesHint: 'For fixed or flexible storage.',
  reserve: 'Reserve',
  lockerFromGrid: (n) => `You came from locker ${n}: the service chooses the locker that fits the parcel and the recipient.`,
  reserved: 'Reserved.',
  addedToExisting: 'Added to the recipient’s existing locker.',
  codeHeading: 'Code',
  dropOffCode: 'Drop-off code',
  dropOffCodeHint: (e) => `Shown this once: give it to whoever brings the parcel. Valid until ${e}.`,
  newPickupCode: 'New pickup code',
  newDropOffCode: 'New drop-off code',
  newPickupCodeHint: (e) => `Shown this once. The old code no longer works. Valid until ${e}.`,
  assigned: 'Recipient assigned: they get the new pickup code below.',
  details: 'Details',
  accessibleLocker: 'accessible',
  standardLocker: 'not accessible',
  dedicatedToRecipient: 'the recipient’s dedicated locker',
  notDedicated: 'not a dedicated locker',
  created: 'Reserved',
  holdUntil: 'Held for drop-off until',
  occupiedAt: 'Dropped off',
  endsAt: 'Expires',
  pickupCodeExpires: 'Pickup code valid until',
  dropOffCodeExpires: 'Drop-off code valid until',
  endReasons: { 'picked-up': 'picked up', cancelled: 'cancelled', removed: 'removed', 'hold-expired': 'not dropped off in time' },
  timeline: 'Timeline',
  noTimeline: 'Nothing recorded yet.',
  events: {
    reserved: 'Reserved',
    droppedOff: 'Dropped off',
    expired: 'Expired',
    ended: 'Ended',
    reservation: 'Reserved',
    'drop-off': 'Dropped off',
    pickup: 'Picked up',
    return: 'Returned',
    'remote-open': 'Opened remotely',
    expiry: 'Expired',
    extension: 'Extended',
    end: 'Ended',
    'admin-change': 'Changed',
  },
  changes: { reissued: 'New pickup code issued', dropOffReissued: 'New drop-off code issued', assigned: 'Recipient assigned', placed: 'Placed in a locker that freed up' },
  mailKinds: {
    'parcel-ready': 'Notified: parcel ready',
    reminder: 'Reminded',
    'expiring-soon': 'Warned: expiring soon',
    expired: 'Told: expired',
    'picked-up': 'Told: picked up',
    'drop-off-code': 'Sent the drop-off code',
    storage: 'Sent the storage code',
    welcome: 'Welcome e-mail',
    'password-reset': 'Password reset e-mail',
    'mfa-code': 'Sign-in code e-mail',
    'import-failed': 'Import failure e-mail',
  },
  mailStatuses: { queued: 'queued', sending: 'being sent', sent: 'sent', failed: 'failed', skipped: 'not sent (no address or turned off)' },
  attempts: (n) => (n === 1 ? '1 attempt' : `${n} attempts`),
  by: (n) => `by ${n}`,
  actions: 'Actions',
  codeAction: 'New pickup code',
  codeActionHint: 'For a lost code or a notice that never arrived. The old code stops working at once.',
  codeSubmit: 'Issue a new code',
  assignAction: 'Assign a recipient',
  assignHint: 'They get a new pickup code; the old one stops working.',
  assignSubmit: 'Assign',
  endAction: 'End the reservation',
  endSubmit: 'End the reservation',
  removeSubmit: 'Remove the expired parcel',
  ended: 'The reservation has ended.',
  backToList: 'All reservations',
  lockerPage: 'The locker',
  apiSays: 'The service says:',
};

const FR: ReservationsWords = {
  title: 'Réservations',
  newTitle: 'Nouvelle réservation',
  detailTitle: (locker, bank) => `Réservation, ${locker}, ${bank}`,
  newReservation: 'Nouvelle réservation',
  bank: 'Banque de casiers',
  allBanks: 'Toutes les banques',
  status: 'État',
  allStatuses: 'Tous les états en cours',
  statuses: { held: 'Gardé à l’accueil courrier', reserved: 'Réservé, en attente de dépôt', occupied: 'Dans le casier', expired: 'Expiré', ended: 'Terminé' },
  search: 'Rechercher',
  searchHint: 'Numéro de suivi ou champ personnalisé ; les résultats se mettent à jour pendant la saisie.',
  unassignedOnly: 'Seulement les colis sans destinataire',
  unassignedHeading: 'Colis sans destinataire',
  unassignedHint: 'Colis déposés à la borne sans destinataire. Attribuez-leur un destinataire pour qu’il reçoive son code de retrait.',
  noneUnassigned: 'Aucun colis n’attend de destinataire.',
  filter: 'Filtrer',
  results: (n) => (n <= 1 ? `${n} réservation` : `${n} réservations`),
  noReservations: 'Aucune réservation ne correspond.',
  tableCaption: 'Réservations en cours',
  locker: 'Casier',
  heldAtDesk: 'Accueil courrier',
  recipient: 'Destinataire',
  noRecipient: 'Pas encore de destinataire',
  kind: 'Type',
  kinds: { package: 'Colis', return: 'Retour', exchange: 'Échange', storage: 'Consigne à la journée' },
  trackingIds: 'Numéros de suivi',
  since: 'Depuis',
  expires: 'Expire',
  open: 'Ouvrir',
  assign: 'Attribuer un destinataire',
  size: 'Taille du colis',
  sizeHint: 'Inutile pour la consigne à la journée.',
  trackingId: 'Numéro de suivi',
  trackingHint: 'Facultatif.',
  recipientSearch: 'Trouver le destinataire',
  recipientSearchHint: 'Saisissez une partie d’un nom, d’une adresse e-mail ou d’un matricule ; les résultats s’affichent ci-dessous pendant la saisie.',
  find: 'Chercher',
  matches: (n) => (n <= 1 ? `${n} résultat` : `${n} résultats`),
  noMatch: 'Personne ne correspond dans le carnet d’adresses.',
  needsAccessible: 'A besoin d’un casier accessible',
  department: 'Service',
  recipientId: 'Identifiant du contact destinataire',
  recipientIdHint: 'Votre rôle ne permet pas de chercher dans le carnet d’adresses : saisissez l’identifiant du contact.',
  recipientMissing: 'Choisissez le destinataire.',
  partiesLegend: 'Retour ou échange',
  partiesHint: 'Seulement pour un retour ou un échange : qui apporte le colis au casier et qui le retire.',
  broughtBy: 'Apporté par',
  collectedBy: 'Retiré par',
  theRecipient: 'Le destinataire',
  carrier: (n) => `Transporteur ${n}`,
  storageLegend: 'Consigne à la journée',
  storageHint: 'Seulement pour la consigne à la journée.',
  storageMode: 'Durée',
  storageModes: { fixed: 'Fixe', flexible: 'Souple (prolongeable)', open: 'Ouverte (sans fin)' },
  minutes: 'Minutes',
  minutesHint: 'Pour une consigne fixe ou souple.',
  reserve: 'Réserver',
  lockerFromGrid: (n) => `Vous venez du casier ${n} : le service choisit le casier adapté au colis et au destinataire.`,
  reserved: 'Réservé.',
  addedToExisting: 'Ajouté au casier déjà réservé pour ce destinataire.',
  codeHeading: 'Code',
  dropOffCode: 'Code de dépôt',
  dropOffCodeHint: (e) => `Affiché une seule fois : donnez-le à la personne qui apporte le colis. Valable jusqu’au ${e}.`,
  newPickupCode: 'Nouveau code de retrait',
  newDropOffCode: 'Nouveau code de dépôt',
  newPickupCodeHint: (e) => `Affiché une seule fois. L’ancien code ne fonctionne plus. Valable jusqu’au ${e}.`,
  assigned: 'Destinataire attribué : il reçoit le nouveau code de retrait ci-dessous.',
  details: 'Détails',
  accessibleLocker: 'accessible',
  standardLocker: 'non accessible',
  dedicatedToRecipient: 'le casier attitré du destinataire',
  notDedicated: 'casier non attitré',
  created: 'Réservé',
  holdUntil: 'Gardé pour le dépôt jusqu’au',
  occupiedAt: 'Déposé',
  endsAt: 'Expire',
  pickupCodeExpires: 'Code de retrait valable jusqu’au',
  dropOffCodeExpires: 'Code de dépôt valable jusqu’au',
  endReasons: { 'picked-up': 'retiré', cancelled: 'annulé', removed: 'enlevé', 'hold-expired': 'non déposé à temps' },
  timeline: 'Chronologie',
  noTimeline: 'Rien d’enregistré pour l’instant.',
  events: {
    reserved: 'Réservé',
    droppedOff: 'Déposé',
    expired: 'Expiré',
    ended: 'Terminé',
    reservation: 'Réservé',
    'drop-off': 'Déposé',
    pickup: 'Retiré',
    return: 'Rendu',
    'remote-open': 'Ouvert à distance',
    expiry: 'Expiré',
    extension: 'Prolongé',
    end: 'Terminé',
    'admin-change': 'Modifié',
  },
  changes: { reissued: 'Nouveau code de retrait émis', dropOffReissued: 'Nouveau code de dépôt émis', assigned: 'Destinataire attribué', placed: 'Placé dans un casier libéré' },
  mailKinds: {
    'parcel-ready': 'Notifié : colis disponible',
    reminder: 'Relancé',
    'expiring-soon': 'Prévenu : expire bientôt',
    expired: 'Informé : expiré',
    'picked-up': 'Informé : retiré',
    'drop-off-code': 'Code de dépôt envoyé',
    storage: 'Code de consigne envoyé',
    welcome: 'E-mail de bienvenue',
    'password-reset': 'E-mail de mot de passe',
    'mfa-code': 'E-mail de code de connexion',
    'import-failed': 'E-mail d’échec d’import',
  },
  mailStatuses: { queued: 'en attente', sending: 'en cours d’envoi', sent: 'envoyé', failed: 'échec', skipped: 'non envoyé (pas d’adresse ou désactivé)' },
  attempts: (n) => (n <= 1 ? `${n} tentative` : `${n} tentatives`),
  by: (n) => `par ${n}`,
  actions: 'Actions',
  codeAction: 'Nouveau code de retrait',
  codeActionHint: 'Pour un code perdu ou une notification jamais reçue. L’ancien code cesse aussitôt de fonctionner.',
  codeSubmit: 'Émettre un nouveau code',
  assignAction: 'Attribuer un destinataire',
  assignHint: 'Il reçoit un nouveau code de retrait ; l’ancien cesse de fonctionner.',
  assignSubmit: 'Attribuer',
  endAction: 'Terminer la réservation',
  endSubmit: 'Terminer la réservation',
  removeSubmit: 'Retirer le colis expiré',
  ended: 'La réservation est terminée.',
  backToList: 'Toutes les réservations',
  lockerPage: 'Le casier',
  apiSays: 'Le service répond :',
};

export const RESERVATIONS_WORDS: Record<PageLanguage, ReservationsWords> = { en: EN, fr: FR };
