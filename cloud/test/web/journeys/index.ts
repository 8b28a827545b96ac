// The journeys of the console's browser test, in the order they run.
import type { Test } from 'tap';
import type { ConsoleWorld } from '../browser-world.ts';
import { contactsJourney } from './contacts.ts';
import { lockersJourney } from './lockers.ts';
import { reservationsJourney } from './reservations.ts';
import { activityJourney } from './activity.ts';
import { usersJourney } from './users.ts';
import { organisationJourney } from './organisation.ts';
import { departmentsJourney } from './departments.ts';
import { customFieldsJourney } from './custom-fields.ts';
import { notificationsJourney } from './notifications.ts';
import { importsJourney } from './imports.ts';
import { securityJourney } from './security.ts';
import { retentionJourney } from './retention.ts';
import { carriersJourney } from './carriers.ts';
import { labelsJourney } from './labels.ts';
import { bankSettingsJourney } from './bank-settings.ts';
import { brandingJourney } from './branding.ts';

export interface Journey {
  name: string;
  title: string;
  run(t: Test, w: ConsoleWorld): Promise<void>;
}

export const JOURNEYS: readonly Journey[] = [
  lockersJourney,
  reservationsJourney,
  activityJourney,
  contactsJourney,
  usersJourney,
  organisationJourney,
  departmentsJourney,
  customFieldsJourney,
  notificationsJourney,
  importsJourney,
  securityJourney,
  retentionJourney,
  carriersJourney,
  labelsJourney,
  bankSettingsJourney,
  brandingJourney,
];
