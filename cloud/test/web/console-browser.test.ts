// The console in a real Chromium, its daily-work screens: manage lockers, reservations, activity and reports.
import { runJourneys } from './run-journeys.ts';

runJourneys(['lockers', 'reservations', 'activity']);
