/** The screens of the console, in the order their routes are registered. */
import type { ConsoleScreen } from './console.ts';
import { contactsScreen } from './contacts/contacts-page.ts';
import { lockersScreen } from './lockers/lockers-page.ts';
import { reservationsScreen } from './reservations/reservations-page.ts';
import { activityScreen } from './activity/activity-page.ts';
import { reportsScreen } from './activity/reports-page.ts';
import { rolesScreen } from './users/roles-page.ts';
import { usersScreen } from './users/users-page.ts';
import { settingsScreen } from './settings/settings-page.ts';
import { organisationScreen } from './organisation/organisation-page.ts';
import { departmentsScreen } from './departments/departments-page.ts';
import { customFieldsScreen } from './custom-fields/custom-fields-page.ts';
import { notificationsScreen } from './notifications/notifications-page.ts';
import { importsScreen } from './imports/imports-page.ts';
import { securityScreen } from './security/security-page.ts';
import { retentionScreen } from './retention/retention-page.ts';
import { carriersScreen } from './carriers/carriers-page.ts';
import { labelsScreen } from './labels/labels-page.ts';
import { bankSettingsScreen } from './bank-settings/bank-settings-page.ts';
import { brandingScreen } from './branding/branding-page.ts';

export const CONSOLE_SCREENS: readonly ConsoleScreen[] = [
  lockersScreen,
  reservationsScreen,
  activityScreen,
  reportsScreen,
  contactsScreen,
  usersScreen,
  rolesScreen,
  settingsScreen,
  organisationScreen,
  departmentsScreen,
  customFieldsScreen,
  notificationsScreen,
  importsScreen,
  securityScreen,
  retentionScreen,
  carriersScreen,
  labelsScreen,
  bankSettingsScreen,
  brandingScreen,
];
