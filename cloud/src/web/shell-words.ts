/** The words of the console's frame (menu, header, idle warning, errors) in English and French. */
import type { PageLanguage } from '../http/pages/i18n.ts';

export interface ShellWords {
  /** This language's name, in itself (the switch to it). */
  name: string;
  console: string;
  skip: string;
  menu: string;
  menuItems: Record<MenuKey, string>;
  language: string;
  signedInAs: (name: string) => string;
  signOut: string;
  idleWarning: string;
  staySignedIn: string;
  errorTitle: string;
  forbidden: string;
  notFound: string;
  failed: string;
  formExpired: string;
  errorsHeading: string;
  back: string;
  previous: string;
  next: string;
  save: string;
  cancel: string;
  delete: string;
  search: string;
}

export const MENU_KEYS = ['lockers', 'reservations', 'activity', 'reports', 'contacts', 'users', 'roles', 'settings'] as const;
export type MenuKey = (typeof MENU_KEYS)[number];

const EN: ShellWords = {
  name: 'English',
  console: 'Portier console',
  skip: 'Skip to the main content',
  menu: 'Main menu',
  menuItems: { lockers: 'Lockers', reservations: 'Reservations', activity: 'Activity', reports: 'Reports', contacts: 'Address book', users: 'Users', roles: 'Roles', settings: 'Set-up' },
  language: 'Language',
  signedInAs: (n) => `Signed in as ${n}`,
  signOut: 'Sign out',
  idleWarning: 'You will be signed out in one minute because you have not done anything for a while.',
  staySignedIn: 'Stay signed in',
  errorTitle: 'Something went wrong',
  forbidden: 'Your role does not allow this.',
  notFound: 'This page does not exist, or it is outside what you may see.',
  failed: 'Something went wrong. Try again later.',
  formExpired: 'This form has expired. Load the page again and send it again.',
  errorsHeading: 'There is a problem',
  back: 'Back',
  previous: 'Previous page',
  next: 'Next page',
  save: 'Save',
  cancel: 'Cancel',
  delete: 'Delete',
  search: 'Search',
};

const FR: ShellWords = {
  name: 'Français',
  console: 'Console Portier',
  skip: 'Aller au contenu principal',
  menu: 'Menu principal',
  menuItems: { lockers: 'Casiers', reservations: 'Réservations', activity: 'Activité', reports: 'Rapports', contacts: 'Carnet d’adresses', users: 'Utilisateurs', roles: 'Rôles', settings: 'Configuration' },
  language: 'Langue',
  signedInAs: (n) => `Connecté en tant que ${n}`,
  signOut: 'Se déconnecter',
  idleWarning: 'Vous serez déconnecté dans une minute faute d’activité.',
  staySignedIn: 'Rester connecté',
  errorTitle: 'Une erreur s’est produite',
  forbidden: 'Votre rôle ne le permet pas.',
  notFound: 'Cette page n’existe pas, ou elle est hors de ce que vous pouvez voir.',
  failed: 'Une erreur s’est produite. Réessayez plus tard.',
  formExpired: 'Ce formulaire a expiré. Rechargez la page et envoyez-le à nouveau.',
  errorsHeading: 'Il y a un problème',
  back: 'Retour',
  previous: 'Page précédente',
  next: 'Page suivante',
  save: 'Enregistrer',
  cancel: 'Annuler',
  delete: 'Supprimer',
  search: 'Rechercher',
};

export const SHELL_WORDS: Record<PageLanguage, ShellWords> = { en: EN, fr: FR };
