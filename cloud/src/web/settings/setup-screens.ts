/**
 * The set-up screens: where an enterprise administrator configures Portier, reached from the console's one "Set-up"
 * menu entry (settings-page.ts) rather than each from the menu bar. A screen shows there only when the person's role
 * may open it (menu.ts `setupScreensOf`), read from the server's access table like the menu.
 */
import type { PageLanguage } from '../../http/pages/i18n.ts';

export const SETUP_PATHS = {
  organisation: '/console/organisation',
  departments: '/console/departments',
  carriers: '/console/carriers',
  labels: '/console/labels',
  bankSettings: '/console/bank-settings',
  customFields: '/console/custom-fields',
  notifications: '/console/notifications',
  imports: '/console/imports',
  branding: '/console/branding',
  security: '/console/security',
  retention: '/console/retention',
} as const;
export type SetupKey = keyof typeof SETUP_PATHS;

/** The groups of the set-up page, in order, each with its screens in order. */
export const SETUP_GROUPS = {
  organisation: ['organisation', 'departments', 'carriers'],
  lockers: ['labels', 'bankSettings'],
  data: ['customFields', 'notifications', 'imports'],
  enterprise: ['branding', 'security', 'retention'],
} as const satisfies Record<string, readonly SetupKey[]>;
export type SetupGroup = keyof typeof SETUP_GROUPS;

export interface SetupWords {
  title: string;
  intro: string;
  none: string;
  groups: Record<SetupGroup, string>;
  /** Each screen's name (its page title and link) and what it is for. */
  screens: Record<SetupKey, { name: string; about: string }>;
}

export const SETUP_WORDS: Record<PageLanguage, SetupWords> = {
  en: {
    title: 'Set-up',
    intro: 'Configure your organisation, locker banks and enterprise settings.',
    none: 'Your role does not set anything up.',
    groups: { organisation: 'Organisation', lockers: 'Locker banks', data: 'Data and notifications', enterprise: 'Enterprise' },
    screens: {
      organisation: { name: 'Organisation', about: 'Enterprise, divisions, locations, banks, columns and lockers.' },
      departments: { name: 'Departments', about: 'Departments, their members and key contacts.' },
      carriers: { name: 'Carriers', about: 'Carriers, their access codes and a printable sheet of QR codes.' },
      labels: { name: 'Labels', about: 'Printable rear-shelf barcodes and locker labels.' },
      bankSettings: { name: 'Bank settings', about: 'Kiosk timers, day-use storage, delivery quota and other bank rules.' },
      customFields: { name: 'Custom fields', about: 'Extra fields on users, contacts and reservations.' },
      notifications: { name: 'Notifications', about: 'E-mail templates with a preview, and who is told of what.' },
      imports: { name: 'Scheduled imports', about: 'Contacts imported from an SFTP server: settings, runs, run now.' },
      branding: { name: 'Branding', about: 'Logo and colours of the kiosk screen and the e-mails.' },
      security: { name: 'Security', about: 'Sign-out when idle, lock-out, passwords, two-step sign-in, single sign-on and API keys.' },
      retention: { name: 'Retention and erasure', about: 'How long history is kept, and erasing one person’s personal data.' },
    },
  },
  fr: {
    title: 'Configuration',
    intro: 'Configurez votre organisation, vos blocs de casiers et les paramètres de l’entreprise.',
    none: 'Votre rôle ne configure rien.',
    groups: { organisation: 'Organisation', lockers: 'Blocs de casiers', data: 'Données et notifications', enterprise: 'Entreprise' },
    screens: {
      organisation: { name: 'Organisation', about: 'Entreprise, divisions, sites, blocs, colonnes et casiers.' },
      departments: { name: 'Services', about: 'Les services, leurs membres et leurs contacts principaux.' },
      carriers: { name: 'Transporteurs', about: 'Les transporteurs, leurs codes d’accès et une planche de codes QR à imprimer.' },
      labels: { name: 'Étiquettes', about: 'Codes-barres des étagères arrière et étiquettes de casiers à imprimer.' },
      bankSettings: { name: 'Paramètres des blocs', about: 'Minuteries de la borne, consigne à la journée, quota de livraison et autres règles.' },
      customFields: { name: 'Champs personnalisés', about: 'Des champs en plus sur les utilisateurs, les contacts et les réservations.' },
      notifications: { name: 'Notifications', about: 'Modèles d’e-mails avec aperçu, et qui est prévenu de quoi.' },
      imports: { name: 'Imports planifiés', about: 'Contacts importés d’un serveur SFTP : réglages, exécutions, lancer maintenant.' },
      branding: { name: 'Image de marque', about: 'Logo et couleurs de l’écran de la borne et des e-mails.' },
      security: { name: 'Sécurité', about: 'Déconnexion après inactivité, verrouillage, mots de passe, connexion en deux étapes, authentification unique et clés d’API.' },
      retention: { name: 'Conservation et effacement', about: 'Durée de conservation de l’historique, et effacement des données personnelles d’une personne.' },
    },
  },
};
