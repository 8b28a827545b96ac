/** The words of the manage-lockers screen in English and French. */
import type { PageLanguage } from '../../http/pages/i18n.ts';

export type LockerStatus = 'available' | 'reserved' | 'occupied' | 'expired' | 'out-of-service';
export type OpenOutcome = 'opened' | 'already_open' | 'jammed' | 'unknown' | 'rejected' | 'timed_out';

export interface LockersWords {
  title: string;
  bank: string;
  show: string;
  noBanks: string;
  filter: string;
  all: (n: number) => string;
  statuses: Record<LockerStatus, string>;
  legend: string;
  columnHeading: (position: number, kiosk: boolean) => string;
  online: string;
  offline: (since: string | undefined) => string;
  doorsUnknown: string;
  door: Record<'open' | 'closed' | 'unknown', string>;
  accessible: string;
  grid: (bank: string) => string;
  lockerTitle: (n: number, bank: string) => string;
  size: string;
  recipient: string;
  trackingIds: string;
  since: string;
  expires: string;
  notice: string;
  notices: Record<'queued' | 'sending' | 'sent' | 'failed' | 'skipped', string>;
  noNotice: string;
  details: string;
  actions: string;
  openHeading: string;
  reason: string;
  reasonHint: string;
  reasonMissing: string;
  openSubmit: string;
  opening: string;
  outcomes: Record<OpenOutcome, string>;
  serviceHeading: string;
  outOfService: string;
  backInService: string;
  serviceReason: string;
  endHeading: string;
  endReservation: string;
  removeExpired: string;
  reserve: string;
  done: string;
  controllerOffline: string;
}

const EN: LockersWords = {
  title: 'Lockers',
  bank: 'Locker bank',
  show: 'Show',
  noBanks: 'There is no locker bank you may see.',
  filter: 'Filter by status',
  all: (n) => `All (${n})`,
  statuses: { available: 'Available', reserved: 'Reserved', occupied: 'Occupied', expired: 'Expired', 'out-of-service': 'Out of service' },
  legend: 'Legend',
  columnHeading: (p, kiosk) => `Column ${p}${kiosk ? ' (kiosk)' : ''}`,
  online: 'Controller online',
  offline: (since) => (since ? `Controller offline, last heard ${since}` : 'Controller offline'),
  doorsUnknown: 'door states unknown',
  door: { open: 'Door open', closed: 'Door closed', unknown: 'Door unknown' },
  accessible: 'Accessible',
  grid: (bank) => `Lockers of ${bank}, column by column as the bank stands`,
  lockerTitle: (n, bank) => `Locker ${n}, ${bank}`,
  size: 'Size',
  recipient: 'Recipient',
  trackingIds: 'Tracking IDs',
  since: 'Since',
  expires: 'Expires',
  notice: 'Notification',
  notices: { queued: 'Waiting to be sent', sending: 'Being sent', sent: 'Sent', failed: 'Failed', skipped: 'Not sent (no address or turned off)' },
  noNotice: 'None',
  details: 'Details',
  actions: 'Actions',
  openHeading: 'Open remotely',
  reason: 'Reason',
  reasonHint: 'Recorded in the activity log with your name.',
  reasonMissing: 'Enter why the door is opened.',
  openSubmit: 'Open the door',
  opening: 'Opening, waiting for the door…',
  outcomes: {
    opened: 'The door opened.',
    already_open: 'The door was already open.',
    jammed: 'The door is jammed: the lock moved but the door did not open.',
    unknown: 'The controller could not tell whether the door opened.',
    rejected: 'The controller refused to open the door.',
    timed_out: 'No answer from the controller in time. The command has expired: if it did not reach the door before, the door will not open for it. Check the door\'s state before trying again.',
  },
  serviceHeading: 'Service',
  outOfService: 'Put out of service',
  backInService: 'Put back in service',
  serviceReason: 'Reason',
  endHeading: 'Reservation',
  endReservation: 'End the reservation',
  removeExpired: 'Remove the expired parcel',
  reserve: 'Reserve this locker',
  done: 'Done.',
  controllerOffline: 'The controller of this locker is offline: the door cannot be opened remotely now.',
};

const FR: LockersWords = {
  title: 'Casiers',
  bank: 'Banque de casiers',
  show: 'Afficher',
  noBanks: 'Aucune banque de casiers ne vous est visible.',
  filter: 'Filtrer par état',
  all: (n) => `Tous (${n})`,
  statuses: { available: 'Libre', reserved: 'Réservé', occupied: 'Occupé', expired: 'Expiré', 'out-of-service': 'Hors service' },
  legend: 'Légende',
  columnHeading: (p, kiosk) => `Colonne ${p}${kiosk ? ' (borne)' : ''}`,
  online: 'Contrôleur en ligne',
  offline: (since) => (since ? `Contrôleur hors ligne, dernier contact ${since}` : 'Contrôleur hors ligne'),
  doorsUnknown: 'état des portes inconnu',
  door: { open: 'Porte ouverte', closed: 'Porte fermée', unknown: 'Porte : état inconnu' },
  accessible: 'Accessible',
  grid: (bank) => `Casiers de ${bank}, colonne par colonne comme la banque est installée`,
  lockerTitle: (n, bank) => `Casier ${n}, ${bank}`,
  size: 'Taille',
  recipient: 'Destinataire',
  trackingIds: 'Numéros de suivi',
  since: 'Depuis',
  expires: 'Expire',
  notice: 'Notification',
  notices: { queued: 'En attente d’envoi', sending: 'En cours d’envoi', sent: 'Envoyée', failed: 'Échec', skipped: 'Non envoyée (pas d’adresse ou désactivée)' },
  noNotice: 'Aucune',
  details: 'Détails',
  actions: 'Actions',
  openHeading: 'Ouvrir à distance',
  reason: 'Motif',
  reasonHint: 'Inscrit au journal d’activité avec votre nom.',
  reasonMissing: 'Indiquez pourquoi la porte est ouverte.',
  openSubmit: 'Ouvrir la porte',
  opening: 'Ouverture, en attente de la porte…',
  outcomes: {
    opened: 'La porte s’est ouverte.',
    already_open: 'La porte était déjà ouverte.',
    jammed: 'La porte est bloquée : la serrure a bougé mais la porte ne s’est pas ouverte.',
    unknown: 'Le contrôleur n’a pas pu dire si la porte s’est ouverte.',
    rejected: 'Le contrôleur a refusé d’ouvrir la porte.',
    timed_out: 'Pas de réponse du contrôleur à temps. La commande a expiré : si elle n\'a pas atteint la porte avant, la porte ne s\'ouvrira pas pour elle. Vérifiez l\'état de la porte avant de réessayer.',
  },
  serviceHeading: 'Service',
  outOfService: 'Mettre hors service',
  backInService: 'Remettre en service',
  serviceReason: 'Motif',
  endHeading: 'Réservation',
  endReservation: 'Terminer la réservation',
  removeExpired: 'Retirer le colis expiré',
  reserve: 'Réserver ce casier',
  done: 'C’est fait.',
  controllerOffline: 'Le contrôleur de ce casier est hors ligne : la porte ne peut pas être ouverte à distance pour le moment.',
};

export const LOCKERS_WORDS: Record<PageLanguage, LockersWords> = { en: EN, fr: FR };
