/** The words of the activity and reports screens in English and French. */
import type { ActivityType } from '../../domain/model.ts';
import type { PageLanguage } from '../../http/pages/i18n.ts';

export interface ActivityWords {
  title: string;
  filters: string;
  type: string;
  allTypes: string;
  types: Record<ActivityType, string>;
  from: string;
  to: string;
  datesHint: string;
  bank: string;
  allBanks: string;
  recipient: string;
  recipientSearch: string;
  recipientHint: string;
  anyRecipient: string;
  noMatch: string;
  apply: string;
  clear: string;
  exportCsv: string;
  exportHint: string;
  caption: (page: number) => string;
  columns: { time: string; type: string; where: string; recipient: string; actor: string; detail: string };
  locker: (bank: string, n: number | undefined) => string;
  empty: string;
  pages: string;
  badDate: string;
  badRange: string;
}

export interface ReportsWords {
  title: string;
  period: string;
  lastDays: (n: number) => string;
  bank: string;
  allBanks: string;
  show: string;
  noBanks: string;
  range: (from: string, to: string) => string;
  utilisation: string;
  summary: (lockers: number, peak: string, average: string) => string;
  occupancyCaption: (bank: string) => string;
  date: string;
  peak: string;
  peakShare: string;
  averageShare: string;
  chartLegend: string;
  dwell: string;
  dwellCaption: string;
  dwellBank: string;
  pickedUp: string;
  median: string;
  p90: string;
  average: string;
  noPickups: string;
  duration: (ms: number) => string;
}

/** "2 h 05 min", "3 d 4 h", "12 min": a stay's length as people say it. */
function duration(ms: number, day: string, hour: string, minute: string): string {
  const minutes = Math.round(ms / 60_000);
  if (minutes < 60) return `${minutes} ${minute}`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours} ${hour} ${String(minutes % 60).padStart(2, '0')} ${minute}`;
  return `${Math.floor(hours / 24)} ${day} ${hours % 24} ${hour}`;
}

const EN_ACTIVITY: ActivityWords = {
  title: 'Activity',
  filters: 'Filters',
  type: 'Transaction type',
  allTypes: 'All types',
  types: {
    reservation: 'Reservation',
    'drop-off': 'Drop-off',
    pickup: 'Pickup',
    return: 'Return',
    'remote-open': 'Remote open',
    'service-change': 'Service change',
    expiry: 'Expiry',
    extension: 'Extension',
    end: 'Reservation ended',
    'staff-credential': 'Staff sign-in',
    alert: 'Alert',
    erasure: 'Erasure',
    'admin-change': 'Administrative change',
    account: 'Account',
    notification: 'Notification',
  },
  from: 'From',
  to: 'To',
  datesHint: 'Both days included.',
  bank: 'Locker bank',
  allBanks: 'All banks',
  recipient: 'Recipient',
  recipientSearch: 'Find a recipient',
  recipientHint: 'Type part of a name, e-mail address or personnel ID.',
  anyRecipient: 'Any recipient',
  noMatch: 'No contact matches.',
  apply: 'Show',
  clear: 'Clear filters',
  exportCsv: 'Export CSV',
  exportHint: 'Every entry of these filters, not only this page.',
  caption: (p) => `Activity, page ${p}`,
  columns: { time: 'Time', type: 'Type', where: 'Bank and locker', recipient: 'Recipient', actor: 'By', detail: 'Detail' },
  locker: (bank, n) => (n !== undefined ? `${bank}, locker ${n}` : bank),
  empty: 'No activity matches these filters.',
  pages: 'Pages',
  badDate: 'Enter a date as day, month and year.',
  badRange: 'The last day must not be before the first.',
};

const FR_ACTIVITY: ActivityWords = {
  title: 'Activité',
  filters: 'Filtres',
  type: 'Type d’opération',
  allTypes: 'Tous les types',
  types: {
    reservation: 'Réservation',
    'drop-off': 'Dépôt',
    pickup: 'Retrait',
    return: 'Retour',
    'remote-open': 'Ouverture à distance',
    'service-change': 'Mise en / hors service',
    expiry: 'Expiration',
    extension: 'Prolongation',
    end: 'Réservation terminée',
    'staff-credential': 'Accès du personnel',
    alert: 'Alerte',
    erasure: 'Effacement',
    'admin-change': 'Modification administrative',
    account: 'Compte',
    notification: 'Notification',
  },
  from: 'Du',
  to: 'Au',
  datesHint: 'Les deux jours inclus.',
  bank: 'Bloc de casiers',
  allBanks: 'Tous les blocs',
  recipient: 'Destinataire',
  recipientSearch: 'Chercher un destinataire',
  recipientHint: 'Tapez une partie d’un nom, d’une adresse e-mail ou d’un matricule.',
  anyRecipient: 'Tout destinataire',
  noMatch: 'Aucun contact ne correspond.',
  apply: 'Afficher',
  clear: 'Effacer les filtres',
  exportCsv: 'Exporter en CSV',
  exportHint: 'Toutes les entrées de ces filtres, pas seulement cette page.',
  caption: (p) => `Activité, page ${p}`,
  columns: { time: 'Heure', type: 'Type', where: 'Bloc et casier', recipient: 'Destinataire', actor: 'Par', detail: 'Détail' },
  locker: (bank, n) => (n !== undefined ? `${bank}, casier ${n}` : bank),
  empty: 'Aucune activité ne correspond à ces filtres.',
  pages: 'Pages',
  badDate: 'Saisissez une date (jour, mois et année).',
  badRange: 'Le dernier jour ne doit pas précéder le premier.',
};

const EN_REPORTS: ReportsWords = {
  title: 'Reports',
  period: 'Period',
  lastDays: (n) => `Last ${n} days`,
  bank: 'Locker bank',
  allBanks: 'All banks',
  show: 'Show',
  noBanks: 'There is no locker bank you may see.',
  range: (f, t) => `From ${f} to ${t}`,
  utilisation: 'Occupancy',
  summary: (n, p, a) => `${n} lockers; at most ${p} occupied at once, ${a} occupied on average.`,
  occupancyCaption: (b) => `Occupancy of ${b}, day by day`,
  date: 'Day',
  peak: 'Most lockers occupied at once',
  peakShare: 'Peak',
  averageShare: 'Average',
  chartLegend: 'Bars: average share of lockers occupied each day. Lines: the peak of the day. The table gives the figures.',
  dwell: 'Time from drop-off to pickup',
  dwellCaption: 'Time from drop-off to pickup, by bank',
  dwellBank: 'Bank',
  pickedUp: 'Parcels picked up',
  median: 'Median',
  p90: '90th percentile',
  average: 'Average',
  noPickups: 'No pickup',
  duration: (ms) => duration(ms, 'd', 'h', 'min'),
};

const FR_REPORTS: ReportsWords = {
  title: 'Rapports',
  period: 'Période',
  lastDays: (n) => `${n} derniers jours`,
  bank: 'Bloc de casiers',
  allBanks: 'Tous les blocs',
  show: 'Afficher',
  noBanks: 'Aucun bloc de casiers ne vous est visible.',
  range: (f, t) => `Du ${f} au ${t}`,
  utilisation: 'Occupation',
  summary: (n, p, a) => `${n} casiers ; au plus ${p} occupés en même temps, ${a} occupés en moyenne.`,
  occupancyCaption: (b) => `Occupation de ${b}, jour par jour`,
  date: 'Jour',
  peak: 'Casiers occupés au plus en même temps',
  peakShare: 'Pointe',
  averageShare: 'Moyenne',
  chartLegend: 'Barres : part moyenne des casiers occupés chaque jour. Traits : la pointe du jour. Le tableau donne les chiffres.',
  dwell: 'Délai entre dépôt et retrait',
  dwellCaption: 'Délai entre dépôt et retrait, par bloc',
  dwellBank: 'Bloc',
  pickedUp: 'Colis retirés',
  median: 'Médiane',
  p90: '90e centile',
  average: 'Moyenne',
  noPickups: 'Aucun retrait',
  duration: (ms) => duration(ms, 'j', 'h', 'min'),
};

export const ACTIVITY_WORDS: Record<PageLanguage, ActivityWords> = { en: EN_ACTIVITY, fr: FR_ACTIVITY };
export const REPORTS_WORDS: Record<PageLanguage, ReportsWords> = { en: EN_REPORTS, fr: FR_REPORTS };
